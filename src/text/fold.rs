//! FOLD: the matching form of a text, which makes matching forgiving of how the text was typed:
//! traditional characters to simplified, full-width ASCII to half-width, Latin lowercased,
//! brackets of every shape to one pair, zero-width characters removed, white space between two CJK
//! characters removed, other white space to one space per character. Every folded character remembers its byte span in the
//! displayed text, so a match in the folded form maps back to the exact span the user sees.
//!
//! Both sides use it: the indexer folds each paragraph once for every view, a search folds its
//! literals and checks candidates against the folded text.

/// A text in its matching form: folded characters, each with its byte span in the original.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Folded {
    pub chars: Vec<char>,
    /// `spans[i]` is the byte range of the original text that `chars[i]` came from.
    pub spans: Vec<(usize, usize)>,
}

impl Folded {
    pub fn len(&self) -> usize {
        self.chars.len()
    }

    pub fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }

    pub fn as_string(&self) -> String {
        // Sized once: collected, a string reserves a byte per character and grows as it goes.
        let mut text = String::with_capacity(self.chars.iter().map(|c| c.len_utf8()).sum());
        text.extend(&self.chars);
        text
    }

    /// Where folding `text` (this matching form's original) dropped characters: for each
    /// character of the matching form that dropped ones stand before, its index and how many
    /// stood there; and those after the last one, at the length of the matching form. Two
    /// places of the matching form stand as many characters farther apart in the text as the
    /// drops between them count. The indexer takes them from [`fold_with_drops`] in the same pass
    /// as the matching form; this, from the spans, is what the tests hold that to.
    #[cfg(test)]
    pub fn drops(&self, text: &str) -> Vec<(usize, usize)> {
        let mut drops = Vec::new();
        let mut end = 0;
        let starts = self.spans.iter().map(|span| span.0).chain([text.len()]);
        for (at, start) in starts.enumerate() {
            let dropped = text
                .get(end..start)
                .map_or(0, |between| between.chars().count());
            if dropped > 0 {
                drops.push((at, dropped));
            }
            if let Some(span) = self.spans.get(at) {
                end = span.1;
            }
        }
        drops
    }

    /// Byte spans in the original text of every occurrence of `needle`, leftmost first and not
    /// overlapping (as `str::match_indices` counts them).
    pub fn find_all(&self, needle: &[char]) -> Vec<(usize, usize)> {
        let mut found = Vec::new();
        if needle.is_empty() || needle.len() > self.chars.len() {
            return found;
        }
        let mut i = 0;
        while i + needle.len() <= self.chars.len() {
            if self.chars[i..i + needle.len()] == *needle {
                found.push((self.spans[i].0, self.spans[i + needle.len() - 1].1));
                i += needle.len();
            } else {
                i += 1;
            }
        }
        found
    }
}

/// True for the characters written without spaces between them: Han ideographs, kana, hangul,
/// CJK punctuation and full-width forms.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FDF      // radicals
        | 0x3000..=0x303F    // CJK symbols and punctuation
        | 0x3040..=0x30FF    // kana
        | 0x3100..=0x31BF    // bopomofo
        | 0x3400..=0x4DBF    // extension A
        | 0x4E00..=0x9FFF    // unified ideographs
        | 0xAC00..=0xD7AF    // hangul
        | 0xF900..=0xFAFF    // compatibility ideographs
        | 0xFE30..=0xFE4F    // compatibility forms
        | 0xFF00..=0xFFEF    // half- and full-width forms
        | 0x20000..=0x3134F) // extensions B–G
}

pub(crate) fn is_zero_width(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
    )
}

/// The bracket of the matching form for an opening or closing bracket of any shape: `[` or `]`.
/// Full-width ［］（） are half-width by then.
pub fn bracket(c: char) -> Option<char> {
    match c {
        '[' | '(' | '〔' | '【' | '〖' | '⌈' | '⦅' | '〘' => Some('['),
        ']' | ')' | '〕' | '】' | '〗' | '⌉' | '⦆' | '〙' => Some(']'),
        _ => None,
    }
}

/// One character of the matching form, or `None` for a character that matching ignores.
fn fold_char(c: char) -> Option<char> {
    // Most characters of a gazette are unified ideographs, which fold to themselves: none is a
    // zero-width character, a full-width letter or a bracket.
    if ('\u{4E00}'..='\u{9FFF}').contains(&c) {
        return Some(c);
    }
    // ASCII folds by itself too (no ASCII character is zero-width or full-width), to its bracket,
    // white space or lower case.
    if c.is_ascii() {
        return Some(match c {
            '[' | '(' => '[',
            ']' | ')' => ']',
            c if c.is_whitespace() => ' ',
            c => c.to_ascii_lowercase(),
        });
    }
    fold_by_the_rules(c)
}

