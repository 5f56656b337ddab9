//! A document's blocks -> its paragraphs: page cuts joined, the headings that [`super::headings`]
//! recognises nested, every paragraph given the path of the headings above it.

use super::blocks::join_wrapped;
use super::headings::{
    Form, MAX_HEADING_CHARS, Rank, form, heading_rank, heading_text, is_paragraph_end,
    is_sentence_end, markdown_heading,
};
use super::{Pages, Paragraph};
use std::sync::Arc;

/// A topic sentence is at most this long: 「提振消费为要。」 is 6.
const MAX_TOPIC_CHARS: usize = 16;

/// The title a document prints on its first block, when that block reads like a title.
pub fn printed_title(blocks: &[String]) -> Option<String> {
    let first = blocks.first()?;
    if let Some((1, text)) = markdown_heading(first) {
        return Some(text.to_string());
    }
    let short = first.chars().count() <= MAX_HEADING_CHARS;
    // A title ends on a word or a closing bracket: 「政府工作报告」, 「…办法（试行）」; not on 的,
    // and not where the next line goes on with punctuation (「…所作的」 / 「政府工作报告」 / 「。」).
    let ends_like_a_title = first
        .chars()
        .last()
        .is_some_and(|c| (c.is_alphanumeric() && c != '的') || matches!(c, '）' | ')' | '》'));
    let continued = blocks.get(1).is_some_and(|next| {
        next.starts_with(|c: char| {
            matches!(c, '。' | '，' | '、' | '；' | '：' | '）' | '”' | '」')
        })
    });
    let ends_like_a_title = ends_like_a_title && !continued;
    (short
        && ends_like_a_title
        && !first.contains(is_sentence_end)
        && heading_rank(first).is_none())
    .then(|| first.clone())
}

/// Forms of the blocks, with the document's opening lines marked as front matter: the first block
/// when it reads like a title, a 「——…」 line that is not prose, and the short line after it (the
/// speaker). The occasion line 「——2024年3月5日在第十四届全国人民代表大会第二次会议上」 has no
/// comma or sentence end; a dash-led list item of a report body is prose
/// (「——经济总体回升向好。国内生产总值超过126万亿元，…」) and is text, which a page end may cut.
fn forms(blocks: &[String], layout: Layout, opens: bool) -> Vec<Form> {
    let mut forms: Vec<Form> = blocks.iter().map(|b| form(b)).collect();
    // A short block set apart by its type, with no marker and no sentence end, is a heading.
    if let Layout::Rebuilt(styled) = layout {
        for (i, block) in blocks.iter().enumerate() {
            if styled.get(i).copied().unwrap_or(false)
                && forms[i] == Form::Text
                && block.chars().count() <= MAX_HEADING_CHARS
                && !block.contains(is_sentence_end)
                && !block.ends_with(is_paragraph_end)
            {
                forms[i] = Form::Heading(Rank::Styled);
            }
        }
    }
    // Blocks that go on with a document (a later part of a file read in parts) have no title.
    if opens && printed_title(blocks).is_some() {
        forms[0] = Form::FrontMatter;
    }
    for i in 0..blocks.len() {
        if forms[i] == Form::Text && blocks[i].starts_with('—') && !is_prose(&blocks[i]) {
            forms[i] = Form::FrontMatter;
            if let Some(next) = blocks.get(i + 1)
                && forms[i + 1] == Form::Text
                && next.chars().count() <= 30
                && !next.contains(is_sentence_end)
                && !next.ends_with(is_paragraph_end)
            {
                forms[i + 1] = Form::FrontMatter;
            }
        }
    }
    forms
}

