//! FIELDS: what a hit says, defined once for JSON and CSV. [`HitFields`] is a hit's fields in
//! their order; JSON serialises it (its keys are [`COLUMNS`], then `attributes` and any
//! `reference`), CSV writes [`HitFields::cells`] under the same [`COLUMNS`]. docs/OUTPUT.md
//! describes each key.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::search::Hit;
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

/// A hit's fields: its citation's first, each present (`null` when unknown).
#[derive(Serialize)]
pub struct HitFields<'a> {
    path: &'a str,
    gazette: &'a Option<String>,
    issue: &'a Option<String>,
    date: &'a Option<String>,
    region: &'a Option<String>,
    document: &'a str,
    /// The document number (文号), where known.
    doc_number: &'a Option<String>,
    section: &'a [String],
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
    text: &'a str,
    matches: &'a [(usize, usize)],
    /// When this version of the file was indexed, ISO 8601 in UTC.
    indexed: String,
    /// When the file was first indexed, ISO 8601 in UTC.
    first_indexed: String,
    /// Manifest columns other than the known ones.
    attributes: &'a BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reference: &'a Option<String>,
}

impl<'a> HitFields<'a> {
    pub fn of(hit: &'a Hit) -> HitFields<'a> {
        let citation = &*hit.citation;
        HitFields {
            path: &citation.path,
            gazette: &citation.gazette,
            issue: &citation.issue,
            date: &citation.date,
            region: &citation.region,
            document: &citation.document,
            doc_number: &citation.doc_number,
            section: &hit.section,
            page: hit.page,
            page_end: hit.page_end,
            paragraph: hit.paragraph,
            score: hit.score,
            word_match: hit.word_match,
            matched_in: hit.matched_in.as_str(),
            text: &hit.text,
            matches: &hit.matches,
            indexed: dates::format_ms(citation.indexed),
            first_indexed: dates::format_ms(citation.first_indexed),
            attributes: &citation.attributes,
            reference: &hit.reference,
        }
    }

    /// The [`COLUMNS`] as CSV cells: unknown values empty, the section path joined by ` › `,
    /// `matches` as a JSON array of byte ranges.
    pub fn cells(&self) -> Vec<String> {
        let optional = |v: &Option<String>| v.clone().unwrap_or_default();
        vec![
            self.path.to_string(),
            optional(self.gazette),
            optional(self.issue),
            optional(self.date),
            optional(self.region),
            self.document.to_string(),
            optional(self.doc_number),
            self.section.join(" › "),
            self.page.map_or(String::new(), |p| p.to_string()),
            self.page_end.map_or(String::new(), |p| p.to_string()),
            self.paragraph.to_string(),
            self.score.to_string(),
            self.word_match.to_string(),
            self.matched_in.to_string(),
            self.text.to_string(),
            serde_json::to_string(self.matches).unwrap_or_default(),
            self.indexed.clone(),
            self.first_indexed.clone(),
        ]
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
}