/// [`fold_char`] by its rules one after another, without its shortcuts.
fn fold_by_the_rules(c: char) -> Option<char> {
    if is_zero_width(c) {
        return None;
    }
    // Full-width ASCII (！ to ～): １９９６ is matched by 1996, ＡＡ by aa.
    let c = match c as u32 {
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    // A document number (文号) brackets its year however it was typed: 国发〔1993〕21号 is
    // 国发[1993]21号, 国发（1993）21号 and 国发【1993】21号.
    if let Some(bracket) = bracket(c) {
        return Some(bracket);
    }
    if c.is_ascii() {
        return Some(if c.is_whitespace() {
            ' '
        } else {
            c.to_ascii_lowercase()
        });
    }
    if is_cjk(c) {
        // CJK characters have no case; U+3000 is the ideographic space.
        return Some(if c == '\u{3000}' { ' ' } else { c });
    }
    if c.is_whitespace() {
        return Some(' ');
    }
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => Some(l),
        _ => Some(c), // a character whose lowercase is two characters keeps its case
    }
}

/// Whether matching treats traditional and simplified characters as one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Script {
    /// Traditional characters fold to simplified: 雲臺山 is matched by 云台山 and the reverse.
    #[default]
    Fold,
    /// Characters match only as written.
    Exact,
}

/// The matching form of `text`, traditional characters folded to simplified. See the module
/// documentation for what folding does.
pub fn fold(text: &str) -> Folded {
    fold_with(text, Script::Fold)
}

/// True when `text` holds a character that fast2s may change. Most gazettes are simplified
/// throughout, and the conversion costs more than the rest of folding.
pub(crate) fn may_be_traditional(text: &str) -> bool {
    text.chars().any(crate::text::traditional::contains)
}

/// The end of a text where it meets another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    Start,
    End,
}

/// True when `text` folds the same whatever stands beside it at `edge`. Folding is one character
/// at a time except for white space and zero-width characters, which their neighbours decide,
/// and traditional characters, which some neighbours convert; so with none of the first at the
/// edge and none of the last in the text, it does. Two texts that do where they meet fold,
/// joined, as the first alone followed by the second (its spans moved). Conservative: `false`
/// says nothing.
pub fn folds_apart(text: &str, edge: Edge, script: Script) -> bool {
    let at_edge = match edge {
        Edge::Start => text.chars().next(),
        Edge::End => text.chars().next_back(),
    };
    at_edge.and_then(kept_at_edge).is_some()
        && !(script == Script::Fold && may_be_traditional(text))
}

/// What `c` folds to where it stands at the edge of a text, when folding keeps it there: not
/// dropped, and not white space (which folding drops or keeps by its neighbours).
pub fn kept_at_edge(c: char) -> Option<char> {
    fold_char(c).filter(|&f| f != ' ')
}

/// Which texts hold none of some characters in their matching form, for the many short texts
/// (names of issues) looked at once each: what each character says is kept in a small table, so
/// that the few characters the names of a large collection's issues repeat (年, 第, 号, （, 总, ）)
/// are folded once rather than once per name.
pub struct Sought {
    chars: Vec<char>,
    script: Script,
    /// Whether one of `chars` is ASCII: if none is, ASCII (which folds to ASCII and is never
    /// traditional) needs no look.
    ascii: bool,
    /// A character's code (`NOT_SEEN` for none) and whether it may make one of `chars`, in the
    /// slot of its low bits.
    seen: [(u32, bool); 64],
}

/// Above every character's code: an empty slot of [`Sought::seen`].
const NOT_SEEN: u32 = u32::MAX;

impl Sought {
    /// `chars` sorted.
    pub fn new(chars: Vec<char>, script: Script) -> Self {
        Sought {
            ascii: chars.first().is_some_and(char::is_ascii),
            chars,
            script,
            seen: [(NOT_SEEN, false); 64],
        }
    }

