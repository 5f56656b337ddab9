//! READ: a PDF's text layer -> the text of the issue as its author wrote it, one paragraph per
//! block, for the parser to read as it reads any other text.
//!
//! A text dump breaks a paragraph at every printed line and every page end, and keeps the running
//! header and the page number of each page. Here the characters' positions rebuild what the
//! author wrote:
//! - characters on one baseline make a line; a wide gap splits it, and a page whose lines split
//!   at one place in the middle is read column by column;
//! - a line in the top or bottom margin that is a page number (「— 5 —」, 「-5-」, 「5」) or repeats
//!   on many pages (the gazette's name and issue) is dropped;
//! - a line starts a paragraph when it is indented (首行缩进), when the line before it stopped short
//!   of the column's right edge, or when a wider gap than between lines stands above it;
//! - a paragraph cut by a column or page end goes on in the next column's first line, unless
//!   that line is indented.
//!
//! A file that cannot be read is an error that says why: damaged, no text layer (a scan), or
//! fonts without a Unicode map (the text would be garbage).

mod content;

use std::path::Path;

use pdf_oxide::PdfDocument;
use serde::Serialize;

use crate::Error;
use crate::ingest::margins;
use crate::ingest::parse::{Pages, Rebuilt};

/// A line of a page: its characters left to right, with where it stands.
#[derive(Debug, Clone)]
struct Line {
    text: String,
    /// Left and right ends of the line, and its baseline (PDF units, y upwards).
    left: f32,
    right: f32,
    baseline: f32,
    /// The size of most of its characters.
    size: f32,
    /// Most of its characters are bold.
    bold: bool,
    /// Made of pieces that stood apart on one row (a 目录 entry without leader dots, a table
    /// row), or across both columns of a page set in two (a title): it stands alone as a
    /// paragraph.
    alone: bool,
}

/// What a PDF holds, read.
pub struct Read {
    /// The paragraphs, in reading order, with the pages each stands on.
    pub paragraphs: Vec<Rebuilt>,
    /// What was done on each page, for `inspect`.
    pub pages: Vec<PageReport>,
    /// Pages left out because their text layer reads as glyph codes, from 1.
    pub unreadable: Vec<u32>,
}

/// What the reader did on one page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PageReport {
    /// The page's place in the file, from 1.
    pub index: u32,
    /// The number cited for it: printed at its foot or head, or counted (see
    /// [`margins::numbers`]).
    pub printed: u32,
    /// Running headers and page numbers dropped.
    pub dropped: Vec<String>,
    /// Paragraphs that a column or page end cut, joined with the line at the top of one of its
    /// columns.
    pub joined: Vec<String>,
}

/// Reads the text of the PDF in `bytes` (from `path`, named in errors).
pub fn read(path: &Path, bytes: &[u8]) -> Result<Read, Error> {
    // A damaged file may make the reader panic deep inside; it is reported like any other
    // unreadable file, and the batch goes on.
    let opened = std::panic::catch_unwind(|| pages_of(bytes));
    let pages = match opened {
        Ok(Ok(pages)) => pages,
        Ok(Err(reason)) => return Err(Error::file(path, reason)),
        Err(_) => {
            return Err(Error::file(
                path,
                "damaged PDF: the PDF reader failed on it",
            ));
        }
    };
    let count = pages.len();
    let chars: usize = pages.iter().flatten().map(|l| l.text.chars().count()).sum();
    if chars == 0 {
        return Err(Error::file(
            path,
            format!("no text layer in {count} page(s): a scan? gazette does not read images (OCR)"),
        ));
    }
    // A page whose text layer reads as glyph codes is left out: its fonts have no Unicode map,
    // or a damaged file lost them. The file is refused when every page with text is such.
    let junk: Vec<u32> = pages
        .iter()
        .enumerate()
        .filter(|(_, page)| !page.is_empty() && garbled(page.iter().map(|l| l.text.as_str())))
        .map(|(i, _)| i as u32 + 1)
        .collect();
    if junk.len() == pages.iter().filter(|p| !p.is_empty()).count() {
        return Err(Error::file(
            path,
            "its fonts have no Unicode map: the text layer reads as glyph codes (private-use, \
             replacement or stray Latin characters), not as text",
        ));
    }
    let mut pages = pages;
    for &index in &junk {
        pages[index as usize - 1].clear();
    }
    let (pages, mut reports) = drop_margins(pages);
    let paragraphs = paragraphs(&in_reading_order(pages), &mut reports);
    Ok(Read {
        paragraphs,
        pages: reports,
        unreadable: junk,
    })
}

