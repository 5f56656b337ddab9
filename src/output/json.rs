//! JSON Lines: one object per hit, paragraph or bucket, as `--json` prints them.

use std::io::{self, Write};

use super::fields::json_lines;
use crate::parallel;
use crate::search::Hit;

/// Writes one JSON object per item (hit, paragraph, bucket), one per line. Many items are
/// serialised on every core, a batch at a time, and written in their order: `--all --json` on a
/// common word writes tens of thousands of hits, and serialising them one by one is a share of
/// its time worth spreading.
pub fn json<W: Write, T: serde::Serialize + Sync>(out: &mut W, items: &[T]) -> io::Result<()> {
    spread(out, items, lines)
}

/// Writes hits as JSON lines ([`super::fields::json_lines`]): as [`json`] writes items, on
/// every core when there are many.
pub fn hits(out: &mut Vec<u8>, hits: &[Hit]) -> io::Result<()> {
    if parallel::threads(hits.len(), PARALLEL_JSON_FROM) == 1 {
        return Ok(json_lines(out, hits)?);
    }
    spread(out, hits, |bytes, part| Ok(json_lines(bytes, part)?))
}

/// `write` over `items`, a batch at a time, each batch cut in one part per thread when there are
/// many, the parts written to `out` in their order.
fn spread<W: Write, T: Sync>(
    out: &mut W,
    items: &[T],
    write: impl Fn(&mut Vec<u8>, &[T]) -> io::Result<()> + Sync,
) -> io::Result<()> {
    let threads = parallel::threads(items.len(), PARALLEL_JSON_FROM);
    for batch in items.chunks(JSON_BATCH) {
        let size = batch.len().div_ceil(threads);
        let written = parallel::chunks(batch.chunks(size).collect(), threads, |parts| {
            let mut bytes = Vec::new();
            for part in parts {
                write(&mut bytes, part)?;
            }
            Ok::<_, io::Error>(bytes)
        });
        for bytes in written {
            out.write_all(&bytes?)?;
        }
    }
    Ok(())
}

/// Appends `text` as a JSON string, byte for byte as serde_json writes it: `"` and `\` escaped
/// with a backslash, control characters below U+0020 as `\b`, `\t`, `\n`, `\f`, `\r` or
/// `\u00xx`, everything else as it is. serde_json looks every byte up in a table; a paragraph's
/// text is most of a hit's line and almost never holds one of these bytes, so this looks at eight
/// bytes at a time and copies the runs between them whole.
pub(super) fn string(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        if let Some(word) = bytes[i..].first_chunk::<8>()
            && !any_escaped(u64::from_le_bytes(*word))
        {
            i += 8;
            continue;
        }
        let byte = bytes[i];
        if byte < 0x20 || byte == b'"' || byte == b'\\' {
            out.extend_from_slice(&bytes[run..i]);
            escape(out, byte);
            run = i + 1;
        }
        i += 1;
    }
    out.extend_from_slice(&bytes[run..]);
    out.push(b'"');
}

/// Whether any of the eight bytes of `word` is below 0x20, `"` or `\`. A byte is below `n`
/// (`n` ≤ 0x80) where subtracting `n` borrows into its high bit while its own high bit is clear;
/// a byte equals `b` where it XORs with `b` to zero.
fn any_escaped(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let below = |word: u64, n: u8| word.wrapping_sub(ONES * n as u64) & !word & HIGH;
    let zero = |word: u64| below(word, 1);
    below(word, 0x20) | zero(word ^ (ONES * b'"' as u64)) | zero(word ^ (ONES * b'\\' as u64)) != 0
}

fn escape(out: &mut Vec<u8>, byte: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    match byte {
        b'"' => out.extend_from_slice(b"\\\""),
        b'\\' => out.extend_from_slice(b"\\\\"),
        0x08 => out.extend_from_slice(b"\\b"),
        b'\t' => out.extend_from_slice(b"\\t"),
        b'\n' => out.extend_from_slice(b"\\n"),
        0x0C => out.extend_from_slice(b"\\f"),
        b'\r' => out.extend_from_slice(b"\\r"),
        _ => out.extend_from_slice(&[
            b'\\',
            b'u',
            b'0',
            b'0',
            HEX[(byte >> 4) as usize],
            HEX[(byte & 0xF) as usize],
        ]),
    }
}

/// Below this many items JSON is written on one thread.
const PARALLEL_JSON_FROM: usize = 2_000;
/// Items serialised together before they are written.
const JSON_BATCH: usize = 8_192;

fn lines<T: serde::Serialize>(out: &mut Vec<u8>, items: &[T]) -> io::Result<()> {
    for item in items {
        serde_json::to_writer(&mut *out, item)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::testing::hit;

    #[test]
    fn many_items_are_written_as_one_thread_writes_them() {
        // More than two batches, the last one short; each item its own line, in order.
        let items: Vec<(usize, String)> = (0..JSON_BATCH * 2 + 77)
            .map(|i| (i, format!("第{i}段「引文」\\")))
            .collect();
        let mut parallel = Vec::new();
        json(&mut parallel, &items).unwrap();
        let mut expected = String::new();
        for (i, text) in &items {
            let text = text.replace('\\', "\\\\");
            expected.push_str(&format!("[{i},\"{text}\"]\n"));
        }
        assert!(String::from_utf8(parallel).unwrap() == expected);
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        // Every ASCII byte at every offset of an eight-byte word, among CJK text and alone.
        let mut texts = vec![
            String::new(),
            "政".into(),
            "政府工作报告，二〇二五年".into(),
        ];
        for byte in 0..0x80u8 {
            let c = byte as char;
            for before in 0..9 {
                texts.push(format!("{}{c}{}", "a".repeat(before), "政府".repeat(3)));
            }
            texts.push(format!("{c}{c}政府{c}"));
        }
        for text in texts {
            let mut out = Vec::new();
            string(&mut out, &text);
            assert_eq!(out, serde_json::to_vec(&text).unwrap(), "{text:?}");
        }
    }

    #[test]
    fn writes_json_lines_with_the_documented_keys_in_order() {
        let mut out = Vec::new();
        json(&mut out, &[hit("云台山", vec![(0, 9)])]).unwrap();
        let line = String::from_utf8(out).unwrap();
        let value: serde_json::Value = serde_json::from_str(line.trim_end()).unwrap();
        let keys = [
            "path",
            "gazette",
            "issue",
            "date",
            "region",
            "document",
            "doc_number",
            "section",
            "page",
            "page_end",
            "paragraph",
            "score",
            "word_match",
            "matched_in",
            "text",
            "matches",
            "indexed",
            "first_indexed",
            "attributes",
        ];
        assert_eq!(value.as_object().unwrap().len(), keys.len());
        let positions: Vec<usize> = keys
            .iter()
            .map(|k| line.find(&format!("\"{k}\":")).unwrap())
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{line}");
        assert_eq!(value["matches"], serde_json::json!([[0, 9]]));
        assert_eq!(value["matched_in"], "text");
    }
}
