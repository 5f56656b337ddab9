//! COLUMNS: a page's lines -> its columns in reading order, and the rows of a page of one column.

use super::{Line, median};

/// Each page's columns in reading order, each column's lines top to bottom.
pub(super) fn in_reading_order(pages: Vec<Vec<Line>>) -> Vec<Vec<Vec<Line>>> {
    let frame = text_frame(&pages);
    pages
        .into_iter()
        .map(|page| {
            let own = extent(&page);
            reading_order(page, frame.unwrap_or(own))
        })
        .collect()
}

/// Where the lines of a page start and end, leftmost and rightmost.
pub(super) fn extent(lines: &[Line]) -> (f32, f32) {
    lines.iter().fold((f32::MAX, f32::MIN), |(lo, hi), l| {
        (lo.min(l.left), hi.max(l.right))
    })
}

/// The text frame of a document's pages: the median left and right ends of its pages of six
/// lines or more. A short page (the last of a document set in two columns, three lines long)
/// does not reach the frame's right edge, so its own middle is not the gutter.
fn text_frame(pages: &[Vec<Line>]) -> Option<(f32, f32)> {
    let full: Vec<(f32, f32)> = pages
        .iter()
        .filter(|p| p.len() >= 6)
        .map(|p| extent(p))
        .collect();
    Some((
        median(full.iter().map(|e| e.0).collect())?,
        median(full.iter().map(|e| e.1).collect())?,
    ))
}

/// A page's columns in reading order: the page whole, or where it is set in two columns, band by
/// band from the top: the left column, then the right one, down to a line across both (a title),
/// which stands alone before the next band.
///
/// A page is set in two columns when most of its lines stand on one side of its middle, the left
/// ones mostly reaching close to the middle and the right ones mostly starting close to it. A
/// 目录 whose page numbers stand flush right, apart from their titles, is one column.
/// `frame` is where the document's lines start and end.
fn reading_order(lines: Vec<Line>, frame: (f32, f32)) -> Vec<Vec<Line>> {
    let (min, max) = frame;
    let middle = (min + max) / 2.0;
    let quarter = (max - min) / 4.0;
    let left_of = |l: &Line| l.right <= middle;
    let right_of = |l: &Line| l.left >= middle;
    let left_ends = median(
        lines
            .iter()
            .filter(|l| left_of(l))
            .map(|l| l.right)
            .collect(),
    );
    let right_starts = median(
        lines
            .iter()
            .filter(|l| right_of(l))
            .map(|l| l.left)
            .collect(),
    );
    let split = lines.iter().filter(|l| left_of(l) || right_of(l)).count();
    let columns = lines.len() >= 2
        && split * 10 >= lines.len() * 6
        && left_ends.is_some_and(|end| end >= middle - quarter)
        && right_starts.is_some_and(|start| start <= middle + quarter);
    if !columns {
        return vec![rows(lines)];
    }
    // A line across the gutter (a document's title) ends the columns above it: a document set
    // in two columns ends with its columns balanced mid-page, and the next one starts below.
    let mut columns = Vec::new();
    let (mut left, mut right) = (Vec::new(), Vec::new());
    for l in lines {
        if left_of(&l) {
            left.push(l);
        } else if right_of(&l) {
            right.push(l);
        } else {
            columns.push(std::mem::take(&mut left));
            columns.push(std::mem::take(&mut right));
            columns.push(vec![Line { alone: true, ..l }]);
        }
    }
    columns.push(left);
    columns.push(right);
    columns.retain(|column| !column.is_empty());
    columns
}

/// The lines of a page read as one column, pieces of one row made one line again: a 目录 entry
/// whose page number stands apart from its title (「2026年江西省政府工作报告」 … 「（3）」), the
/// cells of a table row. A wide gap reads as a space.
fn rows(lines: Vec<Line>) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::with_capacity(lines.len());
    for l in lines {
        match out.last_mut() {
            Some(row)
                if (row.baseline - l.baseline).abs() <= row.size * 0.3 && l.left > row.right =>
            {
                row.text.push(' ');
                row.text.push_str(&l.text);
                row.right = l.right;
                row.alone = true;
            }
            _ => out.push(l),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::pdf::tests::at;

    /// The texts of a page's lines in reading order, the page its own frame.
    fn order(lines: Vec<Line>) -> Vec<String> {
        let frame = extent(&lines);
        reading_order(lines, frame)
            .into_iter()
            .flatten()
            .map(|l| l.text)
            .collect()
    }

    #[test]
    fn a_page_of_two_columns_is_read_column_by_column() {
        let mut lines = Vec::new();
        for k in 0..4 {
            let y = 700.0 - k as f32 * 14.0;
            lines.push(at(&format!("左{k}"), 100.0, 280.0, y));
            lines.push(at(&format!("右{k}"), 320.0, 500.0, y));
        }
        let got = order(lines);
        assert_eq!(
            got,
            ["左0", "左1", "左2", "左3", "右0", "右1", "右2", "右3"]
        );
    }

    #[test]
    fn a_short_last_page_of_two_columns_is_read_column_by_column() {
        // The last page of a document set in two columns: three lines, the right column's one
        // short, so the page's own lines do not reach the frame's right edge (the case of
        // 「…围绕目标，《纲要（草」 / 「案）》提出了…」 beside 「任务，突出了以下四个方面。」).
        let full = |y: f32| {
            vec![
                at("左栏整行", 100.0, 280.0, y),
                at("右栏整行", 320.0, 500.0, y),
            ]
        };
        let pages = vec![
            (0..4).flat_map(|k| full(700.0 - 14.0 * k as f32)).collect(),
            vec![
                at("围绕目标，《纲要（草", 100.0, 280.0, 700.0),
                at("任务，突出了以下四个方面。", 320.0, 420.0, 700.0),
                at("案）》提出了主要", 100.0, 280.0, 686.0),
            ],
        ];
        let read = in_reading_order(pages);
        let last: Vec<String> = read[1].iter().flatten().map(|l| l.text.clone()).collect();
        assert_eq!(
            last,
            [
                "围绕目标，《纲要（草",
                "案）》提出了主要",
                "任务，突出了以下四个方面。"
            ]
        );
    }

    #[test]
    fn a_title_across_both_columns_ends_the_columns_above_it() {
        let mut lines = Vec::new();
        for k in 0..3 {
            let y = 700.0 - k as f32 * 14.0;
            lines.push(at(&format!("甲左{k}"), 100.0, 280.0, y));
            lines.push(at(&format!("甲右{k}"), 320.0, 500.0, y));
        }
        lines.push(at("第二篇文件的标题", 200.0, 400.0, 640.0));
        for k in 0..3 {
            let y = 610.0 - k as f32 * 14.0;
            lines.push(at(&format!("乙左{k}"), 100.0, 280.0, y));
            lines.push(at(&format!("乙右{k}"), 320.0, 500.0, y));
        }
        let got = order(lines);
        let want = [
            "甲左0",
            "甲左1",
            "甲左2",
            "甲右0",
            "甲右1",
            "甲右2",
            "第二篇文件的标题",
            "乙左0",
            "乙左1",
            "乙左2",
            "乙右0",
            "乙右1",
            "乙右2",
        ];
        assert_eq!(got, want);
    }
}