/// The lines of every page, top to bottom.
fn pages_of(bytes: &[u8]) -> Result<Vec<Vec<Line>>, String> {
    let doc = PdfDocument::from_bytes(bytes.to_vec()).map_err(|e| format!("damaged PDF: {e}"))?;
    let count = doc.page_count().map_err(|e| format!("damaged PDF: {e}"))?;
    let mut pages = Vec::with_capacity(count);
    for index in 0..count {
        let glyphs: Vec<Glyph> = content::chars(&doc, index)?
            .iter()
            .filter(|c| !c.char.is_control())
            .map(|c| Glyph {
                c: crate::text::radicals::unified(c.char).unwrap_or(c.char),
                x: c.bbox.x,
                right: c.bbox.x + c.bbox.width,
                baseline: c.origin_y,
                size: c.font_size.max(1.0),
                bold: is_bold(c),
            })
            .collect();
        pages.push(lines(glyphs));
    }
    Ok(pages)
}

/// A bold face, by its weight or, where the font does not say, by its name: 「SimHei」 (黑体) and
/// 「…-Bold」 set the headings of Chinese official documents.
fn is_bold(c: &pdf_oxide::layout::TextChar) -> bool {
    if c.font_weight as u16 >= pdf_oxide::layout::FontWeight::SemiBold as u16 {
        return true;
    }
    let name = c.font_name.to_ascii_lowercase();
    ["bold", "heavy", "black", "simhei", "heiti", "黑体"]
        .iter()
        .any(|face| name.contains(face))
}

#[derive(Debug, Clone, Copy)]
struct Glyph {
    c: char,
    x: f32,
    right: f32,
    baseline: f32,
    size: f32,
    bold: bool,
}

/// Glyphs on one baseline make a line, split where the next glyph starts more than 1.8 characters
/// after the one before it (the gutter between two columns).
fn lines(mut glyphs: Vec<Glyph>) -> Vec<Line> {
    glyphs.sort_by(|a, b| b.baseline.total_cmp(&a.baseline).then(a.x.total_cmp(&b.x)));
    let mut rows: Vec<Vec<Glyph>> = Vec::new();
    for g in glyphs {
        match rows.last_mut() {
            Some(row) if (row[0].baseline - g.baseline).abs() <= row[0].size * 0.3 => row.push(g),
            _ => rows.push(vec![g]),
        }
    }
    let mut out: Vec<Line> = Vec::new();
    for mut row in rows {
        row.sort_by(|a, b| a.x.total_cmp(&b.x));
        let mut start = 0;
        for i in 1..=row.len() {
            // From the start of one glyph to the start of the next: the box of a full-width
            // comma that ends a justified line reaches into the gutter (「，」 at 289.2..300.2,
            // the next column at 311.9), its start does not.
            let split = i == row.len() || row[i].x - row[i - 1].x > row[i - 1].size * 1.8;
            if split {
                out.extend(line(&row[start..i]));
                start = i;
            }
        }
    }
    out
}

