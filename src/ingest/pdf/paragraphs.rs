//! PARAGRAPHS: the lines of a document's columns in reading order -> its paragraphs, with the
//! pages each stands on and whether its type sets it apart.

use super::columns::extent;
use super::{Line, PageReport};
use crate::ingest::parse::{Pages, Rebuilt};
use crate::text::fold::is_cjk;

/// Joins lines into paragraphs across the whole document: a line starts a paragraph when it is
/// indented or centred, when the line before it stopped short of its column's right edge, or when
/// more than a line and a half of space stands above it. A column or page end alone never ends a
/// paragraph. Each paragraph gets the pages it stands on, numbered as `reports` says; each
/// report gets the joins made at the top of its columns.
pub(super) fn paragraphs(pages: &[Vec<Vec<Line>>], reports: &mut [PageReport]) -> Vec<Rebuilt> {
    let body = Body::of(pages.iter().flatten().flatten());
    let mut out: Vec<Rebuilt> = Vec::new();
    let mut open = false;
    for (columns, report) in pages.iter().zip(reports.iter_mut()) {
        let page = report.printed;
        for lines in columns {
            // The column's edges: where its lines start and end.
            let (left, right) = extent(lines);
            for (i, l) in lines.iter().enumerate() {
                let char_width = l.size;
                let indented = l.left > left + char_width * 0.8;
                let gap = i > 0 && lines[i - 1].baseline - l.baseline > l.size * 2.4;
                // A 目录 line fills its width with leader dots up to the page number: it stands
                // alone.
                let contents = is_contents_line(&l.text) || l.alone;
                let starts = !open || indented || gap || contents;
                match out.last_mut() {
                    Some(paragraph) if !starts => {
                        if i == 0 {
                            report.joined.push(join_shown(&paragraph.text, &l.text));
                        }
                        join(&mut paragraph.text, &l.text);
                        paragraph.pages.last = page;
                        paragraph.styled &= body.sets_apart(l);
                    }
                    _ => out.push(Rebuilt {
                        text: l.text.clone(),
                        pages: Pages {
                            first: page,
                            last: page,
                        },
                        styled: body.sets_apart(l),
                    }),
                }
                let short = l.right < right - char_width * 2.0;
                open = !short && !contents;
            }
        }
    }
    out
}

/// How a document's text is set: the size and the weight of most of its characters.
struct Body {
    size: f32,
    bold: bool,
}

impl Body {
    fn of<'a>(lines: impl Iterator<Item = &'a Line>) -> Body {
        let mut sizes: Vec<(f32, usize)> = Vec::new();
        let (mut bold, mut all) = (0, 0);
        for l in lines {
            let n = l.text.chars().count();
            sizes.push((l.size, n));
            all += n;
            if l.bold {
                bold += n;
            }
        }
        sizes.sort_by(|a, b| a.0.total_cmp(&b.0));
        // The size of the median character.
        let mut seen = 0;
        let size = sizes
            .iter()
            .find(|(_, n)| {
                seen += n;
                seen * 2 >= all
            })
            .map_or(0.0, |(size, _)| *size);
        Body {
            size,
            bold: bold * 2 > all,
        }
    }

    /// True for a line set apart from the text: a fifth larger, or bold in a text that is not.
    fn sets_apart(&self, line: &Line) -> bool {
        line.size >= self.size * 1.2 || (line.bold && !self.bold)
    }
}

/// A join at a column's top as `inspect` shows it: the paragraph's last characters, then the
/// line's first.
fn join_shown(paragraph: &str, line: &str) -> String {
    let tail: String = {
        let chars: Vec<char> = paragraph.chars().collect();
        chars[chars.len().saturating_sub(8)..].iter().collect()
    };
    let head: String = line.chars().take(8).collect();
    format!("…{tail} + {head}…")
}

/// A line of a 目录: a title, leader dots, a page number: 「焦作市人民政府工作报告……（3）」. It
/// stands alone though it fills the line.
fn is_contents_line(text: &str) -> bool {
    ["....", "……", "····", "．．．．"]
        .iter()
        .any(|dots| text.contains(dots))
}

