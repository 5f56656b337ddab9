//! Text -> blocks: one block per non-empty line, with page debris and markup comments dropped.
//!
//! Lines are the units every layout shares: the seed puts a paragraph on a line (and a blank line
//! between), web pages and law databases one paragraph a line, wiki scrapes a linked term on a
//! line of its own (「…所作的」 / 「政府工作报告」 / 「。会议充分肯定…」). Joining lines that belong
//! together is `structure`'s work, which knows where a paragraph may end.

use crate::ingest::margins::{self, Numbering};
use crate::ingest::parse::{Pages, Rebuilt};

/// Lines that a web page's chrome leaves at the start or the end of a scraped text, whole:
/// 「下载」「打印」「全屏」「收藏」「【字号：」「加大」「还原」「减小」「】」.
const DEBRIS_LINES: &[&str] = &[
    "下载",
    "打印",
    "全屏",
    "收藏",
    "分享",
    "分享到：",
    "【字号：",
    "字号：",
    "加大",
    "还原",
    "减小",
    "】",
    "【字号：加大 还原 减小】",
    "【打印】",
    "【关闭】",
    "关闭窗口",
    "打印本页",
    "返回顶部",
];

/// Starts of debris lines near the start of a text: 「来源：解放日报」「时间：2026-02-09」.
const DEBRIS_PREFIXES: &[&str] = &[
    "来源：",
    "来源:",
    "时间：",
    "时间:",
    "发布时间：",
    "发布时间:",
    "浏览次数",
    "责任编辑",
    "【字号",
];

/// Starts of a line after which a scraped page holds only links: 「相关报道：」.
const TRAILER_PREFIXES: &[&str] = &["相关报道", "相关链接", "相关新闻", "相关阅读"];

/// How far from the start and the end of a text debris is looked for, in lines.
const DEBRIS_REACH: usize = 20;

/// The blocks of a text, and how many debris lines were dropped.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Blocks {
    pub blocks: Vec<String>,
    /// `gap_before[i]`: a blank line stood before block `i`.
    pub gap_before: Vec<bool>,
    /// `pages[i]`: the pages block `i` stands on, where the text has pages.
    pub pages: Vec<Option<Pages>>,
    /// `styled[i]`: block `i` is set larger or bolder than the text (a PDF's paragraphs only).
    pub styled: Vec<bool>,
    /// Lines dropped: web-page debris, and running headers and page numbers.
    pub debris: usize,
}

/// A line of the text with what stands around it.
struct Line<'a> {
    text: &'a str,
    /// A blank line stood before it.
    gap: bool,
    pages: Option<Pages>,
    styled: bool,
}

/// Which ends of a file a text holds: the whole file both; a part of a file read in parts
/// (`crate::ingest::parts`) the start, the end, or neither. Web-page debris is looked for at the
/// file's ends only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edges {
    pub start: bool,
    pub end: bool,
}

impl Edges {
    pub const WHOLE: Edges = Edges {
        start: true,
        end: true,
    };
}

/// The blocks of a text, one a line. Text with form feeds between its pages (as `pdftotext`
/// writes it) loses each page's running header and page number, and each line knows its page.
pub fn split(text: &str) -> Blocks {
    split_part(text, Edges::WHOLE, &mut Numbering::default())
}

/// [`split`] of a part of a file, which holds the file's `edges` and whose pages are numbered on
/// from where `numbering` stands (moved past them).
pub fn split_part(text: &str, edges: Edges, numbering: &mut Numbering) -> Blocks {
    let mut lines = Vec::new();
    let mut blank = false;
    let pages: Vec<&str> = text.split('\u{c}').collect();
    let mut furniture = 0;
    if pages.len() < 2 {
        for line in text.lines().map(trim) {
            if line.is_empty() {
                blank = true;
            } else {
                lines.push(Line {
                    text: line,
                    gap: blank,
                    pages: None,
                    styled: false,
                });
                blank = false;
            }
        }
        return from_lines(lines, 0, edges);
    }
    let page_lines: Vec<Vec<(&str, bool)>> = pages
        .iter()
        .map(|page| {
            let mut out = Vec::new();
            for line in page.lines().map(trim) {
                if line.is_empty() {
                    blank = true;
                } else {
                    out.push((line, blank));
                    blank = false;
                }
            }
            out
        })
        .collect();
    let margins = margins::find(&page_lines, |(text, _)| text);
    let numbers = margins::numbers_from(&margins, numbering);
    for ((page, margin), number) in page_lines.iter().zip(&margins).zip(numbers) {
        furniture += margin.top + margin.bottom;
        for &(text, gap) in &page[margin.top..page.len() - margin.bottom] {
            lines.push(Line {
                text,
                gap,
                pages: Some(Pages {
                    first: number,
                    last: number,
                }),
                styled: false,
            });
        }
    }
    from_lines(lines, furniture, edges)
}

