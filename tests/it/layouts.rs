//! Golden tests: how each layout of `tests/fixtures/` is read (`gazette inspect --paragraphs`),
//! compared with the `.golden` file checked by hand beside it; and searches that depend on the
//! folding of each layout's text.

use std::path::Path;

use crate::common::{SEED, gazette, matched_texts, repo, stderr, stdout};

fn fixtures() -> std::path::PathBuf {
    repo().join("tests/fixtures")
}

fn inspect(path: &Path) -> String {
    let out = gazette(&["inspect", path.to_str().unwrap(), "--paragraphs"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // Paths in the output are as given; make them relative to the repository.
    let root = format!("{}/", repo().display());
    stdout(&out).replace(&root, "")
}

#[test]
fn every_fixture_reads_as_its_golden_file_says() {
    let bless = std::env::var_os("GAZETTE_BLESS").is_some();
    let mut checked = 0;
    let mut entries: Vec<_> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    entries.sort();
    for path in entries {
        let got = inspect(&path);
        let golden = path.with_extension("golden");
        if bless {
            std::fs::write(&golden, &got).unwrap();
        }
        let want = std::fs::read_to_string(&golden)
            .unwrap_or_else(|_| panic!("{} is missing", golden.display()));
        assert_eq!(got, want, "{} differs from its golden file", path.display());
        checked += 1;
    }
    assert_eq!(checked, 6);
}

#[test]
fn a_gb18030_copy_of_the_seed_reads_as_the_seed() {
    let text = std::fs::read_to_string(repo().join(SEED)).unwrap();
    let (bytes, _, unmappable) = encoding_rs::GB18030.encode(&text);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the copy is not UTF-8"
    );
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("焦作市人民政府公报_2025年第1号.txt");
    std::fs::write(&copy, &bytes).unwrap();
    let utf8 = inspect(&repo().join(SEED));
    let gb = inspect(&copy);
    let body = |s: &str| s.lines().skip(1).collect::<Vec<_>>().join("\n");
    assert_eq!(body(&gb), body(&utf8));
}

#[test]
fn a_two_document_issue_gives_each_paragraph_its_document_and_page() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let issue = fixtures().join("示例市人民政府公报_2024年第3号.txt");
    let out = gazette(&[
        "index",
        issue.to_str().unwrap(),
        "--index",
        index.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let search = |q: &str| {
        let out = gazette(&["search", q, "--json", "--index", index.to_str().unwrap()]);
        let line = stdout(&out);
        serde_json::from_str::<serde_json::Value>(line.lines().next().unwrap()).unwrap()
    };
    let first = search("2.5亿元");
    assert_eq!(
        first["document"],
        "示例市人民政府关于印发示例市促进消费若干措施的通知"
    );
    assert_eq!(first["page"], 2);
    assert_eq!(first["issue"], "2024年第3号（总第101号）");
    assert_eq!(first["date"], "2024-05-06");
    assert_eq!(matched_texts(&first), ["2.5亿元"]);
    let second = search("会商研判");
    assert_eq!(
        second["document"],
        "示例市人民政府办公室关于做好防汛工作的通知"
    );
    assert_eq!(second["page"], 5);
    assert_eq!(second["section"], serde_json::json!(["（二）加强监测预警"]));
    assert_eq!(second["paragraph"], 7);
}

#[test]
fn folded_text_is_found_and_matches_point_at_the_text_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let index = crate::common::build_index(dir.path(), &fixtures());
    let search = |q: &str| -> Vec<serde_json::Value> {
        let out = gazette(&["search", q, "--all", "--json", "--index", index.as_str()]);
        stdout(&out)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    // 「第 十六 條」 is found by 第十六條, 「第　五　條」 by 第五條.
    let hits = search("第十六條");
    assert!(
        hits.iter().any(|h| matched_texts(h) == ["第 十六 條"]),
        "{hits:?}"
    );
    assert!(
        search("第五條")
            .iter()
            .any(|h| matched_texts(h).contains(&"第　五　條".to_string()))
    );
    // １９９６ is found by 1996, and the match covers the full-width digits.
    let hits = search("1996年");
    assert!(!hits.is_empty());
    assert!(
        hits.iter()
            .all(|h| matched_texts(h).iter().all(|m| m == "１９９６年"))
    );
    // The manifest's metadata and attributes reach the hit.
    let hits = search("運動發展基金管理會");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["gazette"], "行政院公報");
    assert_eq!(hits[0]["issue"], "第20卷第1期");
    assert_eq!(hits[0]["date"], "2014-01-02");
    assert_eq!(hits[0]["doc_number"], "院授主基法字第1020201348A號");
    assert_eq!(hits[0]["section"], serde_json::json!(["第　五　條"]));
    // The law's date and title come from its file name, its region from its title.
    let hits = search("山体保护坚持");
    assert_eq!(hits[0]["date"], "2019-07-09");
    assert_eq!(hits[0]["document"], "驻马店市山体保护条例");
    assert_eq!(hits[0]["region"], "河南省驻马店市");
    assert_eq!(
        hits[0]["section"],
        serde_json::json!(["第一章  总则", "第三条"])
    );
    // A link split is joined: the resolution's first sentence is one paragraph.
    let hits = search("所作的政府工作报告。会议充分肯定");
    assert_eq!(hits.len(), 1);
    // No debris line is left as a paragraph.
    for debris in [
        "下载",
        "打印",
        "全屏",
        "收藏",
        "来源：",
        "时间：",
        "相关报道",
    ] {
        assert!(
            search(debris)
                .iter()
                .all(|h| h["text"] != debris && !h["text"].as_str().unwrap().starts_with(debris)),
            "debris {debris} left as a paragraph"
        );
    }
}
