//! The query language on an index of the seed and the layout fixtures: boolean operators give
//! exactly the set algebra of single literals, NEAR agrees with a brute-force scan, filters and
//! sorts do what they say, --count agrees with the hits, scripts fold, bad queries are refused.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::OnceLock;

use proptest::prelude::*;
use serde_json::Value;

use crate::common::{SEED, gazette, repo, stderr, stdout};

/// An index of `corpus/` and `tests/fixtures/`, built once.
fn index() -> &'static Path {
    static INDEX: OnceLock<tempfile::TempDir> = OnceLock::new();
    INDEX
        .get_or_init(|| {
            let dir = crate::common::static_tempdir();
            let index = dir.path().join("index");
            let out = gazette(&[
                "index",
                "corpus",
                "tests/fixtures",
                "--index",
                index.to_str().unwrap(),
            ]);
            assert!(out.status.success(), "{}", stderr(&out));
            dir
        })
        .path()
        .join("index")
        .leak()
}

fn run(args: &[&str]) -> (i32, String) {
    let mut all = args.to_vec();
    all.extend(["--index", index().to_str().unwrap()]);
    let out = gazette(&all);
    (out.status.code().unwrap_or(-1), stdout(&out))
}

fn hits(query: &str, flags: &[&str]) -> Vec<Value> {
    let mut args = vec!["search", query, "--all", "--json", "--text-only"];
    args.extend(flags);
    let (code, out) = run(&args);
    assert!(code == 0 || code == 1, "{query}: exit {code}");
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

type Key = (String, String, u64);

fn keys(hits: &[Value]) -> BTreeSet<Key> {
    hits.iter()
        .map(|h| {
            (
                h["path"].as_str().unwrap().to_string(),
                h["document"].as_str().unwrap().to_string(),
                h["paragraph"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn set(query: &str) -> BTreeSet<Key> {
    keys(&hits(query, &[]))
}

/// The seed's repaired paragraphs.
fn seed_paragraphs() -> &'static Vec<String> {
    static P: OnceLock<Vec<String>> = OnceLock::new();
    P.get_or_init(|| {
        let text = std::fs::read_to_string(repo().join(SEED)).unwrap();
        gazette::ingest::parse::parse(&text, "seed").documents[0]
            .paragraphs
            .iter()
            .map(|p| p.text.clone())
            .collect()
    })
}

/// A literal of 1 to 3 characters from the seed (short, so that sets overlap), without syntax
/// characters.
fn literal() -> impl Strategy<Value = String> {
    (0..68usize, any::<prop::sample::Index>(), 1usize..=3).prop_filter_map(
        "syntax or space",
        |(p, start, len)| {
            let chars: Vec<char> = seed_paragraphs()[p].chars().collect();
            let start = start.index(chars.len());
            let lit: String = chars[start..(start + len).min(chars.len())]
                .iter()
                .collect();
            let plain = !lit.contains(|c: char| c.is_whitespace() || "()\"-:".contains(c))
                && !["OR", "AND", "NOT"].contains(&lit.as_str());
            plain.then_some(lit)
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn boolean_queries_are_the_set_algebra_of_their_literals(a in literal(), b in literal(), c in literal()) {
        let (sa, sb, sc) = (set(&a), set(&b), set(&c));
        let union: BTreeSet<Key> = sa.union(&sb).cloned().collect();
        prop_assert_eq!(set(&format!("{a} OR {b}")), union.clone());
        prop_assert_eq!(set(&format!("{a} {b}")), sa.intersection(&sb).cloned().collect::<BTreeSet<_>>());
        prop_assert_eq!(set(&format!("{a} -{b}")), sa.difference(&sb).cloned().collect::<BTreeSet<_>>());
        prop_assert_eq!(set(&format!("{a} NOT {b}")), sa.difference(&sb).cloned().collect::<BTreeSet<_>>());
        prop_assert_eq!(
            set(&format!("({a} OR {b}) {c}")),
            union.intersection(&sc).cloned().collect::<BTreeSet<_>>()
        );
    }

    #[test]
    fn near_finds_exactly_the_pairs_a_scan_finds(a in literal(), b in literal(), n in 0usize..30) {
        // Brute force over the seed's paragraphs: some occurrence of a and some of b with at most
        // n characters between them.
        let occurrences = |text: &[char], lit: &[char]| -> Vec<(usize, usize)> {
            let mut out = Vec::new();
            let mut i = 0;
            while i + lit.len() <= text.len() {
                if text[i..i + lit.len()] == *lit {
                    out.push((i, i + lit.len()));
                    i += lit.len();
                } else {
                    i += 1;
                }
            }
            out
        };
        let (ac, bc): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        let mut want = BTreeSet::new();
        for (k, text) in seed_paragraphs().iter().enumerate() {
            let chars: Vec<char> = text.chars().collect();
            let close = occurrences(&chars, &ac).iter().any(|x| {
                occurrences(&chars, &bc).iter().any(|y| {
                    let (first, second) = if x.0 <= y.0 { (x, y) } else { (y, x) };
                    second.0.saturating_sub(first.1) <= n
                })
            });
            if close {
                want.insert(k as u64 + 1);
            }
        }
        let got: BTreeSet<u64> = hits(&format!("{a} NEAR/{n} {b}"), &["--gazette", "焦作"])
            .iter()
            .map(|h| h["paragraph"].as_u64().unwrap())
            .collect();
        prop_assert_eq!(got, want, "{} NEAR/{} {}", a, n, b);
    }
}

#[test]
fn every_near_hit_has_its_literals_within_the_distance() {
    for n in [0, 5, 20] {
        let found = hits(&format!("创新 NEAR/{n} 平台"), &[]);
        assert!(!found.is_empty());
        for hit in &found {
            let text = hit["text"].as_str().unwrap();
            let spans: Vec<(usize, usize)> = crate::common::match_spans(hit);
            let of = |lit: &str| {
                spans
                    .iter()
                    .filter(|s| &text[s.0..s.1] == lit)
                    .copied()
                    .collect::<Vec<_>>()
            };
            let close = of("创新").iter().any(|a| {
                of("平台").iter().any(|b| {
                    let (x, y) = if a.0 <= b.0 { (a, b) } else { (b, a) };
                    y.0 <= x.1 || text[x.1..y.0].chars().count() <= n
                })
            });
            assert!(close, "NEAR/{n}: {text}");
        }
    }
}

#[test]
fn filters_keep_only_what_they_name() {
    let all = hits("的", &[]);
    assert!(all.len() > 40);
    let by = |flags: &[&str], keep: &dyn Fn(&Value) -> bool| {
        let want: BTreeSet<Key> =
            keys(&all.iter().filter(|h| keep(h)).cloned().collect::<Vec<_>>());
        let got = keys(&hits("的", flags));
        assert!(!got.is_empty(), "{flags:?} kept nothing");
        assert_eq!(got, want, "{flags:?}");
    };
    let text = |h: &Value, k: &str| h[k].as_str().unwrap_or("").to_string();
    by(&["--gazette", "焦作"], &|h| {
        text(h, "gazette").contains("焦作")
    });
    by(&["--region", "河南"], &|h| {
        text(h, "region").contains("河南")
    });
    by(&["--document", "条例"], &|h| {
        text(h, "document").contains("条例")
    });
    by(&["--from", "2019", "--to", "2025-02"], &|h| {
        let d = text(h, "date");
        !d.is_empty() && gazette::text::dates::within(&d, Some("2019"), Some("2025-02"))
    });
    // The same filters written in the query.
    assert_eq!(
        set("的 gazette:焦作"),
        keys(&hits("的", &["--gazette", "焦作"]))
    );
    assert_eq!(
        set("的 year:2014"),
        keys(&hits("的", &["--from", "2014", "--to", "2014"]))
    );
    assert_eq!(
        set("的 date:2019..2025-02"),
        keys(&hits("的", &["--from", "2019", "--to", "2025-02"]))
    );
    // A manifest attribute, in traditional script.
    let tw = hits("doc_style_l:法規 OR doc_style_l:法规", &[]);
    assert!(!tw.is_empty());
    assert!(tw.iter().all(|h| h["attributes"]["doc_style_l"] == "法規"));
    // Either script finds the traditional value: 規 folds to 规, and a value is turned away
    // before it is folded only when none of its characters folds to one looked for.
    assert_eq!(keys(&hits("doc_style_l:法规", &[])), keys(&tw));
    assert_eq!(keys(&hits("doc_style_l:法規", &[])), keys(&tw));
    // A misspelt field is an attribute no file has: said so, with what there is to filter on;
    // an attribute that files have and that holds nothing asked for gets no such note.
    let note = |query: &str, flags: &[&str]| {
        let command = if flags.contains(&"stats") {
            "stats"
        } else {
            "search"
        };
        let mut args = vec![command, query, "--index", index().to_str().unwrap()];
        args.extend(flags.iter().filter(|&&flag| flag != "stats"));
        let out = gazette(&args);
        assert_eq!(out.status.code(), Some(1), "{query}");
        stderr(&out)
    };
    for flags in [&[][..], &["--count"], &["--json"], &["stats"]] {
        let said = note("的 titel:条例", flags);
        assert!(
            said.contains("no indexed file has an attribute `titel`")
                && said.contains("document")
                && said.contains("doc_style_l"),
            "{flags:?}: {said}"
        );
    }
    assert!(!note("的 doc_style_l:不存在", &[]).contains("no indexed file has"));
    assert!(!note("的 doc_style_l:不存在", &["stats"]).contains("no indexed file has"));
    // Filters alone list every paragraph they keep.
    let (code, out) = run(&["search", "year:2014", "--count"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("13 paragraphs"), "{out}");
}

#[test]
fn sorts_by_date_with_undated_last() {
    for (sort, ascending) in [("oldest", true), ("newest", false)] {
        let found = hits("的", &["--sort", sort]);
        let dates: Vec<String> = found
            .iter()
            .map(|h| h["date"].as_str().unwrap_or("").to_string())
            .collect();
        let dated: Vec<&String> = dates.iter().filter(|d| !d.is_empty()).collect();
        let first_undated = dates
            .iter()
            .position(|d| d.is_empty())
            .unwrap_or(dates.len());
        assert!(
            dates[first_undated..].iter().all(|d| d.is_empty()),
            "{sort}: undated last"
        );
        for pair in dated.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            let n = a.len().min(b.len());
            if ascending {
                assert!(a[..n] <= b[..n], "{sort}: {a} before {b}");
            } else {
                assert!(a[..n] >= b[..n], "{sort}: {a} before {b}");
            }
        }
        // The first 5 of a sorted search are the first 5 of the full sorted list.
        let (_, out) = run(&[
            "search",
            "的",
            "--json",
            "--text-only",
            "--sort",
            sort,
            "-n",
            "5",
        ]);
        let top: Vec<Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(keys(&top), keys(&found[..5]));
    }
}

/// A one-character literal is counted from its postings or its grams' counts, the filters and
/// `--words` still deciding which paragraphs count: a count of 的 with a filter once counted
/// every paragraph holding 的.
#[test]
fn a_character_is_counted_within_its_filters_and_words() {
    for (query, flags) in [
        ("的 gazette:焦作", &[][..]),
        ("县 year:2025", &[]),
        ("旅 gazette:焦作", &[]),
        ("的", &["--words"]),
        ("县", &["--words", "--from", "2025"]),
    ] {
        let found = hits(query, flags);
        let occurrences: usize = found
            .iter()
            .map(|h| h["matches"].as_array().unwrap().len())
            .sum();
        let (_, all) = run(&[
            "search",
            query.split(' ').next().unwrap(),
            "--count",
            "--json",
        ]);
        let all: Value = serde_json::from_str(all.trim()).unwrap();
        assert!(
            !found.is_empty() && (found.len() as u64) < all["paragraphs"].as_u64().unwrap(),
            "{query} {flags:?}: the flags should keep some paragraphs and leave others"
        );
        let mut args = vec!["search", query, "--count", "--json"];
        args.extend(flags);
        let (_, out) = run(&args);
        let counts: Value = serde_json::from_str(out.trim()).unwrap();
        assert_eq!(counts["paragraphs"], found.len(), "{query} {flags:?}");
        assert_eq!(counts["occurrences"], occurrences, "{query} {flags:?}");
    }
}

#[test]
fn count_is_the_number_of_hits_and_the_sum_of_their_matches() {
    for query in [
        "发展",
        "云台山 OR 青天河",
        "创新 NEAR/5 平台",
        "條",
        "的 -发展",
        // Counted from the postings alone: a term, a term with a filter, a phrase, phrases with
        // filters (walked on their cheapest bigrams); 五五 can overlap itself (五五五), so its
        // text is read.
        "高质量发展",
        "亿元 gazette:焦作",
        "高质量发展 gazette:焦作",
        "人民政府 year:2025",
        "五五",
        "運動發展基金",
        // One literal and exclusions, counted from the literal's postings within the query's
        // paragraphs: of words, of a filter, of a group.
        "发展 -经济",
        "高质量发展 -云台山 -gazette:焦作",
        "人民政府 -(发展 OR 亿元)",
        "县 -year:2025",
        // Several literals, each counted from its postings where the query's branches match:
        // terms, a phrase, characters; an AND within an OR that fails where 亿元 is missing;
        // literals that fold alike counted once; one that overlaps itself sends all to the text.
        "发展 OR 改革",
        "人民政府 经济",
        "(高质量发展 亿元) OR 云台山",
        "发展 OR 發展 -经济",
        "的 OR 县",
        "(的 OR 高质量发展) gazette:焦作",
        "五五 OR 发展",
        // An exclusion within an OR's branch, judged by its literals' counts.
        "人民政府 OR 发展 -经济",
        "云台山 OR 发展 -(经济 OR 的)",
    ] {
        let found = hits(query, &[]);
        let occurrences: usize = found
            .iter()
            .map(|h| h["matches"].as_array().unwrap().len())
            .sum();
        let (_, out) = run(&["search", query, "--count", "--json"]);
        let counts: Value = serde_json::from_str(out.trim()).unwrap();
        assert_eq!(counts["paragraphs"], found.len(), "{query}");
        assert_eq!(counts["occurrences"], occurrences, "{query}");
    }
}

#[test]
fn simplified_and_traditional_find_each_other() {
    // The 行政院公報 item is in traditional script, the seed in simplified.
    let simplified = hits("运动发展基金管理会", &[]);
    assert_eq!(simplified.len(), 1);
    let text = simplified[0]["text"].as_str().unwrap();
    let m = &simplified[0]["matches"][0];
    assert_eq!(
        &text[m[0].as_u64().unwrap() as usize..m[1].as_u64().unwrap() as usize],
        "運動發展基金管理會"
    );
    assert_eq!(hits("运动发展基金管理会", &["--exact-script"]).len(), 0);
    assert_eq!(hits("運動發展基金管理會", &["--exact-script"]).len(), 1);
    // A traditional query finds the simplified seed.
    let traditional = hits("雲臺山", &[]);
    assert_eq!(keys(&traditional), set("云台山"));
    assert!(!traditional.is_empty());
}

#[test]
fn words_mode_keeps_only_whole_words() {
    // 的 and 县 are one character each, ranked by the character's own query with its word.
    for literal in ["文旅", "的", "县"] {
        let all = hits(literal, &[]);
        let words = hits(literal, &["--words"]);
        assert_eq!(
            words.len(),
            all.iter().filter(|h| h["word_match"] == true).count(),
            "{literal}"
        );
        assert!(words.len() < all.len(), "{literal}");
        assert!(words.iter().all(|h| h["word_match"] == true), "{literal}");
    }
}

/// A punctuation mark is found wherever it stands, but is never a word: the word view holds
/// none, so `--words` finds nothing and no hit ranks as a whole word.
#[test]
fn a_punctuation_mark_is_found_but_never_a_word() {
    for mark in ["，", "。", "、"] {
        let all = hits(mark, &[]);
        assert!(!all.is_empty(), "{mark}");
        assert!(all.iter().all(|h| h["word_match"] == false), "{mark}");
        let (code, out) = run(&["search", mark, "--words", "--json"]);
        assert_eq!((code, out.trim()), (1, ""), "{mark}");
    }
}

/// The best 10 of a common character are found without scoring every paragraph that holds it
/// (only those that could rank are looked up as whole words): they are the first 10 of every hit
/// ranked, scores and order included (all of them where there are fewer).
#[test]
fn the_best_of_a_character_are_the_first_of_all_its_hits_ranked() {
    let ranked = |query: &str, flags: &[&str]| -> Vec<(u64, String)> {
        let mut args = vec!["search", query, "--json", "--text-only"];
        args.extend(flags);
        let (code, out) = run(&args);
        assert_eq!(code, 0, "{query}");
        out.lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .map(|h| (h["paragraph"].as_u64().unwrap(), h["score"].to_string()))
            .collect()
    };
    for literal in ["的", "县", "年"] {
        for words in [&[][..], &["--words"][..]] {
            let best = ranked(literal, &[&["--limit", "10"], words].concat());
            let all = ranked(
                literal,
                &[&["--all", "--sort", "relevance"], words].concat(),
            );
            assert!(!best.is_empty(), "{literal} {words:?}");
            assert_eq!(best[..], all[..all.len().min(10)], "{literal} {words:?}");
        }
    }
}

#[test]
fn bad_queries_exit_2_and_point_at_the_problem() {
    let long = "政".repeat(10_000);
    let cases: [(&str, &str); 8] = [
        ("云台山 \"门票", "at character 5"),
        ("(云台山 OR 青天河", "at character 1"),
        ("云台山)", "at character 4"),
        ("OR", "at character 1"),
        ("云台山 NEAR/ 实验室", "at character 5"),
        ("\u{7}", "at character 1"),
        ("  ", "empty"),
        (&long, "at most 1000"),
    ];
    for (query, want) in cases {
        let mut args = vec!["search", query, "--index"];
        let index = index().to_str().unwrap();
        args.push(index);
        let out = gazette(&args);
        assert_eq!(out.status.code(), Some(2), "{query:?}");
        let err = stderr(&out);
        assert!(
            err.starts_with("gazette: bad query: ") && err.contains(want),
            "{query:?}: {err}"
        );
        assert_eq!(err.lines().count(), 1);
    }
}

#[test]
fn not_over_what_only_the_text_decides_excludes_only_real_matches() {
    // The index only knows that both literals of a NEAR are there, that a folded form is there
    // (--exact-script), or that a lone character of a spaced literal is there somewhere. Under a
    // NOT those queries must not throw away paragraphs that do match.
    let near = set("发展 NEAR/1 经济");
    let both = set("发展 经济");
    assert!(near.len() < both.len(), "the seed has far pairs too");
    let not_near = set("发展 经济 -(发展 NEAR/1 经济)");
    assert_eq!(not_near, both.difference(&near).cloned().collect());

    let exact = |q: &str| keys(&hits(q, &["--exact-script"]));
    let simplified = exact("运动");
    assert!(!simplified.is_empty());
    assert_eq!(
        exact("运动 -運動"),
        simplified,
        "運動 as written is in no seed paragraph"
    );
    assert_eq!(exact("運動 -运动"), exact("運動"));

    // 「2 万」 needs its space: the index only knows that 2 and 万 are both in the paragraph.
    let (_dir, index) = crate::common::index_of(
        "spaced.txt",
        "新建 5G 基站 2 万个。\n\n新建基站2个，投资1万元。\n\n新建基站 3 万个。\n",
    );
    let texts = |q: &str| -> BTreeSet<String> {
        crate::common::all_hits(&index, q, &[])
            .iter()
            .map(|h| h["text"].to_string())
            .collect()
    };
    let spaced = texts("\"2 万\"");
    assert_eq!(spaced.len(), 1, "{spaced:?}");
    assert_eq!(texts("2 万").len(), 2);
    assert_eq!(texts("万 -\"2 万\"").len(), 2);
    assert_eq!(texts("\"2 万\" OR \"3 万\"").len(), 2);
}

#[test]
fn the_top_hits_are_the_same_however_they_are_collected() {
    // Where the index decides, the best are taken by score and only they are ordered by date;
    // with --exact-script every candidate is read and ranked by (score, date). On simplified text
    // both find the same paragraphs, so both must rank them alike, ties included (的 and 发展 have
    // many equal scores).
    for query in ["的", "发展", "云台山", "高质量发展", "条"] {
        for n in ["1", "10", "50"] {
            let fast = run(&["search", query, "-n", n, "--json", "--gazette", "焦作"]).1;
            let slow = run(&[
                "search",
                query,
                "-n",
                n,
                "--json",
                "--gazette",
                "焦作",
                "--exact-script",
            ])
            .1;
            let order = |out: &str| -> Vec<(u64, String)> {
                out.lines()
                    .map(|l| serde_json::from_str::<Value>(l).unwrap())
                    .map(|h| (h["paragraph"].as_u64().unwrap(), h["score"].to_string()))
                    .collect()
            };
            assert_eq!(order(&fast), order(&slow), "{query} -n {n}");
        }
    }
}

#[test]
fn near_counts_the_characters_of_the_text_not_of_its_folded_form() {
    // Folding drops the spaces between CJK characters and zero-width characters, so two literals
    // may stand closer in the index than in the text: the index only narrows, the text decides.
    let (_dir, index) = crate::common::index_of(
        "near.txt",
        "创新 平台建设。\n\n创新\u{200B}\u{200B}\u{200B}平台。\n\n创新的平台。\n\n创新在前，后面隔了很多字才是平台。\n",
    );
    let paragraphs = |q: &str| -> BTreeSet<u64> {
        crate::common::all_hits(&index, q, &[])
            .iter()
            .map(|h| h["paragraph"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(paragraphs("创新 NEAR/0 平台"), BTreeSet::new());
    assert_eq!(paragraphs("创新 NEAR/1 平台"), BTreeSet::from([1, 3]));
    assert_eq!(paragraphs("创新 NEAR/3 平台"), BTreeSet::from([1, 2, 3]));
    assert_eq!(
        paragraphs("创新 NEAR/20 平台"),
        BTreeSet::from([1, 2, 3, 4])
    );
    let out = gazette(&[
        "search",
        "创新 NEAR/3 平台",
        "--count",
        "--json",
        "--index",
        &index,
    ]);
    assert_eq!(
        stdout(&out).trim(),
        r#"{"paragraphs":3,"occurrences":6,"documents":0,"issues":0}"#
    );
}

/// Thousands of hits are read and checked on several threads: every hit is there once, in rank
/// order, its matches are every occurrence in its text, and the counts agree.
#[test]
fn every_hit_of_a_common_literal_is_read_once_in_rank_order() {
    let dir = tempfile::tempdir().unwrap();
    let docs = crate::common::generated(&dir.path().join("docs"), 4);
    let index = crate::common::build_index(dir.path(), &docs);
    for (query, flags) in [
        ("的", vec!["--sort", "relevance"]),
        ("发展", vec!["--sort", "newest"]),
    ] {
        let hits = crate::common::all_hits(&index, query, &flags);
        assert!(hits.len() > 2_000, "{query}: only {} hits", hits.len());
        let mut seen = BTreeSet::new();
        for hit in &hits {
            let text = hit["text"].as_str().unwrap();
            assert_eq!(
                crate::common::match_spans(hit).len(),
                text.matches(query).count(),
                "{query} in {}",
                hit["path"]
            );
            let place = (
                hit["path"].to_string(),
                hit["paragraph"].as_u64().unwrap(),
                text.to_string(),
            );
            assert!(seen.insert(place), "{query}: a hit twice");
        }
        if flags[1] == "relevance" {
            let scores: Vec<f64> = hits.iter().map(|h| h["score"].as_f64().unwrap()).collect();
            assert!(
                scores.windows(2).all(|w| w[0] >= w[1]),
                "{query}: not in rank order"
            );
        } else {
            let dates: Vec<&str> = hits
                .iter()
                .map(|h| h["date"].as_str().unwrap_or(""))
                .collect();
            assert!(
                dates.windows(2).all(|w| w[0] >= w[1] || w[1].is_empty()),
                "{query}: not newest first"
            );
        }
        let out = gazette(&["search", query, "--count", "--json", "--index", &index]);
        let counts: Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(counts["paragraphs"], hits.len());
        let occurrences: usize = hits
            .iter()
            .map(|h| crate::common::match_spans(h).len())
            .sum();
        assert_eq!(counts["occurrences"], occurrences);
    }
}

#[test]
fn a_document_number_is_found_however_its_brackets_are_typed() {
    let text = "国务院关于实行分税制财政管理体制的决定\n\n国发〔1993〕85号\n\n各省、自治区、直辖市人民政府：\n\n现将有关事项通知如下。\n";
    let (_dir, index) = crate::common::index_of("国发1993-85.txt", text);
    let at = text.find("国发〔1993〕85号").unwrap();
    let want = vec![serde_json::json!([at, at + "国发〔1993〕85号".len()])];
    for typed in [
        "国发〔1993〕85号",
        "国发[1993]85号",
        "国发［1993］85号",
        "\"国发(1993)85号\"",
        "国发（1993）85号",
        "国发【1993】85号",
    ] {
        let hits = crate::common::all_hits(&index, typed, &[]);
        assert_eq!(hits.len(), 1, "{typed}");
        // The match points at the number as written.
        let paragraph_start = text[..at].rfind('\n').map_or(0, |n| n + 1);
        let matches: Vec<Value> = hits[0]["matches"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                serde_json::json!([
                    m[0].as_u64().unwrap() as usize + paragraph_start,
                    m[1].as_u64().unwrap() as usize + paragraph_start
                ])
            })
            .collect();
        assert_eq!(matches, want, "{typed}");
    }
    // Another number is not found.
    assert!(crate::common::all_hits(&index, "国发[1994]85号", &[]).is_empty());
    // The number is the document's: every paragraph carries it, and `docno:` filters on it.
    let paragraphs = crate::common::all_hits(&index, "docno:国发[1993]", &[]);
    assert_eq!(paragraphs.len(), 4);
    assert!(
        paragraphs
            .iter()
            .all(|p| p["doc_number"] == "国发〔1993〕85号")
    );
    let notice = crate::common::all_hits(&index, "通知 docno:\"国发（1993）85号\"", &[]);
    assert_eq!(notice.len(), 1);
    assert!(crate::common::all_hits(&index, "通知 docno:国发[1994]", &[]).is_empty());
}

/// A number of 1 to 199 in Chinese numerals as laws write it, written apart from the library's
/// conversion on purpose.
fn chinese_number(n: u32) -> String {
    const D: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    let (hundreds, tens, ones) = (n / 100, n / 10 % 10, n % 10);
    let mut out = String::new();
    if hundreds > 0 {
        out += D[hundreds as usize];
        out += "百";
        if tens == 0 && ones > 0 {
            out += "零";
        }
    }
    if tens > 0 {
        if !(tens == 1 && hundreds == 0) {
            out += D[tens as usize];
        }
        out += "十";
    }
    out + D[ones as usize]
}

/// A law of 150 articles numbered in Chinese numerals, some citing others in digits, indexed once.
fn articles_index() -> &'static (tempfile::TempDir, String, Vec<String>) {
    static INDEX: OnceLock<(tempfile::TempDir, String, Vec<String>)> = OnceLock::new();
    INDEX.get_or_init(|| {
        let paragraphs: Vec<String> = (1..=150u32)
            .map(|n| {
                let cited = (n * 7) % 150 + 1;
                if n % 3 == 0 {
                    format!("第{}条 依照第{cited}条的规定办理。", chinese_number(n))
                } else {
                    format!("第{}条 本条例自公布之日起施行。", chinese_number(n))
                }
            })
            .collect();
        let text = format!("某市管理条例\n\n{}\n", paragraphs.join("\n\n"));
        let (dir, index) = crate::common::index_of("某市管理条例.txt", &text);
        crate::common::remove_at_exit(dir.path());
        (dir, index, paragraphs)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 60, ..ProptestConfig::default() })]

    #[test]
    fn every_numeral_spelling_of_an_article_finds_the_same_paragraphs(n in 1u32..=150) {
        let (_dir, index, paragraphs) = articles_index();
        let spellings = [format!("第{n}条"), format!("第{}条", chinese_number(n))];
        // The scan: paragraphs holding either spelling, with how often.
        let want: BTreeSet<(String, usize)> = paragraphs
            .iter()
            .map(|p| (p.clone(), spellings.iter().map(|s| p.matches(s.as_str()).count()).sum()))
            .filter(|(_, count)| *count > 0)
            .collect();
        prop_assert!(!want.is_empty());
        for spelling in &spellings {
            let got: BTreeSet<(String, usize)> = crate::common::all_hits(index, spelling, &[])
                .iter()
                .map(|h| {
                    let text = h["text"].as_str().unwrap().to_string();
                    (text, h["matches"].as_array().unwrap().len())
                })
                .collect();
            prop_assert_eq!(&got, &want, "{}", spelling);
        }
    }
}

/// A filter on a manifest attribute keeps exactly the files whose value of it holds what it asks
/// for in the matching form (traditional and simplified alike, Latin in any case), whichever
/// value it is among the file's, and no file whose other attribute holds it. 1,050 files: their
/// keywords drawn from a few characters, over a thousand values (searched in the attributes'
/// view: by their bigrams, a rare character alone by the grams it begins), their kind one of six
/// (walked); asked for pieces of them in either script. The answer is a scan of the manifest's
/// values, folded.
#[test]
fn an_attribute_filter_keeps_exactly_the_files_whose_value_holds_it() {
    use gazette::text::fold::fold;
    let alphabet = [
        "地", "方", "政", "府", "發", "发", "展", "教", "育", ";", "A", "b", "條", "条",
    ];
    let kinds = ["地方政府", "條例", "条例", "教育A", "b", "發展"];
    let mut seed: u64 = 36;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    let mut manifest = String::from("file\ttitle\tkeywords\tkind\n");
    let mut values = Vec::new();
    for i in 0..1050 {
        let mut keywords: String = (0..4 + next(12)).map(|_| alphabet[next(14)]).collect();
        if i % 40 == 7 {
            // A rare character, which the view finds by the grams it begins.
            let at = keywords.char_indices().nth(next(4)).map_or(0, |(at, _)| at);
            keywords.insert(at, 'Z');
        }
        let kind = kinds[next(kinds.len())].to_string();
        let file = format!("f{i:04}.txt");
        std::fs::write(docs.join(&file), format!("正文第{i}段。\n")).unwrap();
        manifest.push_str(&format!("{file}\t文件{i}\t{keywords}\t{kind}\n"));
        values.push((file, keywords, kind));
    }
    std::fs::write(docs.join("manifest.tsv"), manifest).unwrap();
    let index = crate::common::build_index(dir.path(), &docs);
    let mut asked = BTreeSet::new();
    for (_, keywords, _) in values.iter().take(10) {
        let chars: Vec<char> = keywords.chars().collect();
        for len in 1..=3.min(chars.len()) {
            let start = next(chars.len() - len + 1);
            let piece: String = chars[start..start + len].iter().collect();
            asked.insert(piece.replace('发', "發").replace('條', "条"));
            asked.insert(piece);
        }
    }
    asked.extend(["地方政府", "a", "条例", "教育a", "z", "Z", "Zb"].map(String::from));
    for wanted in asked.iter().filter(|wanted| !wanted.contains(';')) {
        // The query's syntax would cut a value at `;`.
        let folded = fold(wanted).as_string();
        for (name, of) in [("keywords", 1), ("kind", 2)] {
            let expected: BTreeSet<String> = (values.iter())
                .filter(|value| {
                    let value = if of == 1 { &value.1 } else { &value.2 };
                    fold(value).as_string().contains(&folded)
                })
                .map(|(file, _, _)| file.clone())
                .collect();
            let query = format!("正文 {name}:{wanted}");
            let (code, hits) = crate::common::every_hit(&index, &query, &["--text-only"]);
            assert!(code == 0 || code == 1, "{query}: exit {code}");
            let found: BTreeSet<String> = (hits.iter())
                .map(|hit| {
                    let path = hit["path"].as_str().unwrap();
                    path.rsplit('/').next().unwrap().to_string()
                })
                .collect();
            assert_eq!(found, expected, "{query}");
            // Counted from the index alone, each file one paragraph.
            let out = gazette(&["search", &query, "--count", "--index", &index]);
            let counted = format!("{} paragraph", expected.len());
            assert!(
                stdout(&out).starts_with(&counted),
                "{query}: {}",
                stdout(&out)
            );
        }
    }
}

#[test]
fn a_long_word_is_counted_where_it_stands_and_nowhere_else() {
    // Where nothing is scored (here the names fill the page, and the paragraphs are only
    // counted), a paragraph that holds 中华人民共和国 as a jieba word is counted without its
    // positions; one that holds all its bigrams apart (中华人, 人民共, 共和国) must still be read
    // by its positions and left out. The decoys stand between the words, so that the word's
    // postings go on past each of them. The word is looked up only in a segment where the
    // literal's rarest bigram stands in a thousand paragraphs or more: 3,004 here.
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    let literal = "中华人民共和国";
    let mut holding = 0;
    for law in ["预算法", "会计法", "审计法", "统计法"] {
        let mut paragraphs = vec![format!("# {literal}{law}")];
        for k in 0..500 {
            paragraphs.push(format!(
                "第{k}条 根据《{literal}{law}》的规定，做好第{k}项工作。"
            ));
            if k % 2 == 0 {
                paragraphs.push(format!(
                    "第{k}项 中华人才辈出，人民共同奋斗，建设共和国家园。"
                ));
            }
        }
        // The title is a paragraph of its own, too.
        holding += paragraphs.iter().filter(|p| p.contains(literal)).count();
        let text = paragraphs.join("\n\n") + "\n";
        std::fs::write(corpus.join(format!("{literal}{law}.txt")), text).unwrap();
    }
    assert_eq!(holding, 2004);
    let index = crate::common::build_index(dir.path(), &corpus);
    for n in ["3", "4"] {
        let out = gazette(&["search", literal, "-n", n, "--index", &index]);
        let footer = stdout(&out).lines().last().unwrap_or_default().to_string();
        assert!(
            footer.contains(&format!(
                "4 documents by title or 文号 and {holding} paragraphs"
            )),
            "-n {n}: {footer}"
        );
    }
    let found = crate::common::all_hits(&index, literal, &[]);
    assert_eq!(found.len(), holding);
    assert!(
        found
            .iter()
            .all(|h| h["text"].as_str().unwrap().contains(literal))
    );
}
