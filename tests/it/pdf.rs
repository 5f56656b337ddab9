//! Gazette issues published as PDF (`tests/pdf/`, made by `benches/pdf/make_gazettes.py` with two
//! producers, LibreOffice and Chromium): each issue's metadata, documents and paragraphs read
//! back as the generator's truth says, in one column and in two, each paragraph cited on the
//! printed pages where it stands; every word across a printed line end, a column end or a page
//! end found as often as the source holds it; and the troubles of real PDFs (a scan, a damaged
//! file) reported by name while the rest is indexed.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::common::{gazette, repo, stderr, stdout};

/// The issues that can be read, with the truth each is checked against: the encrypted copy holds
/// what `issue01` holds.
const READABLE: &[(&str, &str)] = &[
    ("issue01", "issue01"),
    ("issue02_2col", "issue02_2col"),
    ("encrypted_empty_password", "issue01"),
    ("chromium01", "chromium01"),
    ("chromium02_2col", "chromium02_2col"),
];

/// Text without white space: the generator's truth and the PDF differ in where lines broke.
fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn truth(name: &str) -> Value {
    let path = repo().join("tests/pdf").join(format!("{name}.truth.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A truth paragraph as the PDF's text layer holds it: LibreOffice leaves some line-end
/// punctuation out of it, and the generator notes where (pdftotext reads the same).
fn layer_text(paragraph: &Value) -> String {
    let text = paragraph
        .get("text_layer")
        .unwrap_or(&paragraph["text"])
        .as_str()
        .unwrap();
    squeeze(text)
}

/// An index of tests/pdf, built once per test, with the run's stdout and stderr.
fn index_of_pdfs() -> (tempfile::TempDir, String, String, String, Option<i32>) {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index").to_str().unwrap().to_string();
    let pdfs = repo().join("tests/pdf");
    let out = gazette(&["index", pdfs.to_str().unwrap(), "--index", &index]);
    (dir, index, stdout(&out), stderr(&out), out.status.code())
}

/// Every paragraph of an indexed PDF, as `show --json` gives them.
fn shown(index: &str, name: &str) -> Vec<Value> {
    let path = repo().join(format!("tests/pdf/{name}.pdf"));
    let out = gazette(&["show", path.to_str().unwrap(), "--json", "--index", index]);
    assert!(out.status.success(), "{name}: {}", stderr(&out));
    stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn pdf_issues_read_as_their_truth_says() {
    let (_dir, index, out, err, code) = index_of_pdfs();
    // The scan, the damaged file and the one whose fonts have no Unicode map are reported by
    // name and reason; the five readable issues (one of them encrypted with an empty password)
    // are indexed.
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        err.contains("scanned_no_text.pdf: no text layer in 8 page(s)"),
        "{err}"
    );
    assert!(err.contains("truncated.pdf: damaged PDF"), "{err}");
    assert!(
        err.contains("no_unicode_map.pdf: its fonts have no Unicode map"),
        "{err}"
    );
    assert!(err.contains("3 paths skipped"), "{err}");
    // A file whose second page reads as glyph codes is indexed without it.
    assert!(
        err.contains("partly_glyph_codes.pdf: page(s) 2 left out"),
        "{err}"
    );
    assert!(err.contains("1 file indexed in part"), "{err}");
    assert!(out.starts_with("6 added"), "{out}");
    assert!(out.contains("read 40 pages from 6 PDF files"), "{out}");
    let partly = shown(&index, "partly_glyph_codes");
    assert_eq!(partly.len(), 1);
    assert!(
        partly[0]["text"]
            .as_str()
            .unwrap()
            .starts_with("Government Work Report")
    );

    for &(name, truth_name) in READABLE {
        let truth = truth(truth_name);
        let paragraphs = shown(&index, name);
        let first = &paragraphs[0];
        assert_eq!(first["gazette"], truth["gazette"], "{name}");
        assert_eq!(first["issue"], truth["number"], "{name}");
        assert_eq!(first["date"], truth["date"], "{name}");
        let titles: BTreeSet<&str> = paragraphs
            .iter()
            .map(|p| p["document"].as_str().unwrap())
            .collect();
        // Each paragraph read, with the pages it is cited on: where it starts, and where it ends
        // when a page end cut it.
        let read: BTreeMap<(String, String), (Value, Value)> = paragraphs
            .iter()
            .map(|p| {
                let pages = (p["page"].clone(), p["page_end"].clone());
                let document = p["document"].as_str().unwrap().to_string();
                ((document, squeeze(p["text"].as_str().unwrap())), pages)
            })
            .collect();
        let mut across_pages = 0;
        for document in truth["documents"].as_array().unwrap() {
            let title = document["title"].as_str().unwrap();
            assert!(
                titles.contains(title),
                "{name}: no document {title}: {titles:?}"
            );
            for paragraph in document["paragraphs"].as_array().unwrap() {
                let want = layer_text(paragraph);
                // Whole, as the author wrote it: not cut at a line, a column or a page end.
                let Some((page, page_end)) = read.get(&(title.to_string(), want.clone())) else {
                    panic!("{name}: paragraph not read whole: {want}");
                };
                // The printed page, where the generator put it.
                assert_eq!(*page, paragraph["page"], "{name}: the page of {want}");
                let want_end = match &paragraph["page_end"] {
                    end if *end == paragraph["page"] => Value::Null,
                    end => {
                        across_pages += 1;
                        end.clone()
                    }
                };
                assert_eq!(*page_end, want_end, "{name}: the last page of {want}");
            }
        }
        assert!(across_pages > 0, "{name}: no paragraph crosses a page end");
    }
}

/// Occurrences of `literal` in the hits of one file, within the truth's documents.
fn occurrences_in(hits: &[Value], file: &str, documents: &BTreeSet<&str>) -> usize {
    hits.iter()
        .filter(|hit| hit["path"].as_str().unwrap().ends_with(file))
        .filter(|hit| documents.contains(hit["document"].as_str().unwrap()))
        .map(|hit| hit["matches"].as_array().unwrap().len())
        .sum()
}

#[test]
fn a_word_across_a_line_column_or_page_end_is_found_as_often_as_the_source_holds_it() {
    let (_dir, index, _, _, _) = index_of_pdfs();
    let mut checked: BTreeMap<String, usize> = BTreeMap::new();
    for name in ["issue01", "issue02_2col", "chromium01", "chromium02_2col"] {
        let truth = truth(name);
        let documents: BTreeSet<&str> = truth["documents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["title"].as_str().unwrap())
            .collect();
        // The source: each document's title and paragraphs, as the text layer holds them.
        let source: Vec<String> = truth["documents"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|d| {
                let title = squeeze(d["title"].as_str().unwrap());
                let paragraphs = d["paragraphs"].as_array().unwrap().iter().map(layer_text);
                std::iter::once(title).chain(paragraphs)
            })
            .collect();
        let mut seen = BTreeSet::new();
        for crossing in truth["crossings"].as_array().unwrap() {
            let literal = crossing["literal"].as_str().unwrap();
            if !seen.insert(literal) {
                continue;
            }
            let want: usize = source.iter().map(|t| t.matches(literal).count()).sum();
            let hits = crate::common::all_hits(&index, literal, &[]);
            let got = occurrences_in(&hits, &format!("/{name}.pdf"), &documents);
            let kind = crossing["kind"].as_str().unwrap();
            assert_eq!(got, want, "{name}: {literal} across a {kind} end");
            *checked.entry(kind.to_string()).or_default() += 1;
        }
    }
    // The fixtures hold each kind of end.
    for kind in ["line", "column", "page"] {
        assert!(checked.get(kind).is_some_and(|n| *n > 0), "{checked:?}");
    }
}
