//! What researchers take away: `stats` by year and by field against independent counts, KWIC
//! lines, CSV that round-trips to the JSON of the same hits, references, and `show`.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use crate::common::{SEED, all_hits, gazette, repo, stderr, stdout};
use serde_json::Value;

/// An index of the default corpus and the layout fixtures: eight documents over six years, one
/// file without a date.
fn index() -> &'static str {
    static INDEX: OnceLock<(tempfile::TempDir, String)> = OnceLock::new();
    let (_, index) = INDEX.get_or_init(|| {
        let dir = crate::common::static_tempdir();
        let index = dir.path().join("index").to_str().unwrap().to_string();
        let out = gazette(&["index", "corpus", "tests/fixtures", "--index", &index]);
        assert!(out.status.success(), "{}", stderr(&out));
        (dir, index)
    });
    index
}

fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect()
}

/// The text files that were indexed: the default corpus and the fixtures.
fn indexed_files() -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for folder in ["corpus", "tests/fixtures"] {
        for entry in std::fs::read_dir(repo().join(folder)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.ends_with(".txt") {
                files.push(path);
            }
        }
    }
    files
}

/// Paragraphs per year of every indexed file, from `gazette inspect` (the parser alone, no index).
fn paragraphs_per_year() -> BTreeMap<String, u64> {
    let mut totals = BTreeMap::new();
    for file in indexed_files() {
        let out = gazette(&["inspect", file.to_str().unwrap()]);
        assert!(out.status.success(), "{}", stderr(&out));
        let text = stdout(&out);
        let date = text
            .lines()
            .find_map(|l| l.strip_prefix("date: "))
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap();
        let year = if date == "-" {
            "(none)".to_string()
        } else {
            date[..4].to_string()
        };
        let paragraphs: u64 = text
            .lines()
            .find_map(|l| l.split(" document(s), ").nth(1))
            .and_then(|rest| rest.split(' ').next())
            .unwrap()
            .parse()
            .unwrap();
        *totals.entry(year).or_default() += paragraphs;
    }
    totals
}