/// The line of a run of glyphs; `None` for white space alone. Space glyphs only place the others
/// (an ideographic space inside 「目　录」 or a heading keeps it one line); the text gets a space
/// where Latin words stand apart, and the line's ends are those of its visible glyphs (a space's
/// box may reach into a column's gutter).
fn line(glyphs: &[Glyph]) -> Option<Line> {
    let glyphs: Vec<Glyph> = glyphs
        .iter()
        .filter(|g| !g.c.is_whitespace())
        .copied()
        .collect();
    let first = glyphs.first()?;
    let mut text = String::new();
    for (i, g) in glyphs.iter().enumerate() {
        if let Some(prev) = i.checked_sub(1).map(|p| glyphs[p]) {
            // Latin words keep the space the layout shows; CJK text has none between characters.
            let gap = g.x - prev.right;
            if gap > prev.size * 0.25 && !is_wide(prev.c) && !is_wide(g.c) && !text.ends_with(' ') {
                text.push(' ');
            }
        }
        text.push(g.c);
    }
    let mut sizes: Vec<f32> = glyphs.iter().map(|g| g.size).collect();
    sizes.sort_by(f32::total_cmp);
    let bold = glyphs.iter().filter(|g| g.bold).count() * 2 > glyphs.len();
    Some(Line {
        bold,
        text,
        left: first.x,
        right: glyphs[glyphs.len() - 1].right,
        baseline: first.baseline,
        size: sizes[sizes.len() / 2],
        alone: false,
    })
}

/// CJK and full-width characters, which stand without spaces between them.
fn is_wide(c: char) -> bool {
    crate::text::fold::is_cjk(c)
        || ('\u{3000}'..='\u{303f}').contains(&c)
        || ('\u{ff00}'..='\u{ffef}').contains(&c)
}

/// Each page's columns in reading order, each column's lines top to bottom.
fn in_reading_order(pages: Vec<Vec<Line>>) -> Vec<Vec<Vec<Line>>> {
    let frame = text_frame(&pages);
    pages
        .into_iter()
        .map(|page| {
            let own = extent(&page);
            reading_order(page, frame.unwrap_or(own))
        })
        .collect()
}

/// Where the lines of a page start and end, leftmost and rightmost.
fn extent(lines: &[Line]) -> (f32, f32) {
    lines.iter().fold((f32::MAX, f32::MIN), |(lo, hi), l| {
        (lo.min(l.left), hi.max(l.right))
    })
}

/// The text frame of a document's pages: the median left and right ends of its pages of six
/// lines or more. A short page (the last of a document set in two columns, three lines long)
/// does not reach the frame's right edge, so its own middle is not the gutter.
fn text_frame(pages: &[Vec<Line>]) -> Option<(f32, f32)> {
    let full: Vec<(f32, f32)> = pages
        .iter()
        .filter(|p| p.len() >= 6)
        .map(|p| extent(p))
        .collect();
    if full.is_empty() {
        return None;
    }
    let median = |mut values: Vec<f32>| {
        values.sort_by(f32::total_cmp);
        values[values.len() / 2]
    };
    Some((
        median(full.iter().map(|e| e.0).collect()),
        median(full.iter().map(|e| e.1).collect()),
    ))
}

