//! Page cuts anywhere: the seed's paragraphs, laid out as the seed is and cut at random places
//! the way a PDF page end cuts them, read back as the same paragraphs; and a literal across a cut
//! is found as often as a scan of the uncut text finds it.

use proptest::prelude::*;

use crate::common::{SEED, gazette, repo, stdout};

struct Seed {
    /// The masthead and 目录 lines, as the file has them.
    head: Vec<String>,
    /// The repaired paragraphs of the one document, with whether each is a heading.
    paragraphs: Vec<(String, bool)>,
}

fn seed() -> &'static Seed {
    static SEED_TEXT: std::sync::OnceLock<Seed> = std::sync::OnceLock::new();
    SEED_TEXT.get_or_init(|| {
        let text = std::fs::read_to_string(repo().join(SEED)).unwrap();
        let issue = gazette::ingest::parse::parse(&text, "seed");
        let paragraphs: Vec<(String, bool)> = issue.documents[0]
            .paragraphs
            .iter()
            .map(|p| (p.text.clone(), p.heading))
            .collect();
        let head = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .take_while(|l| *l != paragraphs[0].0)
            .map(str::to_string)
            .collect();
        Seed { head, paragraphs }
    })
}

/// Where a page end may cut paragraph `text` so that the cut can be seen: not right after the end
/// of a sentence (a page end there leaves two whole paragraphs), and not before something that
/// reads as the start of a heading or an opening line.
fn cuttable(text: &str, at: usize) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let before = chars[at - 1];
    let after = chars[at];
    !"。！？；：…”’」』）)!?;:\"'".contains(before)
        && !"一二三四五六七八九十第（(—0123456789".contains(after)
}

/// The seed laid out again, with the body paragraphs `cuts` (paragraph, fraction) cut in two.
fn layout(cuts: &[(usize, f64)]) -> (String, usize) {
    let seed = seed();
    let mut out: Vec<String> = seed.head.clone();
    let mut made = 0;
    for (i, (text, heading)) in seed.paragraphs.iter().enumerate() {
        let cut = cuts.iter().find(|(p, _)| *p == i).map(|(_, f)| *f);
        let chars: Vec<char> = text.chars().collect();
        // The opening lines (title, ——…, speaker, 各位代表：) and headings are never cut.
        match cut {
            Some(f) if i >= 4 && !heading && chars.len() > 2 => {
                let at = 1 + ((chars.len() - 2) as f64 * f) as usize;
                if cuttable(text, at) {
                    out.push(chars[..at].iter().collect());
                    out.push(chars[at..].iter().collect());
                    made += 1;
                    continue;
                }
                out.push(text.clone());
            }
            _ => out.push(text.clone()),
        }
    }
    (format!("\n\n{}\n", out.join("\n\n")), made)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn paragraphs_cut_anywhere_are_joined_back(
        cuts in prop::collection::vec((0usize..68, 0.0f64..1.0), 1..25)
    ) {
        let (text, made) = layout(&cuts);
        let issue = gazette::ingest::parse::parse(&text, "seed");
        let got: Vec<&str> = issue.documents[0].paragraphs.iter().map(|p| p.text.as_str()).collect();
        let want: Vec<&str> = seed().paragraphs.iter().map(|(t, _)| t.as_str()).collect();
        prop_assert_eq!(got, want);
        prop_assert_eq!(issue.stats.cuts_joined, made);
    }
}

/// Occurrences of `literal` in `texts`, scanning left to right without overlap.
fn scan_count(texts: &[&str], literal: &str) -> usize {
    texts.iter().map(|t| t.matches(literal).count()).sum()
}

#[test]
fn a_literal_across_a_cut_is_found_as_often_as_in_the_uncut_text() {
    // Cut every body paragraph in its middle, then look for the four characters around each cut.
    let seed = seed();
    let cuts: Vec<(usize, f64)> = (0..seed.paragraphs.len()).map(|i| (i, 0.5)).collect();
    let (text, made) = layout(&cuts);
    assert!(made > 40, "only {made} cuts");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cut.txt");
    std::fs::write(&file, &text).unwrap();
    let index = crate::common::build_index(dir.path(), &file);

    let uncut: Vec<&str> = seed.paragraphs.iter().map(|(t, _)| t.as_str()).collect();
    let mut checked = 0;
    for (i, (paragraph, heading)) in seed.paragraphs.iter().enumerate() {
        let chars: Vec<char> = paragraph.chars().collect();
        if i < 4 || *heading || chars.len() < 6 {
            continue;
        }
        let at = 1 + ((chars.len() - 2) as f64 * 0.5) as usize;
        if !cuttable(paragraph, at) {
            continue;
        }
        let literal: String = chars[at - 2..at + 2].iter().collect();
        if literal.chars().any(char::is_whitespace) {
            continue;
        }
        let out = gazette(&[
            "search",
            &literal,
            "--all",
            "--json",
            "--text-only",
            "--index",
            index.as_str(),
        ]);
        let found: usize = stdout(&out)
            .lines()
            .map(|l| {
                let hit: serde_json::Value = serde_json::from_str(l).unwrap();
                let text = hit["text"].as_str().unwrap().to_string();
                for m in hit["matches"].as_array().unwrap() {
                    let (s, e) = (
                        m[0].as_u64().unwrap() as usize,
                        m[1].as_u64().unwrap() as usize,
                    );
                    assert_eq!(&text[s..e], literal);
                }
                hit["matches"].as_array().unwrap().len()
            })
            .sum();
        assert_eq!(
            found,
            scan_count(&uncut, &literal),
            "literal {literal:?} across a cut"
        );
        checked += 1;
    }
    assert!(checked > 40, "only {checked} literals checked");
}
