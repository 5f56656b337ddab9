//! What users type to name a document or an issue finds it (issue 19): a title, a 文号 however its
//! brackets are typed, a gazette's name, an issue's. Checked against scans of the names the test
//! wrote, and on the seed issue against the expectations of the issue's table.

use std::collections::BTreeSet;
use std::path::Path;

use proptest::prelude::*;
use serde_json::Value;

use crate::common::{all_hits, build_index, every_hit, gazette, seed_index, stderr, stdout};

fn top(index: &str, query: &str, n: &str) -> Vec<Value> {
    let out = gazette(&["search", query, "--json", "-n", n, "--index", index]);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{query}: {}",
        stderr(&out)
    );
    stdout(&out)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// The best `n` hits of `query` in the order of `sort`, as JSON.
fn top_sorted(index: &str, query: &str, n: usize, sort: &str) -> Vec<Value> {
    let n = n.to_string();
    let out = gazette(&[
        "search", query, "--json", "-n", &n, "--sort", sort, "--index", index,
    ]);
    stdout(&out)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn file_name(hit: &Value) -> String {
    Path::new(hit["path"].as_str().unwrap())
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

/// The texts of a hit's matches.
fn matched(hit: &Value) -> Vec<String> {
    crate::common::matched_texts(hit)
}

#[test]
fn the_seed_issue_is_found_by_its_title_its_gazette_and_its_number() {
    let index = seed_index().to_str().unwrap();
    // The seed document's exact title: that document, first, as a title.
    let hits = top(index, "焦作市人民政府工作报告", "10");
    assert_eq!(hits[0]["matched_in"], "title", "{:?}", hits[0]);
    assert_eq!(hits[0]["document"], "焦作市人民政府工作报告");
    assert_eq!(hits[0]["text"], "焦作市人民政府工作报告");
    assert_eq!(hits[0]["paragraph"], 0);
    assert_eq!(matched(&hits[0]), ["焦作市人民政府工作报告"]);
    // The gazette's name: its issues, one hit each, before any paragraph.
    let (code, hits) = every_hit(index, "焦作市人民政府公报", &[]);
    assert_eq!(code, 0);
    let issues: Vec<&Value> = hits.iter().filter(|h| h["matched_in"] != "text").collect();
    assert_eq!(issues.len(), 1, "one issue in the seed");
    assert_eq!(hits[0]["matched_in"], "gazette");
    assert_eq!(hits[0]["issue"], "2025年第1号（总第139号）");
    assert_eq!(hits[0]["document"], "");
    assert_eq!(matched(&hits[0]), ["焦作市人民政府公报"]);
    // The issue's number as its cover prints it.
    let hits = top(index, "2025年第1号", "3");
    assert_eq!(hits[0]["matched_in"], "issue");
    assert_eq!(matched(&hits[0]), ["2025年第1号"]);
    // The gazette's name and the issue's written together, as on the cover.
    let hits = top(index, "焦作市人民政府公报2025年第1号", "3");
    assert_eq!(hits[0]["matched_in"], "issue");
    // Counted apart from paragraphs.
    let out = gazette(&[
        "search",
        "焦作市人民政府工作报告",
        "--count",
        "--json",
        "--index",
        index,
    ]);
    assert_eq!(out.status.code(), Some(0), "a title alone is found");
    let counts: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(counts["documents"], 1);
    assert_eq!(counts["paragraphs"], 0);
    // `--text-only` leaves names out, and then nothing matches.
    let out = gazette(&[
        "search",
        "焦作市人民政府工作报告",
        "--text-only",
        "--index",
        index,
    ]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn names_are_added_to_the_paragraphs_and_change_none_of_them() {
    let index = seed_index().to_str().unwrap();
    for query in [
        "政府",
        "工作报告",
        "焦作",
        "云台山 document:工作报告",
        "焦作 OR 云台山",
        "政府 -工作",
        "人民 NEAR/3 政府",
    ] {
        let (_, all) = every_hit(index, query, &["--sort", "relevance"]);
        let (_, text) = every_hit(index, query, &["--text-only"]);
        let paragraphs: Vec<&Value> = all.iter().filter(|h| h["matched_in"] == "text").collect();
        let key = |h: &Value| (h["path"].to_string(), h["paragraph"].as_u64().unwrap());
        let want: BTreeSet<_> = text.iter().map(key).collect();
        let got: BTreeSet<_> = paragraphs.iter().map(|h| key(h)).collect();
        assert_eq!(got, want, "{query}");
        // A name ranks above every paragraph when it holds the whole query.
        if let Some(first_text) = all.iter().position(|h| h["matched_in"] == "text") {
            assert!(
                all[..first_text]
                    .iter()
                    .all(|h| h["score"].as_f64().unwrap() > 1e5),
                "{query}"
            );
        }
    }
    // 云台山 document:工作报告: every paragraph of the report that mentions 云台山, as before,
    // and no title hit, since the title does not hold 云台山.
    let (_, all) = every_hit(index, "云台山 document:工作报告", &[]);
    assert!(all.iter().all(|h| h["matched_in"] == "text"));
    assert!(!all.is_empty());
}

/// A folder of gazette issues written for the test: three issues of one gazette, and documents
/// with titles and numbers drawn from a few words.
struct Written {
    _dir: tempfile::TempDir,
    index: String,
    /// (file name, title) of each document.
    titles: Vec<(String, String)>,
}

const WORDS: &[&str] = &[
    "关于",
    "加强",
    "云台山",
    "保护",
    "的",
    "通知",
    "焦作市",
    "数字经济",
    "发展",
    "规划",
    "实施",
    "办法",
    "决定",
    "条例",
    "意见",
    "印发",
    "修武县",
    "农村",
    "公路",
    "养护",
    "管理",
];

fn written() -> &'static Written {
    static WRITTEN: std::sync::OnceLock<Written> = std::sync::OnceLock::new();
    WRITTEN.get_or_init(|| {
        let dir = crate::common::static_tempdir();
        let corpus = dir.path().join("corpus");
        std::fs::create_dir(&corpus).unwrap();
        let mut manifest = String::from("file\tgazette\tissue\tdate\tdoc_number\n");
        let mut titles = Vec::new();
        // A fixed walk through the words: the titles share words, as real ones do.
        let mut next = crate::common::fixed_walk(7);
        for k in 0..40 {
            let words = 3 + next(4);
            let title: String = (0..words).map(|_| WORDS[next(WORDS.len())]).collect();
            let name = format!("doc{k:02}.txt");
            // The body mentions a word of some title, not necessarily its own.
            let body = format!(
                "# {title}\n\n为{}，现就有关事项通知如下。\n\n本办法自公布之日起施行。\n",
                WORDS[next(WORDS.len())]
            );
            std::fs::write(corpus.join(&name), body).unwrap();
            // Three issues of one gazette, the 文号 only in the manifest.
            let issue = k % 3 + 1;
            manifest.push_str(&format!(
                "{name}\t修武县人民政府公报\t2024年第{issue}期\t2024-0{issue}-15\t修政〔2024〕{k}号\n"
            ));
            titles.push((name, title));
        }
        std::fs::write(corpus.join("manifest.tsv"), manifest).unwrap();
        let index = build_index(dir.path(), &corpus);
        Written {
            _dir: dir,
            index,
            titles,
        }
    })
}

/// A literal of 1 to 6 characters cut from a random place of a random title.
fn title_literal() -> impl Strategy<Value = String> {
    (0..40usize, any::<prop::sample::Index>(), 1usize..=6).prop_map(|(t, start, len)| {
        let title: Vec<char> = written().titles[t].1.chars().collect();
        let start = start.index(title.len());
        title[start..(start + len).min(title.len())]
            .iter()
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 60, ..ProptestConfig::default() })]

    /// Every document whose title holds a literal is found as a title, and only those: a scan
    /// of the titles the test wrote.
    #[test]
    fn a_literal_from_a_title_finds_every_title_that_holds_it(literal in title_literal()) {
        let written = written();
        let expected: BTreeSet<String> = written
            .titles
            .iter()
            .filter(|(_, title)| title.contains(literal.as_str()))
            .map(|(name, _)| name.clone())
            .collect();
        let (code, hits) = every_hit(&written.index, &literal, &[]);
        prop_assert_eq!(code, 0);
        let titles: Vec<&Value> = hits.iter().filter(|h| h["matched_in"] == "title").collect();
        let found: BTreeSet<String> = titles.iter().map(|h| file_name(h)).collect();
        prop_assert_eq!(found.len(), titles.len(), "one hit per document");
        prop_assert_eq!(&found, &expected, "literal {:?}", literal);
        for hit in &titles {
            prop_assert!(matched(hit).iter().all(|m| m == &literal));
        }
        // A top 3 counts the documents in the index, in the pass that keeps its best; `--all`
        // read and checked each one.
        let named = hits
            .iter()
            .filter(|h| h["matched_in"] == "title" || h["matched_in"] == "doc_number")
            .count();
        let out = gazette(&["search", &literal, "-n", "3", "--index", &written.index]);
        let summary = stdout(&out).lines().last().unwrap_or_default().to_string();
        let counted = if summary.contains("by title or 文号") {
            summary
                .split(" document")
                .next()
                .and_then(|head| head.rsplit(' ').next())
                .and_then(|n| n.parse::<usize>().ok())
        } else {
            Some(0)
        };
        prop_assert_eq!(counted, Some(named), "literal {:?}: {}", literal, summary);
    }
}

#[test]
fn a_frequent_character_finds_every_name_that_holds_it() {
    // A frequent character (的, 关, 政…) is read from the names' own posting list of it, not from
    // the bigrams it starts: the documents found by name are those whose title or 文号, as the
    // test wrote them, hold it. Every 文号 holds 政.
    let written = written();
    let number = |name: &str| {
        let k: usize = name[3..5].parse().unwrap();
        format!("修政〔2024〕{k}号")
    };
    let mut frequent: Vec<char> = (written.titles.iter())
        .flat_map(|(name, title)| {
            format!("{title}{}", number(name))
                .chars()
                .collect::<Vec<_>>()
        })
        .filter(|&c| gazette::store::frequent::is_frequent(c))
        .collect();
    frequent.sort_unstable();
    frequent.dedup();
    assert!(
        frequent.len() >= 5 && frequent.contains(&'政'),
        "{frequent:?}"
    );
    for c in frequent {
        let literal = c.to_string();
        let expected: BTreeSet<String> = (written.titles.iter())
            .filter(|(name, title)| title.contains(c) || number(name).contains(c))
            .map(|(name, _)| name.clone())
            .collect();
        let (code, hits) = every_hit(&written.index, &literal, &[]);
        assert_eq!(code, 0, "{c}");
        let found: BTreeSet<String> = (hits.iter())
            .filter(|h| h["matched_in"] == "title" || h["matched_in"] == "doc_number")
            .map(file_name)
            .collect();
        assert_eq!(found, expected, "{c}");
    }
}

#[test]
fn an_exact_title_ranks_its_document_first() {
    let written = written();
    let mut right = 0;
    for (name, title) in &written.titles {
        let hits = top(&written.index, title, "1");
        // Two documents may share a title; either is right.
        let first = &hits[0];
        assert_eq!(first["matched_in"], "title", "{title}");
        assert_eq!(first["document"], title.as_str());
        right += usize::from(&file_name(first) == name);
    }
    assert!(right > 0);
}

#[test]
fn a_document_number_is_found_in_every_bracket_spelling() {
    let written = written();
    for typed in [
        "修政〔2024〕17号",
        "修政[2024]17号",
        "修政［2024］17号",
        "\"修政(2024)17号\"",
        "修政（2024）17号",
        "修政【2024】17号",
        "修政⌈2024⌉17号",
    ] {
        let (code, hits) = every_hit(&written.index, typed, &[]);
        assert_eq!(code, 0, "{typed}");
        assert_eq!(hits.len(), 1, "{typed}: {hits:?}");
        assert_eq!(hits[0]["matched_in"], "doc_number");
        assert_eq!(file_name(&hits[0]), "doc17.txt");
        assert_eq!(hits[0]["doc_number"], "修政〔2024〕17号");
        // The match points at the number as written.
        assert_eq!(matched(&hits[0]), ["修政〔2024〕17号"]);
    }
}

#[test]
fn a_gazettes_name_gives_its_issues_newest_first_one_hit_each() {
    let written = written();
    let (code, hits) = every_hit(&written.index, "修武县人民政府公报", &[]);
    assert_eq!(code, 0);
    let issues: Vec<&str> = hits
        .iter()
        .map(|h| {
            assert_eq!(h["matched_in"], "gazette");
            h["issue"].as_str().unwrap()
        })
        .collect();
    assert_eq!(issues, ["2024年第3期", "2024年第2期", "2024年第1期"]);
    // Within a filter, and counted.
    let out = gazette(&[
        "search",
        "修武县人民政府公报",
        "--from",
        "2024-02",
        "--count",
        "--json",
        "--index",
        &written.index,
    ]);
    let counts: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(counts["issues"], 2);
    // An issue's number: that issue first.
    let hits = top(&written.index, "2024年第2期", "1");
    assert_eq!(hits[0]["matched_in"], "issue");
    assert_eq!(hits[0]["issue"], "2024年第2期");
    // A passing part of the gazette's name ranks its issues after the paragraphs and titles.
    let (_, hits) = every_hit(&written.index, "修武县", &["--sort", "relevance"]);
    let first_issue = hits
        .iter()
        .position(|h| h["matched_in"] == "gazette")
        .unwrap();
    assert!(
        hits[first_issue..]
            .iter()
            .all(|h| h["matched_in"] == "gazette")
    );
    assert!(first_issue > 0);
}

#[test]
fn names_show_in_every_format() {
    let index = seed_index().to_str().unwrap();
    let out = gazette(&["search", "焦作市人民政府工作报告", "--index", index]);
    let text = stdout(&out);
    assert!(
        text.contains("[corpus/焦作市人民政府公报_2025年第1号.txt · title]"),
        "{text}"
    );
    assert!(
        text.contains("1 document by title or 文号 matches."),
        "{text}"
    );
    let out = gazette(&["search", "焦作市人民政府公报", "--kwic", "--index", index]);
    assert!(
        stdout(&out).contains("焦作市人民政府公报"),
        "{}",
        stdout(&out)
    );
    let out = gazette(&["search", "焦作市人民政府公报", "--csv", "--index", index]);
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let header = reader.headers().unwrap().clone();
    let at = header.iter().position(|h| h == "matched_in").unwrap();
    let first = reader.records().next().unwrap().unwrap();
    assert_eq!(&first[at], "gazette");
    let out = gazette(&[
        "search",
        "焦作市人民政府公报",
        "--cite",
        "-n",
        "1",
        "--index",
        index,
    ]);
    assert!(
        stdout(&out).contains("焦作市人民政府公报[N], 2025(1)."),
        "{}",
        stdout(&out)
    );
}

/// `text` in the other script: traditional characters to simplified (as fast2s converts them), or
/// simplified to a traditional character that converts back to it.
fn other_script(text: &str, to_traditional: bool) -> String {
    if !to_traditional {
        return fast2s::convert(text);
    }
    static BACK: std::sync::OnceLock<std::collections::HashMap<char, char>> =
        std::sync::OnceLock::new();
    let back = BACK.get_or_init(|| {
        let mut back = std::collections::HashMap::new();
        for c in ('\u{4E00}'..='\u{9FFF}').filter(|c| c.len_utf8() == 3) {
            let simplified: Vec<char> = fast2s::convert(&c.to_string()).chars().collect();
            if let [s] = simplified[..]
                && s != c
            {
                back.entry(s).or_insert(c);
            }
        }
        back
    });
    text.chars().map(|c| *back.get(&c).unwrap_or(&c)).collect()
}

/// Every `n`-th item of `items`, about `want` of them, in a fixed order.
fn spread<T: Clone>(items: &[T], want: usize) -> Vec<T> {
    let step = (items.len() / want).max(1);
    items.iter().step_by(step).take(want).cloned().collect()
}

#[test]
#[ignore = "needs ../shared/corpus"]
fn a_title_in_either_script_finds_its_document_first() {
    let shared = crate::common::repo().join("../shared/corpus");
    let index = crate::common::shared_index();
    // 行政院公報 items: their manifest titles, as the gazette prints them.
    let manifest =
        std::fs::read_to_string(shared.join("tw-executive-yuan-gazette/manifest.tsv")).unwrap();
    let mut rows = manifest.lines();
    let header: Vec<&str> = rows.next().unwrap().split('\t').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (file, title) = (column("file"), column("title"));
    let tw: Vec<(String, String)> = rows
        .map(|row| row.split('\t').collect::<Vec<&str>>())
        .filter(|cells| !cells[title].is_empty())
        .map(|cells| {
            let path = format!("tw-executive-yuan-gazette/{}", cells[file]);
            (cells[title].to_string(), path)
        })
        .collect();
    // Laws: the title each file opens with (「# 中华人民共和国……法」).
    let mut laws = Vec::new();
    for entry in walkdir::WalkDir::new(shared.join("cn-laws-lawrefbook"))
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "txt"))
    {
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let Some(first) = text.lines().find(|l| !l.trim().is_empty()) else {
            continue;
        };
        let relative = entry.path().strip_prefix(&shared).unwrap();
        let title = first.trim_start_matches('#').trim().to_string();
        laws.push((title, relative.to_string_lossy().into_owned()));
    }
    println!("set        script       first  same name  of");
    for (set, items, want, written_traditional) in
        [("行政院公報", &tw, 150, true), ("laws", &laws, 200, false)]
    {
        let sample = spread(items, want);
        assert_eq!(sample.len(), want);
        for as_written in [true, false] {
            let (mut first, mut same_name) = (0, 0);
            for (title, path) in &sample {
                let typed = if as_written {
                    title.clone()
                } else {
                    other_script(title, !written_traditional)
                };
                let query = format!("\"{}\"", typed.replace('"', "\"\""));
                let hits = top(&index, &query, "1");
                let Some(hit) = hits.first() else {
                    println!("  not found: {typed}");
                    continue;
                };
                if hit["path"].as_str().unwrap().ends_with(path.as_str()) {
                    first += 1;
                } else if hit["matched_in"] == "title"
                    && fast2s::convert(hit["document"].as_str().unwrap()) == fast2s::convert(title)
                {
                    // Another document of the same name (a law's earlier version, a notice
                    // printed twice) is as right an answer to its name.
                    same_name += 1;
                } else {
                    println!("  not first: {typed}  ->  {}", hit["path"]);
                }
            }
            let script = match (as_written, written_traditional) {
                (true, true) | (false, false) => "traditional",
                _ => "simplified",
            };
            println!("{set:<10} {script:<12} {first:>5} {same_name:>10} {want:>4}");
            let right = first + same_name;
            assert!(
                right * 100 >= want * 95,
                "{set} in {script}: {right} of {want} titles find their document first"
            );
        }
    }
}