/// A page's columns in reading order: the page whole, or where it is set in two columns, band by
/// band from the top: the left column, then the right one, down to a line across both (a title),
/// which stands alone before the next band.
///
/// A page is set in two columns when most of its lines stand on one side of its middle, the left
/// ones mostly reaching close to the middle and the right ones mostly starting close to it. A
/// 目录 whose page numbers stand flush right, apart from their titles, is one column.
/// `frame` is where the document's lines start and end.
fn reading_order(lines: Vec<Line>, frame: (f32, f32)) -> Vec<Vec<Line>> {
    let (min, max) = frame;
    let middle = (min + max) / 2.0;
    let quarter = (max - min) / 4.0;
    let left_of = |l: &Line| l.right <= middle;
    let right_of = |l: &Line| l.left >= middle;
    let median = |mut values: Vec<f32>| {
        values.sort_by(f32::total_cmp);
        values.get(values.len() / 2).copied()
    };
    let left_ends = median(
        lines
            .iter()
            .filter(|l| left_of(l))
            .map(|l| l.right)
            .collect(),
    );
    let right_starts = median(
        lines
            .iter()
            .filter(|l| right_of(l))
            .map(|l| l.left)
            .collect(),
    );
    let split = lines.iter().filter(|l| left_of(l) || right_of(l)).count();
    let columns = lines.len() >= 2
        && split * 10 >= lines.len() * 6
        && left_ends.is_some_and(|end| end >= middle - quarter)
        && right_starts.is_some_and(|start| start <= middle + quarter);
    if !columns {
        return vec![rows(lines)];
    }
    // A line across the gutter (a document's title) ends the columns above it: a document set
    // in two columns ends with its columns balanced mid-page, and the next one starts below.
    let mut columns = Vec::new();
    let (mut left, mut right) = (Vec::new(), Vec::new());
    for l in lines {
        if left_of(&l) {
            left.push(l);
        } else if right_of(&l) {
            right.push(l);
        } else {
            columns.push(std::mem::take(&mut left));
            columns.push(std::mem::take(&mut right));
            columns.push(vec![Line { alone: true, ..l }]);
        }
    }
    columns.push(left);
    columns.push(right);
    columns.retain(|column| !column.is_empty());
    columns
}

/// The lines of a page read as one column, pieces of one row made one line again: a 目录 entry
/// whose page number stands apart from its title (「2026年江西省政府工作报告」 … 「（3）」), the
/// cells of a table row. A wide gap reads as a space.
fn rows(lines: Vec<Line>) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::with_capacity(lines.len());
    for l in lines {
        match out.last_mut() {
            Some(row)
                if (row.baseline - l.baseline).abs() <= row.size * 0.3 && l.left > row.right =>
            {
                row.text.push(' ');
                row.text.push_str(&l.text);
                row.right = l.right;
                row.alone = true;
            }
            _ => out.push(l),
        }
    }
    out
}

/// True when a text layer reads as junk rather than text. Fonts without a Unicode map give their
/// glyph codes, which read as private-use or replacement characters, or as Latin-1 letters and
/// ASCII symbols (「(#Ã¶Ã;Ã½Ã¾」, from a LibreOffice file whose `ToUnicode` maps were removed). A
/// damaged file that lost some fonts reads as Chinese strewn with ASCII
/// (「6去一年，面对? ?杂的国内?形?」). The layer is junk when more than a fifth of its characters
/// are, when it holds no CJK character and less than half of it is letters and digits, or when
/// more than one ideograph in twelve has a stray ASCII letter or symbol after it, between two
/// ideographs (real text: at most one in thirty, 「A股」「X光」 in Taiwan's 行政院公報).
fn garbled<'a>(texts: impl Iterator<Item = &'a str>) -> bool {
    let (mut junk, mut all, mut cjk, mut alphanumeric, mut stray) = (0usize, 0, 0, 0, 0);
    let ideograph = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
    for text in texts {
        let chars: Vec<char> = text.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            if c.is_whitespace() {
                continue;
            }
            all += 1;
            junk += usize::from(is_junk(c));
            cjk += usize::from(crate::text::fold::is_cjk(c));
            alphanumeric += usize::from(c.is_alphanumeric());
            let between = i > 0
                && ideograph(chars[i - 1])
                && chars.get(i + 1).is_some_and(|&n| ideograph(n) || n == ' ');
            stray += usize::from(
                between && c.is_ascii_graphic() && !c.is_ascii_digit() && !"%+-./".contains(c),
            );
        }
    }
    junk * 5 > all || (cjk == 0 && alphanumeric * 2 < all) || stray * 12 > cjk
}