/// True when the heading line at `at` is the first half of a run-in heading cut by a page end (in
/// any layout: a page end of a PDF becomes a line end or a blank line of the text):
/// most headings of its rank under the same parent are run-in.
///
/// 「（五）优化空间布局、提升功能品质，美」 / 「好城市加快建设。坚持…」: （一）…（四） and
/// （六）…（八） under 「一、2024年工作回顾」 are run-in, so this one is too. Under
/// 「三、2025年重点工作」 every （N） stands alone, and 「（一）千方百计…新增点」 is kept apart.
fn is_cut_run_in(forms: &[Form], at: usize) -> bool {
    const MIN_RUN_IN_SIBLINGS: usize = 2;
    let Form::Heading(rank) = forms[at] else {
        return false;
    };
    let outer = |f: &Form| matches!(f, Form::Heading(r) | Form::RunIn(r) if *r < rank);
    let start = forms[..at].iter().rposition(outer).map_or(0, |i| i + 1);
    let end = forms[at + 1..]
        .iter()
        .position(outer)
        .map_or(forms.len(), |i| at + 1 + i);
    let (mut run_in, mut alone) = (0, 0);
    for (i, f) in forms.iter().enumerate().take(end).skip(start) {
        match f {
            Form::RunIn(r) if *r == rank => run_in += 1,
            Form::Heading(r) if *r == rank && i != at => alone += 1,
            _ => {}
        }
    }
    run_in >= MIN_RUN_IN_SIBLINGS && run_in > alone
}

