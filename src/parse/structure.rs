//! A document's blocks -> its paragraphs: page cuts joined, headings recognised, every paragraph
//! given the path of the headings above it.

use std::sync::LazyLock;

use regex::Regex;

use super::Paragraph;
use super::blocks::join_wrapped;

/// Kinds of heading, outermost first. A heading closes every open heading of its rank or deeper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    /// 第一编
    Part,
    /// 第一章
    Chapter,
    /// 第一节
    Section,
    /// 一、
    Chinese,
    /// （一）
    ParenChinese,
    /// 1. or 1、
    Arabic,
    /// （1）
    ParenArabic,
}

static HEADINGS: LazyLock<Vec<(Rank, Regex)>> = LazyLock::new(|| {
    const NUM: &str = "[一二三四五六七八九十百千零〇]+";
    let rule = |rank, pattern: String| (rank, Regex::new(&pattern).expect("valid regex"));
    vec![
        rule(Rank::Part, format!(r"^第{NUM}编")),
        rule(Rank::Chapter, format!(r"^第{NUM}章")),
        rule(Rank::Section, format!(r"^第{NUM}节")),
        rule(Rank::Chinese, format!(r"^{NUM}、")),
        rule(Rank::ParenChinese, format!(r"^[（(]{NUM}[）)]")),
        // 「1.」 but not 「3.77亿」: the number must not run on into more digits.
        rule(Rank::Arabic, r"^\d{1,3}[.．、](\D|$)".to_string()),
        rule(Rank::ParenArabic, r"^[（(]\d{1,3}[）)]".to_string()),
    ]
});

/// A heading line longer than this is a paragraph that happens to start with a number.
const MAX_HEADING_CHARS: usize = 60;

/// Ends a sentence.
fn is_sentence_end(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '；' | '!' | '?' | ';')
}

/// A block ending in one of these ends where its paragraph ends; any other last character means
/// the paragraph goes on in the next block (unless that block starts something new).
pub(super) fn is_paragraph_end(c: char) -> bool {
    is_sentence_end(c)
        || matches!(
            c,
            '：' | ':' | '…' | '”' | '’' | '」' | '』' | '）' | ')' | '"' | '\''
        )
}

fn heading_rank(block: &str) -> Option<Rank> {
    HEADINGS
        .iter()
        .find(|(_, re)| re.is_match(block))
        .map(|(rank, _)| *rank)
}

/// How a block reads before any repair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// A heading alone on its line: 「三、2025年重点工作」.
    Heading(Rank),
    /// A heading that is the first sentence of its paragraph:
    /// 「（一）狠抓项目建设、大力促进消费，发展支撑坚实稳固。坚持…」.
    RunIn(Rank),
    /// A line of the document's opening: title, 「——2025年2月18日在…会议上」, speaker.
    FrontMatter,
    Text,
}

fn form(block: &str) -> Form {
    let Some(rank) = heading_rank(block) else {
        return Form::Text;
    };
    match block.find(is_sentence_end) {
        None if block.chars().count() <= MAX_HEADING_CHARS => Form::Heading(rank),
        Some(end) if block[..end].chars().count() <= MAX_HEADING_CHARS => Form::RunIn(rank),
        _ => Form::Text,
    }
}

/// The title a document prints on its first block, when that block reads like a title.
pub fn printed_title(blocks: &[String]) -> Option<String> {
    let first = blocks.first()?;
    let short = first.chars().count() <= MAX_HEADING_CHARS;
    // A title ends on a word or a closing bracket: 「政府工作报告」, 「…办法（试行）」.
    let ends_like_a_title = first
        .chars()
        .last()
        .is_some_and(|c| c.is_alphanumeric() || matches!(c, '）' | ')' | '》'));
    (short
        && ends_like_a_title
        && !first.contains(is_sentence_end)
        && heading_rank(first).is_none())
    .then(|| first.clone())
}

/// Forms of the blocks, with the document's opening lines marked as front matter: the first block
/// when it reads like a title, a 「——…」 line, and the short line after it (the speaker).
fn forms(blocks: &[String]) -> Vec<Form> {
    let mut forms: Vec<Form> = blocks.iter().map(|b| form(b)).collect();
    if printed_title(blocks).is_some() {
        forms[0] = Form::FrontMatter;
    }
    for i in 0..blocks.len() {
        if forms[i] == Form::Text && blocks[i].starts_with('—') {
            forms[i] = Form::FrontMatter;
            if let Some(next) = blocks.get(i + 1)
                && forms[i + 1] == Form::Text
                && next.chars().count() <= 30
                && !next.contains(is_sentence_end)
                && !next.ends_with(is_paragraph_end)
            {
                forms[i + 1] = Form::FrontMatter;
            }
        }
    }
    forms
}

