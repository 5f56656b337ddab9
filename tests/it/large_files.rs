//! Files too large to hold in memory (issue 20): read, parsed and indexed in parts
//! (`gazette::ingest::parts`). Each test indexes the same file twice, whole and in small parts
//! (`--part-kb`), and compares what a search finds in each: the paragraphs must be the same,
//! with the same citations, pages and matches.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::common::{SEED, gazette, stderr, stdout};

/// Indexes the folder `docs` into `index` with `flags`; gives the run's JSON summary.
fn index(docs: &Path, index: &Path, flags: &[&str]) -> Value {
    let mut args = vec![
        "index",
        docs.to_str().unwrap(),
        "--index",
        index.to_str().unwrap(),
        "--json",
    ];
    args.extend(flags);
    let out = gazette(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_str(stdout(&out).trim()).unwrap()
}

/// What a search finds, paragraph by paragraph: (path, paragraph) -> (document, text, pages,
/// matches) and, apart, the section path.
type Found = BTreeMap<(String, u64), (String, String, String, String)>;

fn found(index: &Path, query: &str) -> (Found, BTreeMap<(String, u64), String>) {
    let (code, hits) = crate::common::every_hit(
        index.to_str().unwrap(),
        query,
        &["--text-only", "--sort", "relevance"],
    );
    assert_eq!(code, 0, "{query}");
    let mut found = Found::new();
    let mut sections = BTreeMap::new();
    for hit in hits {
        let key = (
            hit["path"].as_str().unwrap().to_string(),
            hit["paragraph"].as_u64().unwrap(),
        );
        let value = (
            hit["document"].as_str().unwrap().to_string(),
            hit["text"].as_str().unwrap().to_string(),
            format!("{}-{}", hit["page"], hit["page_end"]),
            hit["matches"].to_string(),
        );
        assert!(found.insert(key.clone(), value).is_none(), "{key:?} twice");
        sections.insert(key, hit["section"].to_string());
    }
    (found, sections)
}

/// Indexes `name` holding `bytes` whole and in parts of `part_kb`, and checks that every query
/// finds the same paragraphs in both. Gives the number of parts' worth of text.
fn same_whole_and_in_parts(name: &str, bytes: &[u8], part_kb: u64, queries: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    std::fs::write(docs.join(name), bytes).unwrap();
    let whole = dir.path().join("whole");
    let parts = dir.path().join("parts");
    let a = index(&docs, &whole, &[]);
    let b = index(&docs, &parts, &["--part-kb", &part_kb.to_string()]);
    for key in ["files", "documents", "paragraphs", "cuts_joined", "failed"] {
        assert_eq!(a[key], b[key], "{name}: {key}");
    }
    assert_eq!(b["files"], 1, "{name}: {b}");
    let cuts = bytes.len() as u64 / (part_kb * 1024);
    assert!(cuts >= 4, "{name}: only {cuts} cuts");
    for query in queries {
        let (whole_found, whole_sections) = found(&whole, query);
        let (parts_found, parts_sections) = found(&parts, query);
        assert!(!whole_found.is_empty(), "{name}: {query} finds nothing");
        assert!(
            whole_found == parts_found,
            "{name}: {query}: {} hits whole, {} in parts",
            whole_found.len(),
            parts_found.len()
        );
        // The section paths too: a part is cut where no heading, topic sentence or page cut
        // joins what stands on either side.
        let differing: Vec<_> = whole_sections
            .iter()
            .filter(|(key, section)| parts_sections.get(*key) != Some(section))
            .collect();
        assert!(
            differing.is_empty(),
            "{name}: {query}: {} section paths differ, first {:?}",
            differing.len(),
            differing.first()
        );
    }
    // The whole file shown in order: each paragraph's numbers in its document and in its file
    // come from the head of its part, and the parts' paragraphs stand in file order as the
    // whole's do.
    let (whole_shown, parts_shown) = (shown(&whole, name), shown(&parts, name));
    assert_eq!(whole_shown.len() as u64, a["paragraphs"].as_u64().unwrap());
    assert!(
        whole_shown == parts_shown,
        "{name}: shown otherwise in parts"
    );
    // Numbered from 1 in each document, one after another.
    let mut expected = 1;
    for (document, paragraph, _) in &whole_shown {
        if *paragraph == 1 && expected > 1 {
            expected = 1;
        }
        assert_eq!(*paragraph, expected, "{name}: {document}");
        expected += 1;
    }
}

/// Every paragraph of `name` as `show` gives it: (document, paragraph, text).
fn shown(index: &Path, name: &str) -> Vec<(String, u64, String)> {
    let out = gazette(&["show", name, "--json", "--index", index.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
        .lines()
        .map(|line| {
            let hit: Value = serde_json::from_str(line).unwrap();
            (
                hit["document"].as_str().unwrap().to_string(),
                hit["paragraph"].as_u64().unwrap(),
                hit["text"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The seed issue, `copies` times over.
fn seed_text(copies: usize) -> String {
    std::fs::read_to_string(SEED).unwrap().repeat(copies)
}

#[test]
fn a_file_read_in_parts_finds_what_it_finds_read_whole() {
    let text = seed_text(12);
    same_whole_and_in_parts(
        "seed.txt",
        text.as_bytes(),
        32,
        &["的", "多氟多", "政府工作"],
    );
}

#[test]
fn every_encoding_and_line_end_reads_the_same_in_parts() {
    // More than a chunk of the reader (1 MB), so that a line end and a character are cut
    // between two chunks somewhere.
    let text = seed_text(90);
    let crlf = text.replace('\n', "\r\n");
    same_whole_and_in_parts("crlf.txt", crlf.as_bytes(), 256, &["的", "云台山"]);
    let cr = text.replace('\n', "\r");
    same_whole_and_in_parts("cr.txt", cr.as_bytes(), 256, &["云台山"]);
    let small = seed_text(8);
    let (gb, _, unmappable) = encoding_rs::GB18030.encode(&small);
    assert!(!unmappable);
    same_whole_and_in_parts("gb.txt", &gb, 16, &["的", "云台山"]);
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(small.encode_utf16().flat_map(u16::to_le_bytes));
    same_whole_and_in_parts("utf16.txt", &utf16, 32, &["的", "云台山"]);
    let bom = [b"\xEF\xBB\xBF".as_slice(), small.as_bytes()].concat();
    same_whole_and_in_parts("bom.txt", &bom, 16, &["云台山"]);
}

#[test]
fn a_paged_file_keeps_its_page_numbers_and_joins_across_cuts() {
    // The seed laid out as pdftotext writes an issue: pages of 24 lines of 28 characters, each
    // with a running header and, on most, its number at the foot, between form feeds. Paragraphs run over
    // page ends, which the parser joins back.
    let seed = std::fs::read_to_string(SEED).unwrap();
    let mut lines = Vec::new();
    for _ in 0..6 {
        for paragraph in seed.lines().filter(|l| !l.trim().is_empty()) {
            let chars: Vec<char> = paragraph.chars().collect();
            for line in chars.chunks(28) {
                lines.push(line.iter().collect::<String>());
            }
            lines.push(String::new());
        }
    }
    let mut text = String::new();
    for (number, page) in lines.chunks(24).enumerate() {
        if number > 0 {
            text.push('\u{c}');
        }
        text.push_str("焦作市人民政府公报\n\n");
        for line in page {
            text.push_str(line);
            text.push('\n');
        }
        // Every third page prints no number: it is counted on from the page before.
        if number % 3 != 2 {
            text.push_str(&format!("\n— {} —\n", number + 1));
        }
    }
    same_whole_and_in_parts("paged.txt", text.as_bytes(), 24, &["的", "政府", "多氟多"]);
}

#[test]
fn a_file_without_line_ends_is_read_in_parts() {
    // One line of 130,000 characters: read whole it is split into paragraphs of 20,000
    // characters, in parts into one per part, both after a sentence end. Either way every
    // occurrence of a literal without a sentence end is found, as a scan of the text counts them.
    let text: String = seed_text(10).lines().collect();
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    std::fs::write(docs.join("one-line.txt"), &text).unwrap();
    for (name, flags) in [("whole", vec![]), ("parts", vec!["--part-kb", "32"])] {
        let ix = dir.path().join(name);
        let summary = index(&docs, &ix, &flags);
        assert!(summary["paragraphs"].as_u64().unwrap() > 5, "{summary}");
        for query in ["多氟多", "云台山", "政府工作", "的"] {
            let (hits, _) = found(&ix, query);
            let matched: usize = hits
                .values()
                .map(|(_, _, _, matches)| {
                    serde_json::from_str::<Vec<Value>>(matches).unwrap().len()
                })
                .sum();
            assert_eq!(matched, text.matches(query).count(), "{name}: {query}");
        }
    }
}

#[test]
fn a_file_read_in_parts_is_skipped_when_unchanged_and_replaced_when_changed() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    let file = docs.join("big.txt");
    std::fs::write(&file, seed_text(6)).unwrap();
    let ix = dir.path().join("index");
    let flags = ["--part-kb", "16"];
    let first = index(&docs, &ix, &flags);
    assert_eq!(first["added"], 1);
    let again = index(&docs, &ix, &flags);
    assert_eq!(again["unchanged"], 1, "{again}");
    // Read whole or in parts, a file has one hash: changing the part size changes nothing.
    let whole = index(&docs, &ix, &[]);
    assert_eq!(whole["unchanged"], 1, "{whole}");
    std::fs::write(&file, seed_text(7)).unwrap();
    let changed = index(&docs, &ix, &flags);
    assert_eq!(changed["updated"], 1, "{changed}");
    // Every paragraph once: as many hits of 多氟多 as the text has paragraphs holding it.
    let expected = seed_text(7)
        .lines()
        .filter(|l| l.contains("多氟多"))
        .count();
    let (hits, _) = found(&ix, "多氟多");
    assert_eq!(hits.len(), expected);
}

#[test]
fn a_file_that_breaks_in_a_later_part_leaves_nothing_of_itself() {
    // Valid GB18030 for its first parts, then a byte that no encoding reads.
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    let text = seed_text(6);
    let mut bytes = encoding_rs::GB18030.encode(&text).0.into_owned();
    let at = bytes.len() - 100;
    bytes.splice(at..at, [0x81, 0x20]);
    std::fs::write(docs.join("broken.txt"), &bytes).unwrap();
    std::fs::copy(
        "tests/fixtures/示例市人民政府公报_2024年第3号.txt",
        docs.join("good.txt"),
    )
    .unwrap();
    let ix = dir.path().join("index");
    let out = gazette(&[
        "index",
        docs.to_str().unwrap(),
        "--index",
        ix.to_str().unwrap(),
        "--part-kb",
        "16",
    ]);
    let err = stderr(&out);
    assert!(
        err.contains("broken.txt") && err.contains("neither UTF-8 nor GB18030"),
        "{err}"
    );
    // The other file is indexed; nothing of the broken one is.
    let (code, hits) = crate::common::every_hit(ix.to_str().unwrap(), "的", &["--text-only"]);
    assert_eq!(code, 0);
    assert!(
        hits.iter()
            .all(|h| h["path"].as_str().unwrap().ends_with("good.txt"))
    );
    // Read whole, it is refused the same way.
    let whole = dir.path().join("whole");
    let out = gazette(&[
        "index",
        docs.to_str().unwrap(),
        "--index",
        whole.to_str().unwrap(),
    ]);
    assert!(stderr(&out).contains("neither UTF-8 nor GB18030"));
}

/// A document read in parts, each part committed apart: the segments of its later parts hold no
/// names, which are on a document's first head only. A search finds the document by its title
/// and the same paragraphs as read whole, whether its names are scored (the title's words) or
/// not.
#[test]
fn a_document_cut_into_parts_is_found_by_its_title() {
    let body: String = (0..400)
        .map(|i| format!("第{i}段正文，推动高质量发展。\n\n"))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    std::fs::write(
        docs.join("long.txt"),
        format!("# 关于推动高质量发展的通知\n\n{body}"),
    )
    .unwrap();
    let whole = dir.path().join("whole");
    let parts = dir.path().join("parts");
    index(&docs, &whole, &[]);
    index(&docs, &parts, &["--part-kb", "1", "--commit-kb", "1"]);
    let hits = |ix: &Path, query: &str| {
        let (code, hits) = crate::common::every_hit(ix.to_str().unwrap(), query, &[]);
        assert_eq!(code, 0, "{query}");
        let mut hits: Vec<(String, String)> = hits
            .iter()
            .map(|hit| (hit["matched_in"].to_string(), hit["text"].to_string()))
            .collect();
        hits.sort();
        hits
    };
    for query in ["推动高质量发展", "的通知", "关于 通知", "第39段"] {
        let found = hits(&whole, query);
        assert_eq!(found, hits(&parts, query), "{query}");
        if query != "第39段" {
            assert!(found.iter().any(|(m, _)| m == "\"title\""), "{query}");
        }
    }
    // A filter on the title keeps every paragraph of the document, those of the later parts'
    // segments too, whose heads carry no names; in either script.
    let every = hits(&parts, "发展");
    assert!(every.len() > 400, "{}", every.len());
    assert_eq!(hits(&parts, "发展 document:高质量"), every);
    assert_eq!(hits(&parts, "发展 document:高質量"), every);
    assert_eq!(hits(&whole, "发展 document:高质量"), hits(&whole, "发展"));
}
