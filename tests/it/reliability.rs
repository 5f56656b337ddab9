//! Hostile and unlucky input (issue 20): limits beyond the index, queries built to exhaust the
//! stack, closed pipes. Each case failed before its fix: an abort, a stack overflow, a raw error.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use crate::common::{build_index, gazette, repo, seed_index, stderr, stdout};

/// An index of a generated corpus of 6 MB: enough hits that `--all` writes more than a pipe
/// holds, and reads more than one batch.
fn large_index() -> &'static str {
    static INDEX: OnceLock<(tempfile::TempDir, String)> = OnceLock::new();
    let (_, index) = INDEX.get_or_init(|| {
        let dir = crate::common::static_tempdir();
        let docs = crate::common::generated(&dir.path().join("docs"), 6);
        let index = build_index(dir.path(), &docs);
        (dir, index)
    });
    index
}

#[test]
fn a_limit_beyond_the_index_is_every_hit_not_a_heap_of_that_size() {
    let index = seed_index().to_str().unwrap();
    let (_, every) = crate::common::search_all("人民政府");
    for limit in ["99999999999", "18446744073709551615", "100000000"] {
        for format in [&[][..], &["--json"], &["--csv"], &["--kwic"]] {
            let mut args = vec!["search", "人民政府", "-n", limit, "--index", index];
            args.extend(format);
            let out = gazette(&args);
            assert_eq!(
                out.status.code(),
                Some(0),
                "{limit} {format:?}: {}",
                stderr(&out)
            );
            if format == ["--json"] {
                let paragraphs = stdout(&out)
                    .lines()
                    .filter(|l| l.contains("\"matched_in\":\"text\""))
                    .count();
                assert_eq!(paragraphs, every.len(), "{limit}");
            }
        }
    }
}

#[test]
fn a_query_of_a_thousand_nots_or_deep_parentheses_is_answered() {
    let index = seed_index().to_str().unwrap();
    let count = |query: &str| {
        let out = gazette(&["search", "--count", "--json", "--index", index, "--", query]);
        assert_eq!(
            out.status.code().map(|c| c < 2),
            Some(true),
            "{}",
            stderr(&out)
        );
        serde_json::from_str::<serde_json::Value>(stdout(&out).trim()).unwrap()
    };
    let plain = count("人");
    // An even number of NOTs is the literal itself, occurrences included.
    assert_eq!(count("--人"), plain);
    assert_eq!(count(&format!("{}人", "-".repeat(950))), plain);
    assert_eq!(count("-(-人)"), plain);
    // An odd number, every paragraph without it.
    let without = count(&format!("{}人", "-".repeat(951)));
    let all = count("的 OR -的");
    assert_eq!(
        without["paragraphs"].as_u64().unwrap() + plain["paragraphs"].as_u64().unwrap(),
        all["paragraphs"].as_u64().unwrap()
    );
    // The hits too, not only the count: this crashed the search, which recursed once per NOT.
    let out = gazette(&[
        "search",
        "-n",
        "1",
        "--index",
        index,
        "--",
        &format!("{}人", "-".repeat(950)),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Parentheses past the bound: a clear error that points at the first one too deep.
    let deep = format!("{}人{}", "(".repeat(400), ")".repeat(400));
    let out = gazette(&["search", "--index", index, "--", &deep]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("parentheses nest more than 64 deep (at character 65)"),
        "{}",
        stderr(&out)
    );
}

/// Runs gazette with its output into a pipe that the reader closes after `lines` lines, as
/// `| head -1` does (0: before gazette has opened the index, so that even a short output meets a
/// closed pipe): it must end quietly, with status 0.
fn closed_after(lines: usize, args: &[&str]) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gazette"))
        .args(args)
        .current_dir(repo())
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    for _ in 0..lines {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        assert!(!line.is_empty(), "{args:?} wrote too little");
    }
    // The reader is dropped here: the pipe is closed with the output unwritten.
    drop(reader);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    assert_eq!(stderr(&out), "", "{args:?}");
}

#[test]
fn every_format_ends_quietly_when_its_reader_goes() {
    let index = large_index();
    for format in ["--csv", "--json", "--kwic", "--cite"] {
        closed_after(1, &["search", "的", "--all", format, "--index", index]);
        closed_after(0, &["search", "的", "--all", format, "--index", index]);
    }
    for format in [&["--csv"][..], &["--json"], &[]] {
        let mut args = vec!["stats", "的", "--by", "document", "--index", index];
        args.extend(format);
        closed_after(0, &args);
    }
    closed_after(0, &["search", "的", "--count", "--index", index]);
    closed_after(
        0,
        &[
            "show",
            crate::common::SEED,
            "--index",
            seed_index().to_str().unwrap(),
        ],
    );
}

/// A copy of a fresh index of the seed with one file of its one segment damaged: `how` bytes in
/// its middle flipped, or the file cut to half its length.
fn damaged_copy(kind: &str, flip: bool) -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let index = build_index(dir.path(), &repo().join(crate::common::SEED));
    let file = std::fs::read_dir(&index)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == kind))
        .unwrap_or_else(|| panic!("no .{kind} file"));
    let mut bytes = std::fs::read(&file).unwrap();
    if flip {
        let middle = bytes.len() / 2;
        for b in &mut bytes[middle..middle + 4] {
            *b ^= 0xFF;
        }
    } else {
        bytes.truncate(bytes.len() / 2);
    }
    std::fs::write(&file, bytes).unwrap();
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    (dir, index, name)
}

