//! Re-running `gazette index` over the same folders, as users do when a new issue arrives: an
//! unchanged file is skipped, a changed one replaced, a new one added, a gone one removed with
//! --prune; a second writer is turned away; an index from another version asks for --rebuild.
//! Each test runs the real binary on a temporary copy of the default corpus and the fixtures.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{all_hits, gazette, repo, stderr, stdout};

/// A temporary folder with `docs/` (a copy of corpus/ and tests/fixtures/) and `index/`.
struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    fn new() -> Workspace {
        let dir = tempfile::tempdir().unwrap();
        for from in ["corpus", "tests/fixtures"] {
            let to = dir
                .path()
                .join("docs")
                .join(Path::new(from).file_name().unwrap());
            std::fs::create_dir_all(&to).unwrap();
            for entry in std::fs::read_dir(repo().join(from)).unwrap() {
                let entry = entry.unwrap();
                if entry.file_type().unwrap().is_file() {
                    std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
                }
            }
        }
        Workspace { dir }
    }

    fn docs(&self) -> PathBuf {
        self.dir.path().join("docs")
    }

    fn index_path(&self) -> String {
        self.dir.path().join("index").to_str().unwrap().to_string()
    }

    /// `gazette index docs --json [flags]`: the summary.
    fn index(&self, flags: &[&str]) -> Value {
        let docs = self.docs();
        let index = self.index_path();
        let mut args = vec!["index", docs.to_str().unwrap(), "--index", &index, "--json"];
        args.extend(flags);
        let out = gazette(&args);
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_str(stdout(&out).trim()).unwrap()
    }

    /// How many paragraphs match `query` (`--count`).
    fn count(&self, query: &str) -> u64 {
        let index = self.index_path();
        let out = gazette(&["search", query, "--count", "--json", "--index", &index]);
        let counts: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
        counts["paragraphs"].as_u64().unwrap()
    }

    /// Every hit of `query`, as (path, paragraph, text, date).
    fn hits(&self, query: &str) -> BTreeSet<(String, u64, String, String)> {
        let index = self.index_path();
        let out = gazette(&["search", query, "--all", "--json", "--index", &index]);
        stdout(&out)
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .map(|h| {
                let path = h["path"].as_str().unwrap();
                let name = path.rsplit('/').next().unwrap().to_string();
                (
                    name,
                    h["paragraph"].as_u64().unwrap(),
                    h["text"].as_str().unwrap().to_string(),
                    h["date"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    }
}

fn counts(summary: &Value) -> [u64; 5] {
    ["added", "updated", "unchanged", "removed", "failed"].map(|k| summary[k].as_u64().unwrap())
}

const QUERIES: [&str; 5] = ["云台山", "的", "條", "发展 -经济", "创新 NEAR/5 平台"];

#[test]
fn a_second_run_changes_nothing_and_duplicates_nothing() {
    let ws = Workspace::new();
    let first = ws.index(&[]);
    let files = counts(&first)[0];
    assert!(files >= 7, "{first}");
    let before: Vec<_> = QUERIES.iter().map(|q| ws.hits(q)).collect();
    let again = ws.index(&[]);
    assert_eq!(counts(&again), [0, 0, files, 0, 0], "{again}");
    let after: Vec<_> = QUERIES.iter().map(|q| ws.hits(q)).collect();
    assert_eq!(before, after);
}

#[test]
fn edits_additions_and_deletions_are_followed() {
    let ws = Workspace::new();
    ws.index(&[]);
    let seed = ws.docs().join("corpus/焦作市人民政府公报_2025年第1号.txt");
    let yuntai = ws.hits("云台山");
    let near = "发展 NEAR/5 经济";
    let (near_count, near_hits) = (ws.count(near), ws.hits(near));
    assert!(near_count > 5, "{near}: {near_count}");

    // Edit: a paragraph added at the end of the seed. Without merges, the seed's replaced
    // paragraphs stay in their segment beside the other files', marked deleted.
    let mut text = std::fs::read_to_string(&seed).unwrap();
    text.push_str("\n\n新增段落：云台山智慧景区建设试点。\n");
    std::fs::write(&seed, text).unwrap();
    assert_eq!(counts(&ws.index(&["--max-merged-docs", "1"]))[..2], [0, 1]);
    // A NEAR walks its literals' postings itself: the deleted paragraphs are not counted.
    assert_eq!(ws.count(near), near_count, "{near}");
    assert_eq!(ws.hits(near), near_hits, "{near}");
    let now = ws.hits("云台山");
    assert_eq!(
        now.len(),
        yuntai.len() + 1,
        "no duplicates, one new paragraph"
    );
    assert!(yuntai.is_subset(&now));
    assert_eq!(ws.hits("智慧景区建设试点").len(), 1);

    // Addition: a new issue.
    std::fs::write(
        ws.docs().join("corpus/新文件.txt"),
        "关于云台山的通知\n\n云台山景区实行预约制度。\n",
    )
    .unwrap();
    assert_eq!(counts(&ws.index(&[]))[0], 1);
    assert_eq!(ws.hits("预约制度").len(), 1);

    // Deletion: kept until --prune.
    std::fs::remove_file(ws.docs().join("corpus/新文件.txt")).unwrap();
    assert_eq!(counts(&ws.index(&[]))[3], 0);
    assert_eq!(ws.hits("预约制度").len(), 1);
    assert_eq!(counts(&ws.index(&["--prune"]))[3], 1);
    assert!(ws.hits("预约制度").is_empty());
    assert_eq!(ws.hits("云台山"), now);
}

#[test]
fn a_manifest_change_applies_the_new_metadata() {
    let ws = Workspace::new();
    ws.index(&[]);
    let hits = ws.hits("运动发展基金管理会");
    assert_eq!(hits.len(), 1);
    let old_date = hits.iter().next().unwrap().3.clone();
    let manifest = ws.docs().join("fixtures/manifest.tsv");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let old = old_date.as_str();
    assert!(!old.is_empty() && text.contains(old), "{old} in {text}");
    std::fs::write(&manifest, text.replace(old, "2001-02-03")).unwrap();
    assert_eq!(counts(&ws.index(&[]))[..2], [0, 1]);
    let hits = ws.hits("运动发展基金管理会");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits.iter().next().unwrap().3, "2001-02-03");
}

#[test]
fn a_second_writer_is_turned_away_and_searches_go_on() {
    let ws = Workspace::new();
    ws.index(&[]);
    // This test process holds the index's writer lock, as a running `gazette index` would.
    let index = tantivy::Index::open_in_dir(ws.index_path()).unwrap();
    let writer: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
    let docs = ws.docs();
    let path = ws.index_path();
    let out = gazette(&["index", docs.to_str().unwrap(), "--index", &path]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("another gazette process is writing the index"),
        "{}",
        stderr(&out)
    );
    let out = gazette(&["search", "云台山", "--index", &path]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    drop(writer);
    assert_eq!(counts(&ws.index(&[]))[4], 0);
}

#[test]
fn an_index_from_another_version_asks_for_a_rebuild() {
    let ws = Workspace::new();
    ws.index(&[]);
    let marker = PathBuf::from(ws.index_path()).join("gazette.json");
    std::fs::write(&marker, r#"{"schema_version":1}"#).unwrap();
    let path = ws.index_path();
    let out = gazette(&["search", "云台山", "--index", &path]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("gazette index --rebuild"),
        "{}",
        stderr(&out)
    );
    let out = gazette(&["index", ws.docs().to_str().unwrap(), "--index", &path]);
    assert_eq!(out.status.code(), Some(2));
    let rebuilt = ws.index(&["--rebuild"]);
    assert!(counts(&rebuilt)[0] >= 7, "{rebuilt}");
    assert!(!ws.hits("云台山").is_empty());
}

/// The file names of the hits of `query` with `flags`, and the exit status.
fn file_names(ws: &Workspace, query: &str, flags: &[&str]) -> (i32, BTreeSet<String>) {
    let index = ws.index_path();
    let mut args = vec!["search", query, "--all", "--json", "--index", &index];
    args.extend(flags);
    let out = gazette(&args);
    let names = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .map(|h| {
            let path = h["path"].as_str().unwrap();
            path.rsplit('/').next().unwrap().to_string()
        })
        .collect();
    (out.status.code().unwrap(), names)
}

#[test]
fn new_shows_what_the_last_run_added_or_changed() {
    let ws = Workspace::new();
    ws.index(&[]);
    let (_, everything) = file_names(&ws, "发展", &[]);
    assert!(everything.len() >= 4, "{everything:?}");
    // After the first run, every file is new.
    assert_eq!(file_names(&ws, "发展", &["--new"]), (0, everything.clone()));

    // A new issue arrives: only it is new.
    std::fs::write(
        ws.docs().join("corpus/新到公报.txt"),
        "新到公报\n\n推动高质量发展，多氟多项目开工。\n\n坚持创新发展。\n",
    )
    .unwrap();
    let summary = ws.index(&[]);
    assert_eq!(counts(&summary)[..2], [1, 0]);
    let added = BTreeSet::from(["新到公报.txt".to_string()]);
    assert_eq!(file_names(&ws, "发展", &["--new"]), (0, added.clone()));
    assert_eq!(file_names(&ws, "多氟多", &["--new"]).1, added);

    // An issue is corrected: now it alone is new, and it keeps when it was first indexed.
    let changed = ws.docs().join("fixtures/2026_上海市_政府工作报告_节选.txt");
    let mut text = std::fs::read_to_string(&changed).unwrap();
    text.push_str("\n更正：坚持稳中求进，推动经济持续健康发展。\n");
    std::fs::write(&changed, text).unwrap();
    ws.index(&[]);
    let shanghai = BTreeSet::from(["2026_上海市_政府工作报告_节选.txt".to_string()]);
    assert_eq!(file_names(&ws, "发展", &["--new"]), (0, shanghai));
    let index = ws.index_path();
    let out = gazette(&["search", "发展", "--new", "--json", "--index", &index]);
    let hit: Value = serde_json::from_str(stdout(&out).lines().next().unwrap()).unwrap();
    let (indexed, first) = (
        hit["indexed"].as_str().unwrap(),
        hit["first_indexed"].as_str().unwrap(),
    );
    assert!(first < indexed, "first indexed {first}, indexed {indexed}");

    // A run that changes nothing leaves nothing new, for search and stats alike.
    ws.index(&[]);
    assert_eq!(file_names(&ws, "发展", &["--new"]), (1, BTreeSet::new()));
    let out = gazette(&["stats", "发展", "--new", "--index", &index]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));

    // --indexed-since takes any date: before the runs, all; after them, none.
    let mut all = everything;
    all.extend(added);
    assert_eq!(
        file_names(&ws, "发展", &["--indexed-since", "2000"]),
        (0, all)
    );
    assert_eq!(
        file_names(&ws, "发展", &["--indexed-since", "2999-01-01"]),
        (1, BTreeSet::new())
    );
}

/// A collection indexed in two runs, laws without a gazette's or an issue's name in the first and
/// an issue of a gazette in the second, has segments that each lack fields the other holds. Every
/// kind of query finds in both what a scan of their paragraphs finds, with a filter on the
/// gazette's name and without: a segment without a field is passed over, not misread.
#[test]
fn a_collection_indexed_in_two_runs_finds_what_each_run_added() {
    let dir = tempfile::tempdir().unwrap();
    let (laws, issue) = (dir.path().join("laws"), dir.path().join("issue"));
    std::fs::create_dir(&laws).unwrap();
    std::fs::create_dir(&issue).unwrap();
    let law = [
        "第一条 市人民政府负责本条例的实施。",
        "第二条 区人民政府配合，政府工作应当公开。",
        "第三条 本条例自公布之日起施行。",
    ];
    std::fs::write(
        laws.join("示例市条例.txt"),
        format!("# 示例市条例\n\n## 第一章 总则\n\n{}\n", law.join("\n\n")),
    )
    .unwrap();
    let gazette_text = [
        "市政府决定开展工作。",
        "政府工作报告已经发布。",
        "其他内容。",
    ];
    std::fs::write(issue.join("a.txt"), gazette_text.join("\n\n") + "\n").unwrap();
    std::fs::write(
        issue.join("manifest.tsv"),
        "file\tgazette\tissue\tdate\na.txt\t焦作市人民政府公报\t2025年第1期\t2025-01-02\n",
    )
    .unwrap();
    let index = dir.path().join("index");
    let index = index.to_str().unwrap();
    for inputs in [vec![&laws], vec![&laws, &issue]] {
        let mut args = vec!["index", "--index", index];
        args.extend(inputs.iter().map(|p| p.to_str().unwrap()));
        let out = gazette(&args);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let texts = |query: &str| -> BTreeSet<String> {
        (all_hits(index, query, &[]).iter())
            .map(|hit| hit["text"].as_str().unwrap().to_string())
            .collect()
    };
    let scan = |paragraphs: &[&[&str]], wanted: &dyn Fn(&str) -> bool| -> BTreeSet<String> {
        paragraphs
            .iter()
            .flat_map(|file| file.iter())
            .filter(|text| wanted(text))
            .map(|text| text.to_string())
            .collect()
    };
    let both: [&[&str]; 2] = [&law, &gazette_text];
    for literal in ["政府", "府", "人民政府", "政府工作"] {
        let found = texts(literal);
        assert_eq!(
            found,
            scan(&both, &|text| text.contains(literal)),
            "{literal}"
        );
        assert!(!found.is_empty(), "{literal}");
    }
    assert_eq!(
        texts("政府 gazette:焦作市人民政府公报"),
        scan(&[&gazette_text], &|text| text.contains("政府"))
    );
    // In these texts 政府 stands within three characters of 工作 only where the two touch.
    assert_eq!(
        texts("政府 NEAR/3 工作"),
        scan(&both, &|text| text.contains("政府工作"))
    );
}
