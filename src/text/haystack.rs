//! HAYSTACK: where a literal of CJK characters stands in a stored text, found without folding the
//! text where folding would not move it, for the check of every candidate a search reads. Each
//! answer is the one `fold(text).find_all(literal)` gives.

use std::cell::OnceCell;

use memchr::memmem::Finder;

use super::fold::{Folded, is_cjk, is_zero_width, may_be_traditional};
use super::traditional::affected;

/// A folded literal made ready to be looked for in many texts: whether it can be looked for
/// without folding them (all CJK), and if so its bytes and its first character's, each with a
/// searcher built once rather than for each text a search checks.
#[derive(Debug, Clone)]
pub struct Needle {
    pub folded: Folded,
    /// The literal as it is and its first character, for a literal all CJK; `None` for one that
    /// only the folded text can be searched for.
    finders: Option<(Finder<'static>, Finder<'static>)>,
    /// Whether conversion makes or unmakes one of its characters.
    affected: bool,
}

impl Needle {
    pub fn new(folded: Folded) -> Needle {
        let cjk = |c: &char| is_cjk(*c) && !matches!(*c as u32, 0x3000 | 0xFF01..=0xFF5E);
        let finders = match folded.chars.first() {
            Some(first) if folded.chars.iter().all(cjk) => Some((
                Finder::new(folded.as_string().as_bytes()).into_owned(),
                Finder::new(first.encode_utf8(&mut [0; 4]).as_bytes()).into_owned(),
            )),
            _ => None,
        };
        Needle {
            affected: folded.chars.iter().any(|&c| affected(c)),
            folded,
            finders,
        }
    }
}

/// How a stored text is searched for a literal made of CJK characters.
///
/// Folding maps one character to one, each on its own, except for white space (dropped between
/// CJK characters), zero-width characters (dropped) and traditional characters (converted, some by
/// their neighbours); no character that is not CJK folds to a CJK character (full-width
/// punctuation such as ， folds to ASCII), and converting changes only the characters of its
/// table, makes only their simplified forms, and keeps a character CJK. So a literal with none of
/// the characters conversion makes or unmakes (政府) stands in the text, with any white space and
/// zero-width characters between its characters, where it stands in the folded text: that is
/// decided without looking at the text first. Only a literal conversion affects (计划, which 計畫
/// folds to) needs to know what the text holds ([`Kind`]), looked at once, when first asked.
#[derive(Debug, Clone)]
pub struct Haystack {
    /// The index says folding drops no character from the text (`crate::store::schema::DROPS`):
    /// no white space stands between two CJK characters, and no zero-width character anywhere.
    undropped: bool,
    kind: OnceCell<Kind>,
}

/// What a text holds that decides how a literal that conversion affects is searched in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// Nothing that folding changes into or out of a CJK character: the text itself.
    Text,
    /// Traditional characters: the text converted, once, when first asked. Conversion keeps
    /// every character's width (each character it changes and each it makes is three bytes in
    /// UTF-8, `traditional::tests`), so byte offsets in it are byte offsets in the text.
    Traditional(OnceCell<String>),
    /// White space or zero-width characters and no traditional ones: the literal's characters
    /// are searched in it with any of those between them, which folding drops between two CJK
    /// characters.
    Spaced,
    /// White space or zero-width characters with traditional ones: the text must be folded.
    Fold,
}

impl Kind {
    /// What `text` holds; `undropped` as [`Haystack::new`] takes it.
    pub fn of(text: &str, undropped: bool) -> Kind {
        if !undropped && text.chars().any(|c| c.is_whitespace() || is_zero_width(c)) {
            return match may_be_traditional(text) {
                true => Kind::Fold,
                false => Kind::Spaced,
            };
        }
        // White space that folding keeps (beside Latin letters) does not move a CJK literal.
        match may_be_traditional(text) {
            true => Kind::Traditional(OnceCell::new()),
            false => Kind::Text,
        }
    }
}

impl Haystack {
    /// A stored text's haystack; `undropped` when the index says folding drops no character
    /// from it, so that its white space need not be looked at.
    pub fn new(undropped: bool) -> Haystack {
        Haystack {
            undropped,
            kind: OnceCell::new(),
        }
    }

