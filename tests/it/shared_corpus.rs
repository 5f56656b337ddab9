//! The real corpora in `../shared/corpus` (not in the repository): every file is read, or
//! reported with a reason, no page debris is left as a paragraph, and the whole folder indexes.
//! Ignored by default; `.ci/run` runs them when the folder is there:
//! `cargo test --release -- --ignored --nocapture` prints the counts.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::common::{gazette, repo, shared_index, stderr, stdout};

fn shared() -> PathBuf {
    repo().join("../shared/corpus")
}

#[derive(Default, Debug)]
struct Counts {
    files: usize,
    documents: usize,
    paragraphs: usize,
    cuts_joined: usize,
    debris_dropped: usize,
    with_date: usize,
    with_region: usize,
    failed: usize,
}

#[test]
#[ignore = "needs ../shared/corpus"]
fn every_shared_file_is_read_or_reported() {
    let (files, walk_errors) = gazette::ingest::walk::walk(&[shared()]);
    assert!(walk_errors.is_empty(), "{walk_errors:?}");
    let mut manifests = gazette::ingest::manifest::Manifests::default();
    let mut manifest_errors = Vec::new();
    let mut by_folder: BTreeMap<String, Counts> = BTreeMap::new();
    let debris = [
        "下载",
        "打印",
        "全屏",
        "收藏",
        "【字号：",
        "加大",
        "还原",
        "减小",
        "】",
    ];
    for path in files.iter() {
        let folder = path
            .strip_prefix(shared())
            .unwrap()
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .into_owned();
        let counts = by_folder.entry(folder).or_default();
        match gazette::ingest::load(&path, &mut manifests, &mut manifest_errors) {
            Ok(loaded) => {
                let issue = &loaded.issue;
                counts.files += 1;
                counts.documents += issue.documents.len();
                counts.paragraphs += issue.paragraph_count();
                counts.cuts_joined += issue.stats.cuts_joined;
                counts.debris_dropped += issue.stats.debris_dropped;
                counts.with_date += usize::from(issue.date.is_some());
                counts.with_region += usize::from(issue.region.is_some());
                for document in &issue.documents {
                    for paragraph in &document.paragraphs {
                        let text = paragraph.text.as_str();
                        assert!(
                            !debris.contains(&text)
                                && !text.starts_with("来源：")
                                && !text.starts_with("相关报道"),
                            "{}: debris left as a paragraph: {text}",
                            path.display()
                        );
                    }
                }
            }
            Err(err) => {
                counts.failed += 1;
                println!("not read: {err}");
            }
        }
    }
    for err in &manifest_errors {
        println!("manifest: {err}");
    }
    println!(
        "{:<34} {:>6} {:>6} {:>8} {:>7} {:>7} {:>6} {:>7} {:>6}",
        "folder", "files", "docs", "paras", "joins", "debris", "dated", "region", "failed"
    );
    let mut total = Counts::default();
    for (folder, c) in &by_folder {
        println!(
            "{folder:<34} {:>6} {:>6} {:>8} {:>7} {:>7} {:>6} {:>7} {:>6}",
            c.files,
            c.documents,
            c.paragraphs,
            c.cuts_joined,
            c.debris_dropped,
            c.with_date,
            c.with_region,
            c.failed
        );
        total.files += c.files;
        total.documents += c.documents;
        total.paragraphs += c.paragraphs;
        total.cuts_joined += c.cuts_joined;
        total.debris_dropped += c.debris_dropped;
        total.with_date += c.with_date;
        total.with_region += c.with_region;
        total.failed += c.failed;
    }
    println!("{total:?}");
    assert_eq!(total.failed, 0);
    assert!(manifest_errors.is_empty());
    assert_eq!(total.files, files.len());
}

