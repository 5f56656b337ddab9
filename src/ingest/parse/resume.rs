//! PARSE, for a file read in parts (`crate::ingest::parts`): where a part may be cut, the first
//! part parsed as a whole file is, and each later part going on from where the one before left
//! the parse.

use super::{Issue, Paragraph, ParseStats, blocks, headings, parse_blocks, split_long, structure};
use crate::ingest::margins::Numbering;
use blocks::Edges;

/// Where a part of a file read in parts (`crate::ingest::parts`) leaves the parse, for the next
/// part to go on from: the layout the file's head showed, the headings open in its last
/// document, and the page numbering.
#[derive(Debug, Clone)]
pub struct Resume {
    paged: bool,
    sections: structure::Sections,
    numbering: Numbering,
}

/// Parses the first part of a file read in parts as [`parse`] parses a whole file: its masthead
/// and 目录 name the issue and split it into documents. Gives where the next part goes on from.
pub fn parse_first(text: &str, file_stem: &str, edges: Edges) -> (Issue, Resume) {
    let mut numbering = Numbering::default();
    let split = blocks::split_part(text, edges, &mut numbering);
    let (issue, sections, paged) = parse_blocks(split, file_stem, false);
    (
        issue,
        Resume {
            paged,
            sections: sections.going_on(),
            numbering,
        },
    )
}

/// Parses a later part of a file read in parts: its paragraphs, which go on with the last
/// document of the part before, under the headings open there. A 目录 is read in the first part
/// only, so a document that a later part holds stays part of the one before it.
pub fn parse_next(text: &str, resume: &mut Resume, edges: Edges) -> (Vec<Paragraph>, ParseStats) {
    let split = blocks::split_part(text, edges, &mut resume.numbering);
    let layout = if resume.paged {
        structure::Layout::Paged
    } else {
        structure::Layout::Lines(&split.gap_before)
    };
    let (paragraphs, cuts) =
        structure::paragraphs_under(&split.blocks, &split.pages, layout, &mut resume.sections);
    let stats = ParseStats {
        cuts_joined: cuts,
        debris_dropped: split.debris,
    };
    (split_long(paragraphs), stats)
}

/// True where a text may be cut between two lines without changing how it parses: the line
/// before ends a paragraph and the line after cannot go on with it, so no repair of a page cut
/// would join them (see `structure::join_cuts`); and the line after does not open with a topic
/// sentence, which is taken for a heading only beside another (`structure::mark_topics`).
pub fn cuts_cleanly(before: &str, after: &str) -> bool {
    let (before, after) = (blocks::trim(before), blocks::trim(after));
    !before.is_empty()
        && !after.is_empty()
        && before.ends_with(headings::is_paragraph_end)
        && !structure::continues(after)
        && !structure::opens_with_topic(after)
}
