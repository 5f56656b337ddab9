//! The disk and the file system refuse: a full disk, a read-only one, an index folder the user may
//! not write, files the user may not read, files deleted or made unreadable while a run reads
//! them. Each gives a clear message and exit status 2; the index stays as of its last commit and
//! keeps answering searches.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::common::{SEED, gazette, repo, stderr, stdout};

const NOBODY: &str = "65534";

fn running_as_root() -> bool {
    std::fs::metadata("/proc/self").unwrap().uid() == 0
}

/// `gazette ARGS` as an unprivileged user: root reads and writes whatever the permissions say,
/// so as root the binary runs as `nobody` (with setpriv, part of util-linux).
fn as_user(args: &[&str]) -> Command {
    let mut command = if running_as_root() {
        let mut command = Command::new("setpriv");
        command.args([
            &format!("--reuid={NOBODY}"),
            &format!("--regid={NOBODY}"),
            "--clear-groups",
            env!("CARGO_BIN_EXE_gazette"),
        ]);
        command
    } else {
        Command::new(env!("CARGO_BIN_EXE_gazette"))
    };
    command.args(args).env("NO_COLOR", "1").current_dir("/");
    command
}

fn user_output(args: &[&str]) -> Output {
    as_user(args).output().expect("gazette runs")
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// A folder that an unprivileged user may use.
fn shared_tempdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    chmod(dir.path(), 0o777);
    dir
}

/// `count` small gazette files named `NNNN.txt`, each with its own number and the phrase 测试公报.
fn write_files(folder: &Path, count: usize, paragraphs: usize) {
    std::fs::create_dir_all(folder).unwrap();
    for i in 0..count {
        let mut text = format!("测试公报第{i}号\n\n");
        for p in 0..paragraphs {
            text.push_str(&format!(
                "第{p}段：市人民政府关于推进黄河流域生态保护和高质量发展的通知，编号{i}-{p}。\n\n"
            ));
        }
        std::fs::write(folder.join(format!("{i:04}.txt")), text).unwrap();
    }
}

