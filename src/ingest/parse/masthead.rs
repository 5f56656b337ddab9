//! The head of a gazette issue: masthead (gazette name, issue, publisher, date) and 目录 (table of
//! contents), and from the 目录 the split of the body into documents.
//!
//! The seed's head, one block each:
//! 「焦作市人民政府公报」「2025年第1号（总第139号）」「焦作市人民政府」「2025年2月28日」「目 录」
//! 「【市政府工作报告】」「焦作市人民政府工作报告..... (3)」, then the first document.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use crate::text::fold::fold;

#[derive(Debug, Default)]
pub struct Head {
    pub gazette: Option<String>,
    pub issue: Option<String>,
    pub date: Option<String>,
    pub documents: Vec<Part>,
    /// The file is a gazette issue laid out in pages (a masthead or a 目录 was found), so a blank
    /// line may be a page end inside a paragraph.
    pub paged: bool,
}

/// A document's share of the blocks, with what the 目录 says of it.
#[derive(Debug, Clone)]
pub struct Part {
    pub title: Option<String>,
    pub page: Option<u32>,
    pub blocks: Range<usize>,
}

struct Entry {
    title: String,
    page: Option<u32>,
}

/// How far into a file the masthead may reach.
const MASTHEAD_BLOCKS: usize = 12;

static ISSUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\d{4}\s*年\s*第\s*\d+\s*[号期](\s*[（(]\s*总第\s*\d+\s*[号期]\s*[）)])?$")
        .expect("valid regex")
});
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$").expect("valid regex")
});
/// 「焦作市人民政府工作报告..... (3)」, 「关于…的通知……………12」, and without leader dots, where
/// the page number stood apart: 「2026年江西省政府工作报告 （3）」.
static TOC_ENTRY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(.+?)(?:\s*[.．…·]{2,}\s*|\s+)[（(]?\s*(\d+)\s*[)）]?$").expect("valid regex")
});
/// 「【市政府工作报告】」: a category of the 目录.
static TOC_CATEGORY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^【[^】]+】$").expect("valid regex"));

pub fn read(blocks: &[String]) -> Head {
    let mut head = Head::default();
    let mut body_start = 0;
    let mut contents_at = None;
    for (i, block) in blocks.iter().enumerate().take(MASTHEAD_BLOCKS) {
        let compact: String = fold(block).chars.iter().filter(|c| **c != ' ').collect();
        if compact == "目录" {
            contents_at = Some(i);
            break;
        }
        if head.issue.is_none() && ISSUE.is_match(block) {
            head.issue = Some(block.clone());
        } else if head.date.is_none()
            && let Some(date) = parse_date(block)
        {
            head.date = Some(date);
        } else if head.gazette.is_none() && block.ends_with("公报") && block.chars().count() <= 30
        {
            head.gazette = Some(block.clone());
        } else {
            continue;
        }
        body_start = i + 1;
    }

    let mut entries = Vec::new();
    if let Some(at) = contents_at {
        body_start = at + 1;
        for block in &blocks[at + 1..] {
            if TOC_CATEGORY.is_match(block) {
            } else if let Some(entry) = TOC_ENTRY.captures(block) {
                entries.push(Entry {
                    title: entry[1].trim().to_string(),
                    page: entry[2].parse().ok(),
                });
            } else {
                break;
            }
            body_start += 1;
        }
    } else if head.issue.is_none() && head.gazette.is_none() {
        // Not a gazette issue: a date alone on an early line is not a masthead.
        head.date = None;
        body_start = 0;
    }
    head.paged = contents_at.is_some() || head.issue.is_some() || head.gazette.is_some();
    head.documents = split_documents(blocks, body_start, entries);
    head
}

fn parse_date(block: &str) -> Option<String> {
    let caps = DATE.captures(block)?;
    let (year, month, day): (u32, u32, u32) = (
        caps[1].parse().ok()?,
        caps[2].parse().ok()?,
        caps[3].parse().ok()?,
    );
    crate::text::dates::from_parts(year, month, day)
}

/// Splits the body at the title of each document the 目录 lists. The printed title may be shorter
/// than the 目录's: the seed's 目录 says 焦作市人民政府工作报告, its body 政府工作报告.
fn split_documents(blocks: &[String], body_start: usize, entries: Vec<Entry>) -> Vec<Part> {
    let end = blocks.len();
    if entries.len() <= 1 {
        let entry = entries.into_iter().next();
        return vec![Part {
            title: entry.as_ref().map(|e| e.title.clone()),
            page: entry.and_then(|e| e.page),
            blocks: body_start..end,
        }];
    }
    let mut starts: Vec<(usize, Entry)> = Vec::new();
    let mut from = body_start;
    for entry in entries {
        let wanted = compact(&entry.title);
        let found = (from..end).find(|&i| {
            let block = compact(&blocks[i]);
            block.chars().count() >= 4 && (wanted == block || wanted.ends_with(&block))
        });
        match found {
            Some(i) => {
                starts.push((i, entry));
                from = i + 1;
            }
            // A title the body does not print: its text stays with the document before it.
            None => continue,
        }
    }
    if starts.is_empty() {
        return vec![Part {
            title: None,
            page: None,
            blocks: body_start..end,
        }];
    }
    let mut parts = Vec::new();
    if starts[0].0 > body_start {
        parts.push(Part {
            title: None,
            page: None,
            blocks: body_start..starts[0].0,
        });
    }
    for k in 0..starts.len() {
        let next = starts.get(k + 1).map_or(end, |s| s.0);
        let (start, entry) = &starts[k];
        parts.push(Part {
            title: Some(entry.title.clone()),
            page: entry.page,
            blocks: *start..next,
        });
    }
    parts
}

fn compact(text: &str) -> String {
    fold(text).chars.into_iter().filter(|c| *c != ' ').collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(lines: &[&str]) -> Vec<String> {
        lines.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn splits_a_two_document_issue_at_the_titles_its_contents_list() {
        let b = blocks(&[
            "某市人民政府公报",
            "2024年第3号",
            "2024年5月6日",
            "目 录",
            "【市政府文件】",
            "某市人民政府关于印发甲方案的通知……………2",
            "某市人民政府关于乙的决定……………5",
            "某市人民政府关于印发甲方案的通知",
            "各县（市）区人民政府：",
            "现将甲方案印发给你们。",
            "某市人民政府关于乙的决定",
            "经研究，决定乙。",
        ]);
        let head = read(&b);
        assert_eq!(head.gazette.as_deref(), Some("某市人民政府公报"));
        assert_eq!(head.issue.as_deref(), Some("2024年第3号"));
        assert_eq!(head.date.as_deref(), Some("2024-05-06"));
        let parts: Vec<(Option<String>, Option<u32>, Range<usize>)> = head
            .documents
            .into_iter()
            .map(|p| (p.title, p.page, p.blocks))
            .collect();
        assert_eq!(
            parts,
            vec![
                (
                    Some("某市人民政府关于印发甲方案的通知".into()),
                    Some(2),
                    7..10
                ),
                (Some("某市人民政府关于乙的决定".into()), Some(5), 10..12),
            ]
        );
    }

    #[test]
    fn reads_no_masthead_from_an_ordinary_text() {
        let head = read(&blocks(&["2024年5月6日", "今天开会。"]));
        assert_eq!(head.date, None);
        assert_eq!(head.documents[0].blocks, 0..2);
    }
}
