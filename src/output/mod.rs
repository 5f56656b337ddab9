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

/// `text` in `style` when `color`, else as it is.
fn paint(style: Style, text: &str, color: bool) -> String {
    if color {
        format!("{}{text}{}", style.render(), style.render_reset())
    } else {
        text.to_string()
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
            section: vec!["三、2025年重点工作".into()],
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