    /// Whether `text` (its bytes, which may not be UTF-8) may hold one of the characters in its
    /// matching form: `None` when it may or is not UTF-8, else `Some` of whether it folds apart
    /// at its start (`folds_apart(text, Edge::Start, script)`), all found in one reading of the
    /// bytes (a search of a word of gazette names looks at the name of every issue of a large
    /// collection as the index holds it, and checking it as UTF-8 first was as long as looking at
    /// it). Folding makes each character from one of the text's, by itself except for
    /// traditional characters, which some neighbours convert: a text without them is decided one
    /// character at a time, and one with them may hold anything.
    pub fn holds_none(&mut self, text: &[u8]) -> Option<bool> {
        let (mut rest, mut first) = (text, None);
        while !rest.is_empty() {
            let (c, len) = decode_utf8(rest)?;
            rest = &rest[len..];
            first.get_or_insert(c);
            if c.is_ascii() && !self.ascii {
                continue;
            }
            if self.may_make(c) {
                return None;
            }
        }
        // Without a traditional character, a text folds apart where its first character is kept.
        Some(first.and_then(kept_at_edge).is_some())
    }

    /// Whether `c`, as folded, is one of the characters.
    pub fn has(&self, c: char) -> bool {
        self.chars.binary_search(&c).is_ok()
    }

    /// Whether `c` folds to one of the characters, or is traditional (its neighbours may convert
    /// it to anything).
    fn may_make(&mut self, c: char) -> bool {
        let slot = &mut self.seen[c as usize % 64];
        if slot.0 == c as u32 {
            return slot.1;
        }
        let may = (self.script == Script::Fold && crate::text::traditional::contains(c))
            || fold_char(c).is_some_and(|f| self.chars.binary_search(&f).is_ok());
        *slot = (c as u32, may);
        may
    }
}

/// Whether the matching form of `text` (traditional characters folded) contains `needle`, a
/// matching form, made in `form` (a buffer kept between calls) rather than by [`fold`]: `None`
/// where `text` holds what folding decides by its neighbours, white space or a character that
/// converts by them, which [`fold`] decides. Each other character folds by itself, a traditional
/// one as it converts alone; a filter judges thousands of values of traditional script so
/// (`docno:号` and every 文号 of the 行政院公報, which ends in 號).
pub fn contains_folded(text: &str, needle: &[char], form: &mut Vec<char>) -> Option<bool> {
    form.clear();
    for c in text.chars() {
        match fold_char(crate::text::traditional::made_alone(c)?) {
            Some(' ') => return None,
            Some(f) => form.push(f),
            None => {}
        }
    }
    Some(needle.is_empty() || form.windows(needle.len()).any(|w| w == needle))
}

/// True when `c` stands for itself in the matching form wherever it stands, as a character
/// that is neither white space nor traditional (conversion leaves it, its neighbours too) and that
/// folding keeps as it is. A text that holds a needle of such characters as written holds it in
/// its matching form: a filter accepts most values it accepts (`docno:号`) without folding them.
pub fn folds_to_itself(c: char) -> bool {
    c != ' ' && fold_char(c) == Some(c) && !crate::text::traditional::contains(c)
}

/// Whether a text may contain a needle in its matching form (traditional characters folded),
/// judged from the characters it holds: each character of the needle must be made by one of the
/// text's. A filter on a column judges every value of the column (each title of a collection for
/// `document:条例`), and this turns away most of them without folding them. Folding makes each
/// character from one of the text's, the traditional ones as they convert alone
/// ([`crate::text::traditional::made_alone`]), except the few that neighbours convert, which may
/// make anything.
pub struct MayContain {
    /// The needle's distinct characters, sorted: bit `i` of a mask stands for `chars[i]`.
    chars: Vec<char>,
    /// Every bit of the needle's characters.
    all: u64,
    /// A character's code (`NOT_SEEN` for none) and the mask of those it may make, in the slot
    /// of its low bits: as many slots as a value of traditional text holds distinct characters
    /// (the keywords of the 行政院公報 draw on thousands, each of which asks the table).
    seen: Box<[(u32, u64); SLOTS]>,
}

/// Slots of [`MayContain::seen`].
const SLOTS: usize = 4096;

impl MayContain {
    /// For `needle`, a matching form; `None` when the test could not turn any text away (an
    /// empty needle) or would take more than 64 distinct characters.
    pub fn new(needle: &[char]) -> Option<MayContain> {
        let mut chars = needle.to_vec();
        chars.sort_unstable();
        chars.dedup();
        if chars.is_empty() || chars.len() > 64 {
            return None;
        }
        Some(MayContain {
            all: u64::MAX >> (64 - chars.len()),
            chars,
            seen: Box::new([(NOT_SEEN, 0); SLOTS]),
        })
    }

