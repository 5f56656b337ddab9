//! OUTPUT: hits, buckets and paragraphs -> bytes, one file per format. Generic over `W: Write`;
//! whether to colour is the caller's choice. What a hit says is defined once ([`fields`]), for
//! JSON and CSV alike.

pub mod check;
pub mod cite;
pub mod csv;
pub mod fields;
pub mod human;
pub mod inspect;
pub mod json;
pub mod kwic;
pub mod show;
pub mod tables;

use anstyle::{AnsiColor, Style};

const CITATION: Style = AnsiColor::Green.on_default().bold();
const LOCATION: Style = Style::new().dimmed();
const MATCH: Style = AnsiColor::Red.on_default().bold();

/// `text` with every control character written out (`\n`, `\u{1b}`), and the characters that
/// reverse the direction of text: for names and messages on a terminal, where a file name or a
/// manifest field holding a line end would read as two lines, and an escape sequence would reach
/// the terminal. JSON and CSV keep the data as it is.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let hidden =
        |c: char| c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if !text.chars().any(hidden) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if hidden(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A passage for a person: a tab is a space, other control characters are written out as
/// [`printable`] writes them.
pub fn printable_text(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('\t') {
        return printable(text);
    }
    std::borrow::Cow::Owned(printable(&text.replace('\t', " ")).into_owned())
}

/// `text` in `style` when `color`, else as it is.
fn paint(style: Style, text: &str, color: bool) -> String {
    if color {
        format!("{}{text}{}", style.render(), style.render_reset())
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn control_characters_are_written_out() {
        assert_eq!(super::printable("a.txt"), "a.txt");
        assert_eq!(
            super::printable("a\nb\u{1b}[31m.txt"),
            "a\\nb\\u{1b}[31m.txt"
        );
        assert_eq!(super::printable("\u{202E}txt.exe"), "\\u{202e}txt.exe");
        assert_eq!(super::printable_text("甲\t乙\u{7}"), "甲 乙\\u{7}");
    }
}

#[cfg(test)]
pub(crate) mod testing {
    use crate::search::Hit;

    pub(crate) fn hit(text: &str, matches: Vec<(usize, usize)>) -> Hit {
        Hit {
            citation: std::sync::Arc::new(crate::store::schema::Citation {
                path: "corpus/a.txt".into(),
                gazette: Some("焦作市人民政府公报".into()),
                issue: Some("2025年第1号".into()),
                date: Some("2025-02-28".into()),
                region: Some("河南省焦作市".into()),
                document: "焦作市人民政府工作报告".into(),
                doc_number: None,
                page: Some(3),
                attributes: Default::default(),
                indexed: 0,
                first_indexed: 0,
            }),
            section: crate::search::Section::new(&["三、2025年重点工作"]),
            paragraph: 7,
            page: Some(3),
            page_end: None,
            score: 1.5,
            word_match: true,
            matched_in: crate::search::MatchedIn::Text,
            text: text.into(),
            matches,
            reference: None,
        }
    }
}