/// The blocks of paragraphs rebuilt from a PDF's layout, a block each, with their pages.
pub fn rebuilt(paragraphs: &[Rebuilt]) -> Blocks {
    let lines = paragraphs
        .iter()
        .map(|p| Line {
            text: trim(&p.text),
            gap: true,
            pages: Some(p.pages),
            styled: p.styled,
        })
        .filter(|line| !line.text.is_empty())
        .collect();
    from_lines(lines, 0, Edges::WHOLE)
}

/// The blocks of a text's non-empty lines: web-page debris dropped near the start and the end.
fn from_lines(lines: Vec<Line>, furniture: usize, edges: Edges) -> Blocks {
    let n = lines.len();
    let mut out = Blocks {
        debris: furniture,
        ..Blocks::default()
    };
    let mut end = n;
    if edges.end
        && let Some(trailer) = lines
            .iter()
            .enumerate()
            .skip(n.saturating_sub(DEBRIS_REACH))
            .find(|(_, l)| TRAILER_PREFIXES.iter().any(|p| l.text.starts_with(p)))
            .map(|(i, _)| i)
    {
        out.debris += n - trailer;
        end = trailer;
    }
    for (i, line) in lines[..end].iter().enumerate() {
        let text = line.text;
        let near_start = edges.start && i < DEBRIS_REACH;
        let near_edge = near_start || (edges.end && i + DEBRIS_REACH >= end);
        let debris = near_edge
            && (DEBRIS_LINES.contains(&text)
                || (near_start && DEBRIS_PREFIXES.iter().any(|p| text.starts_with(p))));
        // 「<!-- INFO END -->」 closes the header of a law in Markdown.
        let comment = text.starts_with("<!--") && text.ends_with("-->");
        if debris || comment {
            out.debris += 1;
        } else {
            out.blocks.push(text.to_string());
            out.gap_before.push(line.gap);
            out.pages.push(line.pages);
            out.styled.push(line.styled);
        }
    }
    out
}

/// Appends `next` to `current` the way a reader would read a wrapped line: text runs on without a
/// space (「3.77亿」 + 「元」, 「20」 + 「25年」), except between two Latin words.
pub fn join_wrapped(current: &mut String, next: &str) {
    let needs_space = match (current.chars().last(), next.chars().next()) {
        (Some(a), Some(b)) => {
            (a.is_ascii_alphabetic() || matches!(a, ',' | '.' | ';' | ':' | '!' | '?'))
                && b.is_ascii_alphabetic()
        }
        _ => false,
    };
    if needs_space {
        current.push(' ');
    }
    current.push_str(next);
}

/// Trims white space, including the ideographic space U+3000 used to indent Chinese text and a
/// zero-width space or byte-order mark left at the start of a file.
pub(super) fn trim(line: &str) -> &str {
    line.trim_matches(|c: char| c.is_whitespace() || matches!(c, '\u{FEFF}' | '\u{200B}'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_web_page_debris_at_the_start_and_the_end() {
        let text = "下载\n打印\n全屏\n收藏\n【字号：\n加大\n还原\n减小\n】\n2026年上海市政府工作报告\n来源：解放日报\n时间：2026-02-09\n各位代表：\n正文。\n相关报道：\n某某报道\n";
        let split = split(text);
        assert_eq!(
            split.blocks,
            ["2026年上海市政府工作报告", "各位代表：", "正文。"]
        );
        assert_eq!(split.debris, 13);
    }

    #[test]
    fn keeps_one_block_a_line_and_drops_markup_comments() {
        let text = "# 某条例\n\n2021年通过\n\n<!-- INFO END -->\n\n\u{3000}\u{3000}第一条 总则。\n第二条 适用。\n";
        let split = split(text);
        assert_eq!(
            split.blocks,
            ["# 某条例", "2021年通过", "第一条 总则。", "第二条 适用。"]
        );
        assert_eq!(split.debris, 1);
    }

    #[test]
    fn keeps_a_word_like_debris_in_the_middle_of_a_text() {
        let mut text = String::new();
        for _ in 0..30 {
            text.push_str("正文。\n");
        }
        text.push_str("下载\n");
        for _ in 0..30 {
            text.push_str("正文。\n");
        }
        assert_eq!(split(&text).debris, 0);
    }
}