    /// False when the matching form of `text` (bytes, which may not be UTF-8: those may) cannot
    /// contain the needle.
    pub fn may(&mut self, text: &[u8]) -> bool {
        let (mut rest, mut made) = (text, 0);
        while !rest.is_empty() {
            let Some((c, len)) = decode_utf8(rest) else {
                return true;
            };
            rest = &rest[len..];
            made |= self.makes(c);
            if made == self.all {
                return true;
            }
        }
        false
    }

    /// The mask of the needle's characters that `c` may make.
    fn makes(&mut self, c: char) -> u64 {
        let slot = &mut self.seen[c as usize % SLOTS];
        if slot.0 == c as u32 {
            return slot.1;
        }
        let bit = |f: char| match self.chars.binary_search(&f) {
            Ok(at) => 1 << at,
            Err(_) => 0,
        };
        let mask = match crate::text::traditional::made_alone(c) {
            Some(made) => fold_char(made).map_or(0, bit),
            None => self.all,
        };
        *slot = (c as u32, mask);
        mask
    }
}

/// The character that `bytes` start with and its length, if they start with one in UTF-8: no
/// overlong form, no surrogate, nothing above U+10FFFF.
pub fn decode_utf8(bytes: &[u8]) -> Option<(char, usize)> {
    let lead = *bytes.first()?;
    let (len, least, mut code) = match lead {
        0x00..=0x7F => return Some((char::from(lead), 1)),
        0xC2..=0xDF => (2, 0x80, u32::from(lead & 0x1F)),
        0xE0..=0xEF => (3, 0x800, u32::from(lead & 0x0F)),
        0xF0..=0xF4 => (4, 0x1_0000, u32::from(lead & 0x07)),
        _ => return None,
    };
    for &byte in bytes.get(1..len)? {
        if byte & 0xC0 != 0x80 {
            return None;
        }
        code = code << 6 | u32::from(byte & 0x3F);
    }
    if code < least {
        return None;
    }
    char::from_u32(code).map(|c| (c, len))
}

/// The matching form of `text`, with or without script folding.
pub fn fold_with(text: &str, script: Script) -> Folded {
    let mut out = Folded {
        chars: Vec::with_capacity(text.len() / 3 + 1),
        spans: Vec::with_capacity(text.len() / 3 + 1),
    };
    fold_each(text, script, |c, span| {
        out.chars.push(c);
        out.spans.push(span);
    });
    out
}

/// The byte spans in `text` of the occurrences of `needle` (a matching form) in the matching
/// form of `text`, as `fold_with(text, script).find_all(needle)` gives them, folding the text a
/// character at a time without keeping its form. For fixed-length needles the leftmost match is
/// the one that ends first, so a match is taken as soon as it ends, and the next may start only
/// after it.
pub fn find_folding(text: &str, needle: &[char], script: Script) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let Some(&last) = needle.last() else {
        return found;
    };
    // The last characters of the matching form since the last match, with their spans.
    let mut window: std::collections::VecDeque<(char, (usize, usize))> =
        std::collections::VecDeque::with_capacity(needle.len());
    fold_each(text, script, |c, span| {
        if window.len() == needle.len() {
            window.pop_front();
        }
        window.push_back((c, span));
        if c == last
            && window.len() == needle.len()
            && window.iter().map(|&(c, _)| c).eq(needle.iter().copied())
        {
            found.push((window[0].1.0, span.1));
            window.clear();
        }
    });
    found
}

/// The matching form of `text` as a string, traditional characters folded: what the index's
/// views read.
pub fn fold_to_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_each(text, Script::Fold, |c, _| out.push(c));
    out
}

/// The matching form of `text` as [`fold_to_string`] gives it, and where folding dropped
/// characters as [`Folded::drops`] says, in one pass. The indexer needs both for every paragraph,
/// and many paragraphs of laws drop one (the full-width space after 第一条): the gaps between one
/// character's span and the next are noted as the folding goes, rather than folding such a
/// paragraph a second time for its spans.
pub fn fold_with_drops(text: &str) -> (String, Vec<(usize, usize)>) {
    let mut out = String::with_capacity(text.len());
    let mut drops = Vec::new();
    // Characters emitted, and where the last one's span ends: spans come in the order of the
    // text, so the bytes between one span and the next are what folding dropped there.
    let mut at = 0;
    let mut end = 0;
    let gap = |at: usize, between: &str, drops: &mut Vec<(usize, usize)>| {
        if !between.is_empty() {
            drops.push((at, between.chars().count()));
        }
    };
    fold_each(text, Script::Fold, |c, (start, stop)| {
        gap(at, text.get(end..start).unwrap_or_default(), &mut drops);
        out.push(c);
        at += 1;
        end = stop;
    });
    gap(at, text.get(end..).unwrap_or_default(), &mut drops);
    (out, drops)
}

