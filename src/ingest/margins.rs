//! PAGES: a page's furniture, not its text. The running header (the gazette's name and issue,
//! repeated at the top of page after page) and the page number at the foot (「— 5 —」) stand
//! between the lines of a paragraph that a page end cut; they are dropped, and the printed number
//! names the page in citations.
//!
//! Shared by the PDF reader (lines placed on the page) and by text with form feeds between its
//! pages (as `pdftotext` writes it): both give each page's lines top to bottom.

use std::collections::HashMap;

/// What stands in a page's margins.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Margin {
    /// Lines at the top of the page that are furniture.
    pub top: usize,
    /// Lines at the bottom of the page that are furniture.
    pub bottom: usize,
    /// The page number the page prints, if one of those lines is one.
    pub printed: Option<u32>,
}

/// How far from a page's top and bottom furniture is looked for, in lines: a header may take two
/// (the gazette's name, then a rule or the issue).
const REACH: usize = 2;

/// The margins of each page, given each page's lines top to bottom. A page's top or bottom line
/// is furniture when it is the page's number, or when its text (digits aside) stands at the top
/// or the bottom of at least three pages and of half of them.
///
/// A number at a page's end is the page's number only when it agrees with the numbering around
/// it: the next or the previous page that has one prints the number that follows from it. A lone
/// 「2025」 or 「3」 that ends a page (a table's last cell, a list's last item) is text.
pub fn find<T>(pages: &[Vec<T>], text: impl Fn(&T) -> &str) -> Vec<Margin> {
    let key = |line: &T| -> String {
        text(line)
            .chars()
            .filter(|c| !c.is_ascii_digit() && !c.is_whitespace())
            .collect()
    };
    let mut seen: HashMap<String, usize> = HashMap::new();
    for page in pages {
        let mut ends: Vec<String> = Vec::new();
        for k in ends_of(page).map(key) {
            if !ends.contains(&k) {
                ends.push(k);
            }
        }
        for k in ends {
            *seen.entry(k).or_default() += 1;
        }
    }
    let count = pages.len();
    let repeated = |line: &T| {
        let n = seen.get(&key(line)).copied().unwrap_or(0);
        n >= 3 && n * 2 >= count
    };
    let candidates: Vec<Option<u32>> = pages
        .iter()
        .map(|page| ends_of(page).find_map(|line| page_number(text(line))))
        .collect();
    let printed = agreeing(&candidates);
    pages
        .iter()
        .zip(printed)
        .map(|(page, printed)| {
            let furniture = |line: &T| {
                let number = page_number(text(line));
                (number.is_some() && number == printed) || repeated(line)
            };
            let mut margin = Margin {
                printed,
                ..Margin::default()
            };
            while margin.top < page.len() && furniture(&page[margin.top]) {
                margin.top += 1;
            }
            while margin.top + margin.bottom < page.len()
                && furniture(&page[page.len() - 1 - margin.bottom])
            {
                margin.bottom += 1;
            }
            margin
        })
        .collect()
}

/// A page's lines where furniture may stand: its last ones first (feet carry page numbers more
/// often than heads), then its first.
fn ends_of<T>(page: &[T]) -> impl Iterator<Item = &T> {
    let bottom = page.iter().rev().take(REACH);
    let top = page
        .iter()
        .take(REACH.min(page.len().saturating_sub(REACH)));
    bottom.chain(top)
}

/// The numbers that agree with the numbering around them, of pages that have one: the next or
/// the previous numbered page prints the number that follows from it.
fn agreeing(numbers: &[Option<u32>]) -> Vec<Option<u32>> {
    let numbered: Vec<(usize, u32)> = numbers
        .iter()
        .enumerate()
        .filter_map(|(i, n)| n.map(|n| (i, n)))
        .collect();
    let offset = |(i, n): (usize, u32)| i64::from(n) - i as i64;
    let mut out = vec![None; numbers.len()];
    for (k, &(i, n)) in numbered.iter().enumerate() {
        let here = offset((i, n));
        let agrees = numbered.len() == 1
            || (k > 0 && offset(numbered[k - 1]) == here)
            || numbered
                .get(k + 1)
                .is_some_and(|&next| offset(next) == here);
        if agrees {
            out[i] = Some(n);
        }
    }
    out
}

/// The number of a page number as a foot prints it: 「— 5 —」, 「-5-」, 「5」, 「第5页」,
/// 「－12－」.
pub fn page_number(text: &str) -> Option<u32> {
    let core: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '—' | '-' | '－' | '–' | '·'))
        .collect();
    let core = core
        .strip_prefix('第')
        .and_then(|c| c.strip_suffix('页'))
        .unwrap_or(&core);
    let digits: String = core
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            c => c,
        })
        .collect();
    if digits.is_empty() || digits.len() > 4 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The page number to cite for each page: the number it prints; else the number it would print,
