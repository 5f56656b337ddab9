//! TABLES: `gazette stats` buckets and `gazette bench` latencies, in aligned columns.

use std::io::{self, Write};

use super::{CITATION, paint};
use crate::report::stats::Bucket;
use crate::tools::bench::BenchReport;

/// Writes the buckets of `gazette stats` as a table with a bar for each bucket's `per_10k`.
pub fn stats<W: Write>(out: &mut W, buckets: &[Bucket], color: bool) -> io::Result<()> {
    use unicode_width::UnicodeWidthStr;
    const BAR: usize = 40;
    let name_width = buckets
        .iter()
        .map(|b| super::printable(&b.bucket).width())
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
    let text = super::printable(text);
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

/// Writes `gazette bench`'s report: the index's opening time, then a row per query class and one
/// for all queries, with latencies in milliseconds.
pub fn bench<W: Write>(out: &mut W, report: &BenchReport) -> io::Result<()> {
    writeln!(out, "index open: {:.2} ms", report.open_ms)?;
    writeln!(
        out,
        "{:<10} {:>7} {:>6} {:>9} {:>8} {:>8} {:>8} {:>8}",
        "class", "queries", "runs", "hits", "p50 ms", "p95 ms", "p99 ms", "max ms"
    )?;
    for l in report
        .classes
        .iter()
        .chain(std::iter::once(&report.overall))
    {
        writeln!(
            out,
            "{:<10} {:>7} {:>6} {:>9} {:>8.3} {:>8.3} {:>8.3} {:>8.3}",
            l.class, l.queries, l.runs, l.hits, l.p50_ms, l.p95_ms, l.p99_ms, l.max_ms
        )?;
    }
    Ok(())
}