/// A character that text does not hold, or hardly: private use, replacement, control, Latin-1
/// letters and signs other than those Chinese documents use (°, ×, ·, §…), ASCII symbols other
/// than those of numbers and links (%, +, /, -, …).
fn is_junk(c: char) -> bool {
    ('\u{e000}'..='\u{f8ff}').contains(&c)
        || c >= '\u{f0000}'
        || c == '\u{fffd}'
        || c.is_control()
        || (('\u{a1}'..='\u{ff}').contains(&c) && !"·×÷°±²³µ§".contains(c))
        || "#$&*<=>@[\\]^_`{|}~".contains(c)
}

/// The pages (lines top to bottom) without their running headers and page numbers, with the
/// number each page prints and what was dropped from each.
fn drop_margins(pages: Vec<Vec<Line>>) -> (Vec<Vec<Line>>, Vec<PageReport>) {
    let found = margins::find(&pages, |l: &Line| l.text.as_str());
    let numbers = margins::numbers(&found);
    let mut reports = Vec::with_capacity(pages.len());
    let kept = pages
        .into_iter()
        .zip(found)
        .zip(numbers)
        .enumerate()
        .map(|(index, ((mut page, margin), printed))| {
            let bottom: Vec<Line> = page.drain(page.len() - margin.bottom..).collect();
            let top: Vec<Line> = page.drain(..margin.top).collect();
            reports.push(PageReport {
                index: index as u32 + 1,
                printed,
                dropped: top.into_iter().chain(bottom).map(|l| l.text).collect(),
                joined: Vec::new(),
            });
            page
        })
        .collect();
    (kept, reports)
}

