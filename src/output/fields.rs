//! FIELDS: what a hit says, defined once for JSON and CSV. [`HitFields`] is a hit's fields in
//! their order; JSON serialises it (its keys are [`COLUMNS`], then `attributes` and any
//! `reference`), CSV writes [`HitFields::cells`] under the same [`COLUMNS`]. docs/OUTPUT.md
//! describes each key.

use std::collections::BTreeMap;

use serde::Serialize;

use super::json;
use crate::search::{Hit, Section};
use crate::store::schema::Citation;
use crate::text::dates;

/// The fields of a hit that JSON and CSV share, in their order. JSON adds `attributes` (one
/// object) and `reference` (with `--cite`); CSV adds `reference` and one column per attribute.
pub const COLUMNS: &[&str] = &[
    "path",
    "gazette",
    "issue",
    "date",
    "region",
    "document",
    "doc_number",
    "section",
    "page",
    "page_end",
    "paragraph",
    "score",
    "word_match",
    "matched_in",
    "text",
    "matches",
    "indexed",
    "first_indexed",
];

/// A hit's fields: its citation's first, each present (`null` when unknown), then the
/// paragraph's, then the version of its file. JSON serialises the parts one after another as one
/// object; [`json_lines`] writes the citation's parts once for the hits that share them.
#[derive(Serialize)]
pub struct HitFields<'a> {
    #[serde(flatten)]
    source: Source<'a>,
    #[serde(flatten)]
    passage: Passage<'a>,
    #[serde(flatten)]
    version: Version<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reference: &'a Option<String>,
}

/// Where a hit comes from: its citation's first fields.
#[derive(Serialize)]
struct Source<'a> {
    path: &'a str,
    gazette: &'a Option<String>,
    issue: &'a Option<String>,
    date: &'a Option<String>,
    region: &'a Option<String>,
    document: &'a str,
    /// The document number (文号), where known.
    doc_number: &'a Option<String>,
}

/// What the paragraph says and where in its document it stands.
#[derive(Serialize)]
struct Passage<'a> {
    #[serde(flatten)]
    place: Place<'a>,
    text: &'a str,
    matches: &'a [(usize, usize)],
}

/// Where a paragraph stands and why it is a hit: a passage's fields before its text.
#[derive(Serialize)]
struct Place<'a> {
    section: &'a Section,
    /// The page where the paragraph starts (where the file has no pages, where its document
    /// starts).
    page: Option<u64>,
    /// The page where it ends, where a page end cut it.
    page_end: Option<u64>,
    paragraph: u64,
    score: f32,
    word_match: bool,
    /// Where the literals were found: `text`, or the name the hit stands for (`title`,
    /// `doc_number`, `gazette`, `issue`).
    matched_in: &'static str,
}

/// The version of the file the hit was read from: the citation's last fields.
#[derive(Serialize)]
struct Version<'a> {
    /// When this version of the file was indexed, ISO 8601 in UTC.
    indexed: String,
    /// When the file was first indexed, ISO 8601 in UTC.
    first_indexed: String,
    /// Manifest columns other than the known ones.
    attributes: &'a BTreeMap<String, String>,
}