    /// What `text`, the text of this haystack, holds, looked at once.
    pub fn kind(&self, text: &str) -> &Kind {
        self.kind.get_or_init(|| Kind::of(text, self.undropped))
    }

    /// Byte spans in `text` of the occurrences of a folded literal, leftmost first and not
    /// overlapping, as `fold(text).find_all(literal)` gives them; `None` when the text must be
    /// folded or the literal is not all CJK.
    pub fn find(&self, text: &str, needle: &Needle) -> Option<Vec<(usize, usize)>> {
        let (whole, first) = needle.finders.as_ref()?;
        let haystack = match needle.affected {
            false if self.undropped => text,
            false => return Some(find_spaced(text, &needle.folded.chars, first)),
            true => match self.kind(text) {
                Kind::Text => text,
                Kind::Spaced => return Some(find_spaced(text, &needle.folded.chars, first)),
                Kind::Traditional(converted) => {
                    converted.get_or_init(|| crate::text::traditional::convert(text))
                }
                Kind::Fold => return None,
            },
        };
        let len = whole.needle().len();
        Some(
            whole
                .find_iter(haystack.as_bytes())
                .map(|start| (start, start + len))
                .collect(),
        )
    }
}

/// The byte spans of the occurrences of `needle` (CJK characters that fold to themselves) in
/// `text`, with any white space and zero-width characters between its characters: where the
/// matching form holds it, when conversion affects none of its characters or the text holds no
/// traditional ones, as `fold(text).find_all(needle)` gives them, leftmost first and not
/// overlapping. `first` looks for its first character.
fn find_spaced(text: &str, needle: &[char], first: &Finder) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let Some((&first_char, rest)) = needle.split_first() else {
        return found;
    };
    let mut from = 0;
    // A CJK character's last byte, which `str::find` looks for, is one of 64 that every CJK
    // character ends with: `first` looks for its three bytes together.
    while let Some(at) = first.find(&text.as_bytes()[from..]) {
        let start = from + at;
        let mut end = start + first_char.len_utf8();
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
            from = start + first_char.len_utf8();
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
            // Traditional characters with white space and zero-width characters: Taiwan's
            // gazettes as a PDF reader gives them.
            "行政院 公報：政 府\u{200B}計畫，政府　 企畫，亿 元",
            "政\t府計 畫 看 著 亿元",
            "政 \u{200B} 府，政\u{200B}\u{3000}府計\u{200D}畫",
            "中华人民共和国国务院关于加强政府工作的决定，中华人民共和国 国务院关于加强政府工作",
        ];
        for text in texts {
            // A text that folding drops nothing from (white space beside Latin letters only) is
            // searched as it is, when the index says so.
            let undropped = fold(text).drops(text).is_empty();
            let haystacks = [
                Some(Haystack::new(false)),
                undropped.then(|| Haystack::new(true)),
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
                    // Longer than a search spells out on the stack.
                    "中华人民共和国国务院关于加强政府工作",
                ] {
                    let literal = fold(literal);
                    let want = fold(text).find_all(&literal.chars);
                    match haystack.find(text, &Needle::new(literal.clone())) {
                        Some(found) => assert_eq!(found, want, "{text} / {literal:?}"),
                        // Punctuation and Latin letters have other forms that fold to them.
                        None => assert!(
                            *haystack.kind(text) == Kind::Fold
                                || literal.chars.iter().any(|c| !is_cjk(*c))
                        ),
                    }
                }
            }
        }
        assert!(fold("Li Bing 刘冰").drops("Li Bing 刘冰").is_empty());
        assert_eq!(Kind::of("Li Bing 刘冰", true), Kind::Text);
        assert_eq!(Kind::of("亿元，亿", false), Kind::Text);
        assert_eq!(Kind::of("市长 刘冰", false), Kind::Spaced);
        assert_eq!(Kind::of("a\u{200B}b", false), Kind::Spaced);
        assert_eq!(Kind::of("市长 劉冰", false), Kind::Fold);
        assert!(matches!(
            Kind::of("行政院公報", false),
            Kind::Traditional(_)
        ));
    }
}
