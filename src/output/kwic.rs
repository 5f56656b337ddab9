//! KWIC: a concordance, one line per occurrence, the match centred between its contexts and the
//! citation at the end.

use std::io::{self, Write};

use super::human::issue_and_document;
use super::{LOCATION, MATCH, paint, printable};
use crate::search::Hit;

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
pub struct Line<'a> {
    pub left: String,
    pub matched: &'a str,
    pub right: String,
    pub hit: &'a Hit,
}

/// Context shown on one line: line breaks and tabs become spaces.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The concordance lines of `hits`, in `order`.
pub fn kwic_lines(hits: &[Hit], width: usize, order: KwicOrder) -> Vec<Line<'_>> {
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
        let place = printable(&format!(
            "{} [{} ¶{}]",
            issue_and_document(line.hit),
            line.hit.citation.path,
            line.hit.paragraph
        ))
        .into_owned();
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
