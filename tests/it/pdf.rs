//! Gazette issues published as PDF (`tests/pdf/`, made by `benches/pdf/make_gazettes.py`): each
//! issue's metadata, documents and paragraphs read back as the generator's truth says, in one
//! column and in two; every paragraph found by a literal from its middle; and the troubles of real
//! PDFs (a scan, a damaged file) reported by name while the rest is indexed.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::common::{gazette, repo, stderr, stdout};

/// Text without white space: the generator's truth and the PDF differ in where lines broke.
fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn truth(name: &str) -> Value {
    let path = repo().join("tests/pdf").join(format!("{name}.truth.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// An index of tests/pdf, built once per test, with the run's stdout and stderr.
fn index_of_pdfs() -> (tempfile::TempDir, String, String, String, Option<i32>) {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index").to_str().unwrap().to_string();
    let pdfs = repo().join("tests/pdf");
    let out = gazette(&["index", pdfs.to_str().unwrap(), "--index", &index]);
    (dir, index, stdout(&out), stderr(&out), out.status.code())
}

#[test]
fn pdf_issues_read_as_their_truth_says() {
    let (_dir, index, out, err, code) = index_of_pdfs();
    // The scan and the damaged file are reported by name and reason; the three readable issues
    // (one of them encrypted with an empty password) are indexed.
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        err.contains("scanned_no_text.pdf: no text layer in 5 page(s)"),
        "{err}"
    );
    assert!(err.contains("truncated.pdf: damaged PDF"), "{err}");
    assert!(err.contains("2 paths could not be indexed"), "{err}");
    assert!(out.starts_with("3 added"), "{out}");
    assert!(out.contains("read 15 pages from 3 PDF files"), "{out}");

    for name in ["issue01", "issue02_2col", "encrypted_empty_password"] {
        let truth = truth(if name == "encrypted_empty_password" {
            "issue01"
        } else {
            name
        });
        let file = format!("tests/pdf/{name}.pdf");
        let path = repo().join(&file);
        let shown = gazette(&["show", path.to_str().unwrap(), "--json", "--index", &index]);
        assert!(shown.status.success(), "{name}: {}", stderr(&shown));
        let paragraphs: Vec<Value> = stdout(&shown)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
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
        let texts: BTreeMap<(String, String), (Value, Value)> = paragraphs
            .iter()
            .map(|p| {
                let pages = (p["page"].clone(), p["page_end"].clone());
                let document = p["document"].as_str().unwrap().to_string();
                ((document, squeeze(p["text"].as_str().unwrap())), pages)
            })
            .collect();
        for document in truth["documents"].as_array().unwrap() {
            let title = document["title"].as_str().unwrap();
            assert!(
                titles.contains(title),
                "{name}: no document {title}: {titles:?}"
            );
            for paragraph in document["paragraphs"].as_array().unwrap() {
                let want = squeeze(paragraph["text"].as_str().unwrap());
                // Whole, as the author wrote it: not cut at a line, a column or a page end.
                let Some((page, page_end)) = texts.get(&(title.to_string(), want.clone())) else {
                    panic!("{name}: paragraph not read whole: {want}");
                };
                // The printed page, where the generator put it.
                assert_eq!(*page, paragraph["page"], "{name}: the page of {want}");
                let want_end = match &paragraph["page_end"] {
                    end if *end == paragraph["page"] => Value::Null,
                    end => end.clone(),
                };
                assert_eq!(*page_end, want_end, "{name}: the last page of {want}");
            }
        }
    }
}

#[test]
fn a_literal_from_any_paragraph_of_a_pdf_finds_it() {
    let (_dir, index, _, _, _) = index_of_pdfs();
    for name in ["issue01", "issue02_2col"] {
        let truth = truth(name);
        for document in truth["documents"].as_array().unwrap() {
            for paragraph in document["paragraphs"].as_array().unwrap() {
                let text = squeeze(paragraph["text"].as_str().unwrap());
                let chars: Vec<char> = text.chars().collect();
                // Eight characters from the middle, where a line end most likely cut it.
                let from = chars.len().saturating_sub(8) / 2;
                let literal: String = chars[from..(from + 8).min(chars.len())].iter().collect();
                let out = gazette(&[
                    "search",
                    &format!("\"{}\"", literal.replace('"', "\"\"")),
                    "--all",
                    "--json",
                    "--index",
                    &index,
                ]);
                let found = stdout(&out).lines().any(|l| {
                    let hit: Value = serde_json::from_str(l).unwrap();
                    hit["path"]
                        .as_str()
                        .unwrap()
                        .ends_with(&format!("{name}.pdf"))
                        && squeeze(hit["text"].as_str().unwrap()) == text
                });
                assert!(found, "{name}: {literal} does not find its paragraph");
            }
        }
    }
}
