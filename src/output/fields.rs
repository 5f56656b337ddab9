//! A hit's fields, as JSON and CSV both write them: one definition of what a hit says.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::search::Hit;

/// A hit as JSON: its citation's fields first, each present (`null` when unknown).
#[derive(Serialize)]
pub(crate) struct HitJson<'a> {
    path: &'a str,
    gazette: &'a Option<String>,
    issue: &'a Option<String>,
    date: &'a Option<String>,
    region: &'a Option<String>,
    document: &'a str,
    section: &'a [String],
    /// Page of the issue where the document starts.
    page: Option<u64>,
    paragraph: u64,
    score: f32,
    word_match: bool,
    text: &'a str,
    matches: &'a [(usize, usize)],
    /// Manifest columns other than the known ones.
    attributes: &'a BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reference: &'a Option<String>,
}

impl Serialize for Hit {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let citation = &*self.citation;
        HitJson {
            path: &citation.path,
            gazette: &citation.gazette,
            issue: &citation.issue,
            date: &citation.date,
            region: &citation.region,
            document: &citation.document,
            section: &self.section,
            page: citation.page,
            paragraph: self.paragraph,
            score: self.score,
            word_match: self.word_match,
            text: &self.text,
            matches: &self.matches,
            attributes: &citation.attributes,
            reference: &self.reference,
        }
        .serialize(serializer)
    }
}
