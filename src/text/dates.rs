//! DATES: the one place dates are read, compared and keyed. A date is kept as text at the
//! precision its source gave, `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; manifests, query bounds and the
//! parser all normalise through [`normalise`], filters compare with [`within`], and the index
//! sorts and buckets by [`key`].

/// `YYYY-MM-DD`, `YYYY-MM` or `YYYY`, checked and zero-padded; `None` for anything else.
/// Separators may be `-`, `/` or `.`, as spreadsheets write them.
pub fn normalise(value: &str) -> Option<String> {
    let parts: Vec<&str> = value.split(['-', '/', '.']).collect();
    let numbers: Vec<u32> = parts
        .iter()
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    match numbers.as_slice() {
        [y] if parts[0].len() == 4 => Some(format!("{y:04}")),
        [y, m] if parts[0].len() == 4 && (1..=12).contains(m) => Some(format!("{y:04}-{m:02}")),
        [y, m, d] if parts[0].len() == 4 && (1..=12).contains(m) && (1..=31).contains(d) => {
            Some(format!("{y:04}-{m:02}-{d:02}"))
        }
        _ => None,
    }
}

/// A full date from its three numbers, as a masthead prints them (2025年2月28日); `None` when
/// the month or day cannot be one.
pub fn from_parts(year: u32, month: u32, day: u32) -> Option<String> {
    ((1..=12).contains(&month) && (1..=31).contains(&day))
        .then(|| format!("{year:04}-{month:02}-{day:02}"))
}

/// True when a date value is within the bounds, comparing at the shorter precision: 2025 is
/// within 2025-03.., since a date known to the year may fall in March.
pub fn within(value: &str, from: Option<&str>, to: Option<&str>) -> bool {
    let cmp = |a: &str, b: &str| {
        let n = a.len().min(b.len());
        a[..n].cmp(&b[..n])
    };
    from.is_none_or(|f| cmp(value, f).is_ge()) && to.is_none_or(|t| cmp(value, t).is_le())
}

/// The span of date texts, in their byte order, outside which [`within`] accepts none of those
/// gazette writes: from the year of `from` (included) to the year after that of `to` (left out;
/// `None`: open). Every
/// date gazette indexes is [`normalise`]d or made by [`from_parts`], so it begins with its year
/// in four digits or more, and a bound is compared at four characters or more: a date `within`
/// the bounds begins with a year between theirs. A filter reads the dates of that span only.
pub fn year_span(from: Option<&str>, to: Option<&str>) -> (Option<String>, Option<String>) {
    let year = |date: &str| date.get(..4).and_then(|year| year.parse::<u32>().ok());
    (
        from.and_then(year).map(|year| format!("{year:04}")),
        // The year after 9999 would sort before it (10000 < 9999): left open.
        to.and_then(year)
            .filter(|&year| year < 9999)
            .map(|year| format!("{:04}", year + 1)),
    )
}

/// A date as the number YYYYMMDD, with 00 for what is unknown: 2025-02 -> 20250200; 0 for no
/// date. The index sorts by it and `stats` buckets by it.
pub fn key(date: Option<&str>) -> u64 {
    let Some(date) = date else { return 0 };
    // Computed, not written out and parsed: indexing keys every paragraph, and a search orders
    // its hits by it. Its digits, then zeros up to eight digits; 0 when they overflow.
    let mut key = 0u64;
    let mut digits = 0;
    for digit in date.bytes().filter(u8::is_ascii_digit) {
        let Some(next) = key
            .checked_mul(10)
            .and_then(|k| k.checked_add(u64::from(digit - b'0')))
        else {
            return 0;
        };
        key = next;
        digits += 1;
    }
    (digits..8).fold(key, |key, _| key * 10)
}

