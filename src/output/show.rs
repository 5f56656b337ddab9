//! SHOW: paragraphs of a file in their place, for `gazette show`.

use std::io::{self, Write};

use anstyle::Style;

use super::human::issue_and_document;
use super::{CITATION, LOCATION, paint, printable, printable_text};
use crate::report::show::Shown;
use crate::search::Section;

/// Writes paragraphs of a file for `gazette show`: the citation of each document where it starts,
/// each heading path where it changes, the asked paragraph marked.
pub fn show<W: Write>(out: &mut W, shown: &Shown, color: bool) -> io::Result<()> {
    let paint = |style: Style, text: &str| paint(style, text, color);
    let mut document = None;
    let mut section: Option<&Section> = None;
    for (i, hit) in shown.paragraphs.iter().enumerate() {
        let opens = hit.paragraph == 1 || document.is_none();
        if opens || document != Some(&hit.citation.document) {
            if document.is_some() {
                writeln!(out)?;
            }
            writeln!(
                out,
                "{} {}",
                paint(CITATION, &printable(&issue_and_document(hit))),
                paint(LOCATION, &printable(&format!("[{}]", hit.citation.path)))
            )?;
            document = Some(&hit.citation.document);
            section = None;
        }
        if section != Some(&hit.section) && !hit.section.is_empty() {
            writeln!(
                out,
                "{}",
                paint(
                    LOCATION,
                    &printable(&format!("§ {}", hit.section.join(" › ")))
                )
            )?;
        }
        section = Some(&hit.section);
        let marker = if shown.target == Some(i) { "▶" } else { " " };
        let text = printable_text(&hit.text);
        let text = if shown.target == Some(i) {
            paint(Style::new().bold(), &text)
        } else {
            text.into_owned()
        };
        writeln!(out, "{marker} ¶{} {text}", hit.paragraph)?;
    }
    Ok(())
}