/// Joins lines into paragraphs across the whole document: a line starts a paragraph when it is
/// indented or centred, when the line before it stopped short of its column's right edge, or when
/// more than a line and a half of space stands above it. A column or page end alone never ends a
/// paragraph. Each paragraph gets the pages it stands on, numbered as `reports` says; each
/// report gets the joins made at the top of its columns.
fn paragraphs(pages: &[Vec<Vec<Line>>], reports: &mut [PageReport]) -> Vec<Rebuilt> {
    let body = Body::of(pages.iter().flatten().flatten());
    let mut out: Vec<Rebuilt> = Vec::new();
    let mut open = false;
    for (columns, report) in pages.iter().zip(reports.iter_mut()) {
        let page = report.printed;
        for lines in columns {
            // The column's edges: where its lines start and end.
            let left = lines.iter().map(|l| l.left).fold(f32::MAX, f32::min);
            let right = lines.iter().map(|l| l.right).fold(f32::MIN, f32::max);
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
        && !is_wide(a)
        && !is_wide(b)
        && a != '-'
    {
        paragraph.push(' ');
    }
    paragraph.push_str(line);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, left: f32, right: f32, baseline: f32) -> Line {
        Line {
            text: text.into(),
            left,
            right,
            baseline,
            size: 10.0,
            bold: false,
            alone: false,
        }
    }

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
    fn drops_running_headers_and_page_numbers() {
        let body = ["甲段正文。", "乙段正文。", "丙段正文。", "丁段正文。"];
        let page = |n: usize| {
            vec![
                at("焦作市人民政府公报　2025年第1号", 200.0, 400.0, 800.0),
                at(body[n - 1], 100.0, 200.0, 700.0),
                at(&format!("— {n} —"), 280.0, 320.0, 40.0),
            ]
        };
        let (kept, reports) = drop_margins((1..=4).map(page).collect());
        for (n, report) in reports.iter().enumerate() {
            assert_eq!(report.printed, n as u32 + 1);
            assert_eq!(report.dropped.len(), 2);
        }
        let kept: Vec<Vec<String>> = kept
            .into_iter()
            .map(|p| p.into_iter().map(|l| l.text).collect())
            .collect();
        assert_eq!(kept, body.map(|b| vec![b.to_string()]));
    }

    #[test]
    fn a_page_of_two_columns_is_read_column_by_column() {
        let mut lines = Vec::new();
        for k in 0..4 {
            let y = 700.0 - k as f32 * 14.0;
            lines.push(at(&format!("左{k}"), 100.0, 280.0, y));
            lines.push(at(&format!("右{k}"), 320.0, 500.0, y));
        }
        let frame = extent(&lines);
        let got: Vec<String> = reading_order(lines, frame)
            .into_iter()
            .flatten()
            .map(|l| l.text)
            .collect();
        assert_eq!(
            got,
            ["左0", "左1", "左2", "左3", "右0", "右1", "右2", "右3"]
        );
    }

    #[test]
    fn a_short_last_page_of_two_columns_is_read_column_by_column() {
        // The last page of a document set in two columns: three lines, the right column's one
        // short, so the page's own lines do not reach the frame's right edge (the case of
        // 「…围绕目标，《纲要（草」 / 「案）》提出了…」 beside 「任务，突出了以下四个方面。」).
        let full = |y: f32| {
            vec![
                at("左栏整行", 100.0, 280.0, y),
                at("右栏整行", 320.0, 500.0, y),
            ]
        };
        let pages = vec![
            (0..4).flat_map(|k| full(700.0 - 14.0 * k as f32)).collect(),
            vec![
                at("围绕目标，《纲要（草", 100.0, 280.0, 700.0),
                at("任务，突出了以下四个方面。", 320.0, 420.0, 700.0),
                at("案）》提出了主要", 100.0, 280.0, 686.0),
            ],
        ];
        let read = in_reading_order(pages);
        let last: Vec<String> = read[1].iter().flatten().map(|l| l.text.clone()).collect();
        assert_eq!(
            last,
            [
                "围绕目标，《纲要（草",
                "案）》提出了主要",
                "任务，突出了以下四个方面。"
            ]
        );
    }

    #[test]
    fn a_title_across_both_columns_ends_the_columns_above_it() {
        let mut lines = Vec::new();
        for k in 0..3 {
            let y = 700.0 - k as f32 * 14.0;
            lines.push(at(&format!("甲左{k}"), 100.0, 280.0, y));
            lines.push(at(&format!("甲右{k}"), 320.0, 500.0, y));
        }
        lines.push(at("第二篇文件的标题", 200.0, 400.0, 640.0));
        for k in 0..3 {
            let y = 610.0 - k as f32 * 14.0;
            lines.push(at(&format!("乙左{k}"), 100.0, 280.0, y));
            lines.push(at(&format!("乙右{k}"), 320.0, 500.0, y));
        }
        let frame = extent(&lines);
        let got: Vec<String> = reading_order(lines, frame)
            .into_iter()
            .flatten()
            .map(|l| l.text)
            .collect();
        let want = [
            "甲左0",
            "甲左1",
            "甲左2",
            "甲右0",
            "甲右1",
            "甲右2",
            "第二篇文件的标题",
            "乙左0",
            "乙左1",
            "乙左2",
            "乙右0",
            "乙右1",
            "乙右2",
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn a_contents_line_stands_alone_though_it_fills_the_line() {
        let page = vec![
            at("焦作市人民政府工作报告..........（3）", 100.0, 400.0, 700.0),
            at("焦作市公园管理条例..............（9）", 100.0, 400.0, 686.0),
        ];
        assert_eq!(texts(&[vec![page]]).len(), 2);
    }

    #[test]
    fn private_use_text_is_garbled() {
        assert!(garbled(["\u{e001}\u{e002}\u{e003}政"].into_iter()));
        assert!(!garbled(["政府工作报告\u{e001}"].into_iter()));
        // Glyph codes read as Latin-1 and ASCII symbols, as pdf_oxide reads a LibreOffice file
        // without its ToUnicode maps.
        assert!(garbled(["(#Ã¶Ã;Ã½Ã¾ + Ã·!", "?/1)9=¿-Ã"].into_iter()));
        // Text: Chinese with numbers and signs, or English.
        assert!(!garbled(["增长5.2%，3+13+N，温度25°C，A×B"].into_iter()));
        assert!(!garbled(
            ["Government Work Report (2025), p. 3"].into_iter()
        ));
    }
}
