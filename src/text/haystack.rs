//! HAYSTACK: where a literal of CJK characters stands in a stored text, found without folding the
//! text where folding would not move it, for the check of every candidate a search reads. Each
//! answer is the one `fold(text).find_all(literal)` gives.

use super::fold::{Folded, is_cjk, is_zero_width, may_be_traditional};

/// Where a literal made of CJK characters can be searched for in a text without folding it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Haystack {
    /// The text itself: it holds nothing that folding changes into or out of a CJK character.
    Text,
    /// The text, which holds traditional characters: a literal that no conversion makes or
    /// unmakes (政府) is searched in it as it is; any other in the text converted, once, when
    /// first asked. The conversion is `None` where it changes a character's width, so that byte
    /// offsets in it would not be byte offsets in the text: such a text is folded.
    Traditional(std::cell::OnceCell<Option<String>>),
    /// The text, which holds white space or zero-width characters and no traditional ones: the
    /// literal's characters are searched in it with any of those between them, which folding
    /// drops between two CJK characters.
    Spaced,
    /// The text must be folded (white space or zero-width characters with traditional ones,
    /// widths that change).
    Fold,
}

impl Haystack {
    /// Decides how `text` is searched. Folding maps one character to one, each on its own,
    /// except for white space (dropped between CJK characters), zero-width characters (dropped)
    /// and traditional characters (converted, some by their neighbours); and no character that is
    /// not CJK folds to a CJK character (full-width punctuation such as ， folds to ASCII). So in
    /// a text without white space and zero-width characters, a folded all-CJK literal stands
    /// exactly where its characters stand in the converted text.
    pub fn of(text: &str) -> Haystack {
        if text.chars().any(|c| c.is_whitespace() || is_zero_width(c)) {
            return match may_be_traditional(text) {
                true => Haystack::Fold,
                false => Haystack::Spaced,
            };
        }
        Haystack::of_undropped(text)
    }

    /// [`Haystack::of`] a text that folding drops no character from, as the index knows
    /// (`crate::store::schema::DROPS`): its white space is kept, so it need not be folded.
    pub fn of_undropped(text: &str) -> Haystack {
        if may_be_traditional(text) {
            Haystack::Traditional(std::cell::OnceCell::new())
        } else {
            Haystack::Text
        }
    }

    /// Byte spans in `text` of the occurrences of a folded literal, leftmost first and not
    /// overlapping, as `fold(text).find_all(literal)` gives them; `None` when the text must be
    /// folded or the literal is not all CJK.
    pub fn find(&self, text: &str, literal: &Folded) -> Option<Vec<(usize, usize)>> {
        let cjk = |c: &char| is_cjk(*c) && !matches!(*c as u32, 0x3000 | 0xFF01..=0xFF5E);
        if literal.is_empty() || !literal.chars.iter().all(cjk) {
            return None;
        }
        let haystack = match self {
            Haystack::Text => text,
            Haystack::Spaced => return Some(find_spaced(text, &literal.chars)),
            // Converting changes only the characters of the table and makes only their
            // simplified forms: where the literal has none of either, it stands in the text
            // where it stands in the converted text.
            Haystack::Traditional(_)
                if !literal
                    .chars
                    .iter()
                    .any(|&c| crate::text::traditional::affected(c)) =>
            {
                text
            }
            Haystack::Traditional(converted) => converted
                .get_or_init(|| {
                    let converted = crate::text::traditional::convert(text);
                    let same_widths = converted.len() == text.len()
                        && text
                            .chars()
                            .zip(converted.chars())
                            .all(|(a, b)| a.len_utf8() == b.len_utf8());
                    same_widths.then_some(converted)
                })
                .as_deref()?,
            Haystack::Fold => return None,
        };
        let needle = literal.as_string();
        Some(
            memchr::memmem::find_iter(haystack.as_bytes(), needle.as_bytes())
                .map(|start| (start, start + needle.len()))
                .collect(),
        )
    }
}

/// The byte spans of the occurrences of `needle` (CJK characters that fold to themselves) in
/// `text`, with any white space and zero-width characters between its characters: where the
/// matching form of a text without traditional characters holds it, as
/// `fold(text).find_all(needle)` gives them, leftmost first and not overlapping.
fn find_spaced(text: &str, needle: &[char]) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let Some((&first, rest)) = needle.split_first() else {
        return found;
    };
    let mut from = 0;
    while let Some(at) = text[from..].find(first) {
        let start = from + at;
        let mut end = start + first.len_utf8();
        let mut after = text[end..].chars();
        let matched = rest.iter().all(|&wanted| {
            loop {
                match after.next() {
                    Some(c) if c == wanted => {
                        end = text.len() - after.as_str().len();
                        break true;
                    }
                    Some(c) if c.is_whitespace() || is_zero_width(c) => continue,
                    _ => break false,
                }
            }
        });
        if matched {
            found.push((start, end));
            from = end;
        } else {
            from = start + first.len_utf8();
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::fold::fold;

    #[test]
    fn a_cjk_literal_is_found_without_folding_the_text_where_folding_is_char_by_char() {
        let texts = [
            "补贴资金3.77亿元，拉动消费近21亿元（亿元亿元亿）",
            "ABC-1《条例》第十四条，ＡＢ",
            "亿元亿元亿元，亿",
            "行政院公報：運動發展基金，雲臺山計畫",
            "行政院公報：政府計畫，政府企畫，看著",
            "Li Bing 刘冰 and 亿元 ABC",
            "政府 Executive Yuan 計畫 亿元",
            "市长 刘冰 Li Bing",
            "a\u{200B}b亿元",
            "亿 元亿\u{200B}元 亿\t\u{3000}元，亿　 元亿",
            " 政 府 计 划 ab 政府 \u{200D}",
            "条 例》第 十四 条",
        ];
        for text in texts {
            // A text that folding drops nothing from (white space beside Latin letters only) is
            // searched as it is, when the index says so.
            let undropped = fold(text).drops(text).is_empty();
            let haystacks = [
                Some(Haystack::of(text)),
                undropped.then(|| Haystack::of_undropped(text)),
            ];
            for haystack in haystacks.into_iter().flatten() {
                for literal in [
                    "亿元",
                    "亿元亿",
                    "条例",
                    "第十四条",
                    "政府计划",
                    "元亿元",
                    "》第",
                    "元，",
                    "3.77亿",
                    "ab",
                    "公报",
                    "计划",
                    "政府",
                    "政府计",
                    "着",
                    "画",
                ] {
                    let literal = fold(literal);
                    let want = fold(text).find_all(&literal.chars);
                    match haystack.find(text, &literal) {
                        Some(found) => assert_eq!(found, want, "{text} / {literal:?}"),
                        // Punctuation and Latin letters have other forms that fold to them.
                        None => assert!(
                            haystack == Haystack::Fold || literal.chars.iter().any(|c| !is_cjk(*c))
                        ),
                    }
                }
            }
        }
        assert!(fold("Li Bing 刘冰").drops("Li Bing 刘冰").is_empty());
        assert_eq!(Haystack::of_undropped("Li Bing 刘冰"), Haystack::Text);
        assert_eq!(Haystack::of("亿元，亿"), Haystack::Text);
        assert_eq!(Haystack::of("市长 刘冰"), Haystack::Spaced);
        assert_eq!(Haystack::of("a\u{200B}b"), Haystack::Spaced);
        assert_eq!(Haystack::of("市长 劉冰"), Haystack::Fold);
        assert!(matches!(
            Haystack::of("行政院公報"),
            Haystack::Traditional(_)
        ));
    }
}
