//! PRINT: hits -> text for a person (citation, then the passage with its matches highlighted) or
//! JSON Lines for a script. Generic over `W: Write`; colour is the caller's choice.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};

use crate::report::show::Shown;
use crate::report::stats::Bucket;
use crate::search::{Hit, SearchResult};

/// A paragraph up to this many characters is shown whole; a longer one as windows around its
/// matches.
const WHOLE_PARAGRAPH_CHARS: usize = 240;
/// Characters of context on each side of a match in a window.
const CONTEXT_CHARS: usize = 60;
/// Windows shown at most for one paragraph.
const MAX_WINDOWS: usize = 3;

const CITATION: Style = AnsiColor::Green.on_default().bold();
const LOCATION: Style = Style::new().dimmed();
const MATCH: Style = AnsiColor::Red.on_default().bold();

/// `text` in `style` when `color`, else as it is.
fn paint(style: Style, text: &str, color: bool) -> String {
    if color {
        format!("{}{text}{}", style.render(), style.render_reset())
    } else {
        text.to_string()
    }
}

/// Writes one JSON object per item (hit, paragraph, bucket), one per line. Many items are
/// serialised on every core, a batch at a time, and written in their order: `--all --json` on a
/// common word writes tens of thousands of hits, and serialising them was a tenth of its time.
pub fn json<W: Write, T: serde::Serialize + Sync>(out: &mut W, items: &[T]) -> io::Result<()> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    if threads == 1 || items.len() < PARALLEL_JSON_FROM {
        return json_lines(out, items);
    }
    for batch in items.chunks(JSON_BATCH) {
        let size = batch.len().div_ceil(threads);
        let written: Vec<io::Result<Vec<u8>>> = std::thread::scope(|scope| {
            let handles: Vec<_> = batch
                .chunks(size)
                .map(|chunk| {
                    scope.spawn(move || {
                        let mut bytes = Vec::new();
                        json_lines(&mut bytes, chunk).map(|()| bytes)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|handle| handle.join().expect("a JSON thread panicked"))
                .collect()
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

fn json_lines<W: Write, T: serde::Serialize>(out: &mut W, items: &[T]) -> io::Result<()> {
    for item in items {
        serde_json::to_writer(&mut *out, item)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Writes the hits for a person to read, and a last line that says how many there are.
pub fn human<W: Write>(out: &mut W, result: &SearchResult, color: bool) -> io::Result<()> {
    let paint = |style: Style, text: &str| paint(style, text, color);
    for hit in &result.hits {
        writeln!(
            out,
            "{} {}",
            paint(CITATION, &citation(hit)),
            paint(
                LOCATION,
                &format!("[{} ¶{}]", hit.citation.path, hit.paragraph)
            )
        )?;
        let mut line = String::from("  ");
        let pieces = passage(hit);
        for (k, piece) in pieces.iter().enumerate() {
            match piece {
                Piece::Plain(text) => line.push_str(text),
                Piece::Match(text) => line.push_str(&paint(MATCH, text)),
                Piece::Gap if k == 0 || k + 1 == pieces.len() => line.push('…'),
                Piece::Gap => line.push_str(" … "),
            }
        }
        writeln!(out, "{line}")?;
        if let Some(reference) = &hit.reference {
            writeln!(out, "  {}", paint(LOCATION, reference))?;
        }
        writeln!(out)?;
    }
    let shown = result.hits.len();
    let noun = if result.total == 1 {
        "paragraph"
    } else {
        "paragraphs"
    };
    if shown < result.total {
        writeln!(
            out,
            "{} {noun} match; showing the best {shown} (--all for every one).",
            result.total
        )
    } else {
        writeln!(out, "{} {noun} match.", result.total)
    }
}

/// 「焦作市人民政府公报 2025年第1号（总第139号） 2025-02-28 · 焦作市人民政府工作报告 (p. 3) › 三、… › （一）…」
pub fn citation(hit: &Hit) -> String {
    let mut citation = issue_and_document(hit);
    for heading in &hit.section {
        citation.push_str(" › ");
        citation.push_str(heading);
    }
    citation
}

/// 「焦作市人民政府公报 2025年第1号（总第139号） 2025-02-28 · 焦作市人民政府工作报告 (p. 3)」
fn issue_and_document(hit: &Hit) -> String {
    let issue: Vec<&str> = [
        &hit.citation.gazette,
        &hit.citation.issue,
        &hit.citation.date,
    ]
    .into_iter()
    .filter_map(|v| v.as_deref())
    .collect();
    let document = match hit.citation.page {
        Some(page) => format!("{} (p. {page})", hit.citation.document),
        None => hit.citation.document.clone(),
    };
    if issue.is_empty() {
        document
    } else {
        format!("{} · {document}", issue.join(" "))
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Piece<'a> {
    Plain(&'a str),
    Match(&'a str),
    Gap,
}

/// The part of a paragraph to show, cut into plain text and matches: the whole paragraph when it
/// is short, otherwise up to [`MAX_WINDOWS`] windows around its matches.
fn passage(hit: &Hit) -> Vec<Piece<'_>> {
    let text = hit.text.as_str();
    let ranges = merged(&hit.matches);
    let char_starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    let windows: Vec<(usize, usize)> = if char_starts.len() <= WHOLE_PARAGRAPH_CHARS {
        vec![(0, text.len())]
    } else {
        // Window bounds in bytes, CONTEXT_CHARS characters either side of each match.
        let back = |byte: usize| {
            let at = char_starts.partition_point(|&s| s < byte);
            char_starts[at.saturating_sub(CONTEXT_CHARS)]
        };
        let forward = |byte: usize| {
            let at = char_starts.partition_point(|&s| s < byte);
            char_starts
                .get(at + CONTEXT_CHARS)
                .copied()
                .unwrap_or(text.len())
        };
        let mut windows: Vec<(usize, usize)> = Vec::new();
        for &(start, end) in &ranges {
            let (from, to) = (back(start), forward(end));
            match windows.last_mut() {
                Some(last) if from <= last.1 => last.1 = last.1.max(to),
                _ => windows.push((from, to)),
            }
        }
        windows.truncate(MAX_WINDOWS);
        windows
    };

    let mut pieces = Vec::new();
    for (k, &(from, to)) in windows.iter().enumerate() {
        if k > 0 || from > 0 {
            pieces.push(Piece::Gap);
        }
        let mut at = from;
        for &(start, end) in ranges.iter().filter(|(s, e)| *s < to && *e > from) {
            let (start, end) = (start.max(from), end.min(to));
            if start > at {
                pieces.push(Piece::Plain(&text[at..start]));
            }
            pieces.push(Piece::Match(&text[start..end]));
            at = end;
        }
        if at < to {
            pieces.push(Piece::Plain(&text[at..to]));
        }
    }
    if windows.last().is_some_and(|w| w.1 < text.len()) {
        pieces.push(Piece::Gap);
    }
    pieces
}

/// Sorted match ranges with overlapping ones merged, for highlighting.
fn merged(matches: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut sorted = matches.to_vec();
    sorted.sort_unstable();
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (start, end) in sorted {
        match out.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => out.push((start, end)),
        }
    }
    out
}

/// Writes how a file was read: metadata and where each value came from, documents, the section
/// tree with paragraph counts, and (with `paragraphs`) every paragraph.
pub fn inspect<W: Write>(
    out: &mut W,
    path: &str,
    loaded: &crate::ingest::Loaded,
    paragraphs: bool,
) -> io::Result<()> {
    let issue = &loaded.issue;
    writeln!(out, "file: {path}")?;
    let source = |field: &str| {
        loaded
            .sources
            .iter()
            .rev()
            .find(|(f, _)| *f == field)
            .map_or(String::new(), |(_, s)| format!("  ({s})"))
    };
    for (field, value) in [
        ("gazette", &issue.gazette),
        ("issue", &issue.issue),
        ("date", &issue.date),
        ("region", &issue.region),
    ] {
        let shown = value.as_deref().unwrap_or("-");
        writeln!(out, "{field}: {shown}{}", source(field))?;
    }
    for (name, value) in &loaded.attributes {
        writeln!(out, "attribute {name}: {value}  (from the manifest)")?;
    }
    writeln!(
        out,
        "{} document(s), {} paragraph(s), {} line join(s) across page ends or links, {} debris line(s) dropped",
        issue.documents.len(),
        issue.paragraph_count(),
        issue.stats.cuts_joined,
        issue.stats.debris_dropped
    )?;
    for (n, document) in issue.documents.iter().enumerate() {
        let page = document
            .page
            .map_or(String::new(), |p| format!(", page {p}"));
        writeln!(
            out,
            "\ndocument {}: {}{page}{}, {} paragraph(s)",
            n + 1,
            document.title,
            if issue.documents.len() == 1 {
                source("title")
            } else {
                String::new()
            },
            document.paragraphs.len()
        )?;
        let mut shown: Vec<String> = Vec::new();
        for (k, paragraph) in document.paragraphs.iter().enumerate() {
            // Print each heading of the tree once, where it opens.
            for depth in 0..paragraph.section.len() {
                if shown.get(depth) != Some(&paragraph.section[depth]) {
                    shown.truncate(depth);
                    shown.push(paragraph.section[depth].clone());
                    let count = document.paragraphs[k..]
                        .iter()
                        .take_while(|p| {
                            p.section.get(..=depth) == Some(&paragraph.section[..=depth])
                        })
                        .count();
                    writeln!(
                        out,
                        "  {}{}  ({count})",
                        "  ".repeat(depth),
                        paragraph.section[depth]
                    )?;
                }
            }
            shown.truncate(paragraph.section.len());
            if paragraphs {
                let kind = if paragraph.heading { "#" } else { "¶" };
                writeln!(
                    out,
                    "  {}{kind}{} {}",
                    "  ".repeat(paragraph.section.len()),
                    k + 1,
                    paragraph.text
                )?;
            }
        }
    }
    Ok(())
}

/// How concordance lines are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KwicOrder {
    /// In the order of the hits, then of the matches in each.
    Hits,
    /// By the context before the match, read from the match leftward.
    Left,
    /// By the context after the match.
    Right,
}

/// One concordance line: a match with `width` characters of context on each side.
#[derive(Debug, PartialEq)]
struct Line<'a> {
    left: String,
    matched: &'a str,
    right: String,
    hit: &'a Hit,
}

/// Context shown on one line: line breaks and tabs become spaces.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn kwic_lines(hits: &[Hit], width: usize, order: KwicOrder) -> Vec<Line<'_>> {
    let mut lines = Vec::new();
    for hit in hits {
        let text = hit.text.as_str();
        for &(start, end) in &hit.matches {
            let before = &text[..start];
            let from = before
                .char_indices()
                .rev()
                .nth(width.saturating_sub(1))
                .map_or(0, |(i, _)| i);
            let after = &text[end..];
            let to = after
                .char_indices()
                .nth(width)
                .map_or(after.len(), |(i, _)| i);
            lines.push(Line {
                left: one_line(if width == 0 { "" } else { &before[from..] }),
                matched: &text[start..end],
                right: one_line(&after[..to]),
                hit,
            });
        }
    }
    match order {
        KwicOrder::Hits => {}
        KwicOrder::Left => lines.sort_by(|a, b| {
            a.left
                .chars()
                .rev()
                .cmp(b.left.chars().rev())
                .then_with(|| a.matched.cmp(b.matched))
        }),
        KwicOrder::Right => lines.sort_by(|a, b| (a.matched, &a.right).cmp(&(b.matched, &b.right))),
    }
    lines
}

/// Writes a concordance: one line per occurrence, the left contexts right-aligned and the right
/// ones padded so that matches and citations stand in columns (CJK characters count two
/// columns). Gives the number of lines.
pub fn kwic<W: Write>(
    out: &mut W,
    hits: &[Hit],
    width: usize,
    order: KwicOrder,
    color: bool,
) -> io::Result<usize> {
    use unicode_width::UnicodeWidthStr;
    let lines = kwic_lines(hits, width, order);
    let left_width = lines.iter().map(|l| l.left.width()).max().unwrap_or(0);
    let match_width = lines.iter().map(|l| l.matched.width()).max().unwrap_or(0);
    let right_width = lines.iter().map(|l| l.right.width()).max().unwrap_or(0);
    for line in &lines {
        let matched = paint(MATCH, line.matched, color);
        let place = format!(
            "{} [{} ¶{}]",
            issue_and_document(line.hit),
            line.hit.citation.path,
            line.hit.paragraph
        );
        writeln!(
            out,
            "{}{}  {}{}  {}{}  {}",
            " ".repeat(left_width - line.left.width()),
            line.left,
            matched,
            " ".repeat(match_width - line.matched.width()),
            line.right,
            " ".repeat(right_width - line.right.width()),
            paint(LOCATION, &place, color)
        )?;
    }
    Ok(lines.len())
}

/// Writes the buckets of `gazette stats` as a table with a bar for each bucket's `per_10k`.
pub fn stats<W: Write>(out: &mut W, buckets: &[Bucket], color: bool) -> io::Result<()> {
    use unicode_width::UnicodeWidthStr;
    const BAR: usize = 40;
    let name_width = buckets
        .iter()
        .map(|b| b.bucket.width())
        .chain(["bucket".len()])
        .max()
        .unwrap_or(0);
    let top = buckets.iter().map(|b| b.per_10k).fold(0.0, f64::max);
    writeln!(
        out,
        "{}{:>11} {:>12} {:>12} {:>10}",
        pad("bucket", name_width),
        "paragraphs",
        "occurrences",
        "of total",
        "per 10k"
    )?;
    for b in buckets {
        let bar = if top > 0.0 {
            bar(b.per_10k / top * BAR as f64)
        } else {
            String::new()
        };
        let bar = paint(CITATION, &bar, color && !bar.is_empty());
        writeln!(
            out,
            "{}{:>11} {:>12} {:>12} {:>10.2}  {bar}",
            pad(&b.bucket, name_width),
            b.paragraphs,
            b.occurrences,
            b.total_paragraphs,
            b.per_10k
        )?;
    }
    let (paragraphs, occurrences, total) = buckets.iter().fold((0, 0, 0), |acc, b| {
        (
            acc.0 + b.paragraphs,
            acc.1 + b.occurrences,
            acc.2 + b.total_paragraphs,
        )
    });
    writeln!(
        out,
        "{}{paragraphs:>11} {occurrences:>12} {total:>12} {:>10.2}",
        pad("all", name_width),
        crate::report::stats::per_10k(occurrences, total)
    )
}

/// `text` and spaces to fill `width` columns, and one more.
fn pad(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    format!("{text}{} ", " ".repeat(width.saturating_sub(text.width())))
}

/// A horizontal bar `length` cells long, in eighths of a cell.
fn bar(length: f64) -> String {
    const EIGHTHS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
    let eighths = (length * 8.0).round() as usize;
    let mut bar = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        bar.push(EIGHTHS[eighths % 8]);
    }
    if bar.is_empty() && length > 0.0 {
        bar.push('▏');
    }
    bar
}

/// Writes paragraphs of a file for `gazette show`: the citation of each document where it starts,
/// each heading path where it changes, the asked paragraph marked.
pub fn show<W: Write>(out: &mut W, shown: &Shown, color: bool) -> io::Result<()> {
    let paint = |style: Style, text: &str| paint(style, text, color);
    let mut document = None;
    let mut section: Option<&Vec<String>> = None;
    for (i, hit) in shown.paragraphs.iter().enumerate() {
        let opens = hit.paragraph == 1 || document.is_none();
        if opens || document != Some(&hit.citation.document) {
            if document.is_some() {
                writeln!(out)?;
            }
            writeln!(
                out,
                "{} {}",
                paint(CITATION, &issue_and_document(hit)),
                paint(LOCATION, &format!("[{}]", hit.citation.path))
            )?;
            document = Some(&hit.citation.document);
            section = None;
        }
        if section != Some(&hit.section) && !hit.section.is_empty() {
            writeln!(
                out,
                "{}",
                paint(LOCATION, &format!("§ {}", hit.section.join(" › ")))
            )?;
        }
        section = Some(&hit.section);
        let marker = if shown.target == Some(i) { "▶" } else { " " };
        let text = if shown.target == Some(i) {
            paint(Style::new().bold(), &hit.text)
        } else {
            hit.text.clone()
        };
        writeln!(out, "{marker} ¶{} {text}", hit.paragraph)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(text: &str, matches: Vec<(usize, usize)>) -> Hit {
        Hit {
            citation: std::sync::Arc::new(crate::store::schema::Citation {
                path: "corpus/a.txt".into(),
                gazette: Some("焦作市人民政府公报".into()),
                issue: Some("2025年第1号".into()),
                date: Some("2025-02-28".into()),
                region: Some("河南省焦作市".into()),
                document: "焦作市人民政府工作报告".into(),
                page: Some(3),
                attributes: Default::default(),
            }),
            section: vec!["三、2025年重点工作".into()],
            paragraph: 7,
            score: 1.5,
            word_match: true,
            text: text.into(),
            matches,
            reference: None,
        }
    }

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
    fn prints_the_citation_then_the_paragraph_with_its_match_marked() {
        let text = "建设云台山实验室。";
        let start = text.find("云台山").unwrap();
        let result = SearchResult {
            hits: vec![hit(text, vec![(start, start + "云台山".len())])],
            total: 1,
        };
        let mut out = Vec::new();
        human(&mut out, &result, false).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "焦作市人民政府公报 2025年第1号 2025-02-28 · 焦作市人民政府工作报告 (p. 3) › 三、2025年重点工作 [corpus/a.txt ¶7]\n  建设云台山实验室。\n\n1 paragraph match.\n"
        );
        let mut out = Vec::new();
        human(&mut out, &result, true).unwrap();
        let colored = String::from_utf8(out).unwrap();
        assert!(colored.contains(&format!("{}云台山{}", MATCH.render(), MATCH.render_reset())));
    }

    #[test]
    fn shows_windows_around_matches_in_a_long_paragraph() {
        let text = format!("{}云台山{}", "甲".repeat(300), "乙".repeat(300));
        let start = text.find("云台山").unwrap();
        let h = hit(&text, vec![(start, start + "云台山".len())]);
        let pieces = passage(&h);
        assert_eq!(pieces.first(), Some(&Piece::Gap));
        assert_eq!(pieces.last(), Some(&Piece::Gap));
        assert_eq!(pieces[1], Piece::Plain(&text[start - 60 * 3..start]));
        assert_eq!(pieces[2], Piece::Match("云台山"));
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
            "section",
            "page",
            "paragraph",
            "score",
            "word_match",
            "text",
            "matches",
            "attributes",
        ];
        assert_eq!(value.as_object().unwrap().len(), keys.len());
        let positions: Vec<usize> = keys
            .iter()
            .map(|k| line.find(&format!("\"{k}\":")).unwrap())
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{line}");
        assert_eq!(value["matches"], serde_json::json!([[0, 9]]));
    }
}
