//! INGEST: files -> gazette issues. Walks the inputs ([`walk`]), decodes each file, reads the
//! manifests beside them ([`manifest`]), parses the text into an issue of documents, sections and
//! repaired paragraphs ([`parse`]), and applies what the manifest says ([`load`]).

pub mod manifest;
pub mod margins;
pub mod parse;
pub mod parts;
pub mod pdf;
pub mod region;
pub mod walk;

use std::collections::BTreeMap;
use std::path::Path;

use crate::Error;
use manifest::{Manifests, Metadata};
use parse::Issue;

/// A file read and parsed, with what its manifest says applied.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub issue: Issue,
    /// Manifest columns other than the known ones.
    pub attributes: BTreeMap<String, String>,
    /// Where each metadata value came from: (field, source).
    pub sources: Vec<(&'static str, &'static str)>,
    /// What the reader did on each page of a PDF; `None` for a text file.
    pub pdf_pages: Option<Vec<pdf::PageReport>>,
    /// Pages of a PDF left out because their text layer reads as glyph codes, from 1.
    pub unreadable_pages: Vec<u32>,
}

/// Reads, decodes and parses one file, then applies its manifest row: what a manifest says wins
/// over what the parser guessed. Problems with manifests go to `errors`; the file's own problem is
/// the `Err`.
pub fn load(
    path: &Path,
    manifests: &mut Manifests,
    errors: &mut Vec<Error>,
) -> Result<Loaded, Error> {
    let bytes = walk::read_settled(path)?;
    let meta = manifests.lookup(path, errors).unwrap_or_default();
    load_bytes(path, &bytes, meta)
}

/// True for a file read as PDF, by its name: a PDF named `.txt` is reported as binary, not read.
pub fn is_pdf(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf"))
}

/// Decodes (or, for a PDF, reads the text layer of) and parses a file's bytes, then applies its
/// manifest row.
pub(crate) fn load_bytes(path: &Path, bytes: &[u8], meta: Metadata) -> Result<Loaded, Error> {
    let stem = title_from_path(path);
    let (issue, pdf_pages, unreadable_pages) = if is_pdf(path) {
        let read = pdf::read(path, bytes)?;
        let mut issue = parse::parse_rebuilt(&read.paragraphs, &stem);
        // The reader's repairs count as the parser's do on text: joins across column and page
        // ends, and running headers and page numbers dropped.
        for page in &read.pages {
            issue.stats.cuts_joined += page.joined.len();
            issue.stats.debris_dropped += page.dropped.len();
        }
        (issue, Some(read.pages), read.unreadable)
    } else {
        let text = walk::decode(bytes).map_err(|reason| Error::file(path, reason))?;
        (parse::parse(&text, &stem), None, Vec::new())
    };
    if issue.paragraph_count() == 0 {
        if !unreadable_pages.is_empty() {
            return Err(Error::file(
                path,
                "damaged PDF or fonts without a Unicode map: its text layer reads as glyph codes, \
                 not as text, on every page but its front matter",
            ));
        }
        return Err(Error::file(path, "empty: no text to index"));
    }
    Ok(with_metadata(issue, meta, pdf_pages, unreadable_pages))
}

/// A parsed issue with its manifest row applied: what a manifest says wins over what the parser
/// guessed.
fn with_metadata(
    mut issue: Issue,
    meta: Metadata,
    pdf_pages: Option<Vec<pdf::PageReport>>,
    unreadable_pages: Vec<u32>,
) -> Loaded {
    let mut sources = std::mem::take(&mut issue.sources);
    let Metadata {
        title,
        date,
        gazette,
        issue: number,
        region,
        doc_number,
        attributes,
    } = meta;
    let mut set = |field: &'static str, slot: &mut Option<String>, value: Option<String>| {
        if value.is_some() {
            *slot = value;
            sources.retain(|(f, _)| *f != field);
            sources.push((field, "from the manifest"));
        }
    };
    set("gazette", &mut issue.gazette, gazette);
    set("issue", &mut issue.issue, number);
    set("date", &mut issue.date, date);
    let derive_again = region.is_none() && issue.gazette.is_some() && issue.region.is_none();
    set("region", &mut issue.region, region);
    if let Some(title) = title
        && let [document] = issue.documents.as_mut_slice()
    {
        document.title = title;
        sources.push(("title", "from the manifest"));
    }
    if let Some(number) = doc_number
        && let [document] = issue.documents.as_mut_slice()
    {
        document.doc_number = Some(number);
        sources.push(("doc_number", "from the manifest"));
    }
    if derive_again {
        issue.region = issue.gazette.as_deref().and_then(region::derive);
        if issue.region.is_some() {
            sources.push(("region", "derived from the name"));
        }
    }
    Loaded {
        issue,
        attributes,
        sources,
        pdf_pages,
        unreadable_pages,
    }
}

impl Loaded {
    /// What was left out of a file read in part, as the error that names it.
    pub fn left_out(&self, path: &Path) -> Option<Error> {
        if self.unreadable_pages.is_empty() {
            return None;
        }
        let pages: Vec<String> = self.unreadable_pages.iter().map(u32::to_string).collect();
        Some(Error::file(
            path,
            format!(
                "page(s) {} left out: their text layer reads as glyph codes (fonts without a \
                 Unicode map, or lost from a damaged file); the other pages are indexed",
                pages.join(", ")
            ),
        ))
    }
}

/// A document's title when the file prints none: its name without the extension.
pub(crate) fn title_from_path(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The path as stored and shown: as the user gave it, with forward slashes.
pub fn display_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}
