//! HUMAN: hits -> text for a person: the citation, then the passage with its matches
//! highlighted, windows around them in a long paragraph, and a last line with the total.

use std::io::{self, Write};

use anstyle::Style;

use super::{CITATION, LOCATION, MATCH, paint, printable, printable_text};
use crate::search::{Hit, MatchedIn, SearchResult};

/// A paragraph up to this many characters is shown whole; a longer one as windows around its
/// matches.
const WHOLE_PARAGRAPH_CHARS: usize = 240;
/// Characters of context on each side of a match in a window.
const CONTEXT_CHARS: usize = 60;
/// Windows shown at most for one paragraph.
const MAX_WINDOWS: usize = 3;

/// Writes the hits for a person to read, and a last line that says how many there are.
pub fn human<W: Write>(out: &mut W, result: &SearchResult, color: bool) -> io::Result<()> {
    hits(out, &result.hits, color)?;
    footer(out, result, result.hits.len())
}

/// Writes each hit: its citation and place, the passage with its matches, its reference.
pub fn hits<W: Write>(out: &mut W, hits: &[Hit], color: bool) -> io::Result<()> {
    let paint = |style: Style, text: &str| paint(style, text, color);
    for hit in hits {
        writeln!(
            out,
            "{} {}",
            paint(CITATION, &printable(&citation(hit))),
            paint(LOCATION, &printable(&location(hit)))
        )?;
        let mut line = String::from("  ");
        let pieces = passage(hit);
        for (k, piece) in pieces.iter().enumerate() {
            match piece {
                Piece::Plain(text) => line.push_str(&printable_text(text)),
                Piece::Match(text) => line.push_str(&paint(MATCH, &printable_text(text))),
                Piece::Gap if k == 0 || k + 1 == pieces.len() => line.push('…'),
                Piece::Gap => line.push_str(" … "),
            }
        }
        writeln!(out, "{line}")?;
        if let Some(reference) = &hit.reference {
            writeln!(out, "  {}", paint(LOCATION, &printable(reference)))?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// The last line: how many hits there are, and whether `shown` were all of them.
pub fn footer<W: Write>(out: &mut W, result: &SearchResult, shown: usize) -> io::Result<()> {
    if shown < result.total {
        writeln!(
            out,
            "{}; showing the best {shown} (--all for every one).",
            totals(result)
        )
    } else {
        writeln!(out, "{}.", totals(result))
    }
}

/// What matched, counted by kind: 「12 paragraphs match」, 「2 documents by title or 文号 and 12
/// paragraphs match」.
pub fn totals(result: &SearchResult) -> String {
    let count =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut parts = Vec::new();
    if result.issues > 0 {
        parts.push(count(result.issues, "issue by name", "issues by name"));
    }
    if result.documents > 0 {
        parts.push(count(
            result.documents,
            "document by title or 文号",
            "documents by title or 文号",
        ));
    }
    if result.paragraphs > 0 || parts.is_empty() {
        parts.push(count(result.paragraphs, "paragraph", "paragraphs"));
    }
    let verb = if result.total == 1 {
        "matches"
    } else {
        "match"
    };
    let last = parts.pop().unwrap_or_default();
    if parts.is_empty() {
        format!("{last} {verb}")
    } else {
        format!("{} and {last} match", parts.join(", "))
    }
}

/// Where a hit is in the index: 「[corpus/a.txt ¶3]」 for a paragraph, 「[corpus/a.txt · title]」
/// for a name.
fn location(hit: &Hit) -> String {
    match hit.matched_in {
        MatchedIn::Text => format!("[{} ¶{}]", hit.citation.path, hit.paragraph),
        named => format!("[{} · {}]", hit.citation.path, named.as_str()),
    }
}

/// 「焦作市人民政府公报 2025年第1号（总第139号） 2025-02-28 · 焦作市人民政府工作报告 (p. 3) › 三、… › （一）…」
pub fn citation(hit: &Hit) -> String {
    let mut citation = issue_and_document(hit);
    for heading in hit.section.headings() {
        citation.push_str(" › ");
        citation.push_str(heading);
    }
    citation
}

/// 「焦作市人民政府公报 2025年第1号（总第139号） 2025-02-28 · 焦作市人民政府工作报告 (p. 3)」
pub fn issue_and_document(hit: &Hit) -> String {
    let issue: Vec<&str> = [
        &hit.citation.gazette,
        &hit.citation.issue,
        &hit.citation.date,
    ]
    .into_iter()
    .filter_map(|v| v.as_deref())
    .collect();
    let document = match pages(hit) {
        Some(pages) => format!("{} (p. {pages})", hit.citation.document),
        None => hit.citation.document.clone(),
    };
    // A hit that stands for an issue names no document.
    if issue.is_empty() || document.is_empty() {
        [issue.join(" "), document].join("")
    } else {
        format!("{} · {document}", issue.join(" "))
    }
}

/// The pages a hit stands on as a citation gives them: 「5」, or 「5-6」 across a page end.
pub(super) fn pages(hit: &Hit) -> Option<String> {
    let first = hit.page?;
    Some(match hit.page_end {
        Some(last) if last > first => format!("{first}-{last}"),
        _ => first.to_string(),
    })
}

#[derive(Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    Plain(&'a str),
    Match(&'a str),
    Gap,
}

/// The part of a paragraph to show, cut into plain text and matches: the whole paragraph when it
/// is short, otherwise up to [`MAX_WINDOWS`] windows around its matches.
pub fn passage(hit: &Hit) -> Vec<Piece<'_>> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::testing::hit;

    #[test]
    fn prints_the_citation_then_the_paragraph_with_its_match_marked() {
        let text = "建设云台山实验室。";
        let start = text.find("云台山").unwrap();
        let result = SearchResult {
            hits: vec![hit(text, vec![(start, start + "云台山".len())])],
            total: 1,
            paragraphs: 1,
            ..SearchResult::default()
        };
        let mut out = Vec::new();
        human(&mut out, &result, false).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "焦作市人民政府公报 2025年第1号 2025-02-28 · 焦作市人民政府工作报告 (p. 3) › 三、2025年重点工作 [corpus/a.txt ¶7]\n  建设云台山实验室。\n\n1 paragraph matches.\n"
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
    fn a_name_says_what_it_stands_for_and_is_counted_apart() {
        let title = "焦作市人民政府工作报告";
        let mut document = hit(title, vec![(0, title.len())]);
        document.matched_in = MatchedIn::Title;
        document.paragraph = 0;
        document.section = Default::default();
        let mut issue = hit("焦作市人民政府公报2025年第1号", vec![(0, 27)]);
        issue.matched_in = MatchedIn::Gazette;
        std::sync::Arc::make_mut(&mut issue.citation)
            .document
            .clear();
        issue.page = None;
        issue.section = Default::default();
        let result = SearchResult {
            hits: vec![issue, document],
            total: 5,
            paragraphs: 3,
            documents: 1,
            issues: 1,
        };
        let mut out = Vec::new();
        human(&mut out, &result, false).unwrap();
        let out = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines[0],
            "焦作市人民政府公报 2025年第1号 2025-02-28 [corpus/a.txt · gazette]"
        );
        assert_eq!(
            lines[3],
            "焦作市人民政府公报 2025年第1号 2025-02-28 · 焦作市人民政府工作报告 (p. 3) [corpus/a.txt · title]"
        );
        assert_eq!(
            lines.last().unwrap(),
            &"1 issue by name, 1 document by title or 文号 and 3 paragraphs match; showing the best 2 (--all for every one)."
        );
    }
}