impl<'a> Source<'a> {
    fn of(citation: &'a Citation) -> Source<'a> {
        Source {
            path: &citation.path,
            gazette: &citation.gazette,
            issue: &citation.issue,
            date: &citation.date,
            region: &citation.region,
            document: &citation.document,
            doc_number: &citation.doc_number,
        }
    }
}

impl<'a> Passage<'a> {
    fn of(hit: &'a Hit) -> Passage<'a> {
        Passage {
            place: Place::of(hit),
            text: &hit.text,
            matches: &hit.matches,
        }
    }
}

impl<'a> Place<'a> {
    fn of(hit: &'a Hit) -> Place<'a> {
        Place {
            section: &hit.section,
            page: hit.page,
            page_end: hit.page_end,
            paragraph: hit.paragraph,
            score: hit.score,
            word_match: hit.word_match,
            matched_in: hit.matched_in.as_str(),
        }
    }
}

impl<'a> Version<'a> {
    fn of(citation: &'a Citation) -> Version<'a> {
        Version {
            indexed: dates::format_ms(citation.indexed),
            first_indexed: dates::format_ms(citation.first_indexed),
            attributes: &citation.attributes,
        }
    }
}

impl<'a> HitFields<'a> {
    pub fn of(hit: &'a Hit) -> HitFields<'a> {
        HitFields {
            source: Source::of(&hit.citation),
            passage: Passage::of(hit),
            version: Version::of(&hit.citation),
            reference: &hit.reference,
        }
    }

    /// The [`COLUMNS`] as CSV cells: unknown values empty, the section path joined by ` › `,
    /// `matches` as a JSON array of byte ranges.
    pub fn cells(&self) -> Vec<String> {
        let optional = |v: &Option<String>| v.clone().unwrap_or_default();
        let (source, version) = (&self.source, &self.version);
        let (passage, place) = (&self.passage, &self.passage.place);
        vec![
            source.path.to_string(),
            optional(source.gazette),
            optional(source.issue),
            optional(source.date),
            optional(source.region),
            source.document.to_string(),
            optional(source.doc_number),
            place.section.join(" › "),
            place.page.map_or(String::new(), |p| p.to_string()),
            place.page_end.map_or(String::new(), |p| p.to_string()),
            place.paragraph.to_string(),
            place.score.to_string(),
            place.word_match.to_string(),
            place.matched_in.to_string(),
            passage.text.to_string(),
            serde_json::to_string(passage.matches).unwrap_or_default(),
            version.indexed.clone(),
            version.first_indexed.clone(),
        ]
    }
}

/// Writes each hit as one line of JSON, byte for byte as serialising its [`HitFields`] does,
/// with its citation's parts serialised once for the hits next to it that share the citation:
/// `--all` writes a document's paragraphs one after another, and their citation is over half of
/// each line.
pub fn json_lines(out: &mut Vec<u8>, hits: &[Hit]) -> serde_json::Result<()> {
    // Room for every line at once, rather than a buffer doubled and copied again and again for
    // each batch of `--all`: a line is its text and a few hundred bytes of citation and place.
    out.reserve(hits.iter().map(|hit| hit.text.len() + 512).sum());
    // The citation of the last hit, with its parts as JSON objects.
    let mut cited: Option<&Citation> = None;
    let (mut source, mut version) = (Vec::new(), Vec::new());
    // The times `version` was written for, where the citation had no attributes: the files of
    // one run share them, and each issue a word of gazette names lists is a citation of its own.
    let mut version_of = None;
    for hit in hits {
        let citation = &*hit.citation;
        if !cited.is_some_and(|last| std::ptr::eq(last, citation)) {
            source.clear();
            source_object(&mut source, &Source::of(citation));
            let times = (citation.indexed, citation.first_indexed);
            if !(citation.attributes.is_empty() && version_of == Some(times)) {
                version.clear();
                version_object(&mut version, &Version::of(citation));
                version_of = citation.attributes.is_empty().then_some(times);
            }
            cited = Some(citation);
        }
        // Each part is an object of at least one key: `{…}`. Joined, the braces between them
        // become commas.
        out.extend_from_slice(&source[..source.len() - 1]);
        place(out, &Place::of(hit))?;
        // The text is most of a line's bytes: escaped here, as serde_json would escape it.
        out.extend_from_slice(b",\"text\":");
        json::string(out, &hit.text);
        out.extend_from_slice(b",\"matches\":");
        serde_json::to_writer(&mut *out, &hit.matches)?;
        out.push(b',');
        out.extend_from_slice(&version[1..version.len() - 1]);
        if let Some(reference) = &hit.reference {
            out.extend_from_slice(b",\"reference\":");
            serde_json::to_writer(&mut *out, reference)?;
        }
        out.extend_from_slice(b"}\n");
    }
    Ok(())
}

/// Appends a [`Source`] as the object serialising it writes: written here because each issue a
/// word of gazette names lists is a hit of a citation of its own (every issue of a collection
/// for 政府), and serde_json's general path was a large share of those hits.
fn source_object(out: &mut Vec<u8>, source: &Source) {
    out.extend_from_slice(b"{\"path\":");
    json::string(out, source.path);
    for (key, value) in [
        (&b",\"gazette\":"[..], source.gazette),
        (b",\"issue\":", source.issue),
        (b",\"date\":", source.date),
        (b",\"region\":", source.region),
    ] {
        out.extend_from_slice(key);
        optional(out, value);
    }
    out.extend_from_slice(b",\"document\":");
    json::string(out, source.document);
    out.extend_from_slice(b",\"doc_number\":");
    optional(out, source.doc_number);
    out.push(b'}');
}

/// Appends a [`Version`] as the object serialising it writes, as [`source_object`] does.
fn version_object(out: &mut Vec<u8>, version: &Version) {
    out.extend_from_slice(b"{\"indexed\":");
    json::string(out, &version.indexed);
    out.extend_from_slice(b",\"first_indexed\":");
    json::string(out, &version.first_indexed);
    out.extend_from_slice(b",\"attributes\":{");
    for (i, (name, value)) in version.attributes.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        json::string(out, name);
        out.push(b':');
        json::string(out, value);
    }
    out.extend_from_slice(b"}}");
}

/// Appends a string as JSON writes it, `null` for none.
fn optional(out: &mut Vec<u8>, value: &Option<String>) {
    match value {
        Some(value) => json::string(out, value),
        None => out.extend_from_slice(b"null"),
    }
}

/// Appends a hit's [`Place`] as the keys and values serialising it writes, after a comma: written
/// here because serde_json escapes each key and heading through its general path, a large share
/// of `--all --json` for what is the same few keys on every line.
fn place(out: &mut Vec<u8>, place: &Place) -> serde_json::Result<()> {
    out.extend_from_slice(b",\"section\":[");
    for (i, heading) in place.section.headings().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        json::string(out, heading);
    }
    out.extend_from_slice(b"],\"page\":");
    number(out, place.page);
    out.extend_from_slice(b",\"page_end\":");
    number(out, place.page_end);
    out.extend_from_slice(b",\"paragraph\":");
    number(out, Some(place.paragraph));
    out.extend_from_slice(b",\"score\":");
    serde_json::to_writer(&mut *out, &place.score)?;
    out.extend_from_slice(match place.word_match {
        true => b",\"word_match\":true,\"matched_in\":",
        false => b",\"word_match\":false,\"matched_in\":",
    });
    json::string(out, place.matched_in);
    Ok(())
}

/// Appends a number as JSON writes it, `null` for none.
fn number(out: &mut Vec<u8>, n: Option<u64>) {
    match n {
        Some(n) => out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes()),
        None => out.extend_from_slice(b"null"),
    }
}

impl Serialize for Hit {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        HitFields::of(self).serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::testing::hit;

