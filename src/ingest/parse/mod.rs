//! PARSE: the text of one file -> a gazette issue with its metadata, documents, section paths and
//! repaired paragraphs.
//!
//! The stages, in order: [`blocks`] splits the text into the blocks the extraction left (lines or
//! blank-line separated paragraphs); [`masthead`] reads the issue's header and its 目录 (table of
//! contents) and splits the body into documents; [`structure`] joins paragraphs cut by page ends
//! and gives each paragraph the path of the headings above it, which [`headings`] recognises.
//! [`resume`] runs the same stages on a file read in parts, carrying the parse from part to part.

mod blocks;
mod headings;
mod masthead;
mod resume;
mod structure;

pub use blocks::Edges;
pub use resume::{Resume, cuts_cleanly, parse_first, parse_next};

use std::sync::Arc;
use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

/// One parsed file: an issue of a gazette, or a single document.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Issue {
    /// 公报 name, e.g. 焦作市人民政府公报.
    pub gazette: Option<String>,
    /// Issue as printed, e.g. 2025年第1号（总第139号）.
    pub issue: Option<String>,
    /// Publication date: `YYYY-MM-DD`, or `YYYY-MM` / `YYYY` where that is all that is known.
    pub date: Option<String>,
    /// Where the gazette or document is from, e.g. 河南省焦作市.
    pub region: Option<String>,
    pub documents: Vec<Document>,
    pub stats: ParseStats,
    /// Where each metadata value came from: (field, source), e.g. ("date", "read from the masthead").
    pub sources: Vec<(&'static str, &'static str)>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Document {
    pub title: String,
    /// Page of the issue where the document starts, from the 目录, else where its first paragraph
    /// starts.
    pub page: Option<u32>,
    /// The document number (文号) its opening lines print: 「国发〔1993〕85号」.
    pub doc_number: Option<String>,
    pub paragraphs: Vec<Paragraph>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Paragraph {
    /// The repaired paragraph, as the source wrote it.
    pub text: String,
    /// Headings above the paragraph, outermost first: one list shared by the paragraphs under
    /// the same headings, not a copy for each.
    pub section: Arc<[String]>,
    pub heading: bool,
    /// The pages it stands on, where the source has pages: a PDF, or text with form feeds.
    pub pages: Option<Pages>,
}

/// The pages a paragraph stands on, numbered as the issue prints them (see
/// [`crate::ingest::margins::numbers`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Pages {
    /// Where it starts.
    pub first: u32,
    /// Where it ends: `first`, unless a page end cut it.
    pub last: u32,
}

impl Pages {
    /// The pages of a paragraph joined from two blocks.
    pub fn through(self, later: Pages) -> Pages {
        Pages {
            first: self.first,
            last: later.last.max(self.first),
        }
    }
}

impl Paragraph {
    /// The headings that head this paragraph, outermost first: its section path without a
    /// heading that is the paragraph's own text. A list item that is all heading is its own text,
    /// not its context: 「（六）其他不履行优化营商环境职责或者损害营商环境的。」 must not count
    /// twice. A run-in heading that opens a longer paragraph (「（二）奋力推进因地制宜发展新质生产力。
    /// 坚持…」) heads it; the line is drawn at four fifths of the paragraph.
    pub fn context(&self) -> impl Iterator<Item = &str> {
        let own_text = |heading: &str| {
            self.text.starts_with(heading)
                && heading.chars().count() * 10 >= self.text.chars().count() * 8
        };
        self.section
            .iter()
            .map(String::as_str)
            .filter(move |heading| !own_text(heading))
    }
}

/// What the parser did to the text, for `inspect` and for the corpus report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ParseStats {
    /// Joins made: paragraphs cut by a page end, lines split at a link.
    pub cuts_joined: usize,
    /// Lines of page debris dropped (download and print buttons, source and time lines).
    pub debris_dropped: usize,
}

impl Issue {
    pub fn paragraph_count(&self) -> usize {
        self.documents.iter().map(|d| d.paragraphs.len()).sum()
    }
}

/// Parses the text of one file. `file_stem` (the file name without its extension) titles a
/// document that names none, and may hold its date: 「焦作市公园管理条例(2021-08-25)」. It reads
/// the stages in order (blocks, masthead, structure) and settles the metadata between them; kept
/// in one place so that the order of the stages reads top to bottom.
pub fn parse(text: &str, file_stem: &str) -> Issue {
    parse_blocks(blocks::split(text), file_stem, false).0
}

