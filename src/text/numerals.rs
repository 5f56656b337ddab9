//! NUMERALS: the numbers of article and item references, in Chinese numerals or in digits.
//!
//! A law writes 第二十三条 and a user types 第23条; a 行政院公報 title says 第3點 where its body
//! says 第三點. A literal that holds such a reference is searched under each of its spellings
//! (`crate::search::query` makes it an OR of them), so that `matches` still point at the text
//! as written. Only numbers between 第 and a unit of a legal text (编 章 节 条 款 项 目 点 号, and
//! their traditional forms) are respelled: 「2025年第1号」 has its 第1号 respelled too, 「二十三」 alone
//! is not.

/// The units that end a numbered reference: 第三条, 第2款, 第十四條, 第3點.
const UNITS: &[char] = &[
    '编', '編', '章', '节', '節', '条', '條', '款', '项', '項', '目', '点', '點', '号', '號',
];

/// At most this many spellings of one literal: each reference has two, and a literal with more
/// than four references (「第一条第二款第三项…」) is searched as typed beyond them.
const MAX_SPELLINGS: usize = 16;

const DIGITS: &[char] = &['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/// The number a run of Chinese numerals writes: 十 = 10, 二十三 = 23, 一百零五 = 105,
/// 一千零一十 = 1010; 〇 and 零 as zero, 两 as two. `None` for anything else or above 9,999.
pub fn parse_chinese(text: &str) -> Option<u32> {
    let mut total = 0u32;
    let mut digit: Option<u32> = None;
    let mut seen = false;
    for c in text.chars() {
        seen = true;
        let value = match c {
            '〇' | '零' => Some(0),
            '两' | '兩' => Some(2),
            c => DIGITS.iter().position(|&d| d == c).map(|p| p as u32),
        };
        if let Some(v) = value {
            if digit.is_some_and(|d| d != 0) && v != 0 {
                return None; // 二三: not a number
            }
            digit = Some(v);
            continue;
        }
        let unit = match c {
            '十' | '拾' => 10,
            '百' | '佰' => 100,
            '千' | '仟' => 1000,
            _ => return None,
        };
        total += digit.unwrap_or(1) * unit;
        digit = None;
    }
    let number = total + digit.unwrap_or(0);
    (seen && (1..=9999).contains(&number)).then_some(number)
}

/// A number in Chinese numerals as laws write it: 10 = 十, 23 = 二十三, 105 = 一百零五,
/// 110 = 一百一十, 1010 = 一千零一十.
pub fn to_chinese(n: u32) -> String {
    if n == 0 {
        return "零".to_string();
    }
    let places = [(1000, '千'), (100, '百'), (10, '十'), (1, ' ')];
    let mut out = String::new();
    let mut zero = false;
    for (place, unit) in places {
        let d = (n / place) % 10;
        if d == 0 {
            zero = !out.is_empty();
            continue;
        }
        if zero {
            out.push('零');
            zero = false;
        }
        // 十 alone opens a number between 10 and 19: 十四, not 一十四.
        if !(place == 10 && d == 1 && out.is_empty()) {
            out.push(DIGITS[d as usize]);
        }
        if unit != ' ' {
            out.push(unit);
        }
    }
    out
}

fn is_ascii_or_wide_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

fn digit_value(c: char) -> u32 {
    if c.is_ascii_digit() {
        c as u32 - '0' as u32
    } else {
        c as u32 - '０' as u32
    }
}

fn is_chinese_numeral(c: char) -> bool {
    DIGITS.contains(&c) || "〇两兩十拾百佰千仟".contains(c)
}

/// The spellings of a literal under which its numbered references are found: the literal itself
/// first, then with each reference's number written the other way. A literal without a
/// reference has one spelling.
pub fn spellings(literal: &str) -> Vec<String> {
    let chars: Vec<char> = literal.chars().collect();
    // Each reference: the span of its number, and the number written the other way.
    let mut references: Vec<(usize, usize, String)> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '第' {
            i += 1;
            continue;
        }
        let start = i + 1;
        let mut end = start;
        let digits = chars.get(start).is_some_and(|&c| is_ascii_or_wide_digit(c));
        while end < chars.len()
            && if digits {
                is_ascii_or_wide_digit(chars[end])
            } else {
                is_chinese_numeral(chars[end])
            }
        {
            end += 1;
        }
        let unit = chars.get(end).is_some_and(|c| UNITS.contains(c));
        if end > start && unit {
            let number: String = chars[start..end].iter().collect();
            let other = if digits {
                let n = chars[start..end].iter().fold(0u64, |n, &c| {
                    n.saturating_mul(10)
                        .saturating_add(u64::from(digit_value(c)))
                });
                (1..=9999).contains(&n).then(|| to_chinese(n as u32))
            } else {
                parse_chinese(&number).map(|n| n.to_string())
            };
            if let Some(other) = other {
                references.push((start, end, other));
            }
        }
        i = end.max(i + 1);
    }
    // Every choice of spelling for each reference, the literal as typed first.
    let references = &references[..references.len().min(MAX_SPELLINGS.ilog2() as usize)];
    (0..1usize << references.len())
        .map(|choice| {
            let mut spelled = String::with_capacity(literal.len() * 2);
            let mut at = 0;
            for (k, (start, end, other)) in references.iter().enumerate() {
                spelled.extend(&chars[at..*start]);
                if choice & (1 << (references.len() - 1 - k)) != 0 {
                    spelled.push_str(other);
                } else {
                    spelled.extend(&chars[*start..*end]);
                }
                at = *end;
            }
            spelled.extend(&chars[at..]);
            spelled
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_numerals_read_and_write_as_laws_number_articles() {
        for (n, written) in [
            (1, "一"),
            (10, "十"),
            (14, "十四"),
            (20, "二十"),
            (23, "二十三"),
            (100, "一百"),
            (105, "一百零五"),
            (110, "一百一十"),
            (1010, "一千零一十"),
            (2025, "二千零二十五"),
        ] {
            assert_eq!(to_chinese(n), written, "{n}");
            assert_eq!(parse_chinese(written), Some(n), "{written}");
        }
        assert_eq!(parse_chinese("两千"), Some(2000));
        assert_eq!(parse_chinese("二三"), None);
        assert_eq!(parse_chinese("年"), None);
    }

    #[test]
    fn a_reference_is_spelled_both_ways() {
        assert_eq!(spellings("第3条"), ["第3条", "第三条"]);
        assert_eq!(spellings("第二十三条"), ["第二十三条", "第23条"]);
        assert_eq!(
            spellings("依照第14條規定"),
            ["依照第14條規定", "依照第十四條規定"]
        );
        assert_eq!(spellings("第１４条"), ["第１４条", "第十四条"]);
        assert_eq!(
            spellings("第3条第23款"),
            [
                "第3条第23款",
                "第3条第二十三款",
                "第三条第23款",
                "第三条第二十三款"
            ]
        );
        assert_eq!(
            spellings("第3条第2款"),
            ["第3条第2款", "第3条第二款", "第三条第2款", "第三条第二款"]
        );
        // Not a reference: no unit, or no 第.
        assert_eq!(spellings("第3名"), ["第3名"]);
        assert_eq!(spellings("二十三条"), ["二十三条"]);
        assert_eq!(spellings("云台山"), ["云台山"]);
        // A number too long to be an article's is searched as typed.
        assert_eq!(
            spellings("第123456789012345678901234条"),
            ["第123456789012345678901234条"]
        );
    }
}