/// Calls `emit` with each character of the matching form of `text` and the byte span of the
/// text it came from.
fn fold_each(text: &str, script: Script, mut emit: impl FnMut(char, (usize, usize))) {
    // fast2s converts one character for one character (with a few neighbours deciding, as in
    // 計畫 -> 计划), so the converted text lines up with the original.
    let converted: String;
    let simplified = match script {
        Script::Fold if may_be_traditional(text) => {
            converted = crate::text::traditional::convert(text);
            converted.as_str()
        }
        Script::Fold | Script::Exact => text,
    };
    // Whether the last kept character was CJK, as white space sees it.
    let mut last: Option<bool> = None;
    // White space is held back until the next kept character shows whether it stood between two
    // CJK characters: 「第 十四 條」 is matched by 第十四條, "Hello World" keeps its space.
    let mut pending_space: Vec<(usize, usize)> = Vec::new();
    for ((start, original), c) in text.char_indices().zip(simplified.chars()) {
        let end = start + original.len_utf8();
        let Some(f) = fold_char(c) else { continue };
        if f == ' ' {
            pending_space.push((start, end));
            continue;
        }
        // A CJK bracket stays CJK for the white space beside it, as before brackets folded:
        // 「豫政 〔2025〕 3号」 is matched by 豫政〔2025〕3号.
        let cjk = is_cjk(f)
            || (bracket(c).is_some() && is_cjk(c) && !('\u{FF01}'..='\u{FF5E}').contains(&c));
        if !pending_space.is_empty() {
            let between_cjk = last == Some(true) && cjk;
            if !between_cjk && last.is_some() {
                for span in pending_space.iter() {
                    emit(' ', *span);
                }
            }
            pending_space.clear();
        }
        emit(f, (start, end));
        last = Some(cjk);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every string of up to `longest` characters of `alphabet`, the empty one first, once each.
    fn every_string(alphabet: &[char], longest: usize) -> Vec<String> {
        let mut texts = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..longest {
            last = last
                .iter()
                .flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}")))
                .collect();
            texts.extend(last.iter().cloned());
        }
        texts
    }

    #[test]
    fn every_character_folds_as_the_rules_say_whatever_the_shortcuts() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(fold_char(c), fold_by_the_rules(c), "{c:?}");
        }
    }

    #[test]
    fn a_text_holds_none_of_the_characters_its_matching_form_lacks() {
        // Texts of characters that fold to others (full width, brackets, case), are dropped
        // (zero width), are spaces, or are traditional (門 folds to 门): every string of up to
        // three of them, against its matching form and `folds_apart`.
        let alphabet = [
            '政', '府', 'Ａ', 'a', '（', '(', '\u{200B}', ' ', '\u{3000}', '門', '门', '年',
        ];
        let sets: [&[char]; 4] = [&['政', '府'], &['a'], &['('], &['门']];
        let mut texts = every_string(&alphabet, 3);
        texts.sort();
        for script in [Script::Fold, Script::Exact] {
            for chars in sets {
                let mut sorted = chars.to_vec();
                sorted.sort_unstable();
                let mut sought = Sought::new(sorted.clone(), script);
                for text in &texts {
                    let holds = fold_with(text, script)
                        .chars
                        .iter()
                        .any(|c| sorted.contains(c));
                    let traditional = script == Script::Fold && may_be_traditional(text);
                    let expected =
                        (!holds && !traditional).then(|| folds_apart(text, Edge::Start, script));
                    assert_eq!(
                        Sought::new(sorted.clone(), script).holds_none(text.as_bytes()),
                        expected,
                        "{text:?} {chars:?} {script:?}"
                    );
                    // The same with what every text before said of its characters kept.
                    assert_eq!(
                        sought.holds_none(text.as_bytes()),
                        expected,
                        "{text:?} {chars:?} {script:?}, kept"
                    );
                }
            }
        }
    }

    #[test]
    fn a_text_turned_away_cannot_contain_the_needle() {
        // Characters that fold to others (full width, brackets, case, traditional alone: 條 to
        // 条), are dropped (zero width), are spaces, or convert by their neighbours (畫 is 划 in
        // 計畫, 画 elsewhere): every string of up to three, against its matching form.
        let alphabet = [
            '条', '條', '例', 'Ａ', 'a', '（', '[', '\u{200B}', ' ', '\u{3000}', '計', '畫', '画',
            '划', 'x',
        ];
        let needles = [
            "条例", "例", "a", "[a", "a x", "计划", "划", "画", "条条", "ax", "例x",
        ];
        let texts = every_string(&alphabet, 3);
        for needle in needles {
            let needle = fold(needle).chars;
            let mut kept = MayContain::new(&needle).unwrap();
            let mut turned_away = 0;
            for text in &texts {
                let contains = !fold(text).find_all(&needle).is_empty();
                let may = MayContain::new(&needle).unwrap().may(text.as_bytes());
                assert!(may || !contains, "{text:?} holds {needle:?}");
                assert_eq!(kept.may(text.as_bytes()), may, "{text:?} {needle:?}, kept");
                turned_away += usize::from(!may);
            }
            // A needle of characters that stand for themselves, held as written, is held.
            if needle.iter().all(|&c| folds_to_itself(c)) {
                let written: String = needle.iter().collect();
                for text in texts.iter().filter(|text| text.contains(&written)) {
                    assert!(
                        !fold(text).find_all(&needle).is_empty(),
                        "{text:?} {written:?}"
                    );
                }
            }
            // Folded a character at a time where no neighbour decides.
            let mut form = Vec::new();
            let mut decided = 0;
            for text in &texts {
                if let Some(contains) = contains_folded(text, &needle, &mut form) {
                    let expected = !fold(text).find_all(&needle).is_empty();
                    assert_eq!(contains, expected, "{text:?} {needle:?}, by character");
                    decided += 1;
                }
            }
            assert!(decided * 3 > texts.len(), "{needle:?}: {decided} decided");
            // Most texts lack a character of the needle: the test turns them away.
            assert!(turned_away * 2 > texts.len(), "{needle:?}: {turned_away}");
        }
        let mut rules = MayContain::new(&fold("条例").chars).unwrap();
        assert!(rules.may("行政條例".as_bytes()));
        assert!(!rules.may("行政办法".as_bytes()));
        assert!(!rules.may("例".as_bytes()));
        // Not UTF-8: folding would read it otherwise, so it may.
        assert!(rules.may(b"\xFF"));
        assert!(MayContain::new(&[]).is_none());
    }

    #[test]
    fn bytes_decode_as_the_standard_library_reads_them() {
        // Every one- and two-byte string, and every three-byte string whose first byte leads a
        // longer sequence (overlong forms, surrogates, cut sequences), with a fourth byte
        // after some: decoded character by character, a string reads as `str::from_utf8` reads
        // it, and is refused where it is refused.
        let decoded = |bytes: &[u8]| -> Option<String> {
            let (mut rest, mut out) = (bytes, String::new());
            while !rest.is_empty() {
                let (c, len) = decode_utf8(rest)?;
                out.push(c);
                rest = &rest[len..];
            }
            Some(out)
        };
        let mut strings: Vec<Vec<u8>> = (0..=255u8).map(|a| vec![a]).collect();
        for a in 0..=255u8 {
            for b in 0..=255u8 {
                strings.push(vec![a, b]);
                if a >= 0xC0 {
                    for c in [0x00, 0x7F, 0x80, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF] {
                        strings.push(vec![a, b, c]);
                        strings.push(vec![a, b, c, 0x80]);
                        strings.push(vec![a, b, c, 0xBF]);
                    }
                }
            }
        }
        strings.extend(
            ["政府公报", "2025年第1号（总第77号）", "\u{10FFFF}a", "𠀀"]
                .map(|s| s.as_bytes().to_vec()),
        );
        for bytes in &strings {
            let want = std::str::from_utf8(bytes).ok().map(str::to_string);
            assert_eq!(decoded(bytes), want, "{bytes:x?}");
        }
    }

    #[test]
    fn finding_while_folding_finds_what_the_matching_form_holds() {
        // Needles that overlap themselves, white space and zero-width characters inside
        // matches, traditional characters, widths that change, and matches at both ends.
        let texts = [
            "政府 政府政\u{200B}府，政 府",
            "啊啊啊啊啊",
            "人民政府 與 人民政府公報 第 十四 條",
            "ＡＢ ab Ab\tAB，ａｂ",
            "計畫 计划 計 畫",
            "",
            "　政　府　",
        ];
        let needles = [
            "政府",
            "啊啊",
            "政府公报",
            "ab",
            "a b",
            "计划",
            "府",
            "第十四条",
            "政府政",
        ];
        for script in [Script::Fold, Script::Exact] {
            for text in texts {
                let folded = fold_with(text, script);
                for needle in needles {
                    let needle = fold_with(needle, script).chars;
                    assert_eq!(
                        find_folding(text, &needle, script),
                        folded.find_all(&needle),
                        "{text:?} {needle:?} {script:?}"
                    );
                }
                assert!(find_folding(text, &[], script).is_empty());
            }
        }
    }

    #[test]
    fn folds_full_width_digits_zero_width_and_spaces_between_cjk() {
        let folded = fold("第 十四 條，１９９６\u{200B}年 AA级");
        assert_eq!(folded.as_string(), "第十四条,1996年 aa级");
        // 1 of １９９６ is three bytes wide in the original text.
        let pos = folded.chars.iter().position(|&c| c == '1').unwrap();
        assert_eq!(folded.spans[pos].1 - folded.spans[pos].0, 3);
    }

    #[test]
    fn brackets_of_every_shape_are_one_pair() {
        let want = fold("国发[1993]21号").chars;
        for typed in [
            "国发〔1993〕21号",
            "国发［1993］21号",
            "国发(1993)21号",
            "国发（1993）21号",
            "国发【1993】21号",
            "国发⌈1993⌉21号",
        ] {
            assert_eq!(fold(typed).chars, want, "{typed}");
        }
        // Spans still point at the brackets as written.
        let folded = fold("国发〔1993〕");
        assert_eq!(folded.spans[2], (6, 9));
        // White space beside a CJK bracket goes as beside any CJK character.
        assert_eq!(
            fold("豫政 〔2025〕 3号").chars,
            fold("豫政〔2025〕 3号").chars
        );
        assert_eq!(fold("豫政 〔2025〕").as_string(), "豫政[2025]");
    }

    #[test]
    fn folds_traditional_characters_to_simplified_unless_asked_not_to() {
        assert_eq!(fold("雲臺山").as_string(), fold("云台山").as_string());
        assert_eq!(fold("資訊").as_string(), "资讯");
        assert_eq!(fold_with("雲臺山", Script::Exact).as_string(), "雲臺山");
        // The spans still point at the traditional characters as written.
        let folded = fold("行政院公報");
        assert_eq!(folded.spans.last(), Some(&(12, 15)));
    }

    #[test]
    fn drops_say_where_folding_dropped_characters_and_how_many() {
        let text = " 第 十四\u{200B}\u{200B}条  ";
        let folded = fold(text);
        assert_eq!(folded.as_string(), "第十四条");
        // Before 第 (one space), before 十 (one), before 条 (two zero-width), after 条 (two).
        assert_eq!(folded.drops(text), vec![(0, 1), (1, 1), (3, 2), (4, 2)]);
        // Each drop counted is a character of the text that no folded character came from.
        let dropped: usize = folded.drops(text).iter().map(|d| d.1).sum();
        assert_eq!(dropped, text.chars().count() - folded.len());
        assert!(fold("云台山").drops("云台山").is_empty());
    }

    #[test]
    fn every_character_fast2s_makes_is_affected_by_conversion() {
        // A character's conversion depends on it and its two neighbours: each character of the
        // table is tried alone, and those of `BESIDE` beside every ideograph on either side.
        let made = |text: String, at: usize| {
            crate::text::traditional::convert(&text)
                .chars()
                .nth(at)
                .unwrap()
        };
        for &code in crate::text::traditional::TRADITIONAL.iter() {
            let c = char::from_u32(code).unwrap();
            assert!(crate::text::traditional::affected(c), "{c}");
            let alone = made(c.to_string(), 0);
            assert!(crate::text::traditional::affected(alone), "{c} -> {alone}");
        }
        for c in crate::text::traditional::BESIDE {
            for n in (0x4E00u32..=0x9FFF).filter_map(char::from_u32) {
                for (text, at) in [(format!("{n}{c}"), 1), (format!("{c}{n}"), 0)] {
                    let m = made(text.clone(), at);
                    assert!(crate::text::traditional::affected(m), "{text} -> {m}");
                }
            }
        }
        assert!(!crate::text::traditional::affected('政'));
        assert!(!crate::text::traditional::affected('府'));
    }

    #[test]
    fn the_table_of_traditional_characters_is_what_fast2s_converts() {
        // fast2s converts three-byte characters only; some only beside certain neighbours.
        let mut want: Vec<u32> = (0x800u32..=0xFFFF)
            .filter_map(char::from_u32)
            .filter(|c| {
                let s = c.to_string();
                fast2s::convert(&s) != s || crate::text::traditional::BESIDE.contains(c)
            })
            .map(|c| c as u32)
            .collect();
        want.sort_unstable();
        assert_eq!(
            crate::text::traditional::TRADITIONAL.as_slice(),
            want.as_slice()
        );
        assert!(!may_be_traditional("焦作市人民政府工作报告 2025"));
        assert!(may_be_traditional("行政院公報"));
        assert_eq!(fold("計畫").as_string(), "计划");
    }

    #[test]
    fn standard_characters_that_fast2s_would_replace_are_kept() {
        for (text, folded) in [
            ("磐石", "磐石"),
            ("磐升細胞", "磐升细胞"),
            ("盘活", "盘活"),
            ("捍衛", "捍卫"),
            ("呵護", "呵护"),
            ("煅燒", "煅烧"),
            ("哪吒", "哪吒"),
        ] {
            assert_eq!(fold(text).as_string(), folded, "{text}");
        }
        for c in crate::text::traditional::KEPT {
            // Each is one that fast2s changes alone, and one that folding keeps.
            assert_ne!(fast2s::convert(&c.to_string()), c.to_string());
            assert_eq!(fold(&c.to_string()).as_string(), c.to_string());
        }
    }

    #[test]
    fn folding_with_drops_is_the_matching_form_and_its_drops() {
        // Every string of up to four characters that fold to others, are dropped, are white
        // space or are traditional, at both ends and between CJK and Latin.
        let alphabet = [
            '政', 'Ａ', 'a', '（', '\u{200B}', ' ', '\u{3000}', '\t', '門', '計', '畫', '1',
        ];
        let mut texts = every_string(&alphabet, 4);
        texts.push(" 第 十四\u{200B}\u{200B}条  ".to_string());
        texts.push("第一条　为了规范政府信息公开工作，制定本条例。".to_string());
        for text in &texts {
            let (folded, drops) = fold_with_drops(text);
            assert_eq!(folded, fold_to_string(text), "{text:?}");
            assert_eq!(drops, fold(text).drops(text), "{text:?}");
        }
    }

    #[test]
    fn the_indexed_string_is_the_matching_form() {
        for text in [
            "第 十四 條，１９９６\u{200B}年 AA级",
            "市长 刘冰 Li Bing ",
            "  行政院公報：運動發展基金",
            "",
        ] {
            assert_eq!(fold_to_string(text), fold(text).as_string(), "{text:?}");
        }
    }

    #[test]
    fn texts_said_to_fold_apart_fold_as_their_join_does() {
        // Pieces with every kind of edge: CJK, Latin, digits, full-width, brackets, white space
        // between and beside CJK, zero-width characters, traditional characters that fast2s
        // converts alone (國) or by a neighbour (著 in 看著).
        let pieces = [
            "焦作市人民政府公报",
            "2025年第1号",
            " ",
            "　",
            "\u{200B}",
            "AB",
            "ｃ",
            "〔",
            "〕",
            "國",
            "看",
            "著",
            "第 十四 條",
            "No.",
            "5",
            "政府",
            "\u{00AD}",
            "计畫",
        ];
        let mut apart = 0;
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let text = format!("{a}{b}{c}");
                    for (cut, _) in text.char_indices().skip(1) {
                        let (left, right) = text.split_at(cut);
                        for script in [Script::Fold, Script::Exact] {
                            if !(folds_apart(left, Edge::End, script)
                                && folds_apart(right, Edge::Start, script))
                            {
                                continue;
                            }
                            apart += 1;
                            let mut joined = fold_with(left, script);
                            let tail = fold_with(right, script);
                            joined.chars.extend(tail.chars);
                            let moved = tail.spans.iter().map(|&(s, e)| (s + cut, e + cut));
                            joined.spans.extend(moved);
                            assert_eq!(joined, fold_with(&text, script), "{left:?} + {right:?}");
                        }
                    }
                }
            }
        }
        // Most cuts of plain text fold apart; the rule is not `false` everywhere.
        assert!(apart > 10_000, "{apart}");
    }

    #[test]
    fn keeps_a_space_between_latin_and_cjk() {
        assert_eq!(fold("市长 刘冰 Li Bing").as_string(), "市长刘冰 li bing");
    }

    #[test]
    fn finds_spans_in_the_displayed_text() {
        let text = "补贴资金3.77亿元，拉动消费近21亿元";
        let folded = fold(text);
        let needle: Vec<char> = "亿元".chars().collect();
        let spans = folded.find_all(&needle);
        let found: Vec<&str> = spans.iter().map(|&(s, e)| &text[s..e]).collect();
        assert_eq!(found, ["亿元", "亿元"]);
    }
}
