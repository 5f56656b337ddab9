//! Nothing is missed: for literals drawn from the seed's own text, `search --all --json` returns
//! exactly the paragraphs that a plain substring scan of the repaired paragraphs finds, with
//! exactly the occurrences the scan finds.

use std::collections::BTreeMap;

use proptest::prelude::*;

use crate::common::{SEED, repo, search_all};

/// The repaired paragraphs of the seed, keyed by their ordinal, as the parser gives them.
fn paragraphs() -> &'static BTreeMap<u64, String> {
    static PARAGRAPHS: std::sync::OnceLock<BTreeMap<u64, String>> = std::sync::OnceLock::new();
    PARAGRAPHS.get_or_init(|| {
        let text = std::fs::read_to_string(repo().join(SEED)).unwrap();
        let issue = gazette::ingest::parse::parse(&text, "seed");
        assert_eq!(issue.documents.len(), 1);
        issue.documents[0]
            .paragraphs
            .iter()
            .enumerate()
            .map(|(i, p)| (i as u64 + 1, p.text.clone()))
            .collect()
    })
}

/// The scan's idea of a character: full-width ASCII as half-width, Latin lowercased, brackets of
/// every shape one pair. Written apart from the library's folding on purpose.
fn scan_char(c: char) -> char {
    let c = if ('\u{FF01}'..='\u{FF5E}').contains(&c) {
        char::from_u32(c as u32 - 0xFEE0).unwrap()
    } else {
        c
    };
    match c {
        '(' | '〔' | '【' | '〖' | '⌈' => '[',
        ')' | '〕' | '】' | '〗' | '⌉' => ']',
        c => c.to_ascii_lowercase(),
    }
}

/// Byte ranges in `text` of the non-overlapping occurrences of `literal`, scanning left to right.
/// Spaces between two Chinese characters are skipped, as the search skips them.
fn scan(text: &str, literal: &str) -> Vec<(usize, usize)> {
    let han = |c: char| ('\u{4E00}'..='\u{9FFF}').contains(&c);
    let all: Vec<(usize, char)> = text.char_indices().collect();
    let kept: Vec<(usize, usize, char)> = all
        .iter()
        .enumerate()
        .filter(|(k, (_, c))| {
            let between_han = c.is_whitespace()
                && all[..*k]
                    .iter()
                    .rev()
                    .find(|(_, p)| !p.is_whitespace())
                    .is_some_and(|(_, p)| han(*p))
                && all[k + 1..]
                    .iter()
                    .find(|(_, n)| !n.is_whitespace())
                    .is_some_and(|(_, n)| han(*n));
            !between_han
        })
        .map(|(_, &(i, c))| (i, i + c.len_utf8(), scan_char(c)))
        .collect();
    let needle: Vec<char> = literal.chars().map(scan_char).collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i + needle.len() <= kept.len() {
        if kept[i..i + needle.len()]
            .iter()
            .map(|k| k.2)
            .eq(needle.iter().copied())
        {
            found.push((kept[i].0, kept[i + needle.len() - 1].1));
            i += needle.len();
        } else {
            i += 1;
        }
    }
    found
}

fn check(literal: &str) -> Result<(), TestCaseError> {
    let expected: BTreeMap<u64, Vec<(usize, usize)>> = paragraphs()
        .iter()
        .map(|(&n, text)| (n, scan(text, literal)))
        .filter(|(_, found)| !found.is_empty())
        .collect();
    let (code, hits) = search_all(&as_query(literal));
    let actual: BTreeMap<u64, Vec<(usize, usize)>> = hits
        .iter()
        .map(|hit| {
            let matches = crate::common::match_spans(hit);
            (hit["paragraph"].as_u64().unwrap(), matches)
        })
        .collect();
    prop_assert_eq!(
        hits.len(),
        actual.len(),
        "a paragraph returned twice for {:?}",
        literal
    );
    prop_assert_eq!(&actual, &expected, "literal {:?}", literal);
    prop_assert_eq!(code, if expected.is_empty() { 1 } else { 0 });
    Ok(())
}

/// The query that asks for `literal` and nothing else. The query language reads the upper-case
/// words OR, AND, NOT and NEAR/N as operators, a leading `-` as NOT and `(`, `)`, `"` as syntax,
/// so such a literal is quoted as the README says.
fn as_query(literal: &str) -> String {
    let syntax = matches!(literal, "OR" | "AND" | "NOT")
        || literal.starts_with("NEAR/")
        || literal.starts_with('-')
        || literal.contains(['(', ')', '"']);
    if syntax {
        format!("\"{}\"", literal.replace('"', "\"\""))
    } else {
        literal.to_string()
    }
}

