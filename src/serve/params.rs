//! PARAMS: a request's query string -> what to search, read strictly: a malformed
//! percent-encoding, text that is not UTF-8, a query too long or a number out of range is an
//! error that says where, never a guess.

use crate::search::narrowing::Narrowing;
use crate::search::{SearchConfig, Sort};
use crate::text::dates;
use crate::text::fold::Script;

/// The longest query taken, in characters: far above any query typed, far below what would make a
/// search costly.
pub const MAX_QUERY_CHARS: usize = 1_000;
/// The most hits on one page or in one API answer.
pub const MAX_LIMIT: usize = 100;
/// The deepest page: beyond it, `--all` downloads give every hit.
pub const MAX_OFFSET: usize = 10_000;
/// Hits on a page unless asked otherwise.
pub const PAGE: usize = 10;

/// A bad request, said so that the user can mend it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRequest(pub String);

/// The decoded pairs of a query string (`a=1&b=%E4%BD%A0`), in order.
#[derive(Debug, Default, Clone)]
pub struct Params(Vec<(String, String)>);

impl Params {
    /// Decodes `raw` as a form's query string: `+` is a space, `%XX` a byte, and the bytes of
    /// each name and value must be UTF-8.
    pub fn parse(raw: Option<&str>) -> Result<Params, BadRequest> {
        let mut pairs = Vec::new();
        let Some(raw) = raw else {
            return Ok(Params(pairs));
        };
        let mut at = 0;
        for pair in raw.split('&') {
            if !pair.is_empty() {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                let name = decode(name, at)?;
                let value = decode(value, at + name_len(pair))?;
                pairs.push((name, value));
            }
            at += pair.len() + 1;
        }
        Ok(Params(pairs))
    }

    pub fn from_pairs(pairs: Vec<(String, String)>) -> Params {
        Params(pairs)
    }

    /// The first value of `name`, unless empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, v)| n == name && !v.trim().is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// A box ticked: `1`, `true` or `on` (what a checkbox sends).
    pub fn flag(&self, name: &str) -> bool {
        matches!(self.get(name), Some("1" | "true" | "on"))
    }

    /// A whole number within `most`, `default` when absent.
    pub fn number(&self, name: &str, default: usize, most: usize) -> Result<usize, BadRequest> {
        let Some(value) = self.get(name) else {
            return Ok(default);
        };
        match value.trim().parse::<usize>() {
            Ok(n) if n <= most => Ok(n),
            Ok(_) => Err(BadRequest(format!("{name} is at most {most}"))),
            Err(_) => Err(BadRequest(format!(
                "{name} must be a whole number, not {value:?}"
            ))),
        }
    }

    /// A date for a filter, as YYYY, YYYY-MM or YYYY-MM-DD.
    fn date(&self, name: &str) -> Result<Option<String>, BadRequest> {
        self.get(name)
            .map(|value| {
                dates::normalise(value.trim()).ok_or_else(|| {
                    BadRequest(format!(
                        "{name}: {value:?} is not YYYY, YYYY-MM or YYYY-MM-DD"
                    ))
                })
            })
            .transpose()
    }

    /// The query (`q`), within [`MAX_QUERY_CHARS`].
    pub fn query(&self) -> Result<String, BadRequest> {
        let query = self.get("q").unwrap_or_default().trim();
        if query.is_empty() {
            return Err(BadRequest("the query (q) is empty".into()));
        }
        let chars = query.chars().count();
        if chars > MAX_QUERY_CHARS {
            return Err(BadRequest(format!(
                "the query is {chars} characters long; at most {MAX_QUERY_CHARS} are taken"
            )));
        }
        Ok(query.to_string())
    }