#[test]
#[ignore = "needs ../shared/corpus"]
fn the_whole_shared_corpus_indexes_and_finds_云台山() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let out = gazette(&[
        "index",
        shared().to_str().unwrap(),
        "--index",
        index.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    println!("{}", stdout(&out));
    let out = gazette(&[
        "search",
        "云台山",
        "--all",
        "--json",
        "--index",
        index.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).lines().count() >= 4);
}

/// `stats 改革 --by year` on the State Council work reports: each year's occurrences equal a plain
/// count of 改革 in that year's files (the year from the manifest, line breaks removed, since
/// the parser joins lines that wiki links split), and years with text but no 改革 are listed.
#[test]
#[ignore = "needs ../shared/corpus"]
fn stats_by_year_on_the_national_work_reports_equal_a_plain_count() {
    let folder = shared().join("cn-gov-work-reports-national");
    let dir = tempfile::tempdir().unwrap();
    let index = crate::common::build_index(dir.path(), &folder);

    let manifest = std::fs::read_to_string(folder.join("manifest.tsv")).unwrap();
    let mut lines = manifest.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let mut expected: BTreeMap<String, u64> = BTreeMap::new();
    for line in lines {
        let row: Vec<&str> = line.split('\t').collect();
        let date = row[column("date")];
        let year = if date.is_empty() {
            "(none)".to_string()
        } else {
            date[..4].to_string()
        };
        let text = std::fs::read_to_string(folder.join(row[column("file")])).unwrap();
        let count = text.replace(['\n', '\r'], "").matches("改革").count() as u64;
        *expected.entry(year).or_default() += count;
    }

    let out = gazette(&["stats", "改革", "--by", "year", "--json", "--index", &index]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let buckets: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let got: BTreeMap<String, u64> = buckets
        .iter()
        .map(|b| {
            (
                b["bucket"].as_str().unwrap().to_string(),
                b["occurrences"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, expected);
    let quiet: Vec<&str> = buckets
        .iter()
        .filter(|b| b["paragraphs"] == 0)
        .map(|b| b["bucket"].as_str().unwrap())
        .collect();
    println!("years with text and no 改革: {quiet:?}");
    assert!(!quiet.is_empty());
    for b in &buckets {
        let total = b["total_paragraphs"].as_u64().unwrap();
        assert!(total > 0);
        let per_10k = b["occurrences"].as_u64().unwrap() as f64 * 10_000.0 / total as f64;
        assert!(
            (b["per_10k"].as_f64().unwrap() - per_10k).abs() < 0.006,
            "{b}"
        );
    }
}

/// On the whole corpus, whose index has several segments, the searches that collect their
/// segments or a NEAR's candidates on every core (a common long literal, a NEAR of common
/// words, a filter, a boolean, words of the issues' names) give what they give on one thread
/// (`GAZETTE_THREADS=1`): the counts, the first 50 hits with their scores, every hit, and the
/// counts of `stats`.
#[test]
#[ignore = "needs ../shared/corpus"]
fn searches_on_every_core_equal_those_on_one_thread() {
    if std::thread::available_parallelism().map_or(1, |n| n.get()) < 2 {
        println!("skipped: one core, so every search runs on one thread anyway");
        return;
    }
    let index = shared_index();
    let meta = std::fs::read_to_string(format!("{index}/meta.json")).unwrap();
    let meta: serde_json::Value = serde_json::from_str(&meta).unwrap();
    let segments = meta["segments"].as_array().unwrap().len();
    assert!(
        segments >= 2,
        "the index has {segments} segment: nothing to spread"
    );
    let run = |threads: Option<&str>, args: &[&str]| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_gazette"));
        command
            .args(args)
            .args(["--index", &index])
            .env("NO_COLOR", "1");
        match threads {
            Some(n) => command.env("GAZETTE_THREADS", n),
            None => command.env_remove("GAZETTE_THREADS"),
        };
        let out = command.output().unwrap();
        assert!(
            out.status.code().is_some_and(|code| code < 2),
            "{}",
            stderr(&out)
        );
        stdout(&out)
    };
    for query in [
        "中华人民共和国",
        "发展 NEAR/5 经济",
        "人民政府 NEAR/10 中华人民共和国",
        "政府 region:河南",
        "发展 OR 改革",
        "政府",
        "人民政府公报",
    ] {
        for shape in [
            &["--count"][..],
            &["-n", "50", "--json"],
            &["--all", "--json"],
        ] {
            let args: Vec<&str> = ["search", query].iter().chain(shape).copied().collect();
            let one = run(Some("1"), &args);
            assert!(!one.is_empty(), "{args:?} found nothing");
            assert!(run(None, &args) == one, "{args:?} differs on every core");
        }
    }
    // `stats` counts a phrase from its postings, segment by segment.
    for by in ["year", "region"] {
        let args = ["stats", "中华人民共和国", "--by", by, "--json"];
        let one = run(Some("1"), &args);
        assert!(!one.is_empty(), "{args:?} found nothing");
        assert!(run(None, &args) == one, "{args:?} differs on every core");
    }
}