/// The files (by name) that an index holds, from every hit of 测试公报.
fn indexed_names(index: &Path, run: impl Fn(&[&str]) -> Output) -> Vec<String> {
    let out = run(&[
        "search",
        "测试公报",
        "--all",
        "--json",
        "--index",
        index.to_str().unwrap(),
    ]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    let mut names: Vec<String> = stdout(&out)
        .lines()
        .map(|line| {
            let hit: serde_json::Value = serde_json::from_str(line).unwrap();
            let path = hit["path"].as_str().unwrap();
            Path::new(path)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

#[test]
fn unreadable_files_are_reported_and_an_index_the_user_may_not_write_still_answers() {
    let dir = shared_tempdir();
    let docs = dir.path().join("docs");
    write_files(&docs, 3, 2);
    write_files(&docs.join("closed"), 2, 2);
    chmod(&docs.join("0001.txt"), 0o000);
    chmod(&docs.join("closed"), 0o000);
    let index = dir.path().join("index");
    let index_arg = index.to_str().unwrap();

    let out = user_output(&["index", docs.to_str().unwrap(), "--index", index_arg]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    for name in ["0001.txt", "closed"] {
        let lines: Vec<&str> = err.lines().filter(|l| l.contains(name)).collect();
        assert_eq!(lines.len(), 1, "{name} reported once: {err}");
        assert!(lines[0].contains("Permission denied"), "{}", lines[0]);
    }
    let by_user = |args: &[&str]| user_output(args);
    assert_eq!(indexed_names(&index, by_user), ["0000.txt", "0002.txt"]);

    // The user may read the index but not write it: indexing says so, searching still works.
    chmod(&index, 0o555);
    let out = user_output(&["index", docs.to_str().unwrap(), "--index", index_arg]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("cannot write the index at {index_arg}"))
            && err.contains("Permission denied"),
        "{err}"
    );
    assert_eq!(indexed_names(&index, by_user), ["0000.txt", "0002.txt"]);
    chmod(&index, 0o755);
}

#[test]
fn files_deleted_or_made_unreadable_during_a_run_are_reported_once_and_nothing_else_is_lost() {
    let dir = shared_tempdir();
    let docs = dir.path().join("docs");
    let files = 400;
    write_files(&docs, files, 40);
    let index = dir.path().join("index");

    let child = as_user(&[
        "index",
        docs.to_str().unwrap(),
        "--index",
        index.to_str().unwrap(),
    ])
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped())
    .spawn()
    .unwrap();
    // Once the run holds the writer's lock it lists the files at once, then reads them in name
    // order, far slower than this loop removes the last ones.
    let started = Instant::now();
    while !index.join(".tantivy-writer.lock").exists() && started.elapsed().as_secs() < 60 {
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(Duration::from_millis(100));
    let mut deleted = Vec::new();
    let mut closed = Vec::new();
    for i in (files - 200..files).rev() {
        let path = docs.join(format!("{i:04}.txt"));
        if i % 2 == 0 {
            std::fs::remove_file(&path).unwrap();
            deleted.push(format!("{i:04}.txt"));
        } else {
            chmod(&path, 0o000);
            closed.push(format!("{i:04}.txt"));
        }
    }
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{err}");

    let by_root = |args: &[&str]| gazette(args);
    let indexed = indexed_names(&index, by_root);
    let mut reported = Vec::new();
    for line in err.lines() {
        if let Some(name) = deleted.iter().chain(&closed).find(|n| line.contains(*n)) {
            reported.push(name.clone());
            let why = if deleted.contains(name) {
                "No such file"
            } else {
                "Permission denied"
            };
            assert!(line.contains(why), "{line}");
        }
    }
    // Each file is either indexed or reported once: never both, never neither.
    for i in 0..files {
        let name = format!("{i:04}.txt");
        let times = reported.iter().filter(|n| **n == name).count();
        let is_indexed = indexed.contains(&name);
        assert!(
            times + usize::from(is_indexed) == 1,
            "{name}: indexed {is_indexed}, reported {times} times"
        );
    }
    assert!(
        !reported.is_empty(),
        "the run had finished before any file was removed; stderr: {err}"
    );
    assert_eq!(out.status.code(), Some(2));
}

/// Runs a shell script in a private mount namespace (`unshare -rm`), where it may mount a small
/// tmpfs; `None` where this system does not allow that.
fn in_mount_namespace(script: &str) -> Option<Output> {
    let allowed = Command::new("unshare")
        .args(["-rm", "true"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !allowed {
        crate::common::skipped(
            "a tmpfs test of tests/it/disk.rs",
            "this system does not allow `unshare -rm` to mount a small disk",
        );
        return None;
    }
    Some(
        Command::new("unshare")
            .args(["-rm", "sh", "-c", script])
            .env("NO_COLOR", "1")
            .output()
            .unwrap(),
    )
}

/// Runs `steps`, shell commands, in a private mount namespace where `$d` is an empty folder to
/// mount a small disk on, `$idx` an index on it, `$g` gazette and `$r` a folder for what the steps
/// write; gives a reader of those files, or `None` where this system does not allow the namespace.
fn on_small_disk(dir: &Path, steps: &str) -> Option<impl Fn(&str) -> String> {
    let disk = dir.join("disk");
    std::fs::create_dir(&disk).unwrap();
    let report = dir.join("report");
    std::fs::create_dir(&report).unwrap();
    let script = format!(
        "g={gazette}; d={disk}; idx={disk}/index; r={report}\n{steps}",
        gazette = env!("CARGO_BIN_EXE_gazette"),
        disk = disk.display(),
        report = report.display(),
    );
    let out = in_mount_namespace(&script)?;
    assert!(out.status.success(), "{}", stderr(&out));
    Some(move |name: &str| std::fs::read_to_string(report.join(name)).unwrap())
}

#[test]
fn a_full_or_read_only_disk_is_a_clear_error_and_the_index_stays_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let small = dir.path().join("small");
    std::fs::create_dir(&small).unwrap();
    std::fs::copy(repo().join(SEED), small.join("seed.txt")).unwrap();
    let big = crate::common::generated(&dir.path().join("big"), 2);

    // On a 1 MB disk: the seed fits, the generated corpus does not; then the disk is made larger
    // and the run is repeated; then the disk is made read-only.
    let steps = format!(
        r#"
        mount -t tmpfs -o size=1m tmpfs $d || exit 99
        $g index {small} --index $idx >/dev/null 2>$r/first.err; echo $? >$r/first.rc
        $g index {big} --index $idx >/dev/null 2>$r/full.err; echo $? >$r/full.rc
        $g search 云台山 --count --json --index $idx >$r/after-full.out 2>&1
        mount -o remount,size=64m $d
        $g index {big} --index $idx >/dev/null 2>$r/again.err; echo $? >$r/again.rc
        $g search 政府 --count --json --index $idx >$r/again.out 2>&1
        mount -o remount,ro $d
        $g index {small} {big} --index $idx --rebuild >/dev/null 2>$r/ro.err; echo $? >$r/ro.rc
        $g search 政府 --count --json --index $idx >$r/ro.out 2>&1
        "#,
        small = small.display(),
        big = big.display(),
    );
    let Some(read) = on_small_disk(dir.path(), &steps) else {
        return;
    };
    let index = dir.path().join("disk/index").display().to_string();

    assert_eq!(read("first.rc").trim(), "0", "{}", read("first.err"));
    assert_eq!(read("full.rc").trim(), "2");
    let full = read("full.err");
    assert!(
        full.contains(&format!("cannot write the index at {index}"))
            && full.contains("No space left on device"),
        "{full}"
    );
    assert!(!full.contains("panicked"), "{full}");
    // The seed's four paragraphs with 云台山 are still there, found by an independent count.
    let seed = std::fs::read_to_string(repo().join(SEED)).unwrap();
    assert!(seed.contains("云台山"));
    let counts: serde_json::Value = serde_json::from_str(&read("after-full.out")).unwrap();
    assert_eq!(counts["paragraphs"], 4, "{counts}");

    // With room again, the next run finishes the work: the same as a clean build elsewhere.
    assert_eq!(read("again.rc").trim(), "0", "{}", read("again.err"));
    let clean = tempfile::tempdir().unwrap();
    let clean_index = clean.path().join("index");
    let out = gazette(&[
        "index",
        small.to_str().unwrap(),
        big.to_str().unwrap(),
        "--index",
        clean_index.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = gazette(&[
        "search",
        "政府",
        "--count",
        "--json",
        "--index",
        clean_index.to_str().unwrap(),
    ]);
    assert_eq!(read("again.out").trim(), stdout(&out).trim());

    // Read-only: refused with the reason, and even --rebuild removes nothing.
    assert_eq!(read("ro.rc").trim(), "2");
    let ro = read("ro.err");
    assert!(
        ro.contains(&format!("cannot write the index at {index}"))
            && ro.contains("Read-only file system"),
        "{ro}"
    );
    assert_eq!(read("ro.out").trim(), stdout(&out).trim());
}

/// A compaction that runs out of disk leaves the index as the run made it: a run that compacts
/// unasked still succeeds and says what failed; `--compact`, asked for, fails; with room again it
/// merges.
#[test]
fn a_compaction_without_room_leaves_the_index_complete() {
    let dir = tempfile::tempdir().unwrap();
    let docs = crate::common::generated(&dir.path().join("docs"), 2);
    // Indexed in many segments with room; then the disk is shrunk to what the index holds and a
    // little more, so that only merging it all again lacks room.
    let steps = format!(
        r#"
        small="--commit-kb 64 --max-merged-docs 600"
        mount -t tmpfs -o size=64m tmpfs $d || exit 99
        $g index {docs} --index $idx $small --compact-above 1000 >/dev/null 2>$r/first.err
        echo $? >$r/first.rc
        $g search 政府 --count --json --index $idx >$r/first.count 2>&1
        used=$(du -sk $idx | cut -f1)
        mount -o remount,size=$((used + 256))k $d || exit 98
        $g index {docs} --index $idx $small --compact-above 3 >$r/run.out 2>$r/run.err
        echo $? >$r/run.rc
        $g search 政府 --count --json --index $idx >$r/run.count 2>&1
        $g index {docs} --index $idx $small --compact >/dev/null 2>$r/asked.err; echo $? >$r/asked.rc
        mount -o remount,size=64m $d
        $g index {docs} --index $idx $small --compact >$r/roomy.out 2>$r/roomy.err
        echo $? >$r/roomy.rc
        $g search 政府 --count --json --index $idx >$r/roomy.count 2>&1
        cp $idx/meta.json $r/roomy.meta
        "#,
        docs = docs.display(),
    );
    let Some(read) = on_small_disk(dir.path(), &steps) else {
        return;
    };
    assert_eq!(read("first.rc").trim(), "0", "{}", read("first.err"));
    let expected = read("first.count");
    assert!(expected.contains("paragraphs"), "{expected}");

    assert_eq!(read("run.rc").trim(), "0", "{}", read("run.err"));
    let warning = read("run.err");
    assert!(
        warning.contains("the index is complete, but merging its")
            && warning.contains("failed")
            && !warning.contains("panicked"),
        "{warning}"
    );
    assert!(
        !read("run.out").contains("merged the index's"),
        "{}",
        read("run.out")
    );
    assert_eq!(read("run.count"), expected);

    assert_eq!(read("asked.rc").trim(), "2", "{}", read("asked.err"));
    assert!(
        read("asked.err").contains("cannot write the index"),
        "{}",
        read("asked.err")
    );

    // With room, what was left to merge is merged: at most one segment of at most half the
    // compaction ceiling (1,200) is left.
    assert_eq!(read("roomy.rc").trim(), "0", "{}", read("roomy.err"));
    assert!(
        read("roomy.out").contains("merged the index's"),
        "{}",
        read("roomy.out")
    );
    assert_eq!(read("roomy.count"), expected);
    let meta: serde_json::Value = serde_json::from_str(&read("roomy.meta")).unwrap();
    let sizes: Vec<u64> = meta["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|segment| segment["max_doc"].as_u64().unwrap())
        .collect();
    assert!(
        sizes.iter().filter(|&&docs| docs <= 1200).count() <= 1,
        "{sizes:?}"
    );
}
