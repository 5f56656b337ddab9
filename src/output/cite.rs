//! CITE: a reference in GB/T 7714 style for a hit, for `--cite`.

use crate::search::Hit;

/// Manifest columns that hold a web address, for an [EB/OL] reference.
const URL_ATTRIBUTES: &[&str] = &["url", "source_url", "link", "网址"];

/// A reference in the style of GB/T 7714-2015, from what the index knows of a hit:
///
/// - in a gazette with a numbered issue, as a serial: 「焦作市人民政府. 焦作市人民政府工作报告[N].
///   焦作市人民政府公报, 2025(1): 3.」 (the issuing body is the gazette's name without 公报; a
///   volume as in 第20卷第1期 gives 「2014, 20(1)」);
/// - in a gazette without an issue number: 「…[N]. 某某公报, 2025-02-28: 3.」;
/// - outside a gazette, with a web address in the manifest: 「题名[EB/OL]. (2025)[…]. URL.」;
/// - otherwise 「题名[Z]. 2025.」
pub fn reference(hit: &Hit) -> String {
    let citation = &hit.citation;
    let year = citation
        .date
        .as_deref()
        .map(|d| d.chars().take(4).collect::<String>())
        .or_else(|| citation.issue.as_deref().and_then(issue_year));
    if let Some(gazette) = citation.gazette.as_deref() {
        let author = gazette
            .strip_suffix("公报")
            .filter(|body| !body.is_empty())
            .map_or(String::new(), |body| format!("{body}. "));
        let page = super::human::pages(hit).map_or(String::new(), |p| format!(": {p}"));
        let number = citation.issue.as_deref().and_then(issue_number);
        let volume = citation.issue.as_deref().and_then(|i| numbered(i, &['卷']));
        let when = match (&year, number, &citation.date) {
            (Some(year), Some(number), _) => match volume {
                Some(volume) => format!("{year}, {volume}({number})"),
                None => format!("{year}({number})"),
            },
            (_, _, Some(date)) => date.clone(),
            (Some(year), None, None) => year.clone(),
            (None, _, None) => String::new(),
        };
        let when = if when.is_empty() {
            String::new()
        } else {
            format!(", {when}")
        };
        if hit.matched_in.is_issue() {
            // The issue itself: 「焦作市人民政府公报[N], 2025(1).」
            return format!("{gazette}[N]{when}.");
        }
        return format!("{author}{}[N]. {gazette}{when}{page}.", citation.document);
    }
    let url = URL_ATTRIBUTES
        .iter()
        .find_map(|name| citation.attributes.get(*name))
        .filter(|url| !url.is_empty());
    let published = citation.date.clone().or(year);
    match (url, published) {
        (Some(url), Some(date)) => format!("{}[EB/OL]. ({date}). {url}.", citation.document),
        (Some(url), None) => format!("{}[EB/OL]. {url}.", citation.document),
        (None, Some(date)) => format!("{}[Z]. {date}.", citation.document),
        (None, None) => format!("{}[Z].", citation.document),
    }
}

/// The number after 第 and before one of `units`: 「2025年第1号（总第139号）」 → 1 for 号 or 期;
/// 「第20卷第1期」 → 20 for 卷, 1 for 期.
fn numbered(issue: &str, units: &[char]) -> Option<u32> {
    issue.match_indices('第').find_map(|(at, _)| {
        let rest = &issue[at + '第'.len_utf8()..];
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let unit = rest[digits.len()..].chars().next()?;
        if units.contains(&unit) {
            digits.parse().ok()
        } else {
            None
        }
    })
}

fn issue_number(issue: &str) -> Option<u32> {
    numbered(issue, &['号', '期'])
}

/// 「2025年第1号」 → 2025.
fn issue_year(issue: &str) -> Option<String> {
    let digits: String = issue.chars().take_while(char::is_ascii_digit).collect();
    (digits.len() == 4 && issue[4..].starts_with('年')).then_some(digits)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::store::schema::Citation;

    fn citation() -> Citation {
        Citation {
            path: "corpus/a.txt".into(),
            gazette: Some("焦作市人民政府公报".into()),
            issue: Some("2025年第1号（总第139号）".into()),
            date: Some("2025-02-28".into()),
            region: Some("河南省焦作市".into()),
            document: "焦作市人民政府工作报告".into(),
            doc_number: None,
            page: Some(3),
            attributes: Default::default(),
            indexed: 0,
            first_indexed: 0,
        }
    }

    fn hit(citation: Citation) -> Hit {
        Hit {
            page: citation.page,
            page_end: None,
            citation: Arc::new(citation),
            section: crate::search::Section::default(),
            paragraph: 7,
            score: 1.5,
            word_match: true,
            matched_in: crate::search::MatchedIn::Text,
            text: "云台山".into(),
            matches: vec![(0, 9)],
            reference: None,
        }
    }

    #[test]
    fn a_passage_across_a_page_end_cites_both_pages() {
        let mut passage = hit(citation());
        passage.page = Some(5);
        passage.page_end = Some(6);
        assert_eq!(
            reference(&passage),
            "焦作市人民政府. 焦作市人民政府工作报告[N]. 焦作市人民政府公报, 2025(1): 5-6."
        );
    }

    #[test]
    fn a_gazette_issue_is_cited_as_a_serial_with_year_number_and_page() {
        assert_eq!(
            reference(&hit(citation())),
            "焦作市人民政府. 焦作市人民政府工作报告[N]. 焦作市人民政府公报, 2025(1): 3."
        );
    }

    #[test]
    fn without_an_issue_number_the_date_stands_in() {
        let h = hit(Citation {
            issue: None,
            page: None,
            ..citation()
        });
        assert_eq!(
            reference(&h),
            "焦作市人民政府. 焦作市人民政府工作报告[N]. 焦作市人民政府公报, 2025-02-28."
        );
    }

    #[test]
    fn outside_a_gazette_a_web_address_makes_an_online_reference() {
        let mut h = hit(Citation {
            gazette: None,
            issue: None,
            date: Some("2025".into()),
            page: None,
            document: "2025年中华人民共和国国务院政府工作报告".into(),
            ..citation()
        });
        assert_eq!(
            reference(&h),
            "2025年中华人民共和国国务院政府工作报告[Z]. 2025."
        );
        Arc::make_mut(&mut h.citation)
            .attributes
            .insert("source_url".into(), "https://zh.wikisource.org/x".into());
        assert_eq!(
            reference(&h),
            "2025年中华人民共和国国务院政府工作报告[EB/OL]. (2025). https://zh.wikisource.org/x."
        );
    }

    #[test]
    fn reads_issue_numbers() {
        assert_eq!(issue_number("2025年第1号（总第139号）"), Some(1));
        assert_eq!(issue_number("第12期"), Some(12));
        assert_eq!(issue_number("总第139"), None);
        assert_eq!(issue_number("第20卷第1期"), Some(1));
        assert_eq!(numbered("第20卷第1期", &['卷']), Some(20));
        assert_eq!(issue_year("2025年第1号"), Some("2025".into()));
        assert_eq!(issue_year("第1号"), None);
    }
}