#[test]
#[ignore = "needs ../shared/corpus"]
fn a_document_number_with_ascii_brackets_finds_its_document() {
    let index = crate::common::shared_index();
    let (code, hits) = every_hit(&index, "国发[1993]21号", &[]);
    assert_eq!(code, 0);
    assert!(!hits.is_empty());
    for hit in &hits {
        let text = hit["text"].as_str().unwrap();
        let number = hit["doc_number"].as_str().unwrap_or("");
        assert!(
            text.contains("国发〔1993〕21号") || number == "国发〔1993〕21号",
            "{hit}"
        );
    }
}

#[test]
fn the_issues_counted_are_the_issues_found() {
    // A generated corpus: every file an issue of a 人民政府公报, so that 政府 names them all and
    // `--count` counts them from the index alone.
    let dir = tempfile::tempdir().unwrap();
    let docs = crate::common::generated(&dir.path().join("docs"), 1);
    let index = crate::common::build_index(dir.path(), &docs);
    for query in [
        "政府",
        "人民政府公报",
        "第1期",
        "政府 OR 公报",
        "政府 -第1期",
    ] {
        let out = gazette(&["search", query, "--count", "--json", "--index", &index]);
        let counts: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
        let (_, hits) = every_hit(&index, query, &[]);
        let issues = hits
            .iter()
            .filter(|h| matches!(h["matched_in"].as_str(), Some("gazette" | "issue")))
            .count();
        assert_eq!(counts["issues"], issues, "{query}");
        if query == "政府" {
            assert!(issues > 10, "{query}: {issues} issues");
        }
    }
}