/// A paragraph rebuilt from a PDF's layout (`crate::ingest::pdf`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rebuilt {
    pub text: String,
    /// The pages it stands on.
    pub pages: Pages,
    /// Set larger or bolder than the document's text: a heading, when it reads like one.
    pub styled: bool,
}

/// Parses the paragraphs of a PDF, rebuilt from its layout: each is a block, and no block is
/// joined to the next.
pub fn parse_rebuilt(paragraphs: &[Rebuilt], file_stem: &str) -> Issue {
    parse_blocks(blocks::rebuilt(paragraphs), file_stem, true).0
}

/// The issue, the headings open at the end of its last document, and whether its head showed a
/// paged layout.
fn parse_blocks(
    split: blocks::Blocks,
    file_stem: &str,
    rebuilt: bool,
) -> (Issue, structure::Sections, bool) {
    let blocks = split.blocks;
    let gaps = split.gap_before;
    let pages = split.pages;
    let styled = split.styled;
    let head = masthead::read(&blocks);
    let (stem_title, stem_date) = split_stem(file_stem);
    let mut sources = Vec::new();
    for (field, found) in [
        ("gazette", head.gazette.is_some()),
        ("issue", head.issue.is_some()),
    ] {
        if found {
            sources.push((field, "read from the masthead"));
        }
    }
    let date = [
        (head.date, "read from the masthead"),
        (speech_date(&blocks), "read from the 「——…」 line"),
        (stem_date, "read from the file name"),
    ]
    .into_iter()
    .find_map(|(date, source)| date.map(|d| (d, source)));
    if let Some((_, source)) = &date {
        sources.push(("date", *source));
    }
    let mut issue = Issue {
        gazette: head.gazette,
        issue: head.issue,
        date: date.map(|(d, _)| d),
        sources,
        stats: ParseStats {
            debris_dropped: split.debris,
            ..ParseStats::default()
        },
        ..Issue::default()
    };
    let mut sections = structure::Sections::default();
    for part in head.documents {
        let body = &blocks[part.blocks.clone()];
        if body.is_empty() {
            continue;
        }
        let layout = match (rebuilt, head.paged) {
            (true, _) => structure::Layout::Rebuilt(&styled[part.blocks.clone()]),
            (false, true) => structure::Layout::Paged,
            (false, false) => structure::Layout::Lines(&gaps[part.blocks.clone()]),
        };
        sections = structure::Sections::default();
        let (paragraphs, cuts) =
            structure::paragraphs_under(body, &pages[part.blocks.clone()], layout, &mut sections);
        let paragraphs = split_long(paragraphs);
        // Without a 目录, a document starts on the page of its first paragraph.
        let page = part
            .page
            .or_else(|| paragraphs.iter().find_map(|p| p.pages).map(|p| p.first));
        issue.stats.cuts_joined += cuts;
        let title = part
            .title
            .or_else(|| structure::printed_title(body))
            .unwrap_or_else(|| stem_title.to_string());
        issue.documents.push(Document {
            title,
            page,
            doc_number: doc_number(body),
            paragraphs,
        });
    }
    let named = issue
        .gazette
        .clone()
        .or_else(|| issue.documents.first().map(|d| d.title.clone()));
    issue.region = named.as_deref().and_then(crate::ingest::region::derive);
    if issue.region.is_some() {
        issue.sources.push(("region", "derived from the name"));
    }
    (issue, sections, head.paged)
}

/// The longest paragraph indexed as one, in characters. A real paragraph is far shorter (a page
/// holds about 1,500); a longer one is a file without paragraph breaks, which would otherwise
/// cost dozens of times its size in memory to index as a single document.
pub const MAX_PARAGRAPH_CHARS: usize = 20_000;

/// Splits paragraphs longer than [`MAX_PARAGRAPH_CHARS`] into pieces of at most that length,
/// each ending after the last sentence end (。！？；) within it when there is one. A literal that
/// spans two pieces is not found; with sentence ends to split at, that is one that spans them.
fn split_long(paragraphs: Vec<Paragraph>) -> Vec<Paragraph> {
    if paragraphs
        .iter()
        .all(|p| p.text.len() <= MAX_PARAGRAPH_CHARS)
    {
        return paragraphs;
    }
    let mut out = Vec::with_capacity(paragraphs.len());
    for paragraph in paragraphs {
        if paragraph.text.chars().count() <= MAX_PARAGRAPH_CHARS {
            out.push(paragraph);
            continue;
        }
        let mut rest = paragraph.text.as_str();
        while !rest.is_empty() {
            let limit = rest
                .char_indices()
                .nth(MAX_PARAGRAPH_CHARS)
                .map_or(rest.len(), |(i, _)| i);
            let end = if limit == rest.len() {
                limit
            } else {
                rest[..limit]
                    .rfind(['。', '！', '？', '；'])
                    .map_or(limit, |i| i + '。'.len_utf8())
            };
            out.push(Paragraph {
                text: rest[..end].to_string(),
                section: paragraph.section.clone(),
                heading: false,
                pages: paragraph.pages,
            });
            rest = &rest[end..];
        }
    }
    out
}