/// True when the heading line at `at` is the first half of a run-in heading cut by a page end:
/// most headings of its rank under the same parent are run-in.
///
/// 「（五）优化空间布局、提升功能品质，美」 / 「好城市加快建设。坚持…」: （一）…（四） and
/// （六）…（八） under 「一、2024年工作回顾」 are run-in, so this one is too. Under
/// 「三、2025年重点工作」 every （N） stands alone, and 「（一）千方百计…新增点」 is kept apart.
fn is_cut_run_in(forms: &[Form], at: usize) -> bool {
    let Form::Heading(rank) = forms[at] else {
        return false;
    };
    let outer = |f: &Form| matches!(f, Form::Heading(r) | Form::RunIn(r) if *r < rank);
    let start = forms[..at].iter().rposition(outer).map_or(0, |i| i + 1);
    let end = forms[at + 1..]
        .iter()
        .position(outer)
        .map_or(forms.len(), |i| at + 1 + i);
    let (mut run_in, mut alone) = (0, 0);
    for (i, f) in forms.iter().enumerate().take(end).skip(start) {
        match f {
            Form::RunIn(r) if *r == rank => run_in += 1,
            Form::Heading(r) if *r == rank && i != at => alone += 1,
            _ => {}
        }
    }
    run_in > alone
}

/// Repairs and structures a document's blocks. Returns the paragraphs and how many page cuts were
/// joined.
pub fn paragraphs(blocks: &[String]) -> (Vec<Paragraph>, usize) {
    let forms = forms(blocks);
    let mut out = Vec::new();
    let mut cuts = 0;
    let mut stack: Vec<(Rank, String)> = Vec::new();
    let mut i = 0;
    while i < blocks.len() {
        let mut text = blocks[i].clone();
        let mut first = forms[i];
        // A standalone heading or an opening line never continues into the next block; any other
        // block that does not end a paragraph was cut by a page end:
        // 「…补贴资金3.77亿」 + 「元，拉动消费近21亿元…」 is one sentence.
        let mut open = match first {
            Form::Heading(_) => is_cut_run_in(&forms, i),
            Form::FrontMatter => false,
            Form::RunIn(_) | Form::Text => true,
        };
        while open && !text.ends_with(is_paragraph_end) && i + 1 < blocks.len() {
            if forms[i + 1] != Form::Text {
                break;
            }
            join_wrapped(&mut text, &blocks[i + 1]);
            cuts += 1;
            i += 1;
            open = true;
        }
        if let Form::Heading(rank) = first
            && open
        {
            first = form(&text);
            if first == Form::Text {
                first = Form::RunIn(rank);
            }
        }
        match first {
            Form::Heading(rank) => {
                stack.retain(|(r, _)| *r < rank);
                out.push(Paragraph {
                    section: stack.iter().map(|(_, h)| h.clone()).collect(),
                    text: text.clone(),
                    heading: true,
                });
                stack.push((rank, text));
            }
            Form::RunIn(rank) => {
                stack.retain(|(r, _)| *r < rank);
                let heading = match text.find(is_sentence_end) {
                    Some(end) => text[..end].to_string(),
                    None => text.clone(),
                };
                stack.push((rank, heading));
                out.push(Paragraph {
                    section: stack.iter().map(|(_, h)| h.clone()).collect(),
                    text,
                    heading: false,
                });
            }
            Form::FrontMatter | Form::Text => out.push(Paragraph {
                section: stack.iter().map(|(_, h)| h.clone()).collect(),
                text,
                heading: false,
            }),
        }
        i += 1;
    }
    (out, cuts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(blocks: &[&str]) -> Vec<(String, Vec<String>)> {
        let blocks: Vec<String> = blocks.iter().map(|s| s.to_string()).collect();
        paragraphs(&blocks)
            .0
            .into_iter()
            .map(|p| (p.text, p.section))
            .collect()
    }

    #[test]
    fn joins_a_paragraph_cut_by_a_page_end() {
        let got = run(&["报告", "补贴资金3.77亿", "元，拉动消费近21亿元。"]);
        assert_eq!(got[1].0, "补贴资金3.77亿元，拉动消费近21亿元。");
        assert_eq!(got.len(), 2);
    }

    #[test]
    fn does_not_read_a_decimal_as_a_numbered_heading() {
        assert_eq!(heading_rank("3.77亿元"), None);
        assert_eq!(heading_rank("1.加强领导。"), Some(Rank::Arabic));
    }

    #[test]
    fn a_deeper_heading_nests_and_a_sibling_replaces() {
        let got = run(&[
            "一、总体要求",
            "（一）目标",
            "甲。",
            "（二）任务",
            "乙。",
            "二、保障",
            "丙。",
        ]);
        let sections: Vec<Vec<String>> = got.into_iter().map(|(_, s)| s).collect();
        assert_eq!(sections[2], ["一、总体要求", "（一）目标"]);
        assert_eq!(sections[4], ["一、总体要求", "（二）任务"]);
        assert_eq!(sections[5], Vec::<String>::new());
        assert_eq!(sections[6], ["二、保障"]);
    }
}
