//! A `gazette index` killed with SIGKILL (as by a crash or power loss) at several moments leaves
//! an index that opens and searches, and the next run finishes the work: the result equals a
//! clean build.

use std::collections::BTreeSet;
use std::process::Command;
use std::time::Duration;

use crate::common::{gazette, stderr};

/// Every hit of a query as (path, paragraph, text); the index must open and answer.
fn hit_set(index: &str, query: &str) -> BTreeSet<(String, u64, String)> {
    crate::common::all_hits(index, query, &[])
        .into_iter()
        .map(|h| {
            (
                h["path"].as_str().unwrap().to_string(),
                h["paragraph"].as_u64().unwrap(),
                h["text"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_killed_run_leaves_a_usable_index_and_the_next_run_finishes_it() {
    let dir = tempfile::tempdir().unwrap();
    let docs = crate::common::generated(&dir.path().join("docs"), 4);
    let index = dir.path().join("index");
    let index = index.to_str().unwrap();
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_gazette"))
            .args(["index", docs.to_str().unwrap(), "--index", index])
            // Commit every 256 KB, so that a kill falls between, during and after commits.
            .args(["--commit-kb", "256"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    // Each run is killed at a point of its progress, seen in the index folder, not after a
    // time: after its first commit, after two more, while a commit writes segment files it has
    // not recorded yet, and after four more. A run has about sixteen commits of work, so each
    // kill lands while it is still running.
    let index_path = std::path::Path::new(index);
    let points: [(&str, &Reached); 4] = [
        ("after the first commit", &|commits, _| commits >= 1),
        ("after two more commits", &|commits, _| commits >= 2),
        ("while a commit writes", &|_, dir| uncommitted_files(dir)),
        ("after four more commits", &|commits, _| commits >= 4),
    ];
    let mut landed = Vec::new();
    for (point, reached) in points {
        let child = run();
        if kill_when(child, index_path, reached) {
            landed.push(point);
        }
        // The index opens and answers, whatever the moment.
        hit_set(index, "云台山");
    }
    assert!(
        landed.contains(&"after the first commit"),
        "the first run ended before its first commit was seen: {landed:?}"
    );
    eprintln!("runs killed {landed:?}");

    let out = gazette(&["index", docs.to_str().unwrap(), "--index", index]);
    assert!(out.status.success(), "{}", stderr(&out));
    let clean = dir.path().join("clean");
    let clean = clean.to_str().unwrap();
    let out = gazette(&["index", docs.to_str().unwrap(), "--index", clean]);
    assert!(out.status.success(), "{}", stderr(&out));
    for query in ["云台山", "发展", "的", "创新 NEAR/5 平台"] {
        let (resumed, built) = (hit_set(index, query), hit_set(clean, query));
        assert!(!built.is_empty(), "{query}");
        assert!(
            resumed == built,
            "{query}: {} vs {} hits",
            resumed.len(),
            built.len()
        );
    }
}

/// Whether a run has got to a point, given the commits it has made and its index folder.
type Reached = dyn Fn(usize, &std::path::Path) -> bool;

/// Polls the index folder of a running `gazette index` and kills it (SIGKILL) once `reached`
/// says so, given the commits it has made since it started. Gives true when the kill landed,
/// false when the run ended first.
fn kill_when(mut child: std::process::Child, index: &std::path::Path, reached: &Reached) -> bool {
    let meta = || std::fs::read_to_string(index.join("meta.json")).ok();
    let mut last = meta();
    let mut commits = 0;
    loop {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        let now = meta();
        if now != last && now.as_deref().is_some_and(|m| m.contains("segment_id")) {
            commits += 1;
            last = now;
        }
        if reached(commits, index) {
            child.kill().unwrap();
            child.wait().unwrap();
            return true;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Whether the index folder holds segment files that its meta.json does not list: written by a
/// commit (or a merge) that has not yet recorded them.
fn uncommitted_files(index: &std::path::Path) -> bool {
    let Ok(meta) = std::fs::read_to_string(index.join("meta.json")) else {
        return false;
    };
    let Ok(meta) = serde_json::from_str::<serde_json::Value>(&meta) else {
        return false;
    };
    let committed: BTreeSet<String> = meta["segments"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["segment_id"].as_str())
        .map(|id| id.replace('-', ""))
        .collect();
    let Ok(entries) = std::fs::read_dir(index) else {
        return false;
    };
    entries.filter_map(Result::ok).any(|entry| {
        let name = entry.file_name().to_string_lossy().into_owned();
        let (stem, rest) = name.split_once('.').unwrap_or((&name, ""));
        stem.len() == 32 && !rest.is_empty() && !committed.contains(stem)
    })
}

#[test]
fn a_kill_while_a_commit_writes_its_segments_leaves_the_last_commit() {
    let dir = tempfile::tempdir().unwrap();
    let docs = crate::common::generated(&dir.path().join("docs"), 3);
    let clean = dir.path().join("clean");
    let clean = clean.to_str().unwrap();
    let out = gazette(&["index", docs.to_str().unwrap(), "--index", clean]);
    assert!(out.status.success(), "{}", stderr(&out));

    let mut landed = 0;
    for attempt in 0..10 {
        let index = dir.path().join(format!("index-{attempt}"));
        let mut child = Command::new(env!("CARGO_BIN_EXE_gazette"))
            .args(["index", docs.to_str().unwrap(), "--index"])
            .arg(&index)
            .args(["--commit-kb", "256"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Wait for the first commit, then for segment files it has not recorded yet.
        let mut committed_once = false;
        let killed_inside = loop {
            if child.try_wait().unwrap().is_some() {
                break false;
            }
            if !committed_once {
                committed_once = std::fs::read_to_string(index.join("meta.json"))
                    .is_ok_and(|m| m.contains("segment_id"));
            } else if uncommitted_files(&index) {
                child.kill().unwrap(); // SIGKILL
                break true;
            }
        };
        child.wait().unwrap();
        if !killed_inside || !uncommitted_files(&index) {
            continue;
        }
        landed += 1;
        let index = index.to_str().unwrap();
        // The index is as of its last commit: it opens, and every hit it has is a real one.
        let before = hit_set(index, "发展");
        assert!(before.is_subset(&hit_set(clean, "发展")));
        // The next run finishes the work.
        let out = gazette(&["index", docs.to_str().unwrap(), "--index", index]);
        assert!(out.status.success(), "{}", stderr(&out));
        for query in ["云台山", "发展", "创新 NEAR/5 平台"] {
            assert!(hit_set(index, query) == hit_set(clean, query), "{query}");
        }
        if landed == 2 {
            break;
        }
    }
    eprintln!("{landed} kills landed while segment files were being written");
    assert!(
        landed > 0,
        "no kill landed while a commit was writing its segments in 10 runs"
    );
}