/// Appends a line to a paragraph: CJK text joins without a space, Latin words with one.
fn join(paragraph: &mut String, line: &str) {
    let last = paragraph.chars().last();
    let first = line.chars().next();
    if let (Some(a), Some(b)) = (last, first)
        && !is_cjk(a)
        && !is_cjk(b)
        && a != '-'
    {
        paragraph.push(' ');
    }
    paragraph.push_str(line);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::pdf::tests::at;

    /// The paragraphs' texts of pages of columns, the pages numbered from 1.
    fn texts(pages: &[Vec<Vec<Line>>]) -> Vec<String> {
        read_pages(pages).into_iter().map(|(t, _)| t).collect()
    }

    fn read_pages(pages: &[Vec<Vec<Line>>]) -> Vec<(String, Pages)> {
        read_rebuilt(pages)
            .into_iter()
            .map(|p| (p.text, p.pages))
            .collect()
    }

    fn read_rebuilt(pages: &[Vec<Vec<Line>>]) -> Vec<Rebuilt> {
        let mut reports: Vec<PageReport> = (1..=pages.len() as u32)
            .map(|n| PageReport {
                index: n,
                printed: n,
                ..PageReport::default()
            })
            .collect();
        paragraphs(pages, &mut reports)
    }

    #[test]
    fn joins_lines_into_paragraphs_by_indent_and_short_last_lines() {
        // Two paragraphs: the first runs over two full lines and ends short; the second is
        // indented by two characters.
        let page = vec![
            at("过去一年，经济运行总体平稳，", 120.0, 400.0, 700.0),
            at("发展质量稳步提升。", 100.0, 250.0, 686.0),
            at("我们主要做了以下工作，坚持稳中", 120.0, 400.0, 672.0),
            at("求进。", 100.0, 150.0, 658.0),
        ];
        let got = texts(&[vec![page]]);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got[0].ends_with("发展质量稳步提升。"));
        assert_eq!(got[1], "我们主要做了以下工作，坚持稳中求进。");
    }

    #[test]
    fn a_paragraph_cut_by_a_page_end_goes_on_in_the_next_page() {
        let first = vec![
            at("过去一年，经济运行总体平稳，发", 120.0, 400.0, 100.0),
            at("展质量稳步提升，补贴资金3.77亿", 100.0, 400.0, 86.0),
        ];
        let second = vec![
            at("元，拉动消费。", 100.0, 200.0, 750.0),
            at("新的一段，由此开始。", 120.0, 300.0, 736.0),
        ];
        let got = read_pages(&[vec![first], vec![second]]);
        assert_eq!(
            got[0].0,
            "过去一年，经济运行总体平稳，发展质量稳步提升，补贴资金3.77亿元，拉动消费。"
        );
        assert_eq!(got[0].1, Pages { first: 1, last: 2 });
        assert_eq!(got[1].1, Pages { first: 2, last: 2 });
        assert_eq!(got.len(), 2);
    }

    #[test]
    fn a_line_set_larger_or_bold_is_styled() {
        let heading = |text: &str, size: f32, bold: bool, y: f32| Line {
            size,
            bold,
            ..at(text, 100.0, 200.0, y)
        };
        let page = vec![
            heading("附件", 16.0, false, 760.0),
            at("过去一年，经济运行总体平稳，", 120.0, 400.0, 740.0),
            at("发展质量稳步提升。", 100.0, 250.0, 726.0),
            heading("关于纲要草案的说明", 10.0, true, 700.0),
            at("我们主要做了以下工作。", 120.0, 300.0, 680.0),
        ];
        let styled: Vec<(String, bool)> = read_rebuilt(&[vec![page]])
            .into_iter()
            .map(|p| (p.text, p.styled))
            .collect();
        let want = [
            ("附件", true),
            ("过去一年，经济运行总体平稳，发展质量稳步提升。", false),
            ("关于纲要草案的说明", true),
            ("我们主要做了以下工作。", false),
        ];
        assert_eq!(styled, want.map(|(t, s)| (t.to_string(), s)));
    }

    #[test]
    fn a_contents_line_stands_alone_though_it_fills_the_line() {
        let page = vec![
            at("焦作市人民政府工作报告..........（3）", 100.0, 400.0, 700.0),
            at("焦作市公园管理条例..............（9）", 100.0, 400.0, 686.0),
        ];
        assert_eq!(texts(&[vec![page]]).len(), 2);
    }
}
