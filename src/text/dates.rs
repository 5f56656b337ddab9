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

/// A date as the number YYYYMMDD, with 00 for what is unknown: 2025-02 -> 20250200; 0 for no
/// date. The index sorts by it and `stats` buckets by it.
pub fn key(date: Option<&str>) -> u64 {
    let Some(date) = date else { return 0 };
    let digits: String = date.chars().filter(char::is_ascii_digit).collect();
    format!("{digits:0<8}").parse().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn keys_dates_with_zeros_for_what_is_unknown() {
        assert_eq!(key(Some("2025-02")), 20250200);
        assert_eq!(key(Some("2025-02-28")), 20250228);
        assert_eq!(key(Some("1996")), 19960000);
        assert_eq!(key(None), 0);
    }
}
