//! JUNK: a text layer that reads as glyph codes, not as text.

/// True when a text layer reads as junk rather than text. Fonts without a Unicode map give their
/// glyph codes, which read as private-use or replacement characters, or as Latin-1 letters and
/// ASCII symbols (「(#Ã¶Ã;Ã½Ã¾」, from a LibreOffice file whose `ToUnicode` maps were removed). A
/// damaged file that lost some fonts reads as Chinese strewn with ASCII
/// (「6去一年，面对? ?杂的国内?形?」). The layer is junk when more than a fifth of its characters
/// are, when it holds no CJK character and less than half of it is letters and digits, or when
/// more than one ideograph in twelve has a stray ASCII letter or symbol after it, between two
/// ideographs (real text: at most one in thirty, 「A股」「X光」 in Taiwan's 行政院公報).
pub(super) fn garbled<'a>(texts: impl Iterator<Item = &'a str>) -> bool {
    let (mut junk, mut all, mut cjk, mut alphanumeric, mut stray) = (0usize, 0, 0, 0, 0);
    let ideograph = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
    for text in texts {
        let chars: Vec<char> = text.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            if c.is_whitespace() {
                continue;
            }
            all += 1;
            junk += usize::from(is_junk(c));
            cjk += usize::from(crate::text::fold::is_cjk(c));
            alphanumeric += usize::from(c.is_alphanumeric());
            let between = i > 0
                && ideograph(chars[i - 1])
                && chars.get(i + 1).is_some_and(|&n| ideograph(n) || n == ' ');
            stray += usize::from(
                between && c.is_ascii_graphic() && !c.is_ascii_digit() && !"%+-./".contains(c),
            );
        }
    }
    junk * 5 > all || (cjk == 0 && alphanumeric * 2 < all) || stray * 12 > cjk
}

/// A character that text does not hold, or hardly: private use, replacement, control, Latin-1
/// letters and signs other than those Chinese documents use (°, ×, ·, §…), ASCII symbols other
/// than those of numbers and links (%, +, /, -, …).
fn is_junk(c: char) -> bool {
    ('\u{e000}'..='\u{f8ff}').contains(&c)
        || c >= '\u{f0000}'
        || c == '\u{fffd}'
        || c.is_control()
        || (('\u{a1}'..='\u{ff}').contains(&c) && !"·×÷°±²³µ§".contains(c))
        || "#$&*<=>@[\\]^_`{|}~".contains(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_use_text_is_garbled() {
        assert!(garbled(["\u{e001}\u{e002}\u{e003}政"].into_iter()));
        assert!(!garbled(["政府工作报告\u{e001}"].into_iter()));
        // Glyph codes read as Latin-1 and ASCII symbols, as pdf_oxide reads a LibreOffice file
        // without its ToUnicode maps.
        assert!(garbled(["(#Ã¶Ã;Ã½Ã¾ + Ã·!", "?/1)9=¿-Ã"].into_iter()));
        // Text: Chinese with numbers and signs, or English.
        assert!(!garbled(["增长5.2%，3+13+N，温度25°C，A×B"].into_iter()));
        assert!(!garbled(
            ["Government Work Report (2025), p. 3"].into_iter()
        ));
        // Fonts lost from a damaged file: Chinese strewn with ASCII, and real text beside it.
        assert!(garbled(
            ["6去一年，面对? ?杂的国内?形?和艰巨? ?的改革发 =定任?，在省委"].into_iter()
        ));
        assert!(!garbled(
            ["A股市场与X光检查，5G基站和PM2.5治理，全面推进。"].into_iter()
        ));
    }
}
