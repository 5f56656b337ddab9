//! Helpers for the CLI tests: run the built binary, build a temporary index of the seed once.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, OnceLock};

pub const SEED: &str = "corpus/焦作市人民政府公报_2025年第1号.txt";

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `gazette ARGS` from the repository root, without colour and with no GAZETTE_INDEX.
pub fn gazette(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gazette"))
        .args(args)
        .current_dir(repo())
        .env_remove("GAZETTE_INDEX")
        .env("NO_COLOR", "1")
        .output()
        .expect("gazette runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

/// Runs `gazette index INPUT --index DIR/index`, asserts it succeeded, and returns the index path.
pub fn build_index(dir: &Path, input: &Path) -> String {
    let index = dir.join("index");
    let index = index.to_str().unwrap();
    let out = gazette(&["index", input.to_str().unwrap(), "--index", index]);
    assert!(
        out.status.success(),
        "indexing {} failed: {}",
        input.display(),
        stderr(&out)
    );
    index.to_string()
}

/// Folders that the test binary removes when it exits ([`remove_at_exit`]).
static AT_EXIT: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

extern "C" fn remove_folders() {
    let folders = AT_EXIT.lock().unwrap_or_else(|e| e.into_inner());
    for folder in folders.iter() {
        let _ = std::fs::remove_dir_all(folder);
    }
}

/// Removes `folder` when the test binary exits. A fixture kept in a `static` is never dropped,
/// so its `TempDir` never deletes its folder: every run of the suite left its shared indexes in
/// the system's temporary folder (420 of them after two days here, 284 MB each for
/// ../shared/corpus).
pub fn remove_at_exit(folder: &Path) {
    let mut folders = AT_EXIT.lock().unwrap_or_else(|e| e.into_inner());
    if folders.is_empty() {
        // SAFETY: registers a plain function with the C library, which calls it at exit (the
        // test harness ends with `exit`, passed or failed).
        unsafe {
            libc::atexit(remove_folders);
        }
    }
    folders.push(folder.to_path_buf());
}

/// A temporary folder for a fixture kept in a `static`: removed when the test binary exits.
pub fn static_tempdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    remove_at_exit(dir.path());
    dir
}

/// An index of the seed gazette, built once per test binary in a temporary folder.
pub fn seed_index() -> &'static Path {
    static INDEX: OnceLock<tempfile::TempDir> = OnceLock::new();
    INDEX
        .get_or_init(|| {
            let dir = static_tempdir();
            let index = dir.path().join("index");
            let out = gazette(&["index", SEED, "--index", index.to_str().unwrap()]);
            assert!(out.status.success(), "indexing failed: {}", stderr(&out));
            dir
        })
        .path()
        .join("index")
        .leak()
}

/// An index of `../shared/corpus`, built once per test binary; GAZETTE_SHARED_INDEX names one
/// already built, to save the build.
pub fn shared_index() -> String {
    static INDEX: OnceLock<(Option<tempfile::TempDir>, String)> = OnceLock::new();
    let (_, index) = INDEX.get_or_init(|| {
        if let Ok(index) = std::env::var("GAZETTE_SHARED_INDEX") {
            return (None, index);
        }
        let dir = static_tempdir();
        let index = dir.path().join("index").to_str().unwrap().to_string();
        let out = gazette(&["index", "../shared/corpus", "--index", &index]);
        assert!(out.status.success(), "{}", stderr(&out));
        (Some(dir), index)
    });
    index.clone()
}

/// `gazette search QUERY --all --json --text-only` on the seed index: its exit code and its
/// paragraphs.
pub fn search_all(query: &str) -> (i32, Vec<serde_json::Value>) {
    every_hit(seed_index().to_str().unwrap(), query, &["--text-only"])
}

/// An index of one file written for a test: the folder that holds both, and the index path.
pub fn index_of(name: &str, text: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    std::fs::write(corpus.join(name), text).unwrap();
    let index = build_index(dir.path(), &corpus);
    (dir, index)
}

/// `gazette search QUERY --all --json FLAGS --index INDEX`: its exit code and every hit,
/// paragraphs and names, parsed.
pub fn every_hit(index: &str, query: &str, flags: &[&str]) -> (i32, Vec<serde_json::Value>) {
    let mut args = vec!["search", query, "--all", "--json", "--index", index];
    args.extend(flags);
    let out = gazette(&args);
    let hits = stdout(&out)
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect();
    (out.status.code().unwrap_or(-1), hits)
}

/// The paragraphs among every hit of `gazette search QUERY --all --json FLAGS --index INDEX`
/// (`--text-only`), which must have run without error.
pub fn all_hits(index: &str, query: &str, flags: &[&str]) -> Vec<serde_json::Value> {
    let mut flags = flags.to_vec();
    flags.push("--text-only");
    let (code, hits) = every_hit(index, query, &flags);
    assert!(matches!(code, 0 | 1), "{query}: exit {code}");
    hits
}

/// A hit's `matches` as byte ranges.
pub fn match_spans(hit: &serde_json::Value) -> Vec<(usize, usize)> {
    hit["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m[0].as_u64().unwrap() as usize,
                m[1].as_u64().unwrap() as usize,
            )
        })
        .collect()
}

/// The `[start, end]` ranges of a hit's `matches`, as the text they cover.
pub fn matched_texts(hit: &serde_json::Value) -> Vec<String> {
    let text = hit["text"].as_str().unwrap();
    match_spans(hit)
        .into_iter()
        .map(|(s, e)| text[s..e].to_string())
        .collect()
}

/// A corpus of about `megabytes` MB that `gazette generate` writes into `folder` from the default
/// corpus.
pub fn generated(folder: &Path, megabytes: u32) -> PathBuf {
    let out = gazette(&[
        "generate",
        "--source",
        "corpus",
        "--out",
        folder.to_str().unwrap(),
        "--megabytes",
        &megabytes.to_string(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    folder.to_path_buf()
}

/// Says that a test cannot run on this machine, and why. The notice is written to the real
/// standard error, past the test harness's capture, so that `cargo test` shows it even though the
/// test passes. On CI (`CI` set) a test that cannot run fails instead: CI installs what the tests
/// need, so a skip there would hide a missing step.
pub fn skipped(test: &str, reason: &str) {
    use std::io::Write;
    if std::env::var_os("CI").is_some() {
        panic!("{test} cannot run on CI: {reason}");
    }
    let _ = writeln!(std::io::stderr(), "skipped: {test}: {reason}");
}

/// A fixed walk of numbers below what each call asks for (a linear congruential generator from
/// `seed`), for collections whose documents share their words as real ones do, the same at every
/// run.
pub fn fixed_walk(seed: u64) -> impl FnMut(usize) -> usize {
    let mut state = seed;
    move |n| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) as usize) % n
    }
}