#[test]
fn check_finds_every_damaged_file_and_searches_say_so_in_one_line() {
    for kind in ["term", "idx", "pos", "store", "fast", "fieldnorm"] {
        for flip in [true, false] {
            let what = format!("{kind} {}", if flip { "flipped" } else { "cut" });
            let (_dir, index, name) = damaged_copy(kind, flip);
            let out = gazette(&["check", "--index", &index]);
            assert_eq!(out.status.code(), Some(2), "{what}: {}", stdout(&out));
            let report = stdout(&out);
            assert!(report.contains("1 damaged segment"), "{what}: {report}");
            assert!(report.contains(&format!("{name}: ")), "{what}: {report}");
            // A search reads what it needs: it may answer, but never with a panic's lines.
            for args in [
                &["search", "在", "--count"][..],
                &["search", "人民 NEAR/3 政府", "--all"],
            ] {
                let mut args = args.to_vec();
                args.extend(["--index", index.as_str()]);
                let out = Command::new(env!("CARGO_BIN_EXE_gazette"))
                    .args(&args)
                    .current_dir(repo())
                    .env_remove("GAZETTE_DEBUG")
                    .output()
                    .unwrap();
                let err = stderr(&out);
                assert!(!err.contains("panicked"), "{what} {args:?}: {err}");
                assert!(err.lines().count() <= 1, "{what} {args:?}: {err}");
                if out.status.code() == Some(2) {
                    assert!(err.contains("damaged"), "{what} {args:?}: {err}");
                    assert!(err.contains("gazette check"), "{what} {args:?}: {err}");
                }
                if !flip {
                    assert_eq!(out.status.code(), Some(2), "{what} {args:?}: {err}");
                }
            }
        }
    }
}

