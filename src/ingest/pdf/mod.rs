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
//!
//! The stages, in order: [`content`] reads each page's characters, [`lines`] makes them lines,
//! [`junk`] tells a page of glyph codes, `crate::ingest::margins` drops the running headers and
//! page numbers, [`columns`] puts each page's lines in reading order, [`paragraphs`] joins them.

mod columns;
mod content;
mod junk;
mod lines;
mod paragraphs;

use std::path::Path;

use pdf_oxide::PdfDocument;
use serde::Serialize;

use crate::Error;
use crate::ingest::margins;
use crate::ingest::parse::Rebuilt;
use columns::in_reading_order;
use junk::garbled;
use lines::{Glyph, lines};
use paragraphs::paragraphs;

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
            .map(Glyph::of)
            .collect();
        pages.push(lines(glyphs));
    }
    Ok(pages)
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

/// The median of some values; `None` for none.
fn median(mut values: Vec<f32>) -> Option<f32> {
    values.sort_by(f32::total_cmp);
    values.get(values.len() / 2).copied()
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A line of size 10 with its ends and baseline.
    pub(super) fn at(text: &str, left: f32, right: f32, baseline: f32) -> Line {
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
}