/// The first millisecond (UTC) of a normalised date: 2025 -> 2025-01-01T00:00Z.
pub fn start_ms(date: &str) -> Option<u64> {
    let mut parts = date.split('-').map(|p| p.parse::<i64>().ok());
    let year = parts.next()??;
    let month = parts.next().flatten().unwrap_or(1);
    let day = parts.next().flatten().unwrap_or(1);
    let days = days_from_civil(year, month, day);
    u64::try_from(days).ok().map(|d| d * 86_400_000)
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A moment in milliseconds since 1970 as ISO 8601 in UTC, to the millisecond, so that two runs
/// a moment apart read apart: `2025-02-28T01:01:05.250Z`.
pub fn format_ms(ms: u64) -> String {
    let seconds = ms / 1000;
    let days = (seconds / 86_400) as i64;
    let (hour, minute, second) = (
        (seconds % 86_400) / 3600,
        (seconds % 3600) / 60,
        seconds % 60,
    );
    // civil_from_days, the inverse of `days_from_civil`.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let millis = ms % 1000;
    if !(0..=9999).contains(&year) {
        return format!(
            "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{millis:03}Z"
        );
    }
    // Digit by digit: `--all --json` writes two of these for every document it cites, and
    // `format!` with padding cost several times the arithmetic.
    let mut text = *b"0000-00-00T00:00:00.000Z";
    let mut put = |at: usize, width: usize, mut n: u64| {
        for k in (at..at + width).rev() {
            text[k] = b'0' + (n % 10) as u8;
            n /= 10;
        }
    };
    put(0, 4, year as u64);
    put(5, 2, month as u64);
    put(8, 2, day as u64);
    put(11, 2, hour);
    put(14, 2, minute);
    put(17, 2, second);
    put(20, 3, millis);
    text.iter().map(|&b| char::from(b)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_within_the_bounds_is_within_their_year_span() {
        assert_eq!(
            year_span(Some("2025"), Some("2025")),
            (Some("2025".to_string()), Some("2026".to_string()))
        );
        assert_eq!(year_span(None, Some("9999-12")), (None, None));
        let mut values = Vec::new();
        for year in 1998..=2031 {
            values.push(format!("{year:04}"));
            for month in 1..=12 {
                values.push(format!("{year:04}-{month:02}"));
                for day in [1, 9, 10, 28, 31] {
                    values.push(from_parts(year, month, day).unwrap());
                }
            }
        }
        // A masthead's year of five digits makes a value longer than any bound's year.
        values.push(from_parts(12025, 1, 1).unwrap());
        values.push("9999-12-31".to_string());
        let bounds = [
            None,
            Some("1998"),
            Some("2024-12"),
            Some("2025"),
            Some("2025-01-01"),
            Some("2025-06-30"),
            Some("2030-12-31"),
            Some("9999"),
        ];
        let mut accepted = 0;
        for from in bounds {
            for to in bounds {
                let (start, end) = year_span(from, to);
                for value in &values {
                    if within(value, from, to) {
                        accepted += 1;
                        assert!(
                            start.as_deref().is_none_or(|s| value.as_str() >= s)
                                && end.as_deref().is_none_or(|e| value.as_str() < e),
                            "{value} is within {from:?}..{to:?} but not in {start:?}..{end:?}"
                        );
                    }
                }
            }
        }
        assert!(accepted > values.len());
    }

    #[test]
    fn normalises_dates_of_three_precisions() {
        assert_eq!(normalise("2025-2-28").as_deref(), Some("2025-02-28"));
        assert_eq!(normalise("2025-02").as_deref(), Some("2025-02"));
        assert_eq!(normalise("1996").as_deref(), Some("1996"));
        assert_eq!(normalise("2025-13-01"), None);
        assert_eq!(normalise("二〇二五年"), None);
    }

    #[test]
    fn compares_dates_at_the_shorter_precision() {
        assert!(within("2025", Some("2025-03"), None));
        assert!(within("2025-02-28", Some("2024-01"), Some("2025-06")));
        assert!(!within("2025-07-01", Some("2024-01"), Some("2025-06")));
        assert!(!within("2023-12-31", Some("2024"), None));
    }

    #[test]
    fn converts_dates_to_milliseconds_and_back() {
        assert_eq!(start_ms("1970"), Some(0));
        // 2025-02-28 is day 20,147 after 1970-01-01 (`date -d 2025-02-28 +%s` / 86400).
        assert_eq!(start_ms("2025-02-28"), Some(20_147 * 86_400_000));
        assert_eq!(start_ms("2024-03"), Some(19_783 * 86_400_000));
        assert_eq!(
            format_ms(20_147 * 86_400_000 + 3_665_250),
            "2025-02-28T01:01:05.250Z"
        );
        assert_eq!(format_ms(0), "1970-01-01T00:00:00.000Z");
        // 2024-02-29, a leap day: day 19,782.
        assert_eq!(format_ms(19_782 * 86_400_000), "2024-02-29T00:00:00.000Z");
        assert_eq!(start_ms("1969"), None);
        // Every day of a few years, each moment of a day's last second, against the same
        // moment written by `format!`: the year past 9999 is written so too.
        let written = |ms: u64| {
            let (days, rest) = (ms / 86_400_000, ms % 86_400_000);
            let date = civil(days as i64);
            format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                date.0,
                date.1,
                date.2,
                rest / 3_600_000,
                rest / 60_000 % 60,
                rest / 1000 % 60,
                rest % 1000
            )
        };
        for days in (0..3000).chain([2_932_896, 2_932_897, 3_000_000]) {
            for rest in [0, 86_399_999, 45_296_789] {
                let ms = days * 86_400_000 + rest;
                assert_eq!(format_ms(ms), written(ms), "{ms}");
            }
        }
    }

    /// The date of `days` after 1970-01-01, by counting days through the months.
    fn civil(mut days: i64) -> (i64, i64, i64) {
        let leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let mut year = 1970;
        loop {
            let length = if leap(year) { 366 } else { 365 };
            if days < length {
                break;
            }
            days -= length;
            year += 1;
        }
        let months = [
            31,
            if leap(year) { 29 } else { 28 },
            31,
            30,
            31,
            30,
            31,
            31,
            30,
            31,
            30,
            31,
        ];
        let mut month = 1;
        for length in months {
            if days < length {
                break;
            }
            days -= length;
            month += 1;
        }
        (year, month, days + 1)
    }

    #[test]
    fn keys_dates_with_zeros_for_what_is_unknown() {
        assert_eq!(key(Some("2025-02")), 20250200);
        assert_eq!(key(Some("2025-02-28")), 20250228);
        assert_eq!(key(Some("1996")), 19960000);
        assert_eq!(key(None), 0);
    }

    /// The key is the date's ASCII digits, padded with zeros to eight and read as a number (0
    /// when that overflows), which is how it was first written: `format!` and `parse`.
    #[test]
    fn a_key_is_the_dates_digits_padded_to_eight() {
        let written = |date: &str| {
            let digits: String = date.chars().filter(char::is_ascii_digit).collect();
            format!("{digits:0<8}").parse::<u64>().unwrap_or(0)
        };
        for date in [
            "",
            "2025",
            "2025-02",
            "2025-02-28",
            "二〇二五年",
            "2025年2月",
            "１２３",
            "0",
            "007",
            "123456789",
            "2025-02-28T10:11:12",
            "18446744073709551615",
            "18446744073709551616",
            "99999999999999999999999",
            "a1b2c3",
            "2025\u{0663}",
        ] {
            assert_eq!(key(Some(date)), written(date), "{date:?}");
        }
    }
}