#[test]
fn repair_drops_the_damaged_segment_and_the_next_run_adds_its_files_again() {
    let (dir, index, _) = damaged_copy("store", false);
    let out = gazette(&["check", "--repair", "--index", &index]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("dropped 1 damaged segment"),
        "{}",
        stdout(&out)
    );
    let out = gazette(&["check", "--index", &index]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    // Searchable, and without the file, until it is indexed again.
    let out = gazette(&["search", "云台山", "--index", &index]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let out = gazette(&["index", crate::common::SEED, "--index", &index]);
    assert!(stdout(&out).starts_with("1 added"), "{}", stdout(&out));
    let repaired = crate::common::all_hits(&index, "云台山", &[]);
    let clean = crate::common::all_hits(seed_index().to_str().unwrap(), "云台山", &[]);
    let key = |h: &serde_json::Value| (h["paragraph"].clone(), h["text"].clone());
    assert_eq!(
        repaired.iter().map(key).collect::<Vec<_>>(),
        clean.iter().map(key).collect::<Vec<_>>()
    );
    drop(dir);
}

#[test]
fn a_file_of_lone_carriage_returns_reads_as_its_line_feed_twin() {
    let seed = std::fs::read_to_string(repo().join(crate::common::SEED)).unwrap();
    let paragraphs = |text: &str| {
        let (_dir, index) = crate::common::index_of("a.txt", text);
        crate::common::all_hits(&index, "的", &[])
            .iter()
            .map(|h| (h["paragraph"].as_u64().unwrap(), h["text"].to_string()))
            .collect::<Vec<_>>()
    };
    let want = paragraphs(&seed);
    assert!(want.len() > 20);
    assert_eq!(paragraphs(&seed.replace('\n', "\r")), want);
    assert_eq!(paragraphs(&seed.replace('\n', "\r\n")), want);
}

#[test]
fn control_characters_in_names_and_text_never_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    let name = "x\ny\u{1b}[31m.txt";
    std::fs::write(corpus.join(name), "# 标题\n\n正文\u{1b}[2J内容。\n").unwrap();
    std::fs::write(corpus.join("bad\u{1b}[31m.txt"), b"\x00\x01binary").unwrap();
    // A manifest field with a control character, for another file.
    std::fs::write(corpus.join("m.txt"), "# 通知\n\n正文。\n").unwrap();
    std::fs::write(
        corpus.join("manifest.tsv"),
        "file\tgazette\nm.txt\t某某公报\u{7}\n",
    )
    .unwrap();
    let index = dir.path().join("index");
    let index = index.to_str().unwrap();
    let out = gazette(&["index", corpus.to_str().unwrap(), "--index", index]);
    let err = stderr(&out);
    assert!(!err.contains('\u{1b}'), "{err:?}");
    assert!(err.contains("bad\\u{1b}[31m.txt"), "{err:?}");
    for args in [
        &["search", "正文"][..],
        &["search", "正文", "--kwic"],
        &["search", "正文", "--cite"],
        &["stats", "正文", "--by", "gazette"],
    ] {
        let mut args = args.to_vec();
        args.extend(["--index", index]);
        let out = gazette(&args);
        let text = stdout(&out);
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{args:?}: {text:?}"
        );
        assert!(text.contains("\\u{"), "{args:?}: {text:?}");
    }
    // Each hit's citation is one line: the name's line end is written out.
    let out = gazette(&["search", "内容", "--index", index]);
    let first = stdout(&out).lines().next().unwrap().to_string();
    assert!(first.contains("x\\ny\\u{1b}[31m.txt ¶"), "{first}");
    // JSON keeps the data as it is.
    let hits = crate::common::all_hits(index, "内容", &[]);
    assert!(hits[0]["path"].as_str().unwrap().ends_with(name));
    assert!(hits[0]["text"].as_str().unwrap().contains('\u{1b}'));
}

#[test]
fn of_two_runs_creating_one_index_the_second_hears_the_first_is_writing() {
    for _ in 0..5 {
        let dir = tempfile::tempdir().unwrap();
        let index = dir.path().join("new/index");
        let run = || {
            Command::new(env!("CARGO_BIN_EXE_gazette"))
                .args(["index", crate::common::SEED, "--index"])
                .arg(&index)
                .current_dir(repo())
                .output()
                .unwrap()
        };
        let (a, b) = std::thread::scope(|s| {
            let a = s.spawn(run);
            let b = s.spawn(run);
            (a.join().unwrap(), b.join().unwrap())
        });
        let outcomes = [&a, &b];
        assert!(outcomes.iter().any(|o| o.status.success()), "neither ran");
        for out in outcomes {
            if !out.status.success() {
                assert_eq!(out.status.code(), Some(2));
                assert!(
                    stderr(out).contains("another gazette process is writing"),
                    "{}",
                    stderr(out)
                );
            }
        }
        let hits = crate::common::all_hits(index.to_str().unwrap(), "云台山", &[]);
        assert_eq!(hits.len(), 4);
    }
}

