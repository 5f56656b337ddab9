//! Text -> blocks: the units the extraction left, before any repair.
//!
//! Text extracted from a PDF separates paragraphs with blank lines (the seed gazette); text saved
//! from a web page or a database usually puts one paragraph on a line. A file where most lines are
//! followed by a blank line is read the first way, and the lines of one group are joined (a soft
//! wrap); any other file is read one block a line.

use crate::analysis::is_cjk;

pub fn split(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().map(trim).collect();
    let content = lines.iter().filter(|l| !l.is_empty()).count();
    let followed_by_blank = lines
        .windows(2)
        .filter(|w| !w[0].is_empty() && w[1].is_empty())
        .count();
    let blank_separated = followed_by_blank * 2 > content;

    let mut blocks = Vec::new();
    let mut current = String::new();
    for line in lines {
        if line.is_empty() {
            flush(&mut current, &mut blocks);
            continue;
        }
        if !blank_separated {
            flush(&mut current, &mut blocks);
        }
        join_wrapped(&mut current, line);
    }
    flush(&mut current, &mut blocks);
    blocks
}

fn flush(current: &mut String, blocks: &mut Vec<String>) {
    if !current.is_empty() {
        blocks.push(std::mem::take(current));
    }
}

/// Appends `next` to `current` the way a reader would read a wrapped line: CJK text runs on
/// without a space, Latin words keep one.
pub fn join_wrapped(current: &mut String, next: &str) {
    let needs_space = match (current.chars().last(), next.chars().next()) {
        (Some(a), Some(b)) => !(is_cjk(a) || is_cjk(b)),
        _ => false,
    };
    if needs_space {
        current.push(' ');
    }
    current.push_str(next);
}

/// Trims white space, including the ideographic space U+3000 used to indent Chinese text.
fn trim(line: &str) -> &str {
    line.trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_blank_line_separated_paragraphs_and_joins_their_wrapped_lines() {
        let text = "第一段\n接着第一段。\n\n\u{3000}\u{3000}第二段。\n\nsee\nalso\n";
        assert_eq!(split(text), ["第一段接着第一段。", "第二段。", "see also"]);
    }

    #[test]
    fn reads_one_paragraph_a_line_when_lines_are_not_separated() {
        let text = "第一条 总则。\n第二条 适用范围。\n\n第三条 附则。\n";
        assert_eq!(split(text), ["第一条 总则。", "第二条 适用范围。", "第三条 附则。"]);
    }
}
