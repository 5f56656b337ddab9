//! Property tests that throw arbitrary input at the two parsers users feed directly: the file
//! parser (any text a file may hold) and the query parser (anything typed). Neither may panic or
//! hang; the file parser loses no text character (every character of a paragraph comes from the
//! file). `benches/fuzz.sh` runs them with many more cases for a fixed time.

use proptest::prelude::*;

/// Text shaped like gazettes: headings, list markers, page numbers, mastheads, blank lines,
/// debris words, Markdown, mixed scripts, and any character at all.
fn gazette_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("\n".to_string()),
        Just("\n\n".to_string()),
        Just("一、".to_string()),
        Just("（二）".to_string()),
        Just("第三条".to_string()),
        Just("第 十四 條".to_string()),
        Just("1.".to_string()),
        Just("# ".to_string()),
        Just("目 录".to_string()),
        Just("焦作市人民政府公报".to_string()),
        Just("2025年第1号（总第139号）".to_string()),
        Just("2025年2月28日".to_string()),
        Just("——2025年2月18日在会议上".to_string()),
        Just("下载 打印".to_string()),
        Just("【字号：大 中 小】".to_string()),
        Just("<!-- x -->".to_string()),
        Just("— 12 —".to_string()),
        // Form feeds make pages, whose running headers and page numbers are dropped.
        Just("\u{c}".to_string()),
        Just("\u{c}焦作市人民政府公报\n".to_string()),
        Just("。".to_string()),
        Just("\u{3000}".to_string()),
        Just("\u{200B}".to_string()),
        "[\\u{4e00}-\\u{4e60}]{1,12}",
        "[a-zA-Z0-9 ]{1,8}",
        "\\PC{1,6}",
        any::<String>(),
    ];
    prop::collection::vec(piece, 0..60).prop_map(|pieces| pieces.concat())
}

fn cases() -> u32 {
    std::env::var("GAZETTE_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(500)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn the_file_parser_never_panics_and_invents_no_text(text in gazette_like(), stem in "\\PC{0,20}") {
        let issue = gazette::ingest::parse::parse(&text, &stem);
        let source: std::collections::HashSet<char> = text.chars().chain(stem.chars()).collect();
        for document in &issue.documents {
            for paragraph in &document.paragraphs {
                prop_assert!(!paragraph.text.trim().is_empty());
                // Joining lines may add a space; nothing else is made up.
                prop_assert!(
                    paragraph.text.chars().all(|c| c == ' ' || source.contains(&c)),
                    "invented text in {:?}", paragraph.text
                );
            }
        }
    }

    #[test]
    fn the_query_parser_never_panics(query in "\\PC{0,60}|[()\" \\-A-Za-z/:0-9云台山ORANDNEAR.]{0,60}|[第0-9０-９一二三十百千零条款项〔〕]{0,30}") {
        let _ = gazette::search::query::parse(&query);
    }

    #[test]
    fn folding_and_literal_grams_never_panic(text in "\\PC{0,80}") {
        let folded = gazette::text::fold::fold(&text);
        prop_assert_eq!(folded.chars.len(), folded.spans.len());
        let _ = gazette::store::tokenizers::literal_grams(&folded.chars);
    }

    /// Queries built to go deep: NOTs, parentheses and operators in long runs, up to the length
    /// a query may have. Each is refused with an error or answered by a whole search and count
    /// of the seed, whose every stage walks the expression: none may overflow the stack.
    #[test]
    fn deep_queries_are_answered_or_refused(ops in prop::collection::vec(
        prop_oneof![Just("("), Just("-"), Just("NOT "), Just("-("), Just(" OR "), Just(" "), Just("人"), Just(")")],
        0..700,
    )) {
        let query: String = ops.concat();
        if gazette::search::query::parse(&query).is_ok() {
            let config = gazette::search::SearchConfig {
                query: query.clone(),
                limit: Some(1),
                ..Default::default()
            };
            prop_assert!(seed_engine().search(&config).is_ok(), "{query}");
            prop_assert!(seed_engine().count(&config).is_ok(), "{query}");
        }
    }
}

/// The seed index, opened once for the whole run.
fn seed_engine() -> &'static gazette::search::Engine {
    static ENGINE: std::sync::OnceLock<gazette::search::Engine> = std::sync::OnceLock::new();
    ENGINE.get_or_init(|| gazette::search::Engine::open(crate::common::seed_index()).unwrap())
}