/// `--all` on a word that names every issue of a collection cites hundreds of issues, their heads
/// read in store order on both cores: each issue's citation is that of its own first head, whose
/// file holds the issue, and its name is the gazette's and the issue's.
#[test]
fn every_issue_of_a_large_collection_is_cited_from_its_own_head() {
    let dir = tempfile::tempdir().unwrap();
    let docs = crate::common::generated(&dir.path().join("docs"), 12);
    let index = crate::common::build_index(dir.path(), &docs);
    let (code, hits) = every_hit(&index, "政府", &[]);
    assert_eq!(code, 0);
    let issues: Vec<&Value> = hits
        .iter()
        .filter(|h| matches!(h["matched_in"].as_str(), Some("gazette" | "issue")))
        .collect();
    assert!(issues.len() >= 256, "only {} issues", issues.len());
    let mut files = std::collections::HashSet::new();
    for hit in issues {
        let (gazette, issue) = (
            hit["gazette"].as_str().unwrap(),
            hit["issue"].as_str().unwrap(),
        );
        assert_eq!(
            hit["text"].as_str().unwrap(),
            format!("{gazette}{issue}"),
            "{hit}"
        );
        let path = hit["path"].as_str().unwrap();
        let file = std::fs::read_to_string(path).unwrap();
        assert!(file.contains(gazette) && file.contains(issue), "{hit}");
        assert!(files.insert(path.to_string()), "{path} cited twice");
    }
    // The names come in batches of their own before the paragraphs' (more than one batch of each
    // here): every name first, then every paragraph that `--count` counts, each once.
    let first_text = hits
        .iter()
        .position(|h| h["matched_in"] == "text")
        .expect("paragraphs of 政府");
    assert!(first_text > 512, "{first_text} names: one batch");
    assert!(hits[first_text..].iter().all(|h| h["matched_in"] == "text"));
    let out = gazette(&["search", "政府", "--count", "--json", "--index", &index]);
    let counts: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    let paragraphs: std::collections::HashSet<(String, u64)> = hits[first_text..]
        .iter()
        .map(|h| (h["path"].to_string(), h["paragraph"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        paragraphs.len(),
        hits.len() - first_text,
        "a paragraph twice"
    );
    assert_eq!(counts["paragraphs"], paragraphs.len());
    assert!(
        paragraphs.len() > 512,
        "{} paragraphs: one batch",
        paragraphs.len()
    );
    assert_eq!(
        counts["issues"].as_u64().unwrap() + counts["documents"].as_u64().unwrap(),
        first_text as u64
    );
}

/// Where the best hits are all names (a word of many titles), the paragraphs are only counted:
/// the hits shown are hits of the whole search, none of them a paragraph, and the totals are those
/// of `--count`.
#[test]
fn names_that_fill_the_page_leave_the_paragraphs_counted() {
    let index = &written().index;
    let key = |hit: &Value| {
        (
            file_name(hit),
            hit["paragraph"].as_u64(),
            hit["matched_in"].to_string(),
            hit["score"].to_string(),
        )
    };
    let mut filled = 0;
    for word in WORDS {
        let best: Vec<_> = top(index, word, "5").iter().map(key).collect();
        let (_, all) = every_hit(index, word, &["--sort", "relevance"]);
        let all: Vec<_> = all.iter().map(key).collect();
        assert!(best.iter().all(|hit| all.contains(hit)), "{word}");
        // Names rank above every paragraph (those of issues a word only passes through rank
        // below): when five do, no paragraph is shown.
        let above = |k: &&(String, Option<u64>, String, String)| {
            k.2 != "\"text\""
                && k.3.parse::<f64>().unwrap() >= f64::from(gazette::search::NAME_SCORE)
        };
        let names = all.iter().filter(above).count();
        if names >= 5 {
            filled += 1;
            assert!(best.iter().all(|k| k.2 != "\"text\""), "{word}: {best:?}");
        }
        // The footer's counts, paragraphs included, are --count's.
        let out = gazette(&["search", word, "-n", "5", "--index", index]);
        let footer = stdout(&out).lines().last().unwrap_or_default().to_string();
        let out = gazette(&["search", word, "--count", "--json", "--index", index]);
        let counts: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
        let paragraphs = counts["paragraphs"].as_u64().unwrap();
        if paragraphs > 0 {
            assert!(
                footer.contains(&format!("{paragraphs} paragraph")),
                "{word}: {footer} / {counts}"
            );
        }
    }
    assert!(filled >= 3, "only {filled} words fill the page with names");
}

/// Where names fill a page of two for `query`: the footer of that page, and the paragraphs
/// `--all --text-only` reads and checks on their text. `None` where a paragraph is on the page.
fn counted_under_names(index: &str, query: &str) -> Option<(String, usize)> {
    let best = top(index, query, "2");
    if best.len() < 2 || best.iter().any(|hit| hit["matched_in"] == "text") {
        return None;
    }
    let paragraphs = all_hits(index, query, &[]).len();
    let out = gazette(&["search", query, "-n", "2", "--index", index]);
    let footer = stdout(&out).lines().last().unwrap_or_default().to_string();
    Some((footer, paragraphs))
}

/// A NEAR whose names fill the page counts its paragraphs without scoring them: the count in the
/// footer is that of every paragraph `--all` reads and checks on its text.
#[test]
fn a_near_whose_names_fill_the_page_counts_the_paragraphs_its_text_holds() {
    let index = &written().index;
    let mut filled = 0;
    for query in [
        "关于 NEAR/6 通知",
        "管理 NEAR/3 办法",
        "实施 NEAR/10 意见",
        "加强 NEAR/8 管理",
        "发展 NEAR/4 规划",
    ] {
        let Some((footer, paragraphs)) = counted_under_names(index, query) else {
            continue;
        };
        filled += 1;
        assert!(paragraphs > 0, "{query}: no paragraph to count");
        assert!(
            footer.contains(&format!(" {paragraphs} paragraph")),
            "{query}: {footer} / {paragraphs} paragraphs read"
        );
    }
    assert!(filled >= 3, "only {filled} NEARs fill the page with names");
}

/// Queries of several literals, with a NOT, an OR or a filter, whose names fill the page count
/// their paragraphs as `--all` finds them: a count opens none of the signals that only rank (the
/// literals' words, the titles and headings above a paragraph).
#[test]
fn a_compound_query_whose_names_fill_the_page_counts_the_paragraphs_it_holds() {
    let index = &written().index;
    let mut filled = 0;
    for query in [
        "关于 -云台山",
        "通知 -养护",
        "通知 OR 意见",
        "管理 OR 保护",
        "加强 管理",
        "关于 通知",
        "管理 date:2024-01-15",
        "关于 gazette:修武县人民政府公报",
    ] {
        let Some((footer, paragraphs)) = counted_under_names(index, query) else {
            continue;
        };
        filled += 1;
        let expected = if paragraphs == 0 {
            "match".to_string()
        } else {
            format!(" {paragraphs} paragraph")
        };
        assert!(
            footer.contains(&expected) && (paragraphs > 0 || !footer.contains(" paragraph")),
            "{query}: {footer} / {paragraphs} paragraphs read"
        );
    }
    assert!(
        filled >= 4,
        "only {filled} queries fill the page with names"
    );
}

/// Indexes the files of `corpus` named by manifest `rows` (file, gazette, issue, date), the first
/// file of each issue and then the second (`rows` alternate them) in two runs, so that an issue's
/// heads lie in two segments. Gives the index.
fn index_in_two_runs(dir: &Path, corpus: &Path, rows: &[String]) -> String {
    let manifest = |rows: &[String]| {
        let mut text = String::from("file\tgazette\tissue\tdate\n");
        rows.iter().for_each(|row| text.push_str(row));
        std::fs::write(corpus.join("manifest.tsv"), text).unwrap();
    };
    let seconds: Vec<&str> = rows
        .iter()
        .skip(1)
        .step_by(2)
        .map(|row| row.split('\t').next().unwrap())
        .collect();
    let hidden = dir.join("later");
    std::fs::create_dir(&hidden).unwrap();
    for name in &seconds {
        std::fs::rename(corpus.join(name), hidden.join(name)).unwrap();
    }
    manifest(&rows.iter().step_by(2).cloned().collect::<Vec<_>>());
    let index = build_index(dir, corpus);
    for name in &seconds {
        std::fs::rename(hidden.join(name), corpus.join(name)).unwrap();
    }
    manifest(rows);
    build_index(dir, corpus);
    index
}

/// The best issues of a search are found by checking only those that could rank among them
/// (`search::issues`): they must be the first issues of all its hits, ranked, in the same order.
/// Issues of four gazettes (one with a Latin name, whose issues' names are glued by a space),
/// many with names of their own (总第N期), each spread over two files indexed in two runs, so
/// that its heads lie in two segments.
#[test]
fn the_best_issues_are_the_first_issues_of_all_hits_ranked() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    let gazettes = [
        "焦作市人民政府公报",
        "修武县人民政府公报",
        "河南省政府公报",
        "Gazette No",
    ];
    let mut rows = Vec::new();
    for n in 0..48 {
        let gazette = gazettes[n % gazettes.len()];
        let year = 2020 + n % 5;
        let issue = if gazette.starts_with("Gazette") {
            format!("{}", n / 4 + 1)
        } else if n % 3 == 0 {
            format!("{year}年第{}期（总第{}期）", n / 4 + 1, n + 100)
        } else {
            format!("{year}年第{}期", n / 4 + 1)
        };
        let date = format!("{year}-{:02}-{:02}", n % 12 + 1, n % 27 + 1);
        for half in 0..2 {
            let name = format!("f{n:02}_{half}.txt");
            let body = format!(
                "# 关于第{n}项工作的通知\n\n市政府决定开展第{n}项工作，公报{year}年刊登。\n"
            );
            std::fs::write(corpus.join(&name), body).unwrap();
            rows.push(format!("{name}\t{gazette}\t{issue}\t{date}\n"));
        }
    }
    let index = index_in_two_runs(dir.path(), &corpus, &rows);

    let issue_of = |hit: &Value| {
        matches!(hit["matched_in"].as_str(), Some("gazette" | "issue")).then(|| {
            (
                hit["gazette"].to_string(),
                hit["issue"].to_string(),
                hit["date"].to_string(),
                hit["score"].to_string(),
            )
        })
    };
    let mut compared = 0;
    for query in [
        "政府",
        "人民政府公报",
        "公报",
        "第1期",
        "2021年",
        "公报2021",
        "焦作市人民政府公报",
        "政府 OR 第2期",
        "政府 -第1期",
        "No 3",
        "总第",
        "Gazette",
    ] {
        for sort in ["relevance", "newest", "oldest"] {
            let (_, all) = every_hit(&index, query, &["--sort", sort]);
            let count = all.iter().filter_map(issue_of).count();
            if query == "政府" {
                assert_eq!(
                    count, 36,
                    "{query}: one hit for each issue of the three gazettes"
                );
            }
            for limit in [1, 3, 10] {
                let best: Vec<_> = top_sorted(&index, query, limit, sort)
                    .iter()
                    .filter_map(issue_of)
                    .collect();
                let first: Vec<_> = all.iter().take(limit).filter_map(issue_of).collect();
                assert_eq!(best, first, "{query} --sort {sort} -n {limit}");
                compared += best.len();
            }
        }
    }
    assert!(compared > 100, "only {compared} issue hits compared");
}

/// A NEAR's names are checked on the titles and 文号 the heads' columns hold, and only the best
/// `limit` have their citation read: the names a top `limit` shows are the first of those that
/// `--all` shows (which reads and checks every citation), in every order, scores and matches
/// included, ties in the order of the index.
#[test]
fn the_best_names_of_a_near_are_the_first_of_all_its_names() {
    let written = written();
    let name_of = |hit: &Value| {
        matches!(hit["matched_in"].as_str(), Some("title" | "doc_number")).then(|| hit.to_string())
    };
    let mut compared = 0;
    for query in [
        "关于 NEAR/6 通知",
        "发展 NEAR/4 规划",
        "管理 NEAR/3 办法",
        "实施 NEAR/10 意见",
        "加强 NEAR/8 管理",
        "修政 NEAR/3 2024",
    ] {
        for sort in ["relevance", "newest", "oldest"] {
            let (_, all) = every_hit(&written.index, query, &["--sort", sort]);
            let names: Vec<String> = all.iter().filter_map(name_of).collect();
            for limit in [1, 3, 10] {
                let best: Vec<String> = top_sorted(&written.index, query, limit, sort)
                    .iter()
                    .filter_map(name_of)
                    .collect();
                if sort == "relevance" {
                    // Names rank above every paragraph.
                    assert_eq!(best.len(), limit.min(names.len()), "{query} -n {limit}");
                }
                assert_eq!(
                    best,
                    names[..best.len()],
                    "{query} --sort {sort} -n {limit}"
                );
                compared += best.len();
            }
        }
    }
    assert!(compared > 60, "only {compared} names compared");
}

/// Whether two occurrences of `a` and `b` in `text` stand at most `distance` characters apart
/// (the characters between them; overlapping ones have none): every occurrence, by a scan.
fn near_in(text: &str, a: &str, b: &str, distance: usize) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let starts = |literal: &str| -> Vec<(usize, usize)> {
        let literal: Vec<char> = literal.chars().collect();
        (0..chars.len())
            .filter(|&i| chars[i..].starts_with(&literal))
            .map(|i| (i, i + literal.len()))
            .collect()
    };
    let (lefts, rights) = (starts(a), starts(b));
    lefts.iter().any(|&l| {
        rights.iter().any(|&r| {
            let (first, second) = if l.0 <= r.0 { (l, r) } else { (r, l) };
            second.0.saturating_sub(first.1) <= distance
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 60, ..ProptestConfig::default() })]

    /// A NEAR of two words finds, as titles, the documents whose title holds them close enough,
    /// and only those: a scan of the titles the test wrote. The index rules out the titles where
    /// they stand too far apart before any is read.
    #[test]
    fn a_near_finds_every_title_where_its_words_stand_close(
        t in 0..40usize,
        (i, j) in (any::<prop::sample::Index>(), any::<prop::sample::Index>()),
        distance in 0usize..8,
    ) {
        let written = written();
        let title: Vec<char> = written.titles[t].1.chars().collect();
        let cut = |at: &prop::sample::Index| -> String {
            let start = at.index(title.len() - 1);
            title[start..start + 2].iter().collect()
        };
        let (a, b) = (cut(&i), cut(&j));
        let query = format!("{a} NEAR/{distance} {b}");
        let expected: BTreeSet<String> = written
            .titles
            .iter()
            .filter(|(_, title)| near_in(title, &a, &b, distance))
            .map(|(name, _)| name.clone())
            .collect();
        let (code, hits) = every_hit(&written.index, &query, &[]);
        prop_assert!(matches!(code, 0 | 1), "{}: exit {}", query, code);
        let found: BTreeSet<String> = hits
            .iter()
            .filter(|h| h["matched_in"] == "title")
            .map(file_name)
            .collect();
        prop_assert_eq!(&found, &expected, "query {:?}", query);
        // A top 3 shows the best of the same titles.
        for hit in top(&written.index, &query, "3") {
            if hit["matched_in"] == "title" {
                prop_assert!(expected.contains(&file_name(&hit)), "query {:?}", query);
            }
        }
    }
}

/// An issue is found at its first head in each segment that the query's filters pass: with no
/// filter on the document, the hits of its issues equal those of the same query with a filter
/// that every title passes (`document:关于`), in every order and at every limit; with one, an
/// issue is found through a document that is not the first of its file, and cited from that
/// file. Issues of two gazettes, each in two files of three documents indexed in two runs, so that
/// an issue's heads lie in two segments.
#[test]
fn an_issue_is_found_through_any_of_its_documents() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    let mut rows = Vec::new();
    for n in 0..12 {
        let gazette = ["焦作市人民政府公报", "修武县人民政府公报"][n % 2];
        let year = 2020 + n % 3;
        let issue = format!("{year}年第{}期", n / 2 + 1);
        let date = format!("{year}-{:02}-{:02}", n % 12 + 1, n % 27 + 1);
        for half in 0..2 {
            let name = format!("f{n:02}_{half}.txt");
            // Only the second file's second document is a 批复.
            let second = if half == 1 {
                "丁事项的批复"
            } else {
                "乙事项的决定"
            };
            // Documents as a table of contents lists them.
            let titles = [
                format!("关于第{n}项甲工作的通知"),
                format!("关于第{n}项{second}"),
                format!("关于第{n}项丙规划的意见"),
            ];
            let mut body = String::from("目 录\n\n");
            for (page, title) in titles.iter().enumerate() {
                body.push_str(&format!("{title}..... ({})\n\n", page + 1));
            }
            for title in &titles {
                body.push_str(&format!("{title}\n\n市政府决定开展第{n}项工作。\n\n"));
            }
            std::fs::write(corpus.join(&name), body).unwrap();
            rows.push(format!("{name}\t{gazette}\t{issue}\t{date}\n"));
        }
    }
    let index = index_in_two_runs(dir.path(), &corpus, &rows);

    let issues = |hits: &[Value]| -> Vec<String> {
        hits.iter()
            .filter(|hit| matches!(hit["matched_in"].as_str(), Some("gazette" | "issue")))
            .map(|hit| {
                format!(
                    "{} {} {} {} {}",
                    hit["gazette"], hit["issue"], hit["date"], hit["path"], hit["score"]
                )
            })
            .collect()
    };
    let mut compared = 0;
    for query in [
        "政府",
        "人民政府公报",
        "公报",
        "第1期",
        "政府 -第1期",
        "2021年第",
    ] {
        let walked = format!("{query} document:关于");
        for sort in ["relevance", "newest", "oldest"] {
            let (_, all) = every_hit(&index, query, &["--sort", sort]);
            let (_, every_head) = every_hit(&index, &walked, &["--sort", sort]);
            assert_eq!(issues(&all), issues(&every_head), "{query} --sort {sort}");
            if query == "政府" {
                assert_eq!(issues(&all).len(), 12, "{query}: one hit for each issue");
            }
            for limit in [1, 3, 10] {
                let best = issues(&top_sorted(&index, query, limit, sort));
                let walked_best = issues(&top_sorted(&index, &walked, limit, sort));
                assert_eq!(best, walked_best, "{query} --sort {sort} -n {limit}");
                compared += best.len();
            }
        }
        let count = |query: &str| {
            let out = gazette(&["search", query, "--count", "--json", "--index", &index]);
            let counts: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
            counts["issues"].clone()
        };
        assert_eq!(count(query), count(&walked), "{query} --count");
    }
    assert!(compared > 100, "only {compared} issue hits compared");

    // Found through its second file's second document, and cited from that file.
    for query in ["政府 document:批复", "政府 --document 批复"] {
        let (mut query, mut flags) = (query, vec![]);
        if let Some((q, title)) = query.split_once(" --document ") {
            query = q;
            flags = vec!["--document", title];
        }
        let (code, all) = every_hit(&index, query, &flags);
        assert_eq!(code, 0, "{query}");
        let found: Vec<&Value> = all
            .iter()
            .filter(|hit| matches!(hit["matched_in"].as_str(), Some("gazette" | "issue")))
            .collect();
        assert_eq!(found.len(), 12, "{query} {flags:?}: {found:?}");
        for hit in found {
            assert!(file_name(hit).ends_with("_1.txt"), "{query}: {hit}");
        }
    }
}