static STEM_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(.*?)\s*[(（](\d{4}-\d{1,2}-\d{1,2})[)）]$").expect("valid regex")
});
/// 「——2025年2月18日在焦作市第十四届人民代表大会第三次会议上」
static SPEECH_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[—-]+\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日").expect("valid regex")
});

/// 「国发〔1993〕85号」, 「豫政〔2025〕3号」, 「国办发[2024]12号」: an issuer, a bracketed year, a
/// number, 号.
static DOC_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^\p{Han}{1,12}\s*[〔\[［(（【]\s*(?:19|20)\d{2}\s*[〕\]］)）】]\s*第?\s*\d{1,5}\s*[号號]",
    )
    .expect("valid regex")
});
/// 「院授主基法字第1020201348A號」: Taiwan's 字第…號.
static DOC_NUMBER_TW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\p{Han}{1,12}字第\s*[0-9A-Z]{2,16}\s*[号號]").expect("valid regex")
});

/// How many opening blocks of a document may print its number: a title over several lines, an
/// issuer, dates of adoption and effect (「最高人民法院」 / 「关于审理…的解释」 / 「法释〔2022〕3号」).
const DOC_NUMBER_BLOCKS: usize = 12;

/// The document number (文号) printed on one of a document's opening lines, as printed. The line
/// is the number, or the number and a short note (「签发人：张三」); a sentence that opens with a
/// number cites another document (「国发〔1993〕21号文件规定，…」).
fn doc_number(blocks: &[String]) -> Option<String> {
    blocks.iter().take(DOC_NUMBER_BLOCKS).find_map(|block| {
        let found = [&*DOC_NUMBER, &*DOC_NUMBER_TW]
            .iter()
            .find_map(|re| re.find(block))?;
        let rest = &block[found.end()..];
        let alone = rest.chars().count() <= 20 && !rest.contains(['，', '。', '；', ',']);
        alone.then(|| found.as_str().to_string())
    })
}

/// A file name's title and date: 「焦作市公园管理条例(2021-08-25)」 -> 焦作市公园管理条例, 2021-08-25.
fn split_stem(stem: &str) -> (&str, Option<String>) {
    match STEM_DATE.captures(stem) {
        Some(caps) => {
            let title = caps.get(1).map_or(stem, |m| m.as_str());
            (title, crate::text::dates::normalise(&caps[2]))
        }
        None => (stem, None),
    }
}