/// How the blocks of a document were laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout<'a> {
    /// Pages of a gazette issue extracted from PDF: a blank line may be a page end inside a
    /// paragraph.
    Paged,
    /// Lines; `gaps[i]` says a blank line stood before block `i`, which ends a paragraph unless
    /// the text before it is running prose.
    Lines(&'a [bool]),
    /// Paragraphs already rebuilt from a PDF's layout (`crate::ingest::pdf`): a block is a
    /// paragraph, whatever it ends with; nothing is joined. `styled[i]` says block `i` is set
    /// larger or bolder than the text.
    Rebuilt(&'a [bool]),
}

/// True for a fragment of running prose: it holds a comma or a sentence's end. Only such a block
/// continues across a blank line (a page end of a PDF); a short line set apart by blank lines is a
/// line of its own: 「中華民國103年1月2日」, 「院授主基法字第1020201348A號」.
fn is_prose(text: &str) -> bool {
    text.contains(['，', ',', '；', '。'])
}

/// True for a block that cannot open a paragraph, so it goes on with the block before it whatever
/// that block ended with: it starts with punctuation that closes or continues a sentence. A page
/// end after a closing quote cuts 「…提出“两个毫不动摇”」 / 「，坚持…」.
pub(super) fn continues(block: &str) -> bool {
    block.starts_with(|c: char| {
        matches!(
            c,
            '，' | '、'
                | '。'
                | '；'
                | '：'
                | '）'
                | '”'
                | '’'
                | '」'
                | '』'
                | '》'
                | '！'
                | '？'
                | ','
        )
    })
}

/// A block joined from the text's blocks: its text, its form and the pages it stands on.
struct Joined {
    text: String,
    form: Form,
    pages: Option<Pages>,
}

/// Joins blocks cut by a page end or split at a link. Returns the joined blocks, and how many
/// joins were made.
fn join_cuts(
    blocks: &[String],
    pages: &[Option<Pages>],
    layout: Layout,
    opens: bool,
) -> (Vec<Joined>, usize) {
    let forms = forms(blocks, layout, opens);
    let page_of = |i: usize| pages.get(i).copied().flatten();
    let mut out = Vec::new();
    let mut cuts = 0;
    let mut i = 0;
    while i < blocks.len() {
        let mut text = blocks[i].clone();
        let mut form_now = forms[i];
        let mut span = page_of(i);
        // A standalone heading or an opening line never continues into the next block; any other
        // block that does not end a paragraph was cut by a page end:
        // 「…补贴资金3.77亿」 + 「元，拉动消费近21亿元…」 is one sentence.
        let open = match form_now {
            _ if matches!(layout, Layout::Rebuilt(_)) => false,
            Form::Heading(_) => is_cut_run_in(&forms, i),
            Form::FrontMatter => false,
            Form::RunIn(_) | Form::Text => true,
        };
        let mut joined = false;
        while open
            && i + 1 < blocks.len()
            && (!text.ends_with(is_paragraph_end) || continues(&blocks[i + 1]))
        {
            let gap = matches!(layout, Layout::Lines(gaps) if gaps[i + 1]);
            if forms[i + 1] != Form::Text || (gap && !is_prose(&text)) {
                break;
            }
            // A page end cuts anywhere, even inside 「PI制」: join it back as it was. A wrapped
            // line of Latin words lost its space.
            match layout {
                Layout::Paged | Layout::Rebuilt(_) => text.push_str(&blocks[i + 1]),
                Layout::Lines(_) => join_wrapped(&mut text, &blocks[i + 1]),
            }
            span = match (span, page_of(i + 1)) {
                (Some(first), Some(next)) => Some(first.through(next)),
                (first, next) => first.or(next),
            };
            cuts += 1;
            joined = true;
            i += 1;
        }
        if let Form::Heading(rank) = form_now
            && joined
        {
            form_now = match form(&text) {
                Form::Text | Form::Heading(_) => Form::RunIn(rank),
                other => other,
            };
        }
        out.push(Joined {
            text,
            form: form_now,
            pages: span,
        });
        i += 1;
    }
    (out, cuts)
}

/// A paragraph that opens with a short topic sentence: 「提振消费为要。实施提振消费专项行动…」.
pub(super) fn opens_with_topic(text: &str) -> bool {
    let Some(end) = text.find('。') else {
        return false;
    };
    let topic = &text[..end];
    let length = topic.chars().count();
    (2..=MAX_TOPIC_CHARS).contains(&length)
        && !topic
            .contains(|c: char| matches!(c, '，' | '；' | '：' | ',' | ':') || c.is_ascii_digit())
        && text[end..].chars().count() > 10
}

/// Marks topic sentences as run-in headings where they clearly head paragraphs: two or more
/// neighbouring paragraphs open with one.
fn mark_topics(paragraphs: &mut [Joined]) {
    let candidate: Vec<bool> = paragraphs
        .iter()
        .map(|p| p.form == Form::Text && opens_with_topic(&p.text))
        .collect();
    for i in 0..paragraphs.len() {
        let neighbour =
            (i > 0 && candidate[i - 1]) || candidate.get(i + 1).copied().unwrap_or(false);
        if candidate[i] && neighbour {
            paragraphs[i].form = Form::RunIn(Rank::Topic);
        }
    }
}

/// [`paragraphs_under`] no heading: a document's blocks from its start.
#[cfg(test)]
pub fn paragraphs(
    blocks: &[String],
    pages: &[Option<Pages>],
    layout: Layout,
) -> (Vec<Paragraph>, usize) {
    paragraphs_under(blocks, pages, layout, &mut Sections::default())
}

/// The headings open where a document's text stands, outermost first, with their ranks: where a
/// part of a file read in parts leaves its last document, for the next part to go on under.
#[derive(Debug, Clone, Default)]
pub struct Sections {
    open: Vec<(Rank, String)>,
    /// The blocks go on with a document begun before them: they hold no title.
    goes_on: bool,
}

impl Sections {
    /// The headings open after a part, for the next part, which goes on under them.
    pub fn going_on(self) -> Sections {
        Sections {
            goes_on: true,
            ..self
        }
    }
}

/// Repairs and structures a document's blocks, with the pages each stands on where they are known
/// (`pages` may be shorter than `blocks`), under the headings of `sections`, which is left holding
/// the headings open after them. Returns the paragraphs and how many page cuts were joined.
pub fn paragraphs_under(
    blocks: &[String],
    pages: &[Option<Pages>],
    layout: Layout,
    sections: &mut Sections,
) -> (Vec<Paragraph>, usize) {
    let (mut joined, cuts) = join_cuts(blocks, pages, layout, !sections.goes_on);
    mark_topics(&mut joined);
    let mut out = Vec::with_capacity(joined.len());
    let stack = &mut sections.open;
    // The path of the headings open, shared by the paragraphs under them: made again only after
    // the headings change.
    let mut open: Option<Arc<[String]>> = None;
    let path = |stack: &[(Rank, String)], open: &mut Option<Arc<[String]>>| {
        open.get_or_insert_with(|| stack.iter().map(|(_, h)| h.clone()).collect())
            .clone()
    };
    for Joined { text, form, pages } in joined {
        let text = match markdown_heading(&text) {
            Some((_, stripped)) => stripped.to_string(),
            None => text,
        };
        match form {
            Form::Heading(rank) => {
                stack.retain(|(r, _)| *r < rank);
                open = None;
                out.push(Paragraph {
                    section: path(stack, &mut open),
                    text: text.clone(),
                    heading: true,
                    pages,
                });
                stack.push((rank, text));
                open = None;
            }
            Form::RunIn(rank) => {
                stack.retain(|(r, _)| *r < rank);
                stack.push((rank, heading_text(rank, &text)));
                open = None;
                out.push(Paragraph {
                    section: path(stack, &mut open),
                    text,
                    heading: false,
                    pages,
                });
            }
            Form::FrontMatter | Form::Text => out.push(Paragraph {
                section: path(stack, &mut open),
                text,
                heading: false,
                pages,
            }),
        }
    }
    (out, cuts)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Paragraphs of blocks set apart by blank lines.
    fn run(blocks: &[&str]) -> Vec<(String, Vec<String>)> {
        run_with_gaps(blocks, true)
    }

    fn run_with_gaps(blocks: &[&str], gaps: bool) -> Vec<(String, Vec<String>)> {
        let blocks: Vec<String> = blocks.iter().map(|s| s.to_string()).collect();
        let gaps = vec![gaps; blocks.len()];
        paragraphs(&blocks, &[], Layout::Lines(&gaps))
            .0
            .into_iter()
            .map(|p| (p.text, p.section.to_vec()))
            .collect()
    }

    #[test]
    fn joins_a_paragraph_cut_by_a_page_end() {
        let got = run(&[
            "报告",
            "位居全省第5，发放补贴资金3.77亿",
            "元，拉动消费近21亿元。",
        ]);
        assert_eq!(
            got[1].0,
            "位居全省第5，发放补贴资金3.77亿元，拉动消费近21亿元。"
        );
        assert_eq!(got.len(), 2);
    }

    #[test]
    fn joins_lines_split_at_a_link() {
        let got = run_with_gaps(
            &["会议听取了总理所作的", "政府工作报告", "。会议充分肯定。"],
            false,
        );
        assert_eq!(got[0].0, "会议听取了总理所作的政府工作报告。会议充分肯定。");
    }

    #[test]
    fn keeps_short_lines_set_apart_by_blank_lines() {
        // The head of a 行政院公報 item: each line stands alone, none ends a sentence.
        let got = run(&[
            "行政院令",
            "中華民國103年1月2日",
            "院授主基法字第1020201348A號",
            "修正第五條。",
        ]);
        assert_eq!(got.len(), 4, "{got:?}");
    }

    #[test]
    fn does_not_read_a_decimal_as_a_numbered_heading() {
        assert_eq!(heading_rank("3.77亿元"), None);
        assert_eq!(heading_rank("1.加强领导。"), Some(Rank::Arabic));
        assert_eq!(heading_rank("1、加强领导。"), Some(Rank::Arabic));
        assert_eq!(heading_rank("（1）加强领导。"), Some(Rank::ParenArabic));
    }

    #[test]
    fn a_deeper_heading_nests_and_a_sibling_replaces() {
        let got = run(&[
            "一、总体要求",
            "（一）目标",
            "甲。",
            "（二）任务",
            "乙。",
            "二、保障",
            "丙。",
        ]);
        let sections: Vec<Vec<String>> = got.into_iter().map(|(_, s)| s).collect();
        assert_eq!(sections[2], ["一、总体要求", "（一）目标"]);
        assert_eq!(sections[4], ["一、总体要求", "（二）任务"]);
        assert_eq!(sections[5], Vec::<String>::new());
        assert_eq!(sections[6], ["二、保障"]);
    }

    #[test]
    fn reads_markdown_chapters_and_articles_of_a_law() {
        let got = run(&[
            "# 某市公园管理条例",
            "## 第一章 总则",
            "第一条 为了促进公园事业发展，制定本条例。",
            "本条例所称公园，是指公共场所。",
            "## 第二章 规划",
            "第 十四 條",
            "公园规划应当公开。",
        ]);
        assert_eq!(got[0].0, "某市公园管理条例");
        assert_eq!(got[1].0, "第一章 总则");
        assert_eq!(got[2].1, ["第一章 总则", "第一条"]);
        assert_eq!(got[3].1, ["第一章 总则", "第一条"]);
        assert_eq!(got[5].1, ["第二章 规划"]);
        assert_eq!(got[6].1, ["第二章 规划", "第 十四 條"]);
    }

    #[test]
    fn reads_a_run_of_topic_sentences_as_headings() {
        let got = run(&[
            "（一）千方百计稳增长扩内需",
            "提振消费为要。实施提振消费专项行动，落实以旧换新政策。",
            "稳住楼市为重。坚持严控增量、优化存量、提高质量。",
        ]);
        assert_eq!(got[1].1, ["（一）千方百计稳增长扩内需", "提振消费为要"]);
        assert_eq!(got[2].1, ["（一）千方百计稳增长扩内需", "稳住楼市为重"]);
    }

    #[test]
    fn a_lone_short_first_sentence_is_no_heading() {
        let got = run(&[
            "报告",
            "各位代表。我代表市人民政府向大会报告工作。",
            "过去一年，成绩显著。",
        ]);
        assert!(got.iter().all(|(_, s)| s.is_empty()), "{got:?}");
    }

    /// Paragraphs of blocks as a PDF's pages give them.
    fn paged(blocks: &[&str]) -> Vec<String> {
        let blocks: Vec<String> = blocks.iter().map(|s| s.to_string()).collect();
        paragraphs(&blocks, &[], Layout::Paged)
            .0
            .into_iter()
            .map(|p| p.text)
            .collect()
    }

    #[test]
    fn joins_a_dash_led_paragraph_cut_by_a_page_end() {
        // A 2024 work report: its list of the year's results opens each item with a dash.
        let cut = [
            "政府工作报告",
            "——2024年3月5日在第十四届全国人民代表大会第二次会议上",
            "——经济总体回升向好。国内生产总值超过126万亿元，增长",
            "5.2%，增速居世界主要经济体前列。",
            "——科技创新实现新的突破。",
        ];
        let want =
            "——经济总体回升向好。国内生产总值超过126万亿元，增长5.2%，增速居世界主要经济体前列。";
        for got in [paged(&cut), run(&cut).into_iter().map(|(t, _)| t).collect()] {
            assert_eq!(got[2], want, "{got:?}");
            assert_eq!(got.len(), 4, "{got:?}");
            // The occasion line stays the document's own line.
            assert_eq!(got[1], cut[1]);
        }
    }

    #[test]
    fn joins_paragraphs_with_other_openings_cut_by_a_page_end() {
        for (first, second) in [
            (
                "①加强组织领导，各级政府要高度重视，建立健全工作",
                "机制，确保各项任务落到实处。",
            ),
            (
                "第十条 市人民政府应当加强公园建设，将公园",
                "建设纳入国民经济和社会发展规划。",
            ),
            ("“十四五”规划确定的目标任务，要坚持", "稳中求进工作总基调。"),
            (
                "坚持和完善基本经济制度，落实“两个毫不动摇”",
                "，支持民营经济发展壮大。",
            ),
        ] {
            let got = paged(&["报告", first, second]);
            assert_eq!(got[1], format!("{first}{second}"), "{got:?}");
        }
    }

    #[test]
    fn joins_a_numbered_item_cut_before_its_first_sentence_ends() {
        // Cut short, 「2.完善工作机制，…建立健全工作」 reads like a heading alone on its line; its
        // siblings run on into their paragraphs, so it does too.
        let cut = [
            "报告",
            "1.加强组织领导。各级政府要高度重视，主要负责同志亲自抓。",
            "2.完善工作机制，各部门要密切配合，建立健全工作",
            "机制，确保各项任务落到实处。",
            "3.强化督促检查。严格考核，压实责任。",
        ];
        let want = "2.完善工作机制，各部门要密切配合，建立健全工作机制，确保各项任务落到实处。";
        for got in [paged(&cut), run(&cut).into_iter().map(|(t, _)| t).collect()] {
            assert_eq!(got[2], want, "{got:?}");
            assert_eq!(got.len(), 4, "{got:?}");
        }
    }
}
