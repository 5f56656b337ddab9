//! The index writer's merges stay under their ceiling, and merging changes no search result.

use crate::common::{gazette, stderr, stdout};

/// The paragraphs (max_doc) of each segment the index's meta.json lists.
fn segments(index: &std::path::Path) -> Vec<u64> {
    let meta = std::fs::read_to_string(index.join("meta.json")).unwrap();
    let meta: serde_json::Value = serde_json::from_str(&meta).unwrap();
    meta["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|segment| segment["max_doc"].as_u64().unwrap())
        .collect()
}

/// The bytes of every file under `folder`.
fn bytes_under(folder: &std::path::Path) -> u64 {
    std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            match entry.file_type().unwrap().is_dir() {
                true => bytes_under(&entry.path()),
                false => entry.metadata().unwrap().len(),
            }
        })
        .sum()
}

const COMMIT_KB: u64 = 16;

/// `gazette index DOCS --index INDEX EXTRA...` in commits of 16 KB, whose merges write at most
/// 600 paragraphs (and, while the run adds paragraphs, take segments of at most 60): a commit's
/// segments hold a few dozen paragraphs. Asserts that it succeeded and gives its standard output.
fn index_in_small_steps(docs: &str, index: &std::path::Path, extra: &[&str]) -> String {
    let commit_kb = COMMIT_KB.to_string();
    let mut args = vec![
        "index",
        docs,
        "--index",
        index.to_str().unwrap(),
        "--commit-kb",
        &commit_kb,
        "--max-merged-docs",
        "600",
    ];
    args.extend(extra);
    let out = gazette(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

/// The exit status and output of `gazette search QUERY --count`.
fn count(index: &std::path::Path, query: &str) -> (Option<i32>, String) {
    let out = gazette(&[
        "search",
        query,
        "--count",
        "--index",
        index.to_str().unwrap(),
    ]);
    assert!(out.status.code().unwrap_or(2) < 2, "{}", stderr(&out));
    (out.status.code(), stdout(&out))
}

#[test]
fn no_merged_segment_holds_more_paragraphs_than_the_ceiling() {
    let dir = tempfile::tempdir().unwrap();
    let docs = crate::common::generated(&dir.path().join("docs"), 4);
    // Gazette issues of many documents each, beside the generated one-document files.
    let issues = docs.join("issues");
    std::fs::create_dir_all(&issues).unwrap();
    let seed = crate::common::repo().join("tests/fixtures/示例市人民政府公报_2024年第3号.txt");
    for copy in 0..20 {
        std::fs::copy(&seed, issues.join(format!("issue-{copy}.txt"))).unwrap();
    }
    let docs = docs.to_str().unwrap();

    // Small commits make many small segments, which the writer merges as it goes.
    let capped = dir.path().join("capped");
    index_in_small_steps(docs, &capped, &["--compact-above", "1000"]);
    let bytes: u64 = bytes_under(std::path::Path::new(docs));
    let commits = (bytes / (COMMIT_KB * 1024)) as usize;

    let capped_segments = segments(&capped);
    let paragraphs: u64 = capped_segments.iter().sum();
    assert!(
        capped_segments.iter().all(|&docs| docs <= 600),
        "segment sizes {capped_segments:?}"
    );
    // Merges did happen: far fewer segments than commits, and most of them are merged ones.
    assert!(
        capped_segments.len() < commits / 2,
        "{} segments for about {commits} commits",
        capped_segments.len()
    );
    assert!(paragraphs > 3_000, "{paragraphs} paragraphs");

    // The same corpus indexed in one go gives the same answers.
    let whole = dir.path().join("whole");
    let out = gazette(&["index", docs, "--index", whole.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let whole_paragraphs: u64 = segments(&whole).iter().sum();
    assert_eq!(paragraphs, whole_paragraphs);
    for query in ["政府", "的", "黄河流域生态保护", "焦作 NEAR/5 发展"] {
        assert_eq!(count(&capped, query), count(&whole, query), "{query}");
    }

    // A paragraph's citation is stored once, on its document's first paragraph, and found from
    // where the paragraph stands in its segment: every paragraph of both layouts must still
    // cite the same file, document, page and section.
    let capped_hits = citations(&capped, "的");
    let whole_hits = citations(&whole, "的");
    assert!(capped_hits.len() > 1_000, "{} hits", capped_hits.len());
    // Some files hold several documents, each with its own first paragraph.
    let documents: std::collections::BTreeSet<_> =
        capped_hits.iter().map(|hit| (&hit[0], &hit[5])).collect();
    let files: std::collections::BTreeSet<_> = capped_hits.iter().map(|hit| &hit[0]).collect();
    assert!(
        documents.len() > files.len() && files.len() > 20,
        "{} documents in {} files",
        documents.len(),
        files.len()
    );
    if capped_hits != whole_hits {
        let differing = capped_hits
            .iter()
            .zip(&whole_hits)
            .find(|(a, b)| a != b)
            .map(|(a, b)| format!("{a:?} vs {b:?}"));
        panic!(
            "{} vs {} hits; first difference: {differing:?}",
            capped_hits.len(),
            whole_hits.len()
        );
    }

    // The title is indexed on a document's first paragraph only, and the context signal finds it
    // from where a paragraph stands in its segment too. Every hit must score the same in both
    // layouts, and have a context share exactly when its title or its headings hold the literal.
    // A heading that is the paragraph's own text (a list item) is not its context.
    for query in ["消费", "改革", "开放"] {
        let capped_ranked = ranked(&capped, query, &[]);
        let whole_ranked = ranked(&whole, query, &[]);
        let plain = ranked(&capped, query, &["--plain-bm25"]);
        assert_eq!(capped_ranked.len(), whole_ranked.len(), "{query}");
        assert_eq!(capped_ranked.len(), plain.len(), "{query}");
        let (mut in_context, mut elsewhere) = (0, 0);
        for (key, hit) in &capped_ranked {
            let whole_hit = &whole_ranked[key];
            assert!(
                (hit.score - whole_hit.score).abs() <= 1e-4 * hit.score.max(1.0),
                "{query} {key:?}: {} vs {}",
                hit.score,
                whole_hit.score
            );
            let bonus = if hit.word_match { 1000.0 } else { 0.0 };
            let context = hit.score - plain[key].score - bonus;
            let own_text = |heading: &String| {
                hit.text.starts_with(heading.as_str())
                    && heading.chars().count() * 10 >= hit.text.chars().count() * 8
            };
            let expected = hit.document.contains(query)
                || hit
                    .section
                    .iter()
                    .any(|h| !own_text(h) && h.contains(query));
            assert_eq!(
                context > 1e-3,
                expected,
                "{query} {key:?}: context share {context}"
            );
            if expected {
                in_context += 1;
            } else {
                elsewhere += 1;
            }
        }
        assert!(
            in_context > 100 && elsewhere > 100,
            "{query}: {in_context} / {elsewhere}"
        );
    }
}

/// A ranked hit: its score, whether the literal is a whole word of it, and what its context is
/// made of (document title, section headings) and its text.
struct Ranked {
    score: f64,
    word_match: bool,
    document: String,
    section: Vec<String>,
    text: String,
}

/// Every hit of `query`, ranked, by (file, document, paragraph).
fn ranked(
    index: &std::path::Path,
    query: &str,
    extra: &[&str],
) -> std::collections::BTreeMap<(String, String, u64), Ranked> {
    let mut args = vec![
        "search",
        query,
        "-n",
        "1000000",
        "--json",
        "--text-only",
        "--index",
        index.to_str().unwrap(),
    ];
    args.extend(extra);
    let out = gazette(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
        .lines()
        .map(|line| {
            let hit: serde_json::Value = serde_json::from_str(line).unwrap();
            let text = |f: &str| hit[f].as_str().unwrap().to_string();
            let key = (
                text("path"),
                text("document"),
                hit["paragraph"].as_u64().unwrap(),
            );
            let ranked = Ranked {
                score: hit["score"].as_f64().unwrap(),
                word_match: hit["word_match"].as_bool().unwrap(),
                document: text("document"),
                section: hit["section"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|h| h.as_str().unwrap().to_string())
                    .collect(),
                text: text("text"),
            };
            (key, ranked)
        })
        .collect()
}

/// Every hit of `query` as its citation fields and text, sorted.
fn citations(index: &std::path::Path, query: &str) -> Vec<Vec<String>> {
    let out = gazette(&[
        "search",
        query,
        "--all",
        "--json",
        "--text-only",
        "--index",
        index.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let fields = [
        "path",
        "gazette",
        "issue",
        "date",
        "region",
        "document",
        "page",
        "section",
        "paragraph",
        "text",
        "attributes",
    ];
    let mut hits: Vec<Vec<String>> = stdout(&out)
        .lines()
        .map(|line| {
            let hit: serde_json::Value = serde_json::from_str(line).unwrap();
            fields.iter().map(|f| hit[f].to_string()).collect()
        })
        .collect();
    hits.sort();
    hits
}

#[test]
fn compact_merges_the_smaller_segments_under_the_ceiling() {
    let dir = tempfile::tempdir().unwrap();
    let docs = crate::common::generated(&dir.path().join("docs"), 2);
    let docs = docs.to_str().unwrap();
    let build = |name: &str, compact: bool| {
        let index = dir.path().join(name);
        let mut extra = vec!["--compact-above", "1000"];
        if compact {
            extra.push("--compact");
        }
        index_in_small_steps(docs, &index, &extra);
        index
    };
    let plain = build("plain", false);
    let compact = build("compact", true);
    let (plain_segments, compact_segments) = (segments(&plain), segments(&compact));
    assert_eq!(
        plain_segments.iter().sum::<u64>(),
        compact_segments.iter().sum::<u64>()
    );
    // Without --compact the log policy leaves several segments, none above the ceiling of 600;
    // with it, the compaction ceiling is four times that, and at most one segment of at most
    // half of it is left (two of them would fit in one merge).
    let small = |sizes: &[u64]| sizes.iter().filter(|&&docs| docs <= 1200).count();
    assert!(plain_segments.iter().all(|&docs| docs <= 600));
    assert!(small(&plain_segments) >= 2, "{plain_segments:?}");
    assert!(small(&compact_segments) <= 1, "{compact_segments:?}");
    assert!(compact_segments.iter().all(|&docs| docs <= 2400));
    assert!(compact_segments.len() < plain_segments.len());
    // Two merges or more, which run at once on a machine of two cores or more: only a
    // compaction writes a segment above the running ceiling.
    let merged = compact_segments.iter().filter(|&&docs| docs > 600).count();
    assert!(merged >= 2, "{compact_segments:?}");
    for query in ["政府", "黄河流域生态保护"] {
        assert_eq!(count(&compact, query), count(&plain, query), "{query}");
    }

    // On an index with nothing new to add, --compact only merges.
    let before = count(&plain, "政府");
    let out = gazette(&[
        "index",
        docs,
        "--index",
        plain.to_str().unwrap(),
        "--max-merged-docs",
        "600",
        "--compact",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("0 added, 0 updated"),
        "{}",
        stdout(&out)
    );
    let compacted = segments(&plain);
    assert!(small(&compacted) <= 1, "{compacted:?}");
    assert!(compacted.len() < plain_segments.len());
    assert_eq!(count(&plain, "政府"), before);
}

#[test]
fn a_run_that_leaves_many_segments_compacts_them() {
    let dir = tempfile::tempdir().unwrap();
    let docs = crate::common::generated(&dir.path().join("docs"), 2);
    let docs = docs.to_str().unwrap();
    let build = |name: &str, compact_above: &str| {
        let index = dir.path().join(name);
        let out = index_in_small_steps(docs, &index, &["--compact-above", compact_above, "--json"]);
        let summary: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
        (index, summary)
    };
    let (kept, summary) = build("kept", "1000");
    let kept_segments = segments(&kept);
    assert!(kept_segments.len() > 3, "{kept_segments:?}");
    assert_eq!(summary["segments"], kept_segments.len());
    assert!(summary.get("compacted_from").is_none(), "{summary}");

    // Above 3 segments left, the run merges every segment of at most half the compaction
    // ceiling (four times 600) into as few as it allows.
    let (compacted, summary) = build("compacted", "3");
    let compacted_segments = segments(&compacted);
    let from = summary["compacted_from"].as_u64().unwrap();
    assert!(from > 3, "{summary}");
    assert_eq!(summary["segments"], compacted_segments.len());
    assert!((compacted_segments.len() as u64) < from, "{summary}");
    let small = compacted_segments
        .iter()
        .filter(|&&docs| docs <= 1200)
        .count();
    assert!(small <= 1, "{compacted_segments:?}");
    assert!(compacted_segments.iter().all(|&docs| docs <= 2400));
    assert_eq!(
        kept_segments.iter().sum::<u64>(),
        compacted_segments.iter().sum::<u64>()
    );
    for query in ["政府", "的", "焦作 NEAR/5 发展"] {
        assert_eq!(count(&compacted, query), count(&kept, query), "{query}");
    }
}
