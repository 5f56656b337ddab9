//! A page's characters with where they stand, read from its content stream.
//!
//! pdf_oxide reads them, with one repair. A producer may wrap a glyph in marked content whose
//! `/ActualText` says which text it stands for: Chromium (Skia) does so for every Noto CJK glyph
//! that the font also maps from a radical (文, 一, 人, 民, 户 …), whose `ToUnicode` entry then names
//! the radical (⽂ U+2F42, ⼾ U+2F3E). pdf_oxide's character reader shows the ActualText's UTF-8
//! bytes as if they were character codes of the current font, which turns 「正文」 into 「正æ」.
//! Here each such marked content is given a marked-content id of its own instead of its
//! properties, and the characters read under that id are replaced by the ActualText.

use std::borrow::Cow;

use pdf_oxide::PdfDocument;
use pdf_oxide::extractors::TextExtractor;
use pdf_oxide::layout::TextChar;

/// Marked-content ids from here on stand for the ActualTexts of a page, in content order: far
/// above the ids a producer numbers from 0 for its structure tree.
const ACTUAL_TEXT_IDS: u32 = 1 << 30;

/// The characters of page `index`.
pub(super) fn chars(doc: &PdfDocument, index: usize) -> Result<Vec<TextChar>, String> {
    let damaged = |e: pdf_oxide::Error| format!("damaged PDF: page {}: {e}", index + 1);
    let page = doc.get_page(index).map_err(damaged)?;
    let content = doc.get_page_content_data(index).map_err(damaged)?;
    let (content, actual_texts) = tag_actual_texts(&content);
    let mut extractor = TextExtractor::new();
    extractor.set_page_index(index as u32);
    if let Some(resources) = page.as_dict().and_then(|d| d.get("Resources")) {
        extractor.set_resources(resources.clone());
        extractor.set_document(doc);
        doc.load_fonts_public(resources, &mut extractor)
            .map_err(damaged)?;
    }
    let chars = extractor.extract_owned(&content).map_err(damaged)?;
    Ok(with_actual_texts(chars, &actual_texts))
}

/// The characters with those under a tagged ActualText replaced by it: the first keeps its place
/// and takes the text (a text of several characters shares its width), the others go.
fn with_actual_texts(chars: Vec<TextChar>, actual_texts: &[String]) -> Vec<TextChar> {
    if actual_texts.is_empty() {
        return chars;
    }
    let mut done = vec![false; actual_texts.len()];
    let mut out = Vec::with_capacity(chars.len());
    for c in chars {
        let tagged = c
            .mcid
            .and_then(|id| id.checked_sub(ACTUAL_TEXT_IDS))
            .map(|k| k as usize)
            .filter(|&k| k < actual_texts.len());
        let Some(k) = tagged else {
            out.push(c);
            continue;
        };
        if std::mem::replace(&mut done[k], true) {
            continue;
        }
        let text: Vec<char> = actual_texts[k].chars().collect();
        let width = c.bbox.width / text.len().max(1) as f32;
        for (i, t) in text.into_iter().enumerate() {
            let mut glyph = c.clone();
            glyph.char = t;
            glyph.bbox.x += width * i as f32;
            glyph.bbox.width = width;
            out.push(glyph);
        }
    }
    out
}

/// The content stream with each `<<…/ActualText…>> BDC` made `<</MCID id>> BDC`, ids counted
/// from [`ACTUAL_TEXT_IDS`], and the ActualTexts in that order. A content stream without the word
/// is returned as it is.
fn tag_actual_texts(content: &[u8]) -> (Cow<'_, [u8]>, Vec<String>) {
    let mut texts = Vec::new();
    if memchr::memmem::find(content, b"/ActualText").is_none() {
        return (Cow::Borrowed(content), texts);
    }
    let mut out = Vec::with_capacity(content.len());
    let mut copied = 0;
    let mut i = 0;
    while i < content.len() {
        match content[i] {
            b'%' => i = line_end(content, i),
            b'(' => i = string_end(content, i),
            b'<' if content.get(i + 1) == Some(&b'<') => {
                let end = dict_end(content, i);
                let after = skip_space(content, end);
                let bdc = content[after..].starts_with(b"BDC") && is_operator_at(content, after, 3);
                if let Some(text) = actual_text(&content[i..end]).filter(|_| bdc) {
                    out.extend_from_slice(&content[copied..i]);
                    let id = ACTUAL_TEXT_IDS + texts.len() as u32;
                    out.extend_from_slice(format!("<</MCID {id}>>").as_bytes());
                    texts.push(text);
                    copied = end;
                }
                i = end;
            }
            b'<' => i = hex_end(content, i),
            b'B' if content[i..].starts_with(b"BI") && is_operator_at(content, i, 2) => {
                i = inline_image_end(content, i);
            }
            _ => i += 1,
        }
    }
    out.extend_from_slice(&content[copied..]);
    (Cow::Owned(out), texts)
}