/// A literal of 1 to 8 characters cut from a random place of a random paragraph.
fn drawn_literal() -> impl Strategy<Value = String> {
    let count = paragraphs().len();
    (0..count, any::<prop::sample::Index>(), 1usize..=8).prop_filter_map(
        "literal holds white space",
        move |(p, start, len)| {
            let text: Vec<char> = paragraphs().values().nth(p)?.chars().collect();
            let start = start.index(text.len());
            let literal: String = text[start..(start + len).min(text.len())].iter().collect();
            (!literal.chars().any(char::is_whitespace)).then_some(literal)
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn a_literal_from_the_text_finds_exactly_what_a_scan_finds(literal in drawn_literal()) {
        check(&literal)?;
    }

    #[test]
    fn an_uppercased_literal_finds_the_same(literal in drawn_literal()) {
        check(&literal.to_uppercase())?;
    }

    #[test]
    fn a_random_literal_finds_exactly_what_a_scan_finds(literal in "[0-9a-zA-Z%+.（）()〔〕\\[\\]]{1,3}|[发展建设经济云台山的]{1,4}") {
        check(&literal)?;
    }
}

#[test]
fn the_scan_is_not_vacuous() {
    // The oracle itself, on a case checked by hand: two 亿元 in one paragraph, one across a cut.
    let text = &paragraphs()[&8];
    assert!(text.contains("补贴资金3.77亿元"));
    assert!(scan(text, "亿元").len() >= 2);
    assert_eq!(scan("市长 刘冰", "长刘"), vec![(3, 10)]);
    assert_eq!(scan("ＡＡ级", "aa级"), vec![(0, 9)]);
}

/// Past a few thousand hits a search reads the store on several threads, each a run of it, and
/// writes the JSON on several: on a generated corpus, a common literal still finds exactly the
/// paragraphs and occurrences a scan finds, each once, best first.
#[test]
fn many_hits_read_on_several_threads_miss_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let docs = crate::common::generated(&dir.path().join("docs"), 5);
    let index = crate::common::build_index(dir.path(), &docs);
    let literal = "的";

    let mut expected: BTreeMap<(String, u64), Vec<(usize, usize)>> = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&docs) {
        let path = entry.unwrap().into_path();
        if path.extension().is_none_or(|ext| ext != "txt") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let issue = gazette::ingest::parse::parse(&text, "generated");
        let shown = path.to_str().unwrap().to_string();
        for document in &issue.documents {
            for (i, paragraph) in document.paragraphs.iter().enumerate() {
                let found = scan(&paragraph.text, literal);
                if !found.is_empty() {
                    let previous = expected.insert((shown.clone(), i as u64 + 1), found);
                    assert!(previous.is_none(), "one document a file: {shown}");
                }
            }
        }
    }
    // More than a search reads on one thread (2,000).
    assert!(expected.len() > 2_500, "{} paragraphs", expected.len());

    let hits = crate::common::all_hits(&index, literal, &["--sort", "relevance"]);
    let actual: BTreeMap<(String, u64), Vec<(usize, usize)>> = hits
        .iter()
        .map(|hit| {
            let key = (
                hit["path"].as_str().unwrap().to_string(),
                hit["paragraph"].as_u64().unwrap(),
            );
            (key, crate::common::match_spans(hit))
        })
        .collect();
    assert_eq!(hits.len(), actual.len(), "a paragraph returned twice");
    if actual != expected {
        let missing = expected.keys().find(|key| !actual.contains_key(*key));
        let extra = actual.keys().find(|key| !expected.contains_key(*key));
        let differing = expected
            .iter()
            .find(|(key, spans)| actual.get(*key).is_some_and(|found| found != *spans))
            .map(|(key, _)| key);
        panic!(
            "{} hits, {} expected; missing {missing:?}, extra {extra:?}, other spans {differing:?}",
            actual.len(),
            expected.len()
        );
    }
    let scores: Vec<f64> = hits
        .iter()
        .map(|hit| hit["score"].as_f64().unwrap())
        .collect();
    assert!(
        scores.windows(2).all(|pair| pair[0] >= pair[1]),
        "hits out of score order"
    );

    // A one-character literal is counted from the postings of the grams it starts.
    let out = crate::common::gazette(&["search", literal, "--count", "--json", "--index", &index]);
    let counts: serde_json::Value = serde_json::from_str(&crate::common::stdout(&out)).unwrap();
    let occurrences: usize = expected.values().map(Vec::len).sum();
    assert_eq!(counts["paragraphs"], expected.len());
    assert_eq!(counts["occurrences"], occurrences);
}