#[test]
fn manifest_duplicates_shadows_and_split_rows_are_named_by_path_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    let seed = std::fs::read_to_string(repo().join(crate::common::SEED)).unwrap();
    std::fs::write(corpus.join("a.txt"), &seed).unwrap();
    std::fs::write(corpus.join("b.txt"), &seed).unwrap();
    std::fs::write(
        corpus.join("manifest.tsv"),
        "file\tdate\ttitle\na.txt\t2019\tT1\na.txt\t2020\tT2\nb.txt\t\"x\ty\"\t2021\n",
    )
    .unwrap();
    std::fs::write(corpus.join("manifest.csv"), "file,date\na.txt,2018\n").unwrap();
    let index = dir.path().join("index");
    let out = gazette(&[
        "index",
        corpus.to_str().unwrap(),
        "--index",
        index.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).starts_with("2 added"), "{}", stdout(&out));
    let err = stderr(&out);
    let tsv = corpus.join("manifest.tsv").display().to_string();
    let csv = corpus.join("manifest.csv").display().to_string();
    for want in [
        format!("{tsv}: line 3 lists a.txt again (first at line 2); line 3 is used"),
        format!("{tsv}: line 4 has 4 cells where the header has 3; a tab inside a quoted cell?"),
        format!("{csv}: ignored: manifest.tsv in the same folder is read instead"),
        "3 problems in manifests".to_string(),
    ] {
        assert!(err.contains(&want), "{want}\n{err}");
    }
    assert!(!err.contains("skipped"), "{err}");
    // The last row of a.txt is used; b.txt's split row is not.
    let hits = crate::common::all_hits(index.to_str().unwrap(), "云台山", &[]);
    let dates: BTreeSet<(String, String)> = hits
        .iter()
        .map(|h| {
            let path = h["path"].as_str().unwrap();
            (
                path[path.len() - 5..].to_string(),
                h["date"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert!(
        dates.contains(&("a.txt".to_string(), "2020".to_string())),
        "{dates:?}"
    );
    assert!(
        dates.iter().all(|(f, d)| f != "b.txt" || d != "2021"),
        "{dates:?}"
    );
}

#[test]
#[cfg(unix)]
fn a_file_reached_twice_is_indexed_once_and_links_out_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    let outside = dir.path().join("outside");
    std::fs::create_dir_all(&corpus).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::copy(repo().join(crate::common::SEED), corpus.join("a.txt")).unwrap();
    std::fs::hard_link(corpus.join("a.txt"), corpus.join("b.txt")).unwrap();
    std::os::unix::fs::symlink("a.txt", corpus.join("c.txt")).unwrap();
    std::fs::write(outside.join("z.txt"), "# 外面\n\n云台山在外面。\n").unwrap();
    std::os::unix::fs::symlink(&outside, corpus.join("out")).unwrap();
    let index = dir.path().join("index");
    let index = index.to_str().unwrap();
    let corpus_arg = corpus.to_str().unwrap();
    // The corpus named twice, as two overlapping roots.
    let out = gazette(&["index", corpus_arg, corpus_arg, "--index", index]);
    let err = stderr(&out);
    assert!(stdout(&out).starts_with("1 added"), "{}", stdout(&out));
    assert!(err.contains("b.txt: the same file as"), "{err}");
    assert!(err.contains("c.txt: the same file as"), "{err}");
    assert!(err.contains("out: a link to"), "{err}");
    assert!(err.contains("outside the folders given"), "{err}");
    // Every paragraph once: the count of a hard-linked corpus is the count of its one file.
    let hits = crate::common::all_hits(index, "云台山", &[]);
    assert_eq!(hits.len(), 4);
    // Asked to, the link out is followed.
    let followed = dir.path().join("followed");
    let followed = followed.to_str().unwrap();
    let out = gazette(&["index", corpus_arg, "--follow-links", "--index", followed]);
    assert!(stdout(&out).starts_with("2 added"), "{}", stdout(&out));
    assert_eq!(crate::common::all_hits(followed, "云台山", &[]).len(), 5);
}

#[test]
#[cfg(unix)]
fn two_files_stored_under_one_path_are_indexed_once() {
    // On Unix a name may hold a backslash, which the index stores as a slash: `a\b.txt` and
    // `a/b.txt` would be one file to it. The first the walk meets (the folder `a` sorts first)
    // is indexed; the other is reported, and its paragraphs are not mixed in under that path.
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(corpus.join("a")).unwrap();
    std::fs::write(corpus.join("a").join("b.txt"), "# 甲\n\n云台山在甲。\n").unwrap();
    std::fs::write(corpus.join("a\\b.txt"), "# 乙\n\n云台山在乙。\n").unwrap();
    let index = dir.path().join("index");
    let index = index.to_str().unwrap();
    let out = gazette(&["index", corpus.to_str().unwrap(), "--index", index]);
    assert!(stdout(&out).starts_with("1 added"), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("a\\b.txt: stored as "), "{err}");
    assert!(
        err.contains("a/b.txt, the path of a file indexed before it"),
        "{err}"
    );
    assert_eq!(out.status.code(), Some(2));
    let hits = crate::common::all_hits(index, "云台山", &[]);
    let texts: Vec<&str> = hits
        .iter()
        .map(|hit| hit["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["云台山在甲。"]);
}

#[test]
#[cfg(unix)]
fn index_files_get_the_users_umask_and_an_unreadable_one_is_named() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let index = build_index(dir.path(), &repo().join(crate::common::SEED));
    // The mode any new file gets here, whatever the umask of the test run.
    let probe = dir.path().join("probe");
    let mode = std::fs::File::create(&probe)
        .unwrap()
        .metadata()
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    for entry in std::fs::read_dir(&index).unwrap() {
        let path = entry.unwrap().path();
        let got = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(got, mode, "{}", path.display());
    }
    // Another user who may not read a file of the index is told which one. Only root can act
    // as another user here.
    let setpriv = std::path::Path::new("/usr/bin/setpriv");
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| stdout(&o).trim() == "0");
    if !root || !setpriv.exists() {
        crate::common::skipped(
            "index_files_get_the_users_umask_and_an_unreadable_one_is_named (unreadable part)",
            "needs root and setpriv to search as another user",
        );
        return;
    }
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let store = std::fs::read_dir(&index)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "store"))
        .unwrap();
    std::fs::set_permissions(&store, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = Command::new(setpriv)
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_gazette"))
        .args(["search", "云台山", "--index", &index])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out).trim(),
        format!(
            "gazette: cannot read the index file {}: Permission denied (os error 13)",
            store.display()
        )
    );
}

