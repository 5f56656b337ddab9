//! The built binary on a temporary index of the seed gazette (焦作市人民政府公报 2025年第1号).

use crate::common::{SEED, gazette, matched_texts, search_all, seed_index, stderr, stdout};

#[test]
fn indexes_the_seed_into_68_paragraphs() {
    // Counted by hand: 86 blocks from the title 「政府工作报告」 to the end, 18 of which are the
    // second halves of paragraphs cut by a page end.
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let out = gazette(&["index", SEED, "--index", index.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let summary = stdout(&out);
    assert!(
        summary.starts_with(
            "1 added, 0 updated, 0 unchanged, 0 removed, 0 failed: indexed 1 document, \
             68 paragraphs (18 cut lines joined) in "
        ),
        "{summary}"
    );
}

#[test]
fn finds_3_77亿元_cut_by_a_page_end() {
    let (code, hits) = search_all("3.77亿元");
    assert_eq!(code, 0);
    assert_eq!(hits.len(), 1);
    assert_eq!(matched_texts(&hits[0]), ["3.77亿元"]);
    assert!(
        hits[0]["text"]
            .as_str()
            .unwrap()
            .contains("补贴资金3.77亿元，拉动消费近21亿元")
    );
}

#[test]
fn finds_省质量标杆_cut_by_a_page_end() {
    let (_, hits) = search_all("省质量标杆");
    assert_eq!(hits.len(), 1);
    assert_eq!(matched_texts(&hits[0]), ["省质量标杆"]);
}

#[test]
fn finds_反腐败_cut_by_a_page_end() {
    let (_, hits) = search_all("反腐败");
    assert_eq!(hits.len(), 1);
    assert!(
        hits[0]["text"]
            .as_str()
            .unwrap()
            .contains("党风廉政建设和反腐败斗争")
    );
}

#[test]
fn finds_固定资产投资_twice_once_across_a_cut() {
    // 「…工业增加值增长7.5%左右，固」 / 「定资产投资增长8%左右…」 is the second one.
    let (_, hits) = search_all("固定资产投资");
    assert_eq!(hits.len(), 2);
    let texts: Vec<&str> = hits.iter().map(|h| h["text"].as_str().unwrap()).collect();
    assert!(texts.iter().any(|t| t.contains("固定资产投资增长8%左右")));
    for hit in &hits {
        assert_eq!(matched_texts(hit), ["固定资产投资"]);
    }
}

#[test]
fn finds_a_word_that_jieba_segments_differently() {
    // 「太极·蜜雪文旅融合示范区」 segments as 蜜雪文 / 旅: a jieba-only index finds no 蜜雪.
    let (code, hits) = search_all("蜜雪");
    assert_eq!(code, 0);
    assert_eq!(hits.len(), 1);
    assert!(
        hits[0]["text"]
            .as_str()
            .unwrap()
            .contains("太极·蜜雪文旅融合示范区")
    );
    assert_eq!(hits[0]["word_match"], false);
}

#[test]
fn finds_all_four_paragraphs_with_文旅_where_jieba_finds_three() {
    let (_, hits) = search_all("文旅");
    assert_eq!(hits.len(), 4);
    let whole_words = hits.iter().filter(|h| h["word_match"] == true).count();
    assert!(whole_words < 4, "one 文旅 sits inside 蜜雪文 / 旅");
}

#[test]
fn finds_literals_with_digits_and_symbols() {
    for literal in ["3+13+N", "AA级", "5.4%", "240小时过境免签"] {
        let (code, hits) = search_all(literal);
        assert_eq!(code, 0, "{literal}");
        for hit in &hits {
            let texts = matched_texts(hit);
            assert!(!texts.is_empty());
            assert!(
                texts
                    .iter()
                    .all(|t| t.to_lowercase() == literal.to_lowercase()),
                "{literal}: {texts:?}"
            );
        }
    }
    // Latin letters match in any case.
    assert_eq!(search_all("3+13+n").1.len(), search_all("3+13+N").1.len());
}

#[test]
fn ranks_a_whole_word_above_a_word_inside_a_longer_one() {
    // 文旅 is a jieba word in three paragraphs and sits inside 蜜雪文 / 旅 in the fourth; 消费 is
    // a word in some paragraphs and only inside 消费品 in others.
    for literal in ["文旅", "消费"] {
        let index = crate::common::seed_index();
        let relevance = ["--text-only", "--sort", "relevance"];
        let (_, hits) = crate::common::every_hit(index.to_str().unwrap(), literal, &relevance);
        let flags: Vec<bool> = hits
            .iter()
            .map(|h| h["word_match"].as_bool().unwrap())
            .collect();
        assert!(
            flags.contains(&true) && flags.contains(&false),
            "{literal}: {flags:?}"
        );
        let first_partial = flags.iter().position(|w| !w).unwrap();
        assert!(
            flags[first_partial..].iter().all(|w| !w),
            "{literal}: every whole-word hit ranks first: {flags:?}"
        );
    }
}

#[test]
fn every_literal_is_required() {
    let (_, both) = search_all("云台山 实验室");
    let (_, one) = search_all("云台山");
    assert!(!both.is_empty() && both.len() < one.len());
    for hit in &both {
        let texts = matched_texts(hit);
        assert!(texts.contains(&"云台山".to_string()));
        assert!(texts.contains(&"实验室".to_string()));
    }
}

/// A word that excludes may stand unquoted after the query (`发展 -经济`), as a word of its own:
/// clap read it as a flag. The value of an option is left to clap, as any other.
#[test]
fn an_unquoted_excluded_word_is_a_word_of_the_query() {
    let index = seed_index().to_str().unwrap();
    let count = |args: &[&str]| {
        let mut all = vec!["search", "--count", "--index", index];
        all.extend(args);
        let out = gazette(&all);
        (out.status.code(), stdout(&out), stderr(&out))
    };
    let (code, quoted, _) = count(&["发展 -经济"]);
    assert_eq!(code, Some(0));
    let all = count(&["发展"]).1;
    assert_ne!(quoted, all, "-经济 excluded nothing");
    for args in [
        &["发展", "-经济"][..],
        &["发展", "-经济", "-n", "3"],
        &["-n", "3", "发展", "-经济"],
    ] {
        let (code, unquoted, said) = count(args);
        assert_eq!((code, &unquoted), (Some(0), &quoted), "{args:?}: {said}");
    }
    // `-(…)` and `-2025` are words too; an option's value that begins with `-` is not.
    assert_eq!(count(&["发展", "-(经济 OR 2025)"]).0, Some(0));
    assert_eq!(count(&["--document", "-报告", "发展"]).0, Some(2));
}

#[test]
fn gives_the_exact_citation_of_a_hit() {
    let (_, hits) = search_all("提振消费为要");
    assert_eq!(hits.len(), 1);
    let hit = &hits[0];
    assert_eq!(hit["path"], SEED);
    assert_eq!(hit["gazette"], "焦作市人民政府公报");
    assert_eq!(hit["issue"], "2025年第1号（总第139号）");
    assert_eq!(hit["date"], "2025-02-28");
    assert_eq!(hit["document"], "焦作市人民政府工作报告");
    assert_eq!(
        hit["section"],
        serde_json::json!([
            "三、2025年重点工作",
            "（一）千方百计稳增长扩内需，全力打造经济新增点",
            "提振消费为要"
        ])
    );
    // 1 title, 2 「——…会议上」, 3 speaker, 4 各位代表：, then the report; counted by hand.
    assert_eq!(hit["paragraph"], 27);
    assert_eq!(hit["word_match"], false);
    assert!(hit["score"].as_f64().unwrap() > 0.0);
    assert!(
        hit["text"]
            .as_str()
            .unwrap()
            .starts_with("提振消费为要。实施提振消费专项行动")
    );
    assert_eq!(hit["matches"], serde_json::json!([[0, 18]]));
}

#[test]
fn shows_ten_hits_by_default_and_says_how_many_there_are() {
    let index = seed_index().to_str().unwrap();
    let out = gazette(&["search", "发展", "--index", index]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let citations = text
        .lines()
        .filter(|l| l.starts_with("焦作市人民政府公报"))
        .count();
    assert_eq!(citations, 10);
    let (_, all) = search_all("发展");
    assert!(all.len() > 10);
    assert!(
        text.ends_with(&format!(
            "{} paragraphs match; showing the best 10 (--all for every one).\n",
            all.len()
        )),
        "{text}"
    );
}

#[test]
fn exits_0_when_found_1_when_not_and_2_on_error() {
    let index = seed_index().to_str().unwrap();
    assert_eq!(
        gazette(&["search", "云台山", "--index", index])
            .status
            .code(),
        Some(0)
    );

    let none = gazette(&["search", "不存在的词语", "--index", index]);
    assert_eq!(none.status.code(), Some(1));
    assert_eq!(stdout(&none), "");

    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nowhere");
    let out = gazette(&["search", "云台山", "--index", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        format!(
            "gazette: no index at {}: run `gazette index` first\n",
            missing.display()
        )
    );

    let out = gazette(&["search", "\u{200B}", "--index", index]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("bad query"), "{}", stderr(&out));

    let out = gazette(&["search", "--limit", "ten", "云台山"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_environment_names_the_index() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gazette"))
        .args(["search", "云台山", "--json"])
        .env("GAZETTE_INDEX", seed_index())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out).lines().count(), 4);
}

#[test]
fn refuses_to_write_an_index_into_a_folder_of_other_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let out = gazette(&["index", SEED, "--index", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not empty"), "{}", stderr(&out));
    assert!(dir.path().join("notes.txt").exists());
}

#[test]
fn reindexing_gives_the_same_paragraphs_and_no_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let index = index.to_str().unwrap();
    for _ in 0..2 {
        assert!(gazette(&["index", SEED, "--index", index]).status.success());
    }
    let out = gazette(&["search", "云台山", "--all", "--json", "--index", index]);
    assert_eq!(stdout(&out).lines().count(), 4);
}

#[test]
fn a_closed_pipe_ends_quietly() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    // Three copies of the seed print about 90 KB of JSON for 的, more than a pipe holds, so the
    // program is still writing when the reader goes away.
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    for n in 1..=3 {
        std::fs::copy(
            crate::common::repo().join(SEED),
            docs.join(format!("{n}.txt")),
        )
        .unwrap();
    }
    let index = crate::common::build_index(dir.path(), &docs);

    let mut child = Command::new(env!("CARGO_BIN_EXE_gazette"))
        .args(["search", "的", "--all", "--json", "--index"])
        .arg(&index)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read one byte, then close the pipe, as `| head -c 1` would.
    let mut stdout = child.stdout.take().unwrap();
    let mut byte = [0u8; 1];
    stdout.read_exact(&mut byte).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn the_search_path_cannot_reach_jieba() {
    // Loading jieba's dictionary costs 150–200 ms. Searching opens the index without registering
    // the word tokenizer, so any use of it on the search path would fail every search above.
    let (index, _) = gazette::store::open(seed_index()).unwrap();
    assert!(
        index
            .tokenizers()
            .get(gazette::store::tokenizers::JIEBA_WORDS)
            .is_none()
    );
}

#[test]
fn reports_unreadable_files_by_path_and_indexes_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    std::fs::copy(crate::common::repo().join(SEED), docs.join("seed.txt")).unwrap();
    std::fs::write(docs.join("scan.txt"), b"%PDF-1.7\n\x00\x01\x02binary").unwrap();
    std::fs::write(docs.join("latin1.txt"), b"caf\xe9 \xff\xfe\xff").unwrap();
    let index = dir.path().join("index");
    let out = gazette(&[
        "index",
        docs.to_str().unwrap(),
        "--index",
        index.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("scan.txt: binary data"), "{err}");
    assert!(
        err.contains("latin1.txt: neither UTF-8 nor GB18030 text"),
        "{err}"
    );
    assert!(err.contains("2 paths skipped"), "{err}");
    assert!(
        stdout(&out).starts_with("1 added, 0 updated, 0 unchanged, 0 removed, 2 failed"),
        "{}",
        stdout(&out)
    );
    let out = gazette(&["search", "云台山", "--index", index.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn a_paragraph_under_a_matching_heading_ranks_first() {
    // 开放 is a whole word in both; plain BM25 prefers the short heading 「（四）坚定不移深化改革
    // 开放…」, the context signal the paragraph that 「扩大更高水平开放」 heads.
    let index = seed_index().to_str().unwrap();
    let best = |extra: &[&str]| {
        let mut args = vec!["search", "开放", "--json", "-n", "1", "--index", index];
        args.extend(extra);
        let hit: serde_json::Value = serde_json::from_str(stdout(&gazette(&args)).trim()).unwrap();
        hit["section"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(best(&[]), "扩大更高水平开放");
    assert_ne!(best(&["--plain-bm25"]), "扩大更高水平开放");
}

#[test]
fn the_best_hits_are_the_same_whether_whole_words_are_ranked_apart_or_not() {
    // When a literal's whole-word matches are at least ten and at most half of its matches, a
    // top 10 scores only them (no other match can reach the whole-word bonus), within the
    // filters beside the literal; asked for more hits than there are whole-word matches, a
    // search scores every match. The first ten must be the same, scores included. 台山 is a whole
    // word in 24 paragraphs here, and inside 云台山 in 30; half of each in a file of 河南.
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    let mut paragraphs = [Vec::new(), Vec::new()];
    for i in 0..24 {
        let more = "台山人民积极参与，".repeat(i % 4);
        paragraphs[i % 2].push(format!("台山第{i}号工程已经开工，{more}进展顺利。"));
    }
    for i in 0..30 {
        let more = "风景秀丽，".repeat(i % 5);
        paragraphs[i % 2].push(format!(
            "云台山景区第{i}号步道今年开放，{more}游客可以登上云台山。"
        ));
    }
    for (name, paragraphs) in ["河南.txt", "广东.txt"].iter().zip(&paragraphs) {
        std::fs::write(docs.join(name), paragraphs.join("\n\n")).unwrap();
    }
    std::fs::write(
        docs.join("manifest.tsv"),
        "file\tregion\n河南.txt\t河南\n广东.txt\t广东\n",
    )
    .unwrap();
    let built = crate::common::build_index(dir.path(), &docs);
    let hits = |index: &str, n: &str, query: &str| -> Vec<serde_json::Value> {
        let out = gazette(&[
            "search",
            query,
            "--json",
            "--text-only",
            "-n",
            n,
            "--index",
            index,
        ]);
        stdout(&out)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let seed = seed_index().to_str().unwrap();
    // 台山 is ranked apart; the seed's literals have too many or too few whole-word matches.
    let queries = [
        (built.as_str(), "台山"),
        (built.as_str(), "台山 region:河南"),
        (seed, "发展"),
        (seed, "政府"),
        (seed, "政府 year:2025"),
    ];
    for (index, query) in queries {
        let top = hits(index, "10", query);
        let all = hits(index, "100000", query);
        let words = all.iter().filter(|h| h["word_match"] == true).count();
        match query {
            "台山" => assert_eq!((words, all.len()), (24, 54)),
            "台山 region:河南" => {
                assert_eq!((words, all.len()), (12, 27));
                assert!(all.iter().all(|h| h["region"] == "河南"));
            }
            _ => {}
        }
        assert!(all.len() > 10, "{query}: {} hits", all.len());
        assert_eq!(top, all[..10], "{query}");
    }
}

#[test]
fn equal_scores_rank_the_newest_first() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    for name in ["a.txt", "b.txt", "c.txt"] {
        std::fs::write(docs.join(name), "加快建设云台山实验室。\n").unwrap();
    }
    std::fs::write(
        docs.join("manifest.tsv"),
        "file\tdate\na.txt\t2019-05-01\nb.txt\t2024-03\nc.txt\t2021\n",
    )
    .unwrap();
    let index = crate::common::build_index(dir.path(), &docs);
    let out = gazette(&["search", "云台山", "--json", "--index", index.as_str()]);
    let dates: Vec<String> = stdout(&out)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["date"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(dates, ["2024-03", "2021", "2019-05-01"]);
}

#[test]
fn bench_reports_every_class_of_the_shipped_query_set() {
    let index = seed_index().to_str().unwrap();
    let out = gazette(&["bench", "--repeat", "2", "--json", "--index", index]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    let classes: Vec<&str> = report["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["class"].as_str().unwrap())
        .collect();
    // Every class of the shipped set, in the order it first appears there.
    let shipped = std::fs::read_to_string("benches/queries.tsv").unwrap();
    let mut expected: Vec<&str> = Vec::new();
    for class in shipped
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split('\t').next())
    {
        if !expected.contains(&class) {
            expected.push(class);
        }
    }
    assert!(expected.len() >= 9, "{expected:?}");
    assert_eq!(classes, expected);
    assert_eq!(
        report["overall"]["runs"],
        2 * report["overall"]["queries"].as_u64().unwrap()
    );
    // Hits are the searches' totals: 多氟多 and 蜜雪 are in the seed 3 and 1 times.
    assert!(report["classes"][0]["hits"].as_u64().unwrap() >= 4);
    let p50 = report["overall"]["p50_ms"].as_f64().unwrap();
    let max = report["overall"]["max_ms"].as_f64().unwrap();
    assert!(p50 > 0.0 && p50 <= max);
}

#[test]
fn whole_word_flags_agree_past_the_first_few_hundred_hits() {
    // Past 256 questions the word view's postings are read whole instead of sought one paragraph
    // at a time: both ways must give the same answer. 300 paragraphs where 文旅 is a jieba word,
    // 300 where it sits inside 蜜雪文 / 旅.
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for i in 0..300 {
        text.push_str(&format!(
            "第{i}项：发展文旅产业。\n太极·蜜雪文旅融合示范区第{i}期。\n"
        ));
    }
    let file = dir.path().join("many.txt");
    std::fs::write(&file, text).unwrap();
    let index = crate::common::build_index(dir.path(), &file);
    let out = gazette(&[
        "search",
        "文旅",
        "--all",
        "--json",
        "--index",
        index.as_str(),
    ]);
    let hits: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(hits.len(), 600);
    for hit in &hits {
        let whole = hit["text"].as_str().unwrap().contains("发展文旅产业");
        assert_eq!(hit["word_match"], whole, "{}", hit["text"]);
    }
    let out = gazette(&[
        "search",
        "文旅",
        "--words",
        "--count",
        "--index",
        index.as_str(),
    ]);
    assert!(
        stdout(&out).starts_with("300 paragraphs"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn generates_the_same_corpus_from_the_same_seed_and_indexes_it_with_its_manifests() {
    let dir = tempfile::tempdir().unwrap();
    let generate = |name: &str, seed: &str| {
        let out = dir.path().join(name);
        let run = gazette(&[
            "generate",
            "--source",
            "corpus",
            "--out",
            out.to_str().unwrap(),
            "--megabytes",
            "1",
            "--seed",
            seed,
        ]);
        assert!(run.status.success(), "{}", stderr(&run));
        let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(&out)
            .into_iter()
            .map(Result::unwrap)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let name = e.path().strip_prefix(&out).unwrap().display().to_string();
                (name, std::fs::read(e.path()).unwrap())
            })
            .collect();
        files.sort();
        (out, files)
    };
    let (out, first) = generate("a", "7");
    let (_, again) = generate("b", "7");
    let (_, other) = generate("c", "8");
    assert!(first == again, "the same seed wrote different files");
    assert!(first != other, "another seed wrote the same files");
    let bytes: usize = first
        .iter()
        .filter(|(name, _)| name.ends_with(".txt"))
        .map(|(_, text)| text.len())
        .sum();
    assert!((1_000_000..1_100_000).contains(&bytes), "{bytes} bytes");

    // A file's citation comes from its folder's manifest: gazette, issue, date, region.
    let (name, text) = first.iter().find(|(n, _)| n.ends_with(".txt")).unwrap();
    let text = String::from_utf8(text.clone()).unwrap();
    let gazette_name = name.split('/').next().unwrap();
    let manifest = std::fs::read_to_string(out.join(gazette_name).join("manifest.tsv")).unwrap();
    let file = name.split('/').nth(1).unwrap();
    let row: Vec<&str> = manifest
        .lines()
        .find(|l| l.starts_with(file))
        .unwrap()
        .split('\t')
        .collect();
    let index = crate::common::build_index(dir.path(), &out);
    // The file's longest line is a paragraph; search for a piece of it within this gazette.
    let line = text.lines().max_by_key(|l| l.chars().count()).unwrap();
    let literal: String = line.chars().skip(5).take(12).collect();
    let hits = crate::common::all_hits(&index, &literal, &["--gazette", gazette_name]);
    let hit = hits
        .iter()
        .find(|h| h["path"].as_str().unwrap().ends_with(file))
        .unwrap_or_else(|| panic!("{literal} not found in {file}"));
    assert_eq!(hit["gazette"], row[3]);
    assert_eq!(hit["issue"], row[4]);
    assert_eq!(hit["date"], row[2]);
    assert!(
        hit["region"]
            .as_str()
            .unwrap()
            .ends_with(gazette_name.trim_end_matches("人民政府公报"))
    );
}