/// Positions decide a NEAR without reading its text, the index knowing where folding removed
/// characters: the count, the number of matches and the best hits agree with a scan of the text,
/// where white space between the literals brings them closer in the index than in the text and
/// where white space elsewhere in the paragraph does not count.
#[test]
fn near_decided_on_positions_agrees_with_a_scan() {
    let dir = tempfile::tempdir().unwrap();
    let docs = crate::common::generated(&dir.path().join("docs"), 3);
    std::fs::write(
        docs.join("spaces.txt"),
        "创新 平台建设取得进展，创新平台数量增加。\n\n\
         推动创新，打造平台。创新与平台，平台与创新。\n\n\
         创新            平台相隔十二个空格。\n\n\
         创 新平台，发展 经济，经济发展。\n\n\
         前 面 有 空 格：创新平台；发展经济，后 面 也 有 空 格。\n\n\
         创新，\u{200B}平台 与 创 新 ， 经济 发展，经济\u{200B}\u{200B}\u{200B}发展。\n",
    )
    .unwrap();
    let index = crate::common::build_index(dir.path(), &docs);
    let paragraphs: Vec<(String, u64, String)> = walkdir::WalkDir::new(&docs)
        .into_iter()
        .map(|entry| entry.unwrap().into_path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "txt"))
        .flat_map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let issue = gazette::ingest::parse::parse(&text, "near");
            let shown = path.to_str().unwrap().to_string();
            issue
                .documents
                .into_iter()
                .flat_map(|document| document.paragraphs.into_iter().enumerate())
                .map(move |(i, p)| (shown.clone(), i as u64 + 1, p.text))
        })
        .collect();
    for (left, right, distance) in [
        ("创新", "平台", 10),
        ("发展", "经济", 3),
        ("政府", "工作", 8),
    ] {
        let query = format!("{left} NEAR/{distance} {right}");
        // The occurrences of either literal with one of the other at most `distance` characters
        // of the text away, by paragraph.
        let mut expected: BTreeMap<(String, u64), Vec<(usize, usize)>> = BTreeMap::new();
        for (path, number, text) in &paragraphs {
            let (ls, rs) = (scan(text, left), scan(text, right));
            let mut close = std::collections::BTreeSet::new();
            for &l in &ls {
                for &r in &rs {
                    let (first, second) = if l.0 <= r.0 { (l, r) } else { (r, l) };
                    let between = match second.0 <= first.1 {
                        true => 0,
                        false => text[first.1..second.0].chars().count(),
                    };
                    if between <= distance {
                        close.insert(l);
                        close.insert(r);
                    }
                }
            }
            if !close.is_empty() {
                expected.insert((path.clone(), *number), close.into_iter().collect());
            }
        }
        assert!(
            expected.len() > 10,
            "{query}: {} paragraphs",
            expected.len()
        );

        let out =
            crate::common::gazette(&["search", &query, "--count", "--json", "--index", &index]);
        let counts: serde_json::Value = serde_json::from_str(&crate::common::stdout(&out)).unwrap();
        let occurrences: usize = expected.values().map(Vec::len).sum();
        assert_eq!(counts["paragraphs"], expected.len(), "{query}");
        assert_eq!(counts["occurrences"], occurrences, "{query}");

        let out = crate::common::gazette(&["search", &query, "-n", "5", "--index", &index]);
        let summary = format!("{} paragraphs match; showing the best 5", expected.len());
        assert!(
            crate::common::stdout(&out).contains(&summary),
            "{query}: no {summary:?}"
        );

        for flags in [&["-n", "10"][..], &["-n", "10", "--sort", "newest"]] {
            let mut args = vec![
                "search",
                query.as_str(),
                "--json",
                "--text-only",
                "--index",
                &index,
            ];
            args.extend(flags);
            let out = crate::common::gazette(&args);
            let hits: Vec<serde_json::Value> = crate::common::stdout(&out)
                .lines()
                .map(|line| serde_json::from_str(line).unwrap())
                .collect();
            assert_eq!(hits.len(), 10, "{query} {flags:?}");
            for hit in &hits {
                let key = (
                    hit["path"].as_str().unwrap().to_string(),
                    hit["paragraph"].as_u64().unwrap(),
                );
                assert_eq!(
                    expected.get(&key),
                    Some(&crate::common::match_spans(hit)),
                    "{query} {flags:?}: {key:?}"
                );
            }
        }
    }
}

#[test]
fn an_operator_word_quoted_is_a_literal() {
    // CI drew "OR" at random: unquoted it is the operator and a bad query (exit 2).
    for word in ["OR", "AND", "NOT", "or", "NEAR/3"] {
        check(word).unwrap();
    }
}

/// Every character of the seed, counted: the frequent ones are read from their own posting lists
/// (`chars`), the others from the grams they start. Both roads give the paragraphs and the
/// occurrences a scan gives, and both are taken.
#[test]
fn every_character_counts_what_a_scan_counts() {
    let engine = gazette::search::Engine::open(crate::common::seed_index()).unwrap();
    let mut characters: Vec<char> = paragraphs()
        .values()
        .flat_map(|text| text.chars())
        .filter(|c| ('\u{4E00}'..='\u{9FFF}').contains(c))
        .collect();
    characters.sort_unstable();
    characters.dedup();
    let frequent = characters
        .iter()
        .filter(|&&c| gazette::store::frequent::is_frequent(c))
        .count();
    assert!(
        frequent >= 50 && characters.len() - frequent >= 100,
        "{frequent} of {}",
        characters.len()
    );
    for c in characters {
        let literal = c.to_string();
        let (mut paragraphs_found, mut occurrences) = (0, 0);
        for text in paragraphs().values() {
            let found = scan(text, &literal).len();
            paragraphs_found += usize::from(found > 0);
            occurrences += found;
        }
        let config = gazette::search::SearchConfig {
            query: literal.clone(),
            ..Default::default()
        };
        let counts = engine.count(&config).unwrap();
        assert_eq!(
            (counts.paragraphs, counts.occurrences),
            (paragraphs_found, occurrences),
            "{c}"
        );
    }
}