#[test]
fn a_file_rewritten_while_it_is_read_is_indexed_as_one_version_or_reported() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    let file = corpus.join("a.txt");
    // Two versions of 6 MB, told apart by one character in every paragraph.
    let version =
        |c: char| format!("{c}。这是一个足够长的段落，用来填满文件。\n\n").repeat(100_000);
    let (one, two) = (version('甲'), version('乙'));
    std::fs::write(&file, &one).unwrap();
    let index = dir.path().join("index");
    let index = index.to_str().unwrap();
    let stop = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        // A writer that rewrites the file in place, over and over, as an editor saving it may, in
        // one write each time. (A writer that stops between two pieces of a version leaves a mix
        // on the disk, which no reader can tell from a file; seen in a full run of the tests on a
        // loaded machine when the versions were written in 64 KB pieces.)
        s.spawn(|| {
            let mut k = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let text = if k % 2 == 0 { &two } else { &one };
                use std::io::Write;
                let mut f = std::fs::OpenOptions::new().write(true).open(&file).unwrap();
                f.write_all(text.as_bytes()).unwrap();
                k += 1;
                // Quiet spells, in which a read can find the file whole.
                std::thread::sleep(std::time::Duration::from_millis(if k % 3 == 0 {
                    40
                } else {
                    2
                }));
            }
        });
        // The writer stops when the checks end, passed or failed: a failed check must not leave
        // it rewriting the file for ever, with the test waiting for it.
        struct Stop<'a>(&'a std::sync::atomic::AtomicBool);
        impl Drop for Stop<'_> {
            fn drop(&mut self) {
                self.0.store(true, std::sync::atomic::Ordering::Relaxed);
            }
        }
        let _stop = Stop(&stop);
        // Read whole, and in parts of 1 MB, each part added before the next is read.
        for round in 0..6 {
            let part_kb = if round % 2 == 0 { "16384" } else { "1024" };
            let out = gazette(&[
                "index",
                corpus.to_str().unwrap(),
                "--index",
                index,
                "--rebuild",
                "--part-kb",
                part_kb,
            ]);
            let err = stderr(&out);
            let count = |literal: &str| {
                let out = gazette(&[
                    "search",
                    literal,
                    "--count",
                    "--json",
                    "--text-only",
                    "--index",
                    index,
                ]);
                let counts: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
                counts["paragraphs"].as_u64().unwrap()
            };
            let (a, b) = (count("甲"), count("乙"));
            if out.status.code() == Some(2) {
                assert!(err.contains("changed while it was being read"), "{err}");
                // Nothing of a file that changed while it was read stays, whatever parts of it
                // were added before the change was seen.
                assert_eq!((a, b), (0, 0), "paragraphs of a file that failed");
                continue;
            }
            assert!(
                a == 0 || b == 0,
                "a mix of two versions: {a} and {b} paragraphs"
            );
            assert_eq!(a + b, 100_000);
        }
    });
}

