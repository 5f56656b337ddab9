//! LINES: a page's characters -> its lines, each with where it stands, its size and weight.

use pdf_oxide::layout::TextChar;

use super::{Line, median};
use crate::text::fold::is_cjk;

/// A bold face, by its weight or, where the font does not say, by its name: 「SimHei」 (黑体) and
/// 「…-Bold」 set the headings of Chinese official documents.
fn is_bold(c: &TextChar) -> bool {
    if c.font_weight as u16 >= pdf_oxide::layout::FontWeight::SemiBold as u16 {
        return true;
    }
    let name = c.font_name.to_ascii_lowercase();
    ["bold", "heavy", "black", "simhei", "heiti", "黑体"]
        .iter()
        .any(|face| name.contains(face))
}

/// A character where it stands, as the lines are made of it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Glyph {
    c: char,
    x: f32,
    right: f32,
    baseline: f32,
    size: f32,
    bold: bool,
}

impl Glyph {
    /// A character of the text layer, a radical read as the ideograph it stands for.
    pub(super) fn of(c: &TextChar) -> Glyph {
        Glyph {
            c: crate::text::radicals::unified(c.char).unwrap_or(c.char),
            x: c.bbox.x,
            right: c.bbox.x + c.bbox.width,
            baseline: c.origin_y,
            size: c.font_size.max(1.0),
            bold: is_bold(c),
        }
    }
}

/// Glyphs on one baseline make a line, split where the next glyph starts more than 1.8 characters
/// after the one before it (the gutter between two columns).
pub(super) fn lines(mut glyphs: Vec<Glyph>) -> Vec<Line> {
    glyphs.sort_by(|a, b| b.baseline.total_cmp(&a.baseline).then(a.x.total_cmp(&b.x)));
    let mut rows: Vec<Vec<Glyph>> = Vec::new();
    for g in glyphs {
        match rows.last_mut() {
            Some(row) if (row[0].baseline - g.baseline).abs() <= row[0].size * 0.3 => row.push(g),
            _ => rows.push(vec![g]),
        }
    }
    let mut out: Vec<Line> = Vec::new();
    for mut row in rows {
        row.sort_by(|a, b| a.x.total_cmp(&b.x));
        let mut start = 0;
        for i in 1..=row.len() {
            // From the start of one glyph to the start of the next: the box of a full-width
            // comma that ends a justified line reaches into the gutter (「，」 at 289.2..300.2,
            // the next column at 311.9), its start does not.
            let split = i == row.len() || row[i].x - row[i - 1].x > row[i - 1].size * 1.8;
            if split {
                out.extend(line(&row[start..i]));
                start = i;
            }
        }
    }
    out
}

/// The line of a run of glyphs; `None` for white space alone. Space glyphs only place the others
/// (an ideographic space inside 「目　录」 or a heading keeps it one line); the text gets a space
/// where Latin words stand apart, and the line's ends are those of its visible glyphs (a space's
/// box may reach into a column's gutter).
fn line(glyphs: &[Glyph]) -> Option<Line> {
    let glyphs: Vec<Glyph> = glyphs
        .iter()
        .filter(|g| !g.c.is_whitespace())
        .copied()
        .collect();
    let first = glyphs.first()?;
    let mut text = String::new();
    for (i, g) in glyphs.iter().enumerate() {
        if let Some(prev) = i.checked_sub(1).map(|p| glyphs[p]) {
            // Latin words keep the space the layout shows; CJK text has none between characters.
            let gap = g.x - prev.right;
            if gap > prev.size * 0.25 && !is_cjk(prev.c) && !is_cjk(g.c) && !text.ends_with(' ') {
                text.push(' ');
            }
        }
        text.push(g.c);
    }
    let bold = glyphs.iter().filter(|g| g.bold).count() * 2 > glyphs.len();
    Some(Line {
        bold,
        text,
        left: first.x,
        right: glyphs[glyphs.len() - 1].right,
        baseline: first.baseline,
        size: median(glyphs.iter().map(|g| g.size).collect()).unwrap_or(first.size),
        alone: false,
    })
}
