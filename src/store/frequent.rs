//! The characters frequent enough to have postings of their own, in the `chars` field.
//!
//! A one-character literal is otherwise the union of the grams it starts
//! ([`crate::search::char_query`]): thousands of grams for 的 or 国, each a term to look up and a
//! posting list to read in every segment, added up into a count per paragraph
//! ([`crate::search::char_counts`]). For these characters the index also keeps one posting list
//! each, with the character's occurrences in each paragraph, which gives the same paragraphs and
//! the same counts in one read. They are the 64 CJK characters found in the most paragraphs of
//! the corpora in `../shared/corpus` (laws, work reports, city and Taiwanese gazettes), after
//! folding: those whose grams would take longest to add up. Each costs the index a posting for
//! every paragraph that holds it and indexing a token for every occurrence, so the list stops
//! where reading the grams is fast enough (measured in docs/PERFORMANCE.md, issue 21, round 29).
//!
//! Changing the list changes what is indexed: bump [`crate::store::schema::SCHEMA_VERSION`].

use std::sync::OnceLock;

/// In order of the paragraphs holding them, most first.
const FREQUENT: [&str; 4] = [
    "第的条人定十应一行法之二规理有者",
    "或关及以三管业当本民部和用政其国",
    "机公事务四经不为作会依中主工项五",
    "员设生等合保制发地对并市办年施在",
];

/// The first code point of the block that holds every character of [`FREQUENT`]: CJK Unified
/// Ideographs.
const BLOCK_START: u32 = 0x4E00;
const BLOCK_LEN: usize = 0x5200;

/// True when `c` has a posting list of its own in the `chars` field.
pub fn is_frequent(c: char) -> bool {
    static SET: OnceLock<Vec<u64>> = OnceLock::new();
    let set = SET.get_or_init(|| {
        let mut set = vec![0u64; BLOCK_LEN.div_ceil(64)];
        for c in FREQUENT.iter().flat_map(|line| line.chars()) {
            let at = (c as u32 - BLOCK_START) as usize;
            set[at / 64] |= 1 << (at % 64);
        }
        set
    });
    let Some(at) = (c as u32).checked_sub(BLOCK_START) else {
        return false;
    };
    let at = at as usize;
    at < BLOCK_LEN && set[at / 64] & (1 << (at % 64)) != 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::fold::fold_to_string;

    #[test]
    fn the_list_is_64_distinct_folded_ideographs_of_one_block() {
        let chars: Vec<char> = FREQUENT.iter().flat_map(|line| line.chars()).collect();
        assert_eq!(chars.len(), 64);
        let distinct: std::collections::BTreeSet<char> = chars.iter().copied().collect();
        assert_eq!(distinct.len(), 64);
        for c in chars {
            // A character that folding changes would never be in a folded text.
            assert_eq!(fold_to_string(&c.to_string()), c.to_string(), "{c}");
            let at = c as u32;
            assert!(
                (BLOCK_START..BLOCK_START + BLOCK_LEN as u32).contains(&at),
                "{c}"
            );
            assert!(is_frequent(c), "{c}");
        }
    }

    #[test]
    fn other_characters_are_not_frequent() {
        for c in [
            'a',
            '1',
            ' ',
            '蜜',
            '雪',
            '鑫',
            '\u{9FFF}',
            '\u{4DFF}',
            '\u{20000}',
        ] {
            assert!(!is_frequent(c), "{c:?}");
        }
    }
}