/// The `/ActualText` of a properties dictionary, decoded: a hex or literal string, in UTF-16
/// with its byte-order mark or in PDFDocEncoding (read as Latin-1, which agrees with it on
/// letters and digits).
fn actual_text(dict: &[u8]) -> Option<String> {
    let at = memchr::memmem::find(dict, b"/ActualText")? + b"/ActualText".len();
    let at = skip_space(dict, at);
    let bytes = match dict.get(at)? {
        b'<' => {
            let end = hex_end(dict, at);
            // A string that a damaged stream cut short ends where the dictionary does.
            let digits = dict.get(at + 1..end.saturating_sub(1)).unwrap_or_default();
            let hex: Vec<u8> = digits
                .iter()
                .copied()
                .filter(u8::is_ascii_hexdigit)
                .collect();
            hex.chunks(2)
                .map(|pair| {
                    let digit = |b: u8| (b as char).to_digit(16).unwrap_or(0) as u8;
                    digit(pair[0]) * 16 + pair.get(1).map_or(0, |&b| digit(b))
                })
                .collect()
        }
        b'(' => literal(&dict[at..string_end(dict, at)]),
        _ => return None,
    };
    Some(match bytes.strip_prefix(&[0xFE, 0xFF]) {
        Some(utf16) => char::decode_utf16(
            utf16
                .chunks(2)
                .map(|pair| u16::from_be_bytes([pair[0], *pair.get(1).unwrap_or(&0)])),
        )
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect(),
        None => bytes.iter().map(|&b| b as char).collect(),
    })
}