/// The date of a speech, from its 「——YYYY年M月D日在…会议上」 line near the start.
fn speech_date(blocks: &[String]) -> Option<String> {
    blocks.iter().take(12).find_map(|block| {
        let caps = SPEECH_DATE.captures(block)?;
        crate::text::dates::normalise(&format!("{}-{}-{}", &caps[1], &caps[2], &caps[3]))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_heading_that_is_the_paragraphs_own_text_is_not_its_context() {
        let paragraph = |text: &str| Paragraph {
            text: text.into(),
            section: [
                "一、总则".to_string(),
                "（六）其他不履行职责的。".to_string(),
            ]
            .into(),
            heading: false,
            pages: None,
        };
        let whole = paragraph("（六）其他不履行职责的。");
        assert_eq!(whole.context().collect::<Vec<_>>(), ["一、总则"]);
        let run_in = paragraph("（六）其他不履行职责的。坚持依法行政，落实各项制度，推进工作。");
        assert_eq!(
            run_in.context().collect::<Vec<_>>(),
            ["一、总则", "（六）其他不履行职责的。"]
        );
    }

    #[test]
    fn splits_a_paragraph_too_long_to_be_one_at_sentence_ends() {
        let sentence = "这是一个句子。".repeat(5_000); // 35,000 characters
        let issue = parse(&format!("{sentence}\n\n短段落。\n"), "stem");
        let texts: Vec<&str> = issue.documents[0]
            .paragraphs
            .iter()
            .map(|p| p.text.as_str())
            .collect();
        let lengths: Vec<usize> = texts.iter().map(|t| t.chars().count()).collect();
        // 20,000 is not a multiple of 7: the first piece ends at the last 。 before it.
        assert_eq!(lengths, [19_999, 15_001, 4]);
        assert!(
            texts.concat() == format!("{sentence}短段落。"),
            "nothing lost"
        );
        assert!(texts[0].ends_with('。') && texts[1].starts_with('这'));
        // Without sentence ends, at the limit.
        let run = "字".repeat(MAX_PARAGRAPH_CHARS * 2 + 5);
        let issue = parse(&format!("{run}\n"), "stem");
        let lengths: Vec<usize> = issue.documents[0]
            .paragraphs
            .iter()
            .map(|p| p.text.chars().count())
            .collect();
        assert_eq!(lengths, [MAX_PARAGRAPH_CHARS, MAX_PARAGRAPH_CHARS, 5]);
    }

    const SEED: &str = include_str!("../../../corpus/焦作市人民政府公报_2025年第1号.txt");

    fn seed() -> Issue {
        parse(SEED, "seed")
    }

    fn find<'a>(issue: &'a Issue, needle: &str) -> Vec<&'a Paragraph> {
        issue.documents[0]
            .paragraphs
            .iter()
            .filter(|p| p.text.contains(needle))
            .collect()
    }

    #[test]
    fn reads_the_seed_masthead_and_contents() {
        let issue = seed();
        assert_eq!(issue.gazette.as_deref(), Some("焦作市人民政府公报"));
        assert_eq!(issue.issue.as_deref(), Some("2025年第1号（总第139号）"));
        assert_eq!(issue.date.as_deref(), Some("2025-02-28"));
        assert_eq!(issue.documents.len(), 1);
        assert_eq!(issue.documents[0].title, "焦作市人民政府工作报告");
        assert_eq!(issue.documents[0].page, Some(3));
        assert_eq!(issue.region.as_deref(), Some("河南省焦作市"));
    }

    #[test]
    fn text_with_form_feeds_cites_the_printed_page_of_each_paragraph() {
        // As `pdftotext` writes an issue: pages apart by form feeds, each with the running header
        // at its top and its printed number at its foot, numbered from 5.
        let pages = [
            "某市人民政府公报\n\n第一段正文，内容完整。\n\n— 5 —\n",
            "某市人民政府公报\n\n第二段正文，由此开始，跨过\n\n— 6 —\n",
            "某市人民政府公报\n\n页末之后继续。\n\n第三段。\n\n— 7 —\n",
        ];
        let issue = parse(&pages.join("\u{c}"), "某文件");
        let got: Vec<(&str, Option<Pages>)> = issue.documents[0]
            .paragraphs
            .iter()
            .map(|p| (p.text.as_str(), p.pages))
            .collect();
        let on = |first, last| Some(Pages { first, last });
        assert_eq!(
            got,
            [
                ("第一段正文，内容完整。", on(5, 5)),
                ("第二段正文，由此开始，跨过页末之后继续。", on(6, 7)),
                ("第三段。", on(7, 7)),
            ]
        );
        assert_eq!(issue.documents[0].page, Some(5));
        assert_eq!(issue.stats.debris_dropped, 6);
    }

    #[test]
    fn a_pdf_heading_set_apart_by_its_type_heads_what_follows() {
        let block = |text: &str, styled: bool| Rebuilt {
            text: text.into(),
            pages: Pages { first: 1, last: 1 },
            styled,
        };
        let issue = parse_rebuilt(
            &[
                block("关于某项工作的报告", true),
                block("现在，我报告工作。", false),
                block("工作回顾", true),
                block("一年来，经济平稳。", false),
                block("一、主要任务", true),
                block("稳增长，促发展。", false),
                // A styled sentence is emphasis, not a heading.
                block("必须坚持稳中求进。", true),
            ],
            "某文件",
        );
        let got: Vec<(&str, Vec<&str>, bool)> = issue.documents[0]
            .paragraphs
            .iter()
            .map(|p| {
                let section = p.section.iter().map(String::as_str).collect();
                (p.text.as_str(), section, p.heading)
            })
            .collect();
        assert_eq!(issue.documents[0].title, "关于某项工作的报告");
        assert_eq!(
            &got[1..],
            [
                ("现在，我报告工作。", vec![], false),
                ("工作回顾", vec![], true),
                ("一年来，经济平稳。", vec!["工作回顾"], false),
                ("一、主要任务", vec!["工作回顾"], true),
                ("稳增长，促发展。", vec!["工作回顾", "一、主要任务"], false),
                (
                    "必须坚持稳中求进。",
                    vec!["工作回顾", "一、主要任务"],
                    false
                ),
            ]
        );
    }

    #[test]
    fn reads_the_document_number_from_the_opening_lines() {
        for (line, want) in [
            ("国发〔1993〕85号", Some("国发〔1993〕85号")),
            ("豫政 [2025] 3号", Some("豫政 [2025] 3号")),
            (
                "国办发（2024）第12号 签发人：张三",
                Some("国办发（2024）第12号"),
            ),
            (
                "院授主基法字第1020201348A號",
                Some("院授主基法字第1020201348A號"),
            ),
            ("2025年第1号", None),
            ("第一条 为了规范管理，制定本办法。", None),
            ("国发〔1993〕21号文件规定，各地应当执行。", None),
        ] {
            let text =
                format!("关于某事的通知\n\n{line}\n\n各县区人民政府：\n\n现将有关事项通知如下。\n");
            let issue = parse(&text, "某文件");
            assert_eq!(issue.documents[0].doc_number.as_deref(), want, "{line}");
        }
    }

    #[test]
    fn joins_the_eighteen_paragraphs_cut_by_page_ends() {
        let issue = seed();
        assert_eq!(issue.stats.cuts_joined, 18);
        // 86 blocks from the title on, 18 of them second halves.
        assert_eq!(issue.paragraph_count(), 68);
        assert_eq!(find(&issue, "补贴资金3.77亿元，拉动消费").len(), 1);
        assert_eq!(find(&issue, "新增6家省质量标杆企业").len(), 1);
        assert_eq!(find(&issue, "党风廉政建设和反腐败斗争").len(), 1);
    }

    #[test]
    fn keeps_a_standalone_heading_line_apart() {
        let issue = seed();
        let heading = find(&issue, "（一）千方百计稳增长扩内需");
        assert_eq!(heading.len(), 1);
        assert_eq!(
            heading[0].text,
            "（一）千方百计稳增长扩内需，全力打造经济新增点"
        );
        assert!(heading[0].heading);
        assert_eq!(*heading[0].section, ["三、2025年重点工作"]);
        let under = find(&issue, "提振消费为要。");
        assert_eq!(
            *under[0].section,
            [
                "三、2025年重点工作",
                "（一）千方百计稳增长扩内需，全力打造经济新增点",
                "提振消费为要"
            ]
        );
    }

    #[test]
    fn joins_a_run_in_heading_cut_by_a_page_end() {
        // 「（五）优化空间布局、提升功能品质，美」 / 「好城市加快建设。坚持…」: its siblings
        // （一）…（八） are all run-in headings, so this one was cut, not a standalone line.
        let issue = seed();
        let joined = find(&issue, "提升功能品质，美好城市加快建设。");
        assert_eq!(joined.len(), 1);
        assert_eq!(
            *joined[0].section,
            [
                "一、2024年工作回顾",
                "（五）优化空间布局、提升功能品质，美好城市加快建设"
            ]
        );
    }

    #[test]
    fn keeps_the_front_matter_lines_apart() {
        let issue = seed();
        let paragraphs = &issue.documents[0].paragraphs;
        assert_eq!(paragraphs[0].text, "政府工作报告");
        assert!(paragraphs[1].text.starts_with("——2025年2月18日"));
        assert_eq!(paragraphs[2].text, "焦作市人民政府市长 刘冰");
        assert_eq!(paragraphs[3].text, "各位代表：");
    }

    #[test]
    fn takes_title_and_date_from_a_law_file_name() {
        let issue = parse("第一条 总则。\n", "焦作市公园管理条例(2021-08-25)");
        assert_eq!(issue.documents[0].title, "焦作市公园管理条例");
        assert_eq!(issue.date.as_deref(), Some("2021-08-25"));
        assert_eq!(issue.region.as_deref(), Some("河南省焦作市"));
    }

    #[test]
    fn takes_the_date_of_a_speech_from_its_dash_line() {
        let issue = parse(
            "政府工作报告\n——2026年2月3日在上海市第十六届人民代表大会第四次会议上\n各位代表：\n",
            "x",
        );
        assert_eq!(issue.date.as_deref(), Some("2026-02-03"));
    }

    #[test]
    fn a_file_without_masthead_is_one_document_named_by_its_fallback() {
        let issue = parse("第一段。\n\n第二段，\n\n接着。\n", "notes");
        assert_eq!(issue.gazette, None);
        assert_eq!(issue.documents.len(), 1);
        assert_eq!(issue.documents[0].title, "notes");
        let texts: Vec<&str> = issue.documents[0]
            .paragraphs
            .iter()
            .map(|p| p.text.as_str())
            .collect();
        assert_eq!(texts, ["第一段。", "第二段，接着。"]);
    }
}