/// `--all` writes each hit as it is read, in the order of the index; ranked, the same hits.
#[test]
fn every_hit_in_the_order_of_the_index_is_every_ranked_hit_file_by_file() {
    let index = large_index();
    for query in ["的", "政府 OR 发展", "人民 NEAR/5 政府"] {
        let (code, streamed) = crate::common::every_hit(index, query, &[]);
        assert_eq!(code, 0, "{query}");
        let (_, ranked) = crate::common::every_hit(index, query, &["--sort", "relevance"]);
        // Many batches of the stream (512 paragraphs each), for the common word.
        if query == "的" {
            assert!(streamed.len() > 4_096, "{query}: {} hits", streamed.len());
        }
        let key = |h: &serde_json::Value| {
            (
                h["path"].as_str().unwrap().to_string(),
                h["document"].as_str().unwrap().to_string(),
                h["paragraph"].as_u64().unwrap(),
                h["matched_in"].as_str().unwrap().to_string(),
                h["score"].to_string(),
                h["matches"].to_string(),
            )
        };
        let mut a: Vec<_> = streamed.iter().map(key).collect();
        let mut b: Vec<_> = ranked.iter().map(key).collect();
        a.sort();
        b.sort();
        assert!(a == b, "{query}: the streamed hits are not the ranked ones");
        // Names first, then the paragraphs file by file: a file's paragraph hits stand
        // together, in the order of the file within each document.
        let first_text = streamed
            .iter()
            .position(|h| h["matched_in"] == "text")
            .unwrap_or(streamed.len());
        assert!(
            streamed[first_text..]
                .iter()
                .all(|h| h["matched_in"] == "text")
        );
        let mut done = BTreeSet::new();
        let mut last: Option<(String, String, u64)> = None;
        for hit in &streamed[first_text..] {
            let place = (
                hit["path"].as_str().unwrap().to_string(),
                hit["document"].as_str().unwrap().to_string(),
                hit["paragraph"].as_u64().unwrap(),
            );
            match &last {
                Some((path, document, paragraph)) if *path == place.0 && *document == place.1 => {
                    assert!(*paragraph < place.2, "{query}: {place:?} after {last:?}");
                }
                Some((path, ..)) if *path == place.0 => {}
                Some((path, ..)) => {
                    assert!(done.insert(path.clone()), "{query}: {path} met twice");
                }
                None => {}
            }
            last = Some(place);
        }
    }
}

#[test]
fn every_hit_as_csv_has_a_column_for_each_attribute_in_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    std::fs::write(docs.join("a.txt"), "关于云台山的通知\n\n云台山景区开放。\n").unwrap();
    std::fs::write(docs.join("b.txt"), "关于黄河的通知\n\n黄河流域保护。\n").unwrap();
    std::fs::write(docs.join("manifest.csv"), "file,source\nb.txt,官网\n").unwrap();
    let index = build_index(dir.path(), &docs);
    // The hits are a.txt's, which has no attribute: the column is still there, empty.
    let out = gazette(&["search", "云台山", "--all", "--csv", "--index", &index]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().clone();
    let column = header.iter().position(|h| h == "attribute.source");
    assert!(column.is_some(), "{header:?}");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r[column.unwrap()].is_empty()));
    // And the value, on a hit of the file that has it.
    let out = gazette(&["search", "黄河", "--all", "--csv", "--index", &index]);
    let text = stdout(&out);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let column = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "attribute.source")
        .unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert!(rows.iter().any(|r| &r[column] == "官网"), "{text}");
}

#[test]
fn the_order_of_the_index_goes_with_every_hit() {
    let index = seed_index().to_str().unwrap();
    let out = gazette(&["search", "政府", "--sort", "index", "--index", index]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("add --all"), "{}", stderr(&out));
}