/// The bytes of a literal string `(…)`, escapes read.
fn literal(string: &[u8]) -> Vec<u8> {
    let inner = &string[1..string.len().saturating_sub(1).max(1)];
    let mut out = Vec::with_capacity(inner.len());
    let mut i = 0;
    while i < inner.len() {
        let b = inner[i];
        i += 1;
        if b != b'\\' {
            out.push(b);
            continue;
        }
        let Some(&e) = inner.get(i) else { break };
        i += 1;
        match e {
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'0'..=b'7' => {
                let mut n = u32::from(e - b'0');
                for _ in 0..2 {
                    match inner.get(i) {
                        Some(&d @ b'0'..=b'7') => {
                            n = n * 8 + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                out.push(n as u8);
            }
            b'\n' | b'\r' => {}
            other => out.push(other),
        }
    }
    out
}

fn is_delimiter(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

/// True when the `len` bytes at `at` stand alone as an operator.
fn is_operator_at(content: &[u8], at: usize, len: usize) -> bool {
    let before = at == 0 || content[at - 1].is_ascii_whitespace() || is_delimiter(content[at - 1]);
    let after = content
        .get(at + len)
        .is_none_or(|b| b.is_ascii_whitespace() || is_delimiter(*b));
    before && after
}

fn skip_space(content: &[u8], mut i: usize) -> usize {
    while content.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    i
}

fn line_end(content: &[u8], i: usize) -> usize {
    memchr::memchr2(b'\n', b'\r', &content[i..]).map_or(content.len(), |n| i + n + 1)
}

/// The end of a literal string that opens at `i`: parentheses nest, and a backslash escapes.
fn string_end(content: &[u8], mut i: usize) -> usize {
    let mut depth = 0usize;
    while i < content.len() {
        match content[i] {
            b'\\' => i += 1,
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    content.len()
}

fn hex_end(content: &[u8], i: usize) -> usize {
    memchr::memchr(b'>', &content[i..]).map_or(content.len(), |n| i + n + 1)
}

/// The end of a dictionary that opens at `i`: dictionaries nest, and strings may hold `>>`.
fn dict_end(content: &[u8], mut i: usize) -> usize {
    let mut depth = 0usize;
    while i < content.len() {
        match content[i] {
            b'<' if content.get(i + 1) == Some(&b'<') => {
                depth += 1;
                i += 2;
            }
            b'>' if content.get(i + 1) == Some(&b'>') => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return i;
                }
            }
            b'(' => i = string_end(content, i),
            b'<' => i = hex_end(content, i),
            _ => i += 1,
        }
    }
    content.len()
}

/// The end of an inline image that opens at `i` (`BI … ID <binary> EI`): its data may hold any
/// byte, so it is skipped to an `EI` that stands alone.
fn inline_image_end(content: &[u8], i: usize) -> usize {
    let Some(id) = memchr::memmem::find_iter(&content[i..], b"ID")
        .map(|n| i + n)
        .find(|&at| is_operator_at(content, at, 2))
    else {
        return content.len();
    };
    memchr::memmem::find_iter(&content[id + 3..], b"EI")
        .map(|n| id + 3 + n)
        .find(|&at| is_operator_at(content, at, 2))
        .map_or(content.len(), |at| at + 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tagged(content: &str) -> (String, Vec<String>) {
        let (out, texts) = tag_actual_texts(content.as_bytes());
        (String::from_utf8(out.into_owned()).unwrap(), texts)
    }

    #[test]
    fn actual_text_is_tagged_with_an_id_of_its_own() {
        let content = "BT /F7 12 Tf /Span<</ActualText <feff6237> >> BDC\n(;) Tj\nEMC \
                       /Span <</ActualText (\\376\\377\\000A)>> BDC (x) Tj EMC ET";
        let (out, texts) = tagged(content);
        assert_eq!(
            out,
            "BT /F7 12 Tf /Span<</MCID 1073741824>> BDC\n(;) Tj\nEMC \
             /Span <</MCID 1073741825>> BDC (x) Tj EMC ET"
        );
        assert_eq!(texts, ["户", "A"]);
    }

    #[test]
    fn a_content_stream_cut_short_is_read_to_its_end() {
        for content in [
            "/Span <</ActualText <feff",
            "/Span <</ActualText <",
            "/Span <</ActualText (a",
            "/Span <</ActualText",
            "BI /W 1 ID <</ActualText",
            "(<</ActualText",
        ] {
            let (out, _) = tag_actual_texts(content.as_bytes());
            assert_eq!(out.len(), content.len(), "{content}");
        }
    }

    proptest::proptest! {
        /// A damaged or hostile content stream is read to its end without a panic, and grows by
        /// no more than the ids it is given.
        #[test]
        fn any_content_stream_is_read_to_its_end(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "/ActualText", "<<", ">>", " BDC", "BI", " ID ", "EI", "(", ")", "\\", "<",
                    ">", "<feff6237>", "%", "\n", "/Span", "x", " ",
                ]),
                0..60,
            )
        ) {
            let content: String = pieces.concat();
            let (out, texts) = tag_actual_texts(content.as_bytes());
            proptest::prop_assert!(out.len() <= content.len() + 24 * texts.len());
        }
    }

    #[test]
    fn other_marked_content_strings_and_images_are_kept() {
        for content in [
            "/P <</MCID 3>> BDC (x) Tj EMC /ActualText",
            "(<</ActualText (a)>> BDC) Tj",
            "BI /W 1 /H 1 ID <</ActualText (a)>> BDC EI Q",
            "% <</ActualText (a)>> BDC\n(x) Tj",
        ] {
            assert_eq!(tagged(content), (content.to_string(), vec![]));
        }
        // A string that holds `>>` inside the dictionary does not end it early.
        let (out, texts) = tagged("/Span <</ActualText (a>>b)>> BDC (x) Tj EMC");
        assert_eq!(out, "/Span <</MCID 1073741824>> BDC (x) Tj EMC");
        assert_eq!(texts, ["a>>b"]);
    }
}
