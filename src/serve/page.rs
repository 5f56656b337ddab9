//! PAGE: the search page, a paragraph in its context, and the timeline, in Chinese, rendered on
//! the server: every link and form works without JavaScript, and the URL carries the whole query,
//! so that a search can be bookmarked and shared. maud escapes every text it interpolates: a
//! paragraph that holds `<script>` shows it as text.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::response::{Html, IntoResponse, Response};
use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::api::{buckets, page_of, shown};
use super::params::{PAGE, Params, encode};
use super::{App, Failure, blocking};
use crate::output::cite::reference;
use crate::output::human::{Piece, citation, issue_and_document, passage};
use crate::output::kwic::{KwicOrder, kwic_lines};
use crate::report::stats::Bucket;
use crate::search::{Hit, MatchedIn, SearchResult};

/// The query syntax, each example a search that runs when clicked.
const GUIDE: &[(&str, &str)] = &[
    ("云台山 实验室", "两个词都出现"),
    ("云台山 OR 青天河", "任一出现"),
    ("云台山 -门票", "排除后一个词"),
    ("\"3 + 1\"", "引号内按原文匹配"),
    ("发展 NEAR/5 经济", "相距不超过 5 个字"),
    ("政府 region:河南", "限定地区"),
    ("工作报告 year:2025", "限定年份"),
];

/// The form fields that narrow a search, kept from page to page.
const KEPT: &[&str] = &[
    "q", "gazette", "region", "document", "from", "to", "sort", "words",
];

const STYLE: &str = "
body{font-family:'Noto Sans CJK SC','Noto Sans SC',sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#8b1a1a;color:#fff;padding:.6em 1.2em}header a{color:#fff;text-decoration:none}
main{display:flex;gap:2em;padding:1em 1.2em;max-width:72em}
#results{flex:1;min-width:0}aside{width:16em;font-size:.9em}
form.search input[name=q]{width:28em;max-width:100%;font-size:1.1em;padding:.3em}
fieldset{border:1px solid #ccc;margin:.5em 0;padding:.4em .8em}
fieldset label{margin-right:1em;white-space:nowrap}
.hit{background:#fff;border:1px solid #e4e4e4;padding:.6em .9em;margin:.7em 0}
.cite{color:#555;font-size:.9em}.text{margin:.35em 0;line-height:1.7}
mark{background:#ffe066;padding:0 .1em}.meta{font-size:.85em}
.error{background:#fee;border:1px solid #c00;padding:.6em}
.target{border-left:4px solid #8b1a1a}.pages a{margin-right:1em}
table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:.2em .6em;text-align:right}
td:first-child,th:first-child{text-align:left}
";

/// What JavaScript adds, where it runs; the page needs none of it. A citation is copied with one
/// click; on the search page the hits follow the box as one types, once typing pauses, the URL
/// kept in step so that it can still be shared.
const SCRIPT: &str = r#"
document.addEventListener('click', function (e) {
  var b = e.target.closest('[data-copy]');
  if (b && navigator.clipboard) { navigator.clipboard.writeText(b.dataset.copy); b.textContent = '已复制'; }
});
(function () {
  var form = document.querySelector('form.search');
  var box = form && form.querySelector('input[name=q]');
  if (!box || location.pathname !== '/') return;
  var timer = null, asked = 0;
  box.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      if (!box.value.trim()) return;
      var url = '/?' + new URLSearchParams(new FormData(form)).toString();
      var mine = ++asked;
      fetch(url).then(function (r) { return r.text(); }).then(function (html) {
        if (mine !== asked) return;
        var page = new DOMParser().parseFromString(html, 'text/html');
        var hits = page.getElementById('hits');
        if (hits) { document.getElementById('hits').innerHTML = hits.innerHTML; history.replaceState(null, '', url); }
      });
    }, 300);
  });
})();
"#;

/// Hits whose lines a concordance shows: its lines are every occurrence in them.
const KWIC_HITS: usize = 100;
/// Characters of context on each side of a match in a concordance.
const KWIC_WIDTH: usize = 20;

/// A URL of this server: `path` with the `pairs` that have a value, percent-encoded.
pub(super) fn url(path: &str, pairs: &[(&str, &str)]) -> String {
    let query: Vec<String> = pairs
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| format!("{name}={}", encode(value)))
        .collect();
    match query.is_empty() {
        true => path.to_string(),
        false => format!("{path}?{}", query.join("&")),
    }
}

/// The kept fields of `params` with `changes` made: a change to an empty value removes it.
fn with(params: &Params, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = KEPT
        .iter()
        .filter_map(|name| params.get(name).map(|v| (name.to_string(), v.to_string())))
        .collect();
    for (name, value) in changes {
        pairs.retain(|(n, _)| n != name);
        if !value.is_empty() {
            pairs.push((name.to_string(), value.to_string()));
        }
    }
    pairs
}

fn link(path: &str, pairs: &[(String, String)]) -> String {
    let pairs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    url(path, &pairs)
}

fn layout(title: &str, params: &Params, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · gazette 公报检索" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header { a href="/" { strong { "gazette 公报检索" } } }
                main {
                    div #results {
                        (form(params))
                        div #hits { (body) }
                    }
                    aside { (guide()) }
                }
                script { (PreEscaped(SCRIPT)) }
            }
        }
    }
}

