//! Bad input met by an unattended `gazette index`: each bad file or manifest is reported once,
//! with its path and the reason, everything else is indexed, and the run ends with status 2.

use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use crate::common::{SEED, gazette, repo, stderr, stdout};

fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn every_bad_input_is_reported_once_and_the_rest_is_indexed() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    std::fs::copy(repo().join(SEED), docs.join("seed.txt")).unwrap();
    write(&docs.join("empty.txt"), b"");
    write(
        &docs.join("scan.txt"),
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00\x00",
    );
    write(
        &docs.join("archive.txt"),
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00",
    );
    write(
        &docs.join("image.txt"),
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    );
    write(&docs.join("latin1.txt"), b"caf\xe9 \xff\xfe\xff");
    // A file with no line break: indexed in pieces, not as one giant paragraph.
    let long = "长文本没有换行".repeat(300_000);
    write(&docs.join("long.txt"), long.as_bytes());
    // A symbolic link to its own folder.
    std::os::unix::fs::symlink(&docs, docs.join("loop")).unwrap();
    // A file name that is not UTF-8: indexed, its path shown with a replacement character.
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.txt");
    write(&docs.join(name), "非UTF8文件名的文件内容。".as_bytes());
    // Manifests: one names a file that is not there, one cannot be parsed.
    write(
        &docs.join("listed/manifest.tsv"),
        "file\ttitle\tdate\nthere.txt\t在的文件\t2024-01-02\nmissing.txt\t不在的文件\t2024-01-03\n"
            .as_bytes(),
    );
    write(
        &docs.join("listed/there.txt"),
        "清单中的文件内容。".as_bytes(),
    );
    write(
        &docs.join("broken/manifest.csv"),
        b"title,date\n\"unclosed,2024\n",
    );
    write(
        &docs.join("broken/item.txt"),
        "坏清单旁边的文件。".as_bytes(),
    );

    let index = dir.path().join("index");
    let out = gazette(&[
        "index",
        docs.to_str().unwrap(),
        "--index",
        index.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    for (path, reason) in [
        ("empty.txt", "empty"),
        ("scan.txt", "binary data"),
        ("archive.txt", "binary data"),
        ("image.txt", "binary data"),
        ("latin1.txt", "neither UTF-8 nor GB18030"),
        ("loop", "loop"),
        ("manifest.tsv", "missing.txt, which does not exist"),
        ("manifest.csv", "no column `file`"),
    ] {
        let lines: Vec<&str> = err.lines().filter(|l| l.contains(path)).collect();
        assert_eq!(lines.len(), 1, "{path} reported once:\n{err}");
        assert!(lines[0].contains(reason), "{path}: {reason}:\n{err}");
    }
    let summary: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    // seed, long, the non-UTF-8 name, there.txt and item.txt are indexed.
    assert_eq!(summary["added"], 5, "{summary}");

    let index = index.to_str().unwrap();
    let search = |q: &str| crate::common::all_hits(index, q, &[]);
    assert!(!search("云台山").is_empty());
    assert_eq!(search("清单中的文件内容")[0]["date"], "2024-01-02");
    assert_eq!(search("坏清单旁边的文件").len(), 1);
    let odd = search("非UTF8文件名");
    assert!(odd[0]["path"].as_str().unwrap().contains('\u{FFFD}'));
    // 2,100,000 characters in pieces of at most 20,000; every occurrence is found but those
    // cut by a piece boundary.
    let pieces = search("长文本没有换行");
    assert!(pieces.len() >= 105, "{} pieces", pieces.len());
    let found: usize = pieces
        .iter()
        .map(|h| h["matches"].as_array().unwrap().len())
        .sum();
    assert!(found >= 300_000 - pieces.len(), "{found} of 300000");
}
