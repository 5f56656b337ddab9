//! The characters frequent enough to have postings of their own, in the `chars` field.
//!
//! A one-character literal is otherwise the union of the grams it starts
//! ([`crate::search::char_query`]): thousands of grams for 的 or 国, each a term to look up and a
//! posting list to read in every segment. For these characters the index also keeps one posting
//! list each, with the character's occurrences in each paragraph, which gives the same paragraphs
//! and the same counts in one read. They are the 256 CJK characters found in the most paragraphs
//! of the corpora in `../shared/corpus` (laws, work reports, city and Taiwanese gazettes), after
//! folding; they cover most of the characters of any official text, and every other character
//! is still found through its grams. The postings add about 14 per paragraph.
//!
//! Changing the list changes what is indexed: bump [`crate::store::schema::SCHEMA_VERSION`].

use std::sync::OnceLock;

/// In order of the paragraphs holding them, most first.
const FREQUENT: [&str; 8] = [
    "第的人定十一行法之二条理有者或及以三管本民应部和当用政其公事规四",
    "不作中依工主五生合等关保地市年施在得下所日制分门件建务上业由可位",
    "国正方设要全机出自他六照提会对期文查府物告案明申委经相通成任同院",
    "大为修表区程前责安员品列款发月七家情金进单实利立重未处外动八产限",
    "核加交收并按度内性使构准受取水向各化具资展服九级护新时代入例能改",
    "予体原百附指监式供权共意助目活量基教组防技止开高社反商证境料次督",
    "据育律报县置名信格令需违持项除求织效职与如起企办符支营章形议力标",
    "划面接造审源字域登元道容特路治至请因个司承配科常害场后知校过城系",
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
    fn the_list_is_256_distinct_folded_ideographs_of_one_block() {
        let chars: Vec<char> = FREQUENT.iter().flat_map(|line| line.chars()).collect();
        assert_eq!(chars.len(), 256);
        let distinct: std::collections::BTreeSet<char> = chars.iter().copied().collect();
        assert_eq!(distinct.len(), 256);
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