fn form(params: &Params) -> Markup {
    let value = |name: &str| params.get(name).unwrap_or_default().to_string();
    let sort = value("sort");
    html! {
        form.search method="get" action="/" {
            input type="search" name="q" value=(value("q")) placeholder="输入检索词，如 多氟多"
                autofocus aria-label="检索词";
            " "
            button type="submit" { "搜索" }
            fieldset {
                legend { "筛选" }
                label { "公报 " input name="gazette" size="10" value=(value("gazette")); }
                label { "地区 " input name="region" size="8" value=(value("region")); }
                label { "文件 " input name="document" size="10" value=(value("document")); }
                br;
                label { "起始日期 " input name="from" size="10" placeholder="2020" value=(value("from")); }
                label { "截止日期 " input name="to" size="10" placeholder="2025-06" value=(value("to")); }
                label { input type="checkbox" name="words" value="1" checked[params.flag("words")]; " 整词匹配" }
                label { "排序 "
                    select name="sort" {
                        option value="relevance" selected[sort.is_empty() || sort == "relevance"] { "相关度" }
                        option value="newest" selected[sort == "newest"] { "最新" }
                        option value="oldest" selected[sort == "oldest"] { "最早" }
                    }
                }
            }
        }
    }
}

fn guide() -> Markup {
    html! {
        h3 { "检索语法" }
        p { "点击示例即可检索：" }
        ul {
            @for (query, meaning) in GUIDE {
                li { a href=(url("/", &[("q", query)])) { code { (query) } } " " (meaning) }
            }
        }
        p { "繁体与简体、全角与半角、汉字间的空格均视为相同。" }
        p { "接口（JSON）：" code { "/api/search?q=…" } }
    }
}

/// An error in the page, with its status.
fn failed(params: &Params, failure: Failure) -> Response {
    let body = html! { p.error { "出错了：" (failure.message) } };
    (
        failure.status,
        Html(layout("出错", params, body).into_string()),
    )
        .into_response()
}

/// The passage of a hit, its matches marked.
fn marked(hit: &Hit) -> Markup {
    html! {
        @for piece in passage(hit) {
            @match piece {
                Piece::Plain(text) => (text),
                Piece::Match(text) => mark { (text) },
                Piece::Gap => " … ",
            }
        }
    }
}

fn hit(hit: &Hit) -> Markup {
    let paragraph = hit.paragraph.to_string();
    let reference = reference(hit);
    // A PDF opens at the page the paragraph starts on.
    let pdf = hit
        .citation
        .path
        .to_ascii_lowercase()
        .ends_with(".pdf")
        .then(|| {
            let source = url("/source", &[("path", &hit.citation.path)]);
            match hit.page {
                Some(page) => (
                    format!("{source}#page={page}"),
                    format!("原文 PDF 第 {page} 页"),
                ),
                None => (source, "原文 PDF".to_string()),
            }
        });
    let kind = match hit.matched_in {
        MatchedIn::Text => None,
        MatchedIn::Title => Some("标题命中"),
        MatchedIn::DocNumber => Some("文号命中"),
        MatchedIn::Gazette | MatchedIn::Issue => Some("期刊名命中"),
    };
    html! {
        div.hit {
            div.cite { (citation(hit)) }
            div.text { (marked(hit)) }
            div.meta {
                @if let Some(kind) = kind { (kind) " · " }
                (hit.citation.path)
                @if hit.matched_in == MatchedIn::Text {
                    " ¶" (paragraph) " · "
                    a.context href=(url("/show", &[("path", &hit.citation.path), ("paragraph", &paragraph)])) { "查看上下文" }
                }
                @if let Some((href, label)) = &pdf { " · " a href=(href) { (label) } }
            }
            details.reference {
                summary { "引用（GB/T 7714）" }
                code { (reference) } " "
                button type="button" data-copy=(reference) { "复制引用" }
            }
        }
    }
}

