//! A filter on titles (`document:`) or 文号 (`docno:`) keeps exactly the documents whose title or
//! 文号 holds what it names, both folded: checked against a scan of the titles and 文号 the test
//! wrote, in either script, with white space inside titles, beside 文号 that hold the same words.

use std::collections::BTreeSet;

use proptest::prelude::*;
use serde_json::Value;

use crate::common::{build_index, every_hit, gazette, stdout};

struct Written {
    _dir: tempfile::TempDir,
    index: String,
    /// (file name, title as written) of each document.
    titles: Vec<(String, String)>,
    /// (file name, 文号 as written) of each document.
    numbers: Vec<(String, Option<String>)>,
}

/// Words whose traditional form differs from the simplified (条例 條例, 规划 規劃…), and some
/// that are the same in both.
const WORDS: &[(&str, &str)] = &[
    ("关于", "關於"),
    ("条例", "條例"),
    ("规划", "規劃"),
    ("发展", "發展"),
    ("数字经济", "數字經濟"),
    ("实施", "實施"),
    ("办法", "辦法"),
    ("云台山", "雲臺山"),
    ("保护", "保護"),
    ("的", "的"),
    ("决定", "決定"),
    ("公路", "公路"),
    ("管理", "管理"),
];

fn written() -> &'static Written {
    static WRITTEN: std::sync::OnceLock<Written> = std::sync::OnceLock::new();
    WRITTEN.get_or_init(|| {
        let dir = crate::common::static_tempdir();
        let corpus = dir.path().join("corpus");
        std::fs::create_dir(&corpus).unwrap();
        let mut manifest = String::from("file\tgazette\tissue\tdate\tdoc_number\n");
        let mut titles = Vec::new();
        let mut numbers = Vec::new();
        // A fixed walk through the words: the titles share words, as real ones do.
        let mut next = crate::common::fixed_walk(11);
        for k in 0..36 {
            // A third of the titles in traditional script; some with a space between two words,
            // which folding drops between CJK characters.
            let traditional = next(3) == 0;
            let spaced = next(4) == 0;
            let words: Vec<&str> = (0..3 + next(3))
                .map(|_| WORDS[next(WORDS.len())])
                .map(|(simplified, tradition)| if traditional { tradition } else { simplified })
                .collect();
            let title = words.join(if spaced { " " } else { "" });
            let name = format!("doc{k:02}.txt");
            std::fs::write(
                corpus.join(&name),
                format!("# {title}\n\n本办法自公布之日起施行。\n"),
            )
            .unwrap();
            // A 文号 that holds a word of titles, which a title filter does not look at, in
            // either script (号, 號); one document in six without one.
            let (simplified, tradition) = WORDS[next(WORDS.len())];
            let number = match next(6) {
                0 => None,
                1 | 2 => Some(format!("{tradition}〔2024〕{k}號")),
                _ => Some(format!("{simplified}〔2024〕{k}号")),
            };
            manifest.push_str(&format!(
                "{name}\t修武县人民政府公报\t2024年第1期\t2024-01-15\t{}\n",
                number.as_deref().unwrap_or("")
            ));
            titles.push((name.clone(), title));
            numbers.push((name, number));
        }
        std::fs::write(corpus.join("manifest.tsv"), manifest).unwrap();
        let index = build_index(dir.path(), &corpus);
        Written {
            _dir: dir,
            index,
            titles,
            numbers,
        }
    })
}

/// The file name of a hit's path.
fn file_name(hit: &Value) -> String {
    let path = hit["path"].as_str().unwrap();
    path.rsplit('/').next().unwrap().to_string()
}

/// A literal of 1 to 6 characters cut from a random place of one of `texts`, without its white
/// space, in the script it was written in or the other.
fn cut_from(texts: fn() -> Vec<String>) -> impl Strategy<Value = String> {
    (
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
        1usize..=6,
        any::<bool>(),
    )
        .prop_map(move |(t, start, len, swap)| {
            let texts = texts();
            let text: Vec<char> = texts[t.index(texts.len())]
                .chars()
                .filter(|&c| c != ' ')
                .collect();
            let start = start.index(text.len());
            let cut: String = text[start..(start + len).min(text.len())].iter().collect();
            if swap { other_script(&cut) } else { cut }
        })
}

