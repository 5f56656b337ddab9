//! A block -> how it reads before any repair: a heading of which rank (by its numbering or its
//! Markdown marker), a heading run into its paragraph, or text.

use std::sync::LazyLock;

use regex::Regex;

/// Kinds of heading, outermost first. A heading closes every open heading of its rank or deeper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Rank {
    /// A Markdown heading whose text has no marker of its own: `# 标题` is level 1.
    Markdown(u8),
    /// A heading without a marker of its own that a PDF sets apart by its type, larger or bold
    /// than the text: 「附件」, 「关于〈纲要草案〉的说明」.
    Styled,
    /// 第一编
    Part,
    /// 第一章
    Chapter,
    /// 第一节
    Section,
    /// 第一条, 第 十四 條: an article of a law, its marker alone heading it.
    Article,
    /// 一、
    Chinese,
    /// （一）
    ParenChinese,
    /// 1. or 1、
    Arabic,
    /// （1）
    ParenArabic,
    /// A short first sentence that heads its paragraph, in a run of such paragraphs:
    /// 「提振消费为要。」「稳住楼市为重。」「项目建设为王。」
    Topic,
}

static HEADINGS: LazyLock<Vec<(Rank, Regex)>> = LazyLock::new(|| {
    const NUM: &str = "[一二三四五六七八九十百千零〇]+";
    const ORDINAL: &str = "[一二三四五六七八九十百千零〇0-9]+";
    let rule = |rank, pattern: String| (rank, Regex::new(&pattern).expect("valid regex"));
    vec![
        rule(Rank::Part, format!(r"^第\s*{ORDINAL}\s*[编編]")),
        rule(Rank::Chapter, format!(r"^第\s*{ORDINAL}\s*章")),
        rule(Rank::Section, format!(r"^第\s*{ORDINAL}\s*[节節]")),
        rule(Rank::Article, format!(r"^第\s*{ORDINAL}\s*[条條](\s|$)")),
        rule(Rank::Chinese, format!(r"^{NUM}、")),
        rule(Rank::ParenChinese, format!(r"^[（(]{NUM}[）)]")),
        // 「1.」 but not 「3.77亿」: the number must not run on into more digits.
        rule(Rank::Arabic, r"^\d{1,3}[.．、](\D|$)".to_string()),
        rule(Rank::ParenArabic, r"^[（(]\d{1,3}[）)]".to_string()),
    ]
});

/// A heading line longer than this is a paragraph that happens to start with a number.
pub(super) const MAX_HEADING_CHARS: usize = 60;

/// Ends a sentence.
pub(super) fn is_sentence_end(c: char) -> bool {
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

pub(super) fn heading_rank(block: &str) -> Option<Rank> {
    HEADINGS
        .iter()
        .find(|(_, re)| re.is_match(block))
        .map(|(rank, _)| *rank)
}

/// Splits a Markdown heading `## 第一章 总则` into its level and its text.
pub(super) fn markdown_heading(block: &str) -> Option<(u8, &str)> {
    let level = block.chars().take_while(|&c| c == '#').count();
    let text = block[level..].trim();
    (1..=6)
        .contains(&level)
        .then_some((level as u8, text))
        .filter(|_| block[level..].starts_with(char::is_whitespace) && !text.is_empty())
}

/// How a block reads before any repair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Form {
    /// A heading alone on its line: 「三、2025年重点工作」, `## 第一章 总则`.
    Heading(Rank),
    /// A heading that is the first sentence of its paragraph:
    /// 「（一）狠抓项目建设、大力促进消费，发展支撑坚实稳固。坚持…」.
    RunIn(Rank),
    /// A line of the document's opening: title, 「——2025年2月18日在…会议上」, speaker.
    FrontMatter,
    Text,
}

pub(super) fn form(block: &str) -> Form {
    if let Some((level, text)) = markdown_heading(block) {
        return Form::Heading(heading_rank(text).unwrap_or(Rank::Markdown(level)));
    }
    let Some(rank) = heading_rank(block) else {
        return Form::Text;
    };
    if rank == Rank::Article {
        // 「第一条 为了促进公园事业发展，…」: the article's marker heads it, whatever follows.
        let marker_only = block.chars().filter(|c| !c.is_whitespace()).count() <= 8;
        return if marker_only {
            Form::Heading(rank)
        } else {
            Form::RunIn(rank)
        };
    }
    match block.find(is_sentence_end) {
        None if block.chars().count() <= MAX_HEADING_CHARS => Form::Heading(rank),
        Some(end) if block[..end].chars().count() <= MAX_HEADING_CHARS => Form::RunIn(rank),
        _ => Form::Text,
    }
}

/// The text of a heading as the section path shows it: a run-in heading's first sentence, an
/// article's marker, a Markdown heading without its `#`.
pub(super) fn heading_text(rank: Rank, text: &str) -> String {
    if rank == Rank::Article {
        let end = text
            .char_indices()
            .find(|&(_, c)| c == '条' || c == '條')
            .map_or(text.len(), |(i, c)| i + c.len_utf8());
        return text[..end].to_string();
    }
    match text.find(is_sentence_end) {
        Some(end) => text[..end].to_string(),
        None => text.to_string(),
    }
}