fn results(params: &Params, result: &SearchResult, offset: usize, limit: usize) -> Markup {
    let shown_to = offset + result.hits.len();
    let previous = offset.saturating_sub(limit).to_string();
    let next = (offset + limit).to_string();
    html! {
        p.count {
            "共 " strong { (result.total) } " 条结果"
            @if result.documents + result.issues > 0 {
                "（段落 " (result.paragraphs) "，标题或文号 " (result.documents) "，期刊名 " (result.issues) "）"
            }
            @if !result.hits.is_empty() { "，第 " (offset + 1) "–" (shown_to) " 条" }
        }
        p.views {
            a href=(link("/timeline", &with(params, &[("offset", "")]))) { "时间分布" } " · "
            a href=(link("/kwic", &with(params, &[("offset", "")]))) { "索引行（KWIC）" } " · "
            a href=(link("/download", &with(params, &[("offset", ""), ("format", "csv")]))) { "下载 CSV" } " · "
            a href=(link("/download", &with(params, &[("offset", ""), ("format", "jsonl")]))) { "下载 JSON Lines" }
        }
        @for h in &result.hits { (hit(h)) }
        p.pages {
            @if offset > 0 {
                a rel="prev" href=(link("/", &with(params, &[("offset", &previous)]))) { "上一页" }
            }
            @if shown_to < result.total {
                a rel="next" href=(link("/", &with(params, &[("offset", &next)]))) { "下一页" }
            }
        }
    }
}

pub(super) async fn search(State(app): State<Arc<App>>, RawQuery(raw): RawQuery) -> Response {
    let params = match Params::parse(raw.as_deref()) {
        Ok(params) => params,
        Err(bad) => return failed(&Params::default(), bad.into()),
    };
    if params.get("q").is_none() {
        let body = html! { p { "在上方输入检索词。结果按相关度排列，并注明公报、期号、日期、文件、章节和页码。" } };
        return Html(layout("检索", &params, body).into_string()).into_response();
    }
    let found = async {
        let config = params.search()?;
        let (offset, _) = params.page()?;
        let app_for_search = Arc::clone(&app);
        let result = blocking(&app.searches, move || {
            page_of(&app_for_search, config, offset, PAGE)
        })
        .await?;
        Ok::<_, Failure>((result, offset))
    }
    .await;
    match found {
        Ok((result, offset)) => {
            let title = params.get("q").unwrap_or_default().to_string();
            let body = results(&params, &result, offset, PAGE);
            Html(layout(&title, &params, body).into_string()).into_response()
        }
        Err(failure) => failed(&params, failure),
    }
}

pub(super) async fn show(State(app): State<Arc<App>>, RawQuery(raw): RawQuery) -> Response {
    let params = match Params::parse(raw.as_deref()) {
        Ok(params) => params,
        Err(bad) => return failed(&Params::default(), bad.into()),
    };
    match shown(&app, &params).await {
        Ok((paragraphs, target)) => {
            let first = paragraphs.first();
            let body = html! {
                @if let Some(first) = first {
                    h2 { (first.citation.document) }
                    p.cite { (issue_and_document(first)) }
                }
                @for (i, p) in paragraphs.iter().enumerate() {
                    div.hit.target[Some(i) == target] {
                        @if !p.section.is_empty() { div.cite { (p.section.join(" › ")) } }
                        div.text { (p.text) }
                        div.meta { "¶" (p.paragraph) @if let Some(page) = p.page { " · 第 " (page) " 页" } }
                    }
                }
            };
            Html(layout("上下文", &Params::default(), body).into_string()).into_response()
        }
        Err(failure) => failed(&Params::default(), failure),
    }
}

/// Bars of the mentions per 10,000 paragraphs of each bucket, drawn as SVG on the server.
fn chart(buckets: &[Bucket]) -> Markup {
    let (width, height, bottom) = (720.0_f64, 240.0_f64, 40.0_f64);
    let most = buckets
        .iter()
        .map(|b| b.per_10k)
        .fold(0.0, f64::max)
        .max(1e-9);
    let step = width / buckets.len().max(1) as f64;
    let bar = (step * 0.7).clamp(1.0, 60.0);
    html! {
        svg xmlns="http://www.w3.org/2000/svg" width=(width) height=(height + bottom)
            viewBox=(format!("0 0 {width} {}", height + bottom)) role="img" aria-label="每万段提及次数" {
            @for (i, b) in buckets.iter().enumerate() {
                @let h = b.per_10k / most * (height - 20.0);
                @let x = i as f64 * step + (step - bar) / 2.0;
                rect x=(format!("{x:.1}")) y=(format!("{:.1}", height - h)) width=(format!("{bar:.1}"))
                    height=(format!("{h:.1}")) fill="#8b1a1a" {
                    title { (b.bucket) "：每万段 " (b.per_10k) "（" (b.paragraphs) " 段）" }
                }
                text x=(format!("{:.1}", x + bar / 2.0)) y=(height + 16.0) font-size="11" text-anchor="middle" {
                    (b.bucket)
                }
            }
        }
    }
}