#[test]
fn stats_by_year_agree_with_every_hit_and_with_the_parsers_paragraph_counts() {
    let out = gazette(&[
        "stats",
        "政府",
        "--by",
        "year",
        "--json",
        "--index",
        index(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let buckets = json_lines(&stdout(&out));

    // Matches and occurrences per year, from every hit of the same query.
    let mut expected: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for hit in all_hits(index(), "政府", &[]) {
        let year = hit["date"]
            .as_str()
            .map_or("(none)".to_string(), |d| d[..4].to_string());
        let entry = expected.entry(year).or_default();
        entry.0 += 1;
        entry.1 += hit["matches"].as_array().unwrap().len() as u64;
    }
    let totals = paragraphs_per_year();
    assert_eq!(buckets.len(), totals.len(), "one bucket per year with text");
    for bucket in &buckets {
        let name = bucket["bucket"].as_str().unwrap();
        let (paragraphs, occurrences) = expected.get(name).copied().unwrap_or_default();
        assert_eq!(bucket["paragraphs"], paragraphs, "{name}");
        assert_eq!(bucket["occurrences"], occurrences, "{name}");
        assert_eq!(bucket["total_paragraphs"], totals[name], "{name}");
        let per_10k = occurrences as f64 * 10_000.0 / totals[name] as f64;
        assert!(
            (bucket["per_10k"].as_f64().unwrap() - per_10k).abs() < 0.006,
            "{name}: {bucket}"
        );
    }
    // A year with text but no match is there, with zeros: 2014 (the 行政院公報 item).
    let quiet = buckets.iter().find(|b| b["bucket"] == "2014").unwrap();
    assert_eq!(quiet["paragraphs"], 0);
    assert!(quiet["total_paragraphs"].as_u64().unwrap() > 0);
    // Years in order, the undated last.
    let names: Vec<&str> = buckets
        .iter()
        .map(|b| b["bucket"].as_str().unwrap())
        .collect();
    assert_eq!(names.last(), Some(&"(none)"));
    assert!(names[..names.len() - 1].windows(2).all(|w| w[0] < w[1]));

    // The CSV holds the same rows.
    let out = gazette(&["stats", "政府", "--by", "year", "--csv", "--index", index()]);
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let header = reader.headers().unwrap().clone();
    let keys = [
        "bucket",
        "paragraphs",
        "occurrences",
        "total_paragraphs",
        "per_10k",
    ];
    assert_eq!(header.iter().collect::<Vec<_>>(), keys);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), buckets.len());
    for (row, bucket) in rows.iter().zip(&buckets) {
        assert_eq!(&row[0], bucket["bucket"].as_str().unwrap());
        for (k, key) in keys.iter().enumerate().skip(1) {
            let value: f64 = row[k].parse().unwrap();
            assert_eq!(value, bucket[*key].as_f64().unwrap(), "{key}");
        }
    }
}

#[test]
fn stats_count_within_the_filters_and_by_field() {
    let all = json_lines(&stdout(&gazette(&[
        "stats",
        "政府",
        "--by",
        "year",
        "--json",
        "--index",
        index(),
    ])));
    let out = gazette(&[
        "stats",
        "政府",
        "--by",
        "year",
        "--from",
        "2024",
        "--json",
        "--index",
        index(),
    ]);
    let recent = json_lines(&stdout(&out));
    let expected: Vec<&Value> = all
        .iter()
        .filter(|b| b["bucket"].as_str().unwrap() >= "2024" && b["bucket"] != "(none)")
        .collect();
    assert_eq!(recent.iter().collect::<Vec<_>>(), expected);

    // By gazette: the seed's gazette holds the seed's 68 paragraphs; the files outside any
    // gazette make the last bucket.
    let out = gazette(&[
        "stats",
        "政府",
        "--by",
        "gazette",
        "--json",
        "--index",
        index(),
    ]);
    let buckets = json_lines(&stdout(&out));
    let seed = buckets
        .iter()
        .find(|b| b["bucket"] == "焦作市人民政府公报")
        .unwrap();
    assert_eq!(seed["total_paragraphs"], 68);
    let seed_hits = all_hits(index(), "政府", &["--gazette", "焦作市人民政府公报"]);
    assert_eq!(seed["paragraphs"], seed_hits.len());
    assert_eq!(buckets.last().unwrap()["bucket"], "(none)");
    let total: u64 = buckets
        .iter()
        .map(|b| b["total_paragraphs"].as_u64().unwrap())
        .sum();
    assert_eq!(total, paragraphs_per_year().values().sum::<u64>());
}

/// Display columns of a string, CJK characters counting two.
fn columns(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

#[test]
fn kwic_lines_align_matches_and_citations_over_mixed_scripts() {
    let (_dir, index) = crate::common::index_of(
        "mixed.txt",
        "示例市人民政府公报\n\nGDP增长5.2%，AI产业和云计算同步发展。\n\n\
         2025年AI芯片产能达到120万片，较上年翻番，带动上下游企业集聚。\n\n\
         推动ai+制造，打造3个AI应用示范区。\n",
    );
    let out = gazette(&[
        "search", "AI", "--kwic", "--all", "--width", "8", "--index", &index,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    let hits = all_hits(&index, "AI", &[]);
    let occurrences: usize = hits
        .iter()
        .map(|h| crate::common::match_spans(h).len())
        .sum();
    assert_eq!(occurrences, 4);
    assert_eq!(lines.len(), occurrences, "{text}");
    // Each line: left context, two spaces, the match, two spaces, right context, two spaces, the
    // citation. The match and the citation start at the same column on every line.
    let mut match_columns = Vec::new();
    let mut citation_columns = Vec::new();
    for line in &lines {
        let at = line
            .find("  AI  ")
            .or_else(|| line.find("  ai  "))
            .unwrap_or_else(|| panic!("no match in {line}"));
        match_columns.push(columns(&line[..at]));
        let citation = line.find("示例市人民政府公报 · ").unwrap();
        citation_columns.push(columns(&line[..citation]));
        // Eight characters of context at most on each side.
        let left = line[..at].trim_start();
        assert!(left.chars().count() <= 8, "{line}");
    }
    assert!(match_columns.windows(2).all(|w| w[0] == w[1]), "{text}");
    assert!(citation_columns.windows(2).all(|w| w[0] == w[1]), "{text}");
    assert!(
        text.contains("P增长5.2%，  AI  产业和云计算同步  "),
        "{text}"
    );

    // --sort right: by the match and what follows it.
    let out = gazette(&[
        "search", "AI", "--kwic", "--all", "--sort", "right", "--index", &index,
    ]);
    let rights: Vec<String> = stdout(&out)
        .lines()
        .map(|l| {
            let at = l.find("  AI  ").or_else(|| l.find("  ai  ")).unwrap();
            l[at + 2..].to_string()
        })
        .collect();
    assert!(rights.windows(2).all(|w| w[0] <= w[1]), "{rights:?}");
    // --sort left: by the context before, read from the match leftward.
    let out = gazette(&[
        "search", "AI", "--kwic", "--all", "--sort", "left", "--index", &index,
    ]);
    let lefts: Vec<String> = stdout(&out)
        .lines()
        .map(|l| {
            let at = l.find("  AI  ").or_else(|| l.find("  ai  ")).unwrap();
            l[..at].trim_start().chars().rev().collect()
        })
        .collect();
    assert!(lefts.windows(2).all(|w| w[0] <= w[1]), "{lefts:?}");

    let out = gazette(&["search", "AI", "--sort", "left", "--index", &index]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--kwic"), "{}", stderr(&out));
}

#[test]
fn csv_round_trips_to_the_same_values_as_json() {
    // 行政院 brings in the 行政院公報 item, whose manifest row has attributes.
    let query = "政府 OR 行政院";
    // Names too: 政府 is in titles and in the gazette's name.
    let json = json_lines(&stdout(&gazette(&[
        "search",
        query,
        "--all",
        "--json",
        "--cite",
        "--index",
        index(),
    ])));
    assert!(json.iter().any(|hit| hit["matched_in"] == "title"));
    let out = gazette(&[
        "search",
        query,
        "--all",
        "--csv",
        "--cite",
        "--index",
        index(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), json.len());
    assert!(rows.len() > 30);
    // The 行政院公報 item's manifest columns are attributes, its 文号 a column of its own.
    assert!(header.contains(&"attribute.doc_style_l".to_string()));
    assert!(header.contains(&"doc_number".to_string()));
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    for (row, hit) in rows.iter().zip(&json) {
        for key in [
            "path",
            "gazette",
            "issue",
            "date",
            "region",
            "document",
            "matched_in",
            "text",
            "reference",
        ] {
            assert_eq!(
                &row[column(key)],
                hit[key].as_str().unwrap_or(""),
                "{key} of {}",
                hit["path"]
            );
        }
        let section: Vec<&str> = hit["section"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        assert_eq!(&row[column("section")], section.join(" › "));
        assert_eq!(
            row[column("page")].parse::<u64>().ok(),
            hit["page"].as_u64()
        );
        assert_eq!(row[column("paragraph")], hit["paragraph"].to_string());
        let score: f64 = row[column("score")].parse().unwrap();
        assert!((score - hit["score"].as_f64().unwrap()).abs() < 1e-3);
        assert_eq!(row[column("word_match")], hit["word_match"].to_string());
        let matches: Value = serde_json::from_str(&row[column("matches")]).unwrap();
        assert_eq!(matches, hit["matches"]);
        for name in header.iter().filter_map(|h| h.strip_prefix("attribute.")) {
            let value = hit["attributes"][name].as_str().unwrap_or("");
            assert_eq!(&row[column(&format!("attribute.{name}"))], value, "{name}");
        }
    }
}

#[test]
fn references_follow_gb_t_7714_for_the_seed_gazette() {
    let hits = all_hits(index(), "云台山", &["--cite"]);
    assert_eq!(hits.len(), 4);
    for hit in &hits {
        assert_eq!(
            hit["reference"],
            "焦作市人民政府. 焦作市人民政府工作报告[N]. 焦作市人民政府公报, 2025(1): 3."
        );
    }
    // Without --cite, no reference key.
    assert!(
        all_hits(index(), "云台山", &[])[0]
            .get("reference")
            .is_none()
    );
    let hits = all_hits(index(), "運動發展基金", &["--cite"]);
    assert!(
        hits[0]["reference"]
            .as_str()
            .unwrap()
            .ends_with("[N]. 行政院公報, 2014, 20(1)."),
        "{}",
        hits[0]["reference"]
    );
}

/// The paragraphs of the seed as the parser reads them: ¶N → text.
fn seed_paragraphs() -> BTreeMap<u64, String> {
    let out = gazette(&["inspect", SEED, "--paragraphs"]);
    stdout(&out)
        .lines()
        .filter_map(|line| {
            let line = line.trim_start();
            let rest = line.strip_prefix('¶').or_else(|| line.strip_prefix('#'))?;
            let (n, text) = rest.split_once(' ')?;
            Some((n.parse().ok()?, text.to_string()))
        })
        .collect()
}

#[test]
fn show_gives_a_paragraph_with_its_neighbours() {
    let expected = seed_paragraphs();
    assert_eq!(expected.len(), 68);
    let out = gazette(&[
        "show",
        SEED,
        "-p",
        "32",
        "-C",
        "2",
        "--json",
        "--index",
        index(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let shown = json_lines(&stdout(&out));
    let numbers: Vec<u64> = shown
        .iter()
        .map(|p| p["paragraph"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, [30, 31, 32, 33, 34]);
    for p in &shown {
        let n = p["paragraph"].as_u64().unwrap();
        assert_eq!(p["text"].as_str().unwrap(), expected[&n], "¶{n}");
    }

    // For a person: the asked paragraph marked, its section path above it.
    let out = gazette(&["show", SEED, "-p", "32", "-C", "0", "--index", index()]);
    let text = stdout(&out);
    assert!(text.contains(&format!("▶ ¶32 {}", expected[&32])), "{text}");
    assert!(text.contains("§ 三、2025年重点工作 › "), "{text}");

    // The first paragraph has no neighbours before it; the whole file without -p.
    let out = gazette(&[
        "show",
        SEED,
        "-p",
        "1",
        "-C",
        "3",
        "--json",
        "--index",
        index(),
    ]);
    assert_eq!(json_lines(&stdout(&out)).len(), 4);
    let out = gazette(&["show", SEED, "--json", "--index", index()]);
    assert_eq!(json_lines(&stdout(&out)).len(), 68);

    // Another spelling of the same path.
    let absolute = repo().join(SEED);
    let out = gazette(&[
        "show",
        absolute.to_str().unwrap(),
        "-p",
        "32",
        "-C",
        "0",
        "--json",
        "--index",
        index(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // In an issue of two documents, ¶1 is in both: the error lists them, --document picks one.
    let issue = "tests/fixtures/示例市人民政府公报_2024年第3号.txt";
    let out = gazette(&["show", issue, "-p", "1", "--index", index()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("has 2 documents with a paragraph 1; choose one with --document"),
        "{}",
        stderr(&out)
    );
    let out = gazette(&[
        "show",
        issue,
        "-p",
        "1",
        "-C",
        "1",
        "--document",
        "2",
        "--json",
        "--index",
        index(),
    ]);
    let shown = json_lines(&stdout(&out));
    assert_eq!(shown.len(), 2);
    assert_eq!(
        shown[0]["document"],
        "示例市人民政府办公室关于做好防汛工作的通知"
    );
    assert_eq!(
        shown[0]["text"],
        "示例市人民政府办公室关于做好防汛工作的通知"
    );

    // Errors name what is wrong.
    let out = gazette(&["show", SEED, "-p", "99", "--index", index()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("has no paragraph 99"),
        "{}",
        stderr(&out)
    );
    let out = gazette(&["show", "corpus/nothing.txt", "--index", index()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no indexed file is named corpus/nothing.txt"),
        "{}",
        stderr(&out)
    );
    assert!(Path::new(&repo().join(SEED)).exists());
}