/// counted on from the last page that printed one; else, before any page prints one (a cover, a
/// 目录), the page's place in the file, from 1.
pub fn numbers(margins: &[Margin]) -> Vec<u32> {
    numbers_from(margins, &mut Numbering::default())
}

/// Where page numbering stands in a file read in parts (`crate::ingest::parts`): the place in
/// the file of the part's first page, and the last page before it that printed its number.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Numbering {
    /// The place of the part's first page in the file, from 0: the form feeds before it.
    pub first: usize,
    /// The last page that printed a number: its place in the file and the number.
    pub last: Option<(usize, u32)>,
}

/// [`numbers`] of the pages of a part that begins where `numbering` stands, which is moved to
/// the part's last page: a part ends inside a page that the next one goes on with (or at the
/// start of an empty one, after a form feed).
pub fn numbers_from(margins: &[Margin], numbering: &mut Numbering) -> Vec<u32> {
    let mut out = Vec::with_capacity(margins.len());
    for (i, margin) in margins.iter().enumerate() {
        let page = numbering.first + i;
        let number = match (margin.printed, numbering.last) {
            (Some(p), _) => {
                numbering.last = Some((page, p));
                p
            }
            (None, Some((at, p))) => p.saturating_add((page - at) as u32),
            (None, None) => page as u32 + 1,
        };
        out.push(number);
    }
    numbering.first += margins.len().saturating_sub(1);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_page_numbers_of_the_forms_gazettes_print() {
        for (text, n) in [
            ("— 5 —", 5),
            ("-5-", 5),
            ("5", 5),
            ("－12－", 12),
            ("第3页", 3),
            ("— １２ —", 12),
        ] {
            assert_eq!(page_number(text), Some(n), "{text}");
        }
        for text in ["2025年", "一、总则", "12345", "—", ""] {
            assert_eq!(page_number(text), None, "{text}");
        }
    }

    fn page(lines: &[&str]) -> Vec<String> {
        lines.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn finds_running_headers_and_page_numbers() {
        // Text that differs only in its digits is furniture: the body lines differ in words.
        let pages: Vec<Vec<String>> = ["甲", "乙", "丙", "丁"]
            .iter()
            .enumerate()
            .map(|(n, c)| {
                page(&[
                    "焦作市人民政府公报　2025年第1号",
                    &format!("{c}段正文。"),
                    &format!("— {} —", n + 1),
                ])
            })
            .collect();
        let margins = find(&pages, String::as_str);
        for (n, m) in margins.iter().enumerate() {
            let want = Margin {
                top: 1,
                bottom: 1,
                printed: Some(n as u32 + 1),
            };
            assert_eq!(*m, want);
        }
    }

    #[test]
    fn a_line_on_two_pages_of_ten_is_text() {
        let body = "甲乙丙丁戊己庚辛壬癸";
        let pages: Vec<Vec<String>> = body
            .chars()
            .enumerate()
            .map(|(n, c)| {
                let first = if n < 2 {
                    "一、总则"
                } else {
                    "某市公报"
                };
                page(&[first, &format!("{c}段正文。"), &format!("{c}段结尾。")])
            })
            .collect();
        let margins = find(&pages, String::as_str);
        assert_eq!(margins[0], Margin::default());
        // 「某市公报」 tops eight pages of ten: a header.
        assert_eq!(margins[5].top, 1);
        assert_eq!(margins[5].bottom, 0);
    }

    #[test]
    fn numbers_pages_by_what_they_print() {
        // A cover and a 目录, then pages printed 1, 2, (none), 4, a table's last cell 2025, 6.
        let printed = [
            None,
            None,
            Some(1),
            Some(2),
            None,
            Some(4),
            Some(2025),
            Some(6),
        ];
        let agreed = agreeing(&printed);
        assert_eq!(agreed[6], None);
        assert_eq!(agreed[5], Some(4));
        let margins: Vec<Margin> = agreed
            .into_iter()
            .map(|printed| Margin {
                printed,
                ..Margin::default()
            })
            .collect();
        assert_eq!(numbers(&margins), [1, 2, 1, 2, 3, 4, 5, 6]);
        assert_eq!(agreeing(&[Some(7)]), [Some(7)]);
        assert_eq!(agreeing(&[Some(3), Some(9)]), [None, None]);
    }

    #[test]
    fn a_number_that_breaks_the_numbering_is_text() {
        let pages: Vec<Vec<String>> = (1..=4)
            .map(|n| {
                let last = if n == 3 {
                    "2025".to_string()
                } else {
                    format!("— {n} —")
                };
                let body = ["甲", "乙", "丙", "丁"][n - 1];
                page(&[&format!("{body}页的正文。"), &last])
            })
            .collect();
        let margins = find(&pages, String::as_str);
        assert_eq!(margins[2].bottom, 0);
        assert_eq!(margins[2].printed, None);
        assert_eq!(numbers(&margins), [1, 2, 3, 4]);
    }
}
