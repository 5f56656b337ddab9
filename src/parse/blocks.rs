//! Text -> blocks: the units the extraction left, before any repair.
//!
//! Text extracted from a PDF separates paragraphs with blank lines and may wrap a paragraph over
//! several lines; text scraped from a wiki puts each linked term on a line of its own
//! (「…所作的」 / 「政府工作报告」 / 「。会议充分肯定…」). Text saved from a database usually puts one
//! paragraph on a line, blank lines or not. So: where the lines that run straight into another line
//! mostly stop mid-sentence, a group of lines between blank lines is one block; where they mostly
//! end a paragraph, every line is a block.

use super::structure::is_paragraph_end;
use crate::analysis::is_cjk;

pub fn split(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().map(trim).collect();
    let (mut run_on, mut ended) = (0, 0);
    for pair in lines.windows(2) {
        if !pair[0].is_empty() && !pair[1].is_empty() {
            if pair[0].ends_with(is_paragraph_end) {
                ended += 1;
            } else {
                run_on += 1;
            }
        }
    }
    let blank_separated = run_on > ended;

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
        let text = "第一段\n接着第一段。\n\n\u{3000}\u{3000}第二段。\n\nsee\nalso\n\n\n所作的\n政府工作报告\n。会议";
        assert_eq!(
            split(text),
            [
                "第一段接着第一段。",
                "第二段。",
                "see also",
                "所作的政府工作报告。会议"
            ]
        );
    }

    #[test]
    fn reads_one_paragraph_a_line_when_lines_are_not_separated() {
        let text = "第一条 总则。\n第二条 适用范围。\n\n第三条 附则。\n";
        assert_eq!(
            split(text),
            ["第一条 总则。", "第二条 适用范围。", "第三条 附则。"]
        );
    }
}