    /// The search the parameters ask for, without its limit: `q`, the filters (`gazette`,
    /// `region`, `document`, `from`, `to`), `words`, `exact_script`, `text_only` and `sort`.
    pub fn search(&self) -> Result<SearchConfig, BadRequest> {
        let text = |name: &str| self.get(name).map(|v| v.trim().to_string());
        let narrowing = Narrowing {
            gazette: text("gazette"),
            region: text("region"),
            document: text("document"),
            from: self.date("from")?,
            to: self.date("to")?,
            indexed_since: None,
        };
        let sort = match self.get("sort") {
            None | Some("relevance") => Sort::Relevance,
            Some("newest") => Sort::Newest,
            Some("oldest") => Sort::Oldest,
            Some(other) => {
                return Err(BadRequest(format!(
                    "sort is relevance, newest or oldest, not {other:?}"
                )));
            }
        };
        Ok(SearchConfig {
            query: self.query()?,
            filters: narrowing.filters(),
            words: self.flag("words"),
            script: match self.flag("exact_script") {
                true => Script::Exact,
                false => Script::Fold,
            },
            sort,
            text_only: self.flag("text_only"),
            ..SearchConfig::default()
        })
    }

    /// `offset` and `limit` of a page of hits.
    pub fn page(&self) -> Result<(usize, usize), BadRequest> {
        Ok((
            self.number("offset", 0, MAX_OFFSET)?,
            self.number("limit", PAGE, MAX_LIMIT)?.max(1),
        ))
    }
}

/// `value` percent-encoded for a query string: every byte but the unreserved ones of RFC 3986.
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len() * 3);
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Bytes of a pair's name and its `=`.
fn name_len(pair: &str) -> usize {
    pair.find('=').map_or(pair.len(), |i| i + 1)
}

/// Percent-decodes one name or value that starts at byte `at` of the query string.
fn decode(text: &str, at: usize) -> Result<String, BadRequest> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(i + 1..i + 3).and_then(|h| {
                    std::str::from_utf8(h)
                        .ok()
                        .and_then(|h| u8::from_str_radix(h, 16).ok())
                });
                let Some(byte) = hex else {
                    return Err(BadRequest(format!(
                        "malformed percent-encoding at byte {} of the query string: a % must be \
                         followed by two hexadecimal digits",
                        at + i
                    )));
                };
                out.push(byte);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|err| {
        BadRequest(format!(
            "the query string is not UTF-8 once decoded (byte {} of the value starting at byte \
             {at})",
            err.utf8_error().valid_up_to()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_forms_and_names_where_the_encoding_breaks() {
        let params =
            Params::parse(Some("q=%E4%BA%91%E5%8F%B0%E5%B1%B1+NEAR%2F5&x=&limit=3")).unwrap();
        assert_eq!(params.get("q"), Some("云台山 NEAR/5"));
        assert_eq!(params.get("x"), None);
        assert_eq!(params.number("limit", 10, 100), Ok(3));
        let err = Params::parse(Some("a=1&q=%E4%B")).unwrap_err();
        assert!(err.0.contains("byte 9 "), "{}", err.0);
        assert!(Params::parse(Some("q=%ZZ")).is_err());
        let err = Params::parse(Some("q=%FF%FE")).unwrap_err();
        assert!(err.0.contains("not UTF-8"), "{}", err.0);
    }

    #[test]
    fn what_is_encoded_decodes_to_itself() {
        for value in ["云台山 NEAR/5 实验室", "a+b&c=d%", "\"><img>", "~-_.", ""] {
            let query = format!("q={}", encode(value));
            assert!(
                query[2..]
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"%-_.~".contains(&b))
            );
            let decoded = Params::parse(Some(&query)).unwrap();
            assert_eq!(decoded.0[0].1, value);
        }
    }

    #[test]
    fn bounds_are_said() {
        let long = format!("q={}", "政".repeat(MAX_QUERY_CHARS + 1));
        let err = Params::parse(Some(&long)).unwrap().query().unwrap_err();
        assert!(err.0.contains("1001 characters"), "{}", err.0);
        let params = Params::parse(Some("q=a&limit=101&from=2025-13")).unwrap();
        assert!(params.page().is_err());
        assert!(params.search().unwrap_err().0.contains("from"));
        assert!(
            Params::parse(Some("q=a&sort=up"))
                .unwrap()
                .search()
                .is_err()
        );
        assert!(Params::parse(Some("q=+")).unwrap().query().is_err());
    }
}