fn table(params: &Params, name: &str, field: &str, buckets: &[Bucket]) -> Markup {
    html! {
        h3 { "按" (name) }
        table {
            tr { th { (name) } th { "命中段落" } th { "每万段" } }
            @for b in buckets.iter().filter(|b| b.paragraphs > 0) {
                tr {
                    td { a href=(link("/", &with(params, &[(field, &b.bucket), ("offset", "")]))) { (b.bucket) } }
                    td { (b.paragraphs) }
                    td { (b.per_10k) }
                }
            }
        }
    }
}

pub(super) async fn timeline(State(app): State<Arc<App>>, RawQuery(raw): RawQuery) -> Response {
    let params = match Params::parse(raw.as_deref()) {
        Ok(params) => params,
        Err(bad) => return failed(&Params::default(), bad.into()),
    };
    let counted = async {
        let (by_time, by) = buckets(&app, &params).await?;
        let by_region = buckets(&app, &with_by(&params, "region")).await?.0;
        let by_gazette = buckets(&app, &with_by(&params, "gazette")).await?.0;
        Ok::<_, Failure>((by_time, by, by_region, by_gazette))
    }
    .await;
    match counted {
        Ok((by_time, by, by_region, by_gazette)) => {
            let q = params.get("q").unwrap_or_default();
            let other = if by == "month" { "year" } else { "month" };
            let body = html! {
                h2 { "「" (q) "」的时间分布" }
                p {
                    "每万段提及次数，按" (if by == "month" { "月" } else { "年" }) "。 "
                    a href=(url("/timeline", &[("q", q), ("by", other)])) { "改为按" (if other == "month" { "月" } else { "年" }) }
                    " · " a href=(url("/", &[("q", q)])) { "返回结果" }
                }
                (chart(&by_time))
                (table(&params, "地区", "region", &by_region))
                (table(&params, "公报", "gazette", &by_gazette))
            };
            Html(layout("时间分布", &params, body).into_string()).into_response()
        }
        Err(failure) => failed(&params, failure),
    }
}

/// `params` counted by `by` instead.
fn with_by(params: &Params, by: &str) -> Params {
    let mut pairs = with(params, &[]);
    pairs.push(("by".into(), by.into()));
    Params::from_pairs(pairs)
}

pub(super) async fn kwic(State(app): State<Arc<App>>, RawQuery(raw): RawQuery) -> Response {
    let params = match Params::parse(raw.as_deref()) {
        Ok(params) => params,
        Err(bad) => return failed(&Params::default(), bad.into()),
    };
    let found = async {
        let config = params.search()?;
        let app_for_search = Arc::clone(&app);
        blocking(&app.searches, move || {
            page_of(&app_for_search, config, 0, KWIC_HITS)
        })
        .await
    }
    .await;
    let order = match params.get("order") {
        Some("left") => KwicOrder::Left,
        Some("right") => KwicOrder::Right,
        _ => KwicOrder::Hits,
    };
    match found {
        Ok(result) => {
            let lines = kwic_lines(&result.hits, KWIC_WIDTH, order);
            let body = html! {
                p {
                    "前 " (result.hits.len()) " 条结果中的 " (lines.len()) " 处命中（共 " (result.total) " 条结果）。排序："
                    a href=(link("/kwic", &with(&params, &[("order", "")]))) { "按结果" } " · "
                    a href=(link("/kwic", &with(&params, &[("order", "left")]))) { "按左文" } " · "
                    a href=(link("/kwic", &with(&params, &[("order", "right")]))) { "按右文" }
                }
                table.kwic {
                    @for line in &lines {
                        tr {
                            td { (line.left) }
                            td style="text-align:center" { mark { (line.matched) } }
                            td style="text-align:left" { (line.right) }
                            td.cite style="text-align:left" { (issue_and_document(line.hit)) }
                        }
                    }
                }
            };
            Html(layout("索引行", &params, body).into_string()).into_response()
        }
        Err(failure) => failed(&params, failure),
    }
}