/// `text` with the words' characters in the other script (条 ↔ 條), 号 ↔ 號 too.
fn other_script(text: &str) -> String {
    let pairs = WORDS.iter().chain(&[("号", "號")]);
    text.chars()
        .map(|c| {
            for (simplified, traditional) in pairs.clone() {
                for (a, b) in simplified.chars().zip(traditional.chars()) {
                    if c == a {
                        return b;
                    }
                    if c == b {
                        return a;
                    }
                }
            }
            c
        })
        .collect()
}

fn title_literal() -> impl Strategy<Value = String> {
    cut_from(|| written().titles.iter().map(|(_, t)| t.clone()).collect())
}

fn number_literal() -> impl Strategy<Value = String> {
    cut_from(|| {
        written()
            .numbers
            .iter()
            .filter_map(|(_, n)| n.clone())
            .collect()
    })
}

/// The documents whose value, folded, holds `literal` folded (a scan of what the test wrote),
/// and those `本办法 FIELD:literal` keeps, by `--all` and by `--count`.
fn kept(
    values: &[(String, Option<String>)],
    field: &str,
    literal: &str,
) -> Result<(), TestCaseError> {
    let written = written();
    let folded = |text: &str| gazette::text::fold::fold(text).as_string();
    let expected: BTreeSet<String> = (values.iter())
        .filter(|(_, value)| {
            value
                .as_deref()
                .is_some_and(|v| folded(v).contains(&folded(literal)))
        })
        .map(|(name, _)| name.clone())
        .collect();
    prop_assert!(!expected.is_empty(), "{}", literal);
    let query = format!("本办法 {field}:{literal}");
    let (code, hits) = every_hit(&written.index, &query, &[]);
    prop_assert_eq!(code, 0, "{}", query);
    let found: BTreeSet<String> = hits.iter().map(file_name).collect();
    prop_assert_eq!(&found, &expected, "{}", query);
    // The count reads no paragraph where the index decides: each document's one paragraph
    // that holds 本办法 counts once, as the filter's heads alone say.
    let out = gazette(&[
        "search",
        &query,
        "--count",
        "--json",
        "--index",
        &written.index,
    ]);
    let count: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    prop_assert_eq!(
        count["paragraphs"].as_u64(),
        Some(expected.len() as u64),
        "{}",
        query
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 60, ..ProptestConfig::default() })]

    /// `document:` keeps the documents whose title holds the literal, folded (either script, the
    /// title's white space dropped), and no other: a scan of the titles the test wrote.
    #[test]
    fn a_title_filter_keeps_every_document_whose_title_holds_it(literal in title_literal()) {
        let titles: Vec<(String, Option<String>)> = (written().titles.iter())
            .map(|(name, title)| (name.clone(), Some(title.clone())))
            .collect();
        kept(&titles, "document", &literal)?;
    }

    /// `docno:` keeps the documents whose 文号 holds the literal, folded (号 and 號 alike), and
    /// no other, one character alone included.
    #[test]
    fn a_number_filter_keeps_every_document_whose_number_holds_it(literal in number_literal()) {
        kept(&written().numbers, "docno", &literal)?;
    }
}

#[test]
fn the_names_are_written_in_both_scripts_and_with_spaces() {
    // What the property above stands on: the collection has the cases it is about.
    let titles = &written().titles;
    let has = |test: &dyn Fn(&str) -> bool| titles.iter().any(|(_, title)| test(title));
    assert!(has(&|t| t.contains('條')
        || t.contains('規')
        || t.contains('發')));
    assert!(has(&|t| t.contains('条')
        || t.contains('规')
        || t.contains('发')));
    assert!(has(&|t| t.contains(' ')));
    let numbers = &written().numbers;
    assert!(
        numbers
            .iter()
            .any(|(_, n)| n.as_deref().is_some_and(|n| n.ends_with('號')))
    );
    assert!(
        numbers
            .iter()
            .any(|(_, n)| n.as_deref().is_some_and(|n| n.ends_with('号')))
    );
    assert!(numbers.iter().any(|(_, n)| n.is_none()));
}
