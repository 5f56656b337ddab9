//! INSPECT: how a file was read, for `gazette inspect`: metadata and where each value came from,
//! documents, sections and paragraphs.

use std::io::{self, Write};

use crate::ingest::parse::Paragraph;
use crate::ingest::pdf::PageReport;

/// Writes how a file was read: metadata and where each value came from, documents, the section
/// tree with paragraph counts, and (with `paragraphs`) every paragraph.
pub fn inspect<W: Write>(
    out: &mut W,
    path: &str,
    loaded: &crate::ingest::Loaded,
    paragraphs: bool,
) -> io::Result<()> {
    let issue = &loaded.issue;
    writeln!(out, "file: {path}")?;
    let source = |field: &str| {
        loaded
            .sources
            .iter()
            .rev()
            .find(|(f, _)| *f == field)
            .map_or(String::new(), |(_, s)| format!("  ({s})"))
    };
    for (field, value) in [
        ("gazette", &issue.gazette),
        ("issue", &issue.issue),
        ("date", &issue.date),
        ("region", &issue.region),
    ] {
        let shown = value.as_deref().unwrap_or("-");
        writeln!(out, "{field}: {shown}{}", source(field))?;
    }
    for (name, value) in &loaded.attributes {
        writeln!(out, "attribute {name}: {value}  (from the manifest)")?;
    }
    writeln!(
        out,
        "{} document(s), {} paragraph(s), {} line join(s) across page ends or links, {} debris line(s) dropped",
        issue.documents.len(),
        issue.paragraph_count(),
        issue.stats.cuts_joined,
        issue.stats.debris_dropped
    )?;
    if !loaded.unreadable_pages.is_empty() {
        let pages: Vec<String> = loaded.unreadable_pages.iter().map(u32::to_string).collect();
        writeln!(
            out,
            "left out: page(s) {}, whose text layer reads as glyph codes",
            pages.join(", ")
        )?;
    }
    if let Some(pages) = &loaded.pdf_pages {
        pdf_pages(out, pages)?;
    }
    for (n, document) in issue.documents.iter().enumerate() {
        let page = document
            .page
            .map_or(String::new(), |p| format!(", page {p}"));
        writeln!(
            out,
            "\ndocument {}: {}{page}{}, {} paragraph(s)",
            n + 1,
            document.title,
            if issue.documents.len() == 1 {
                source("title")
            } else {
                String::new()
            },
            document.paragraphs.len()
        )?;
        if let Some(number) = &document.doc_number {
            let from = if issue.documents.len() == 1 && !source("doc_number").is_empty() {
                source("doc_number")
            } else {
                "  (read from the text)".to_string()
            };
            writeln!(out, "document number: {number}{from}")?;
        }
        sections(out, &document.paragraphs, paragraphs)?;
    }
    Ok(())
}

/// Writes a document's section tree, each heading once where it opens with the number of
/// paragraphs under it, and (with `paragraphs`) every paragraph under its heading.
fn sections<W: Write>(out: &mut W, all: &[Paragraph], paragraphs: bool) -> io::Result<()> {
    let mut shown: Vec<String> = Vec::new();
    for (k, paragraph) in all.iter().enumerate() {
        for depth in 0..paragraph.section.len() {
            if shown.get(depth) != Some(&paragraph.section[depth]) {
                shown.truncate(depth);
                shown.push(paragraph.section[depth].clone());
                let count = all[k..]
                    .iter()
                    .take_while(|p| p.section.get(..=depth) == Some(&paragraph.section[..=depth]))
                    .count();
                writeln!(
                    out,
                    "  {}{}  ({count})",
                    "  ".repeat(depth),
                    paragraph.section[depth]
                )?;
            }
        }
        shown.truncate(paragraph.section.len());
        if paragraphs {
            let kind = if paragraph.heading { "#" } else { "¶" };
            let pages = match paragraph.pages {
                Some(p) if p.last > p.first => format!(" [p. {}-{}]", p.first, p.last),
                Some(p) => format!(" [p. {}]", p.first),
                None => String::new(),
            };
            writeln!(
                out,
                "  {}{kind}{}{pages} {}",
                "  ".repeat(paragraph.section.len()),
                k + 1,
                paragraph.text
            )?;
        }
    }
    Ok(())
}

/// Writes what the PDF reader did on each page: the number it is cited by, the running headers
/// and page numbers it dropped, and the paragraphs it joined across a column or page end.
fn pdf_pages<W: Write>(out: &mut W, pages: &[PageReport]) -> io::Result<()> {
    writeln!(
        out,
        "
pages (in the file: cited as; dropped; joined at a column's top):"
    )?;
    for page in pages {
        let dropped: Vec<String> = page.dropped.iter().map(|d| format!("「{d}」")).collect();
        let dropped = if dropped.is_empty() {
            "-".to_string()
        } else {
            dropped.join(" ")
        };
        writeln!(
            out,
            "  {}: p. {}; dropped {dropped}",
            page.index, page.printed
        )?;
        for join in &page.joined {
            writeln!(out, "      joined {join}")?;
        }
    }
    Ok(())
}
