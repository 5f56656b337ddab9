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
pub fn hits<W: Write>(out: &mut W, hits: &[Hit]) -> io::Result<()> {
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