    #[test]
    fn json_keys_and_csv_cells_follow_the_one_list_of_columns() {
        let mut hit = hit("云台山", vec![(0, 9)]);
        hit.reference = Some("ref".into());
        let json = serde_json::to_string(&hit).unwrap();
        let mut want: Vec<&str> = COLUMNS.to_vec();
        want.extend(["attributes", "reference"]);
        let at: Vec<usize> = want
            .iter()
            .map(|key| json.find(&format!("\"{key}\":")).expect(key))
            .collect();
        assert!(at.is_sorted(), "{json}");
        let keys = serde_json::from_str::<serde_json::Value>(&json).unwrap();
        assert_eq!(keys.as_object().unwrap().len(), want.len());
        let cells = HitFields::of(&hit).cells();
        assert_eq!(cells.len(), COLUMNS.len());
        assert_eq!(cells[0], "corpus/a.txt");
        let cell = |name: &str| &cells[COLUMNS.iter().position(|c| *c == name).unwrap()];
        assert_eq!(cell("section"), "三、2025年重点工作");
        assert_eq!(cell("page"), "3");
        assert_eq!(cell("page_end"), "");
        assert_eq!(cell("matches"), "[[0,9]]");
    }

    #[test]
    fn json_lines_are_the_hits_serialised_one_by_one() {
        // Hits that share a citation and hits that do not, next to each other and apart; every
        // optional field empty and present; text that JSON must escape.
        let mut hits = Vec::new();
        let mut other = hit(
            "乙\"\\\n\u{1}</script>\t\r\u{8}\u{c}\u{1f}\u{7f}一二三四五六七八九\"",
            vec![(0, 3)],
        );
        let mut citation = (*other.citation).clone();
        citation.gazette = None;
        citation.doc_number = Some("豫政〔2025〕3号".into());
        citation
            .attributes
            .insert("来源".into(), "网站 \"甲\"".into());
        citation.attributes.insert("备注\\".into(), String::new());
        citation.indexed = 1_767_225_600_123;
        other.citation = std::sync::Arc::new(citation);
        other.page = None;
        other.page_end = Some(4);
        other.section = Section::default();
        for i in 0..6 {
            let mut h = match i % 3 {
                0 => hit("甲", vec![]),
                _ => other.clone(),
            };
            h.paragraph = i;
            h.score = i as f32 / 3.0;
            h.word_match = i % 2 == 0;
            if i == 3 {
                h.section = Section::new(&["第一章 \"总则\"", "\\\t", ""]);
                h.page = Some(u64::MAX);
                h.matched_in = crate::search::MatchedIn::DocNumber;
            }
            if i == 4 {
                h.reference = Some("[1] 焦作市人民政府. 报告[J]. 2025(1): 3.".into());
            }
            hits.push(h);
        }
        // Citations of their own without attributes, one after another (the issues of `--all`):
        // the same times as the one before, other times, and the first times again.
        let first = hit("甲", vec![]);
        for (i, (indexed, first_indexed)) in
            [(0, 0), (0, 0), (0, 7), (0, 0)].into_iter().enumerate()
        {
            let mut citation = (*first.citation).clone();
            citation.path = format!("corpus/{i}.txt");
            citation.indexed += indexed;
            citation.first_indexed += first_indexed;
            let mut h = first.clone();
            h.citation = std::sync::Arc::new(citation);
            hits.push(h);
        }
        let mut fast = Vec::new();
        json_lines(&mut fast, &hits).unwrap();
        let mut each = Vec::new();
        for hit in &hits {
            serde_json::to_writer(&mut each, &HitFields::of(hit)).unwrap();
            each.push(b'\n');
        }
        assert_eq!(
            String::from_utf8(fast).unwrap(),
            String::from_utf8(each).unwrap()
        );
    }
}
