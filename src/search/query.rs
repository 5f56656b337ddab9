//! QUERY: the query language, text -> [`Expr`], with errors that point at a character.
//!
//! ```text
//! query   := or
//! or      := and ("OR" and)*
//! and     := unary (["AND"] unary)*
//! unary   := ("-" | "NOT") unary | near
//! near    := primary ("NEAR/" N primary)?
//! primary := "(" or ")" | field ":" value | literal | "\"" quoted literal "\""
//! ```
//! A literal matches wherever that exact string occurs (after folding); `-A` and `NOT A` exclude;
//! `A NEAR/N B` wants both at most N characters apart; `name:value` filters on a citation field
//! (`gazette`, `region`, `document`, `year`, `date`) or on a manifest attribute.

use crate::Error;
use crate::text::dates;

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 1000;

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// A literal, as the user wrote it (folding happens later).
    Literal(String),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    /// Both literals, at most `distance` characters between them, in either order.
    Near {
        left: String,
        right: String,
        distance: usize,
    },
    Filter(Filter),
}

/// A condition on a paragraph's citation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Filter {
    /// `gazette:…`, `region:…`, `document:…`, `docno:…`: the field contains the value.
    Contains { field: Field, value: String },
    /// `year:2025`, `date:2024-01..2025-06`, `--from`, `--to`: dates within the bounds, compared
    /// at the precision of the shorter of the two (a date of `2025` is within `2025-03..`).
    Date {
        from: Option<String>,
        to: Option<String>,
    },
    /// `name:value` for a manifest column: the attribute contains the value.
    Attribute { name: String, value: String },
    /// `--new`, `--indexed-since`: the paragraph's file was indexed (added or changed) at or
    /// after this moment, in milliseconds since 1970 (UTC).
    IndexedSince(u64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Gazette,
    Region,
    Document,
    DocNumber,
}

impl Expr {
    /// The expression itself, or for an AND the one item of it that is not a filter (`政府
    /// region:河南`: 政府); `None` for an AND of several such items, or of filters alone.
    pub fn beside_filters(&self) -> Option<&Expr> {
        let Expr::And(items) = self else {
            return Some(self);
        };
        let mut rest = items.iter().filter(|x| !matches!(x, Expr::Filter(_)));
        match (rest.next(), rest.next()) {
            (Some(item), None) => Some(item),
            _ => None,
        }
    }

    /// The literals that count toward matches and ranking: those not under a NOT.
    pub fn positive_literals(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect_literals(false, &mut out);
        out
    }

    /// Every literal, those under a NOT too: each is looked for in a paragraph checked.
    pub fn every_literal(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect_literals(true, &mut out);
        out
    }

    /// The names of the manifest attributes the expression filters on, each once, in order.
    pub fn attribute_names(&self) -> Vec<&str> {
        let mut names = Vec::new();
        self.each_filter(&mut |filter| {
            if let Filter::Attribute { name, .. } = filter
                && !names.contains(&name.as_str())
            {
                names.push(name.as_str());
            }
        });
        names
    }

    fn each_filter<'a>(&'a self, f: &mut impl FnMut(&'a Filter)) {
        match self {
            Expr::Filter(filter) => f(filter),
            Expr::And(xs) | Expr::Or(xs) => xs.iter().for_each(|x| x.each_filter(f)),
            Expr::Not(inner) => inner.each_filter(f),
            Expr::Literal(_) | Expr::Near { .. } => {}
        }
    }

    fn collect_literals<'a>(&'a self, negated: bool, out: &mut Vec<&'a str>) {
        match self {
            Expr::Literal(l) => out.push(l),
            Expr::Near { left, right, .. } => {
                out.push(left);
                out.push(right);
            }
            Expr::And(xs) | Expr::Or(xs) => {
                xs.iter().for_each(|x| x.collect_literals(negated, out))
            }
            Expr::Not(inner) if negated => inner.collect_literals(negated, out),
            Expr::Not(_) | Expr::Filter(_) => {}
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Open,
    Close,
    Or,
    And,
    Not,
    Minus,
    Near(usize),
    Word(String),
    Quoted(String),
    Field(String, String),
}

fn error(position: usize, message: impl std::fmt::Display) -> Error {
    Error::Query(format!("{message} (at character {})", position + 1))
}

/// The query's tokens with their character positions. One match over the next character, every
/// token's rule beside the others, as a hand-written lexer reads best.
fn tokenize(query: &str) -> Result<Vec<(usize, Token)>, Error> {
    let chars: Vec<char> = query.chars().collect();
    if chars.len() > MAX_QUERY_CHARS {
        return Err(Error::Query(format!(
            "the query is {} characters long; at most {MAX_QUERY_CHARS} are accepted",
            chars.len()
        )));
    }
    if let Some(at) = chars
        .iter()
        .position(|c| c.is_control() && !c.is_whitespace())
    {
        return Err(error(
            at,
            format!("control character U+{:04X} in the query", chars[at] as u32),
        ));
    }
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        match c {
            '(' => {
                tokens.push((start, Token::Open));
                i += 1;
            }
            ')' => {
                tokens.push((start, Token::Close));
                i += 1;
            }
            '"' => {
                let (text, next) = quoted(&chars, i)?;
                tokens.push((start, Token::Quoted(text)));
                i = next;
            }
            '-' if chars
                .get(i + 1)
                .is_some_and(|n| !n.is_whitespace() && *n != ')') =>
            {
                tokens.push((start, Token::Minus));
                i += 1;
            }
            _ => {
                while i < chars.len()
                    && !chars[i].is_whitespace()
                    && !matches!(chars[i], '(' | ')' | '"')
                {
                    i += 1;
                }
                let mut word: String = chars[start..i].iter().collect();
                if chars.get(i) == Some(&'(') && field_name(&word).is_some() {
                    i = value_in_parentheses(&chars, i)?;
                    word = chars[start..i].iter().collect();
                }
                let token = match word.as_str() {
                    "OR" => Token::Or,
                    "AND" => Token::And,
                    "NOT" => Token::Not,
                    w if w.starts_with("NEAR/") => {
                        let n = &w["NEAR/".len()..];
                        match n.parse::<usize>() {
                            Ok(n) => Token::Near(n),
                            Err(_) => {
                                return Err(error(
                                    start,
                                    "NEAR/ needs a number of characters, e.g. NEAR/10",
                                ));
                            }
                        }
                    }
                    w => match field_name(w) {
                        Some(name) => {
                            let mut value: String = w[name.len() + 1..].to_string();
                            if value.is_empty() && chars.get(i) == Some(&'"') {
                                let (text, next) = quoted(&chars, i)?;
                                value = text;
                                i = next;
                            }
                            if value.is_empty() {
                                return Err(error(start, format!("{name}: needs a value")));
                            }
                            Token::Field(name.to_string(), value)
                        }
                        None => Token::Word(word),
                    },
                };
                tokens.push((start, token));
            }
        }
    }
    Ok(tokens)
}

/// Where a field's value that goes on with `(` at `chars[open]` ends: parentheses inside a value
/// are part of it when they close within it, as titles write them (`document:办法(试行)`,
/// `document:(试行)`), and a `)` that closes nothing ends it, as it closes a group
/// (`(政府 document:条例)`). A `(` left open where the value ends is an error: `document:(条例 OR
/// 办法)` would otherwise look for the title `(条例`.
fn value_in_parentheses(chars: &[char], open: usize) -> Result<usize, Error> {
    let mut opened = Vec::new();
    let mut i = open;
    while let Some(&c) = chars.get(i) {
        match c {
            '(' => opened.push(i),
            ')' if opened.pop().is_none() => break,
            ')' => {}
            c if c.is_whitespace() || c == '"' => break,
            _ => {}
        }
        i += 1;
    }
    match opened.first() {
        Some(&unclosed) => Err(error(
            unclosed,
            "this ( in a field's value is never closed within it: quote a value with spaces \
             (document:\"...\"), or give each value its field ((document:条例 OR document:办法))",
        )),
        None => Ok(i),
    }
}

/// The name of a `name:value` term: ASCII letters, digits and `_`, starting with a letter.
fn field_name(word: &str) -> Option<&str> {
    let colon = word.find(':')?;
    let name = &word[..colon];
    let mut chars = name.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic() && chars.all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then_some(name)
}

/// A quoted literal starting at `chars[open]`; `""` inside stands for one `"`. Returns the text
/// and the index after the closing quote.
fn quoted(chars: &[char], open: usize) -> Result<(String, usize), Error> {
    let mut text = String::new();
    let mut i = open + 1;
    loop {
        match chars.get(i) {
            None => return Err(error(open, "this quote is never closed")),
            Some('"') if chars.get(i + 1) == Some(&'"') => {
                text.push('"');
                i += 2;
            }
            Some('"') => return Ok((text, i + 1)),
            Some(&c) => {
                text.push(c);
                i += 1;
            }
        }
    }
}

/// Parentheses nest at most this deep. The parser and every pass over an expression recurse
/// into groups, and a query is typed by a person: a deeper one is a mistake or an attack on the
/// stack, and gets an error rather than a crash.
pub const MAX_DEPTH: usize = 64;

struct Parser {
    tokens: Vec<(usize, Token)>,
    at: usize,
    end: usize,
    /// Parentheses open around the current token.
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at).map(|(_, t)| t)
    }

    fn position(&self) -> usize {
        self.tokens.get(self.at).map_or(self.end, |(p, _)| *p)
    }

    fn or(&mut self) -> Result<Expr, Error> {
        let mut items = vec![self.and()?];
        while self.peek() == Some(&Token::Or) {
            self.at += 1;
            items.push(self.and()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::Or(items)
        })
    }

    fn and(&mut self) -> Result<Expr, Error> {
        let mut items = vec![self.unary()?];
        loop {
            match self.peek() {
                None | Some(Token::Or) | Some(Token::Close) => break,
                Some(Token::And) => {
                    self.at += 1;
                    items.push(self.unary()?);
                }
                Some(_) => items.push(self.unary()?),
            }
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::And(items)
        })
    }

    /// A term with the NOTs before it, read in a loop: two of them cancel (`--人` is 人), so
    /// that a thousand in a row neither recurse nor lose the term's occurrences.
    fn unary(&mut self) -> Result<Expr, Error> {
        let mut negated = false;
        while matches!(self.peek(), Some(Token::Minus) | Some(Token::Not)) {
            self.at += 1;
            negated = !negated;
        }
        let term = self.near()?;
        Ok(if negated {
            Expr::Not(Box::new(term))
        } else {
            term
        })
    }

    fn near(&mut self) -> Result<Expr, Error> {
        let left_at = self.position();
        let left = self.primary()?;
        let Some(Token::Near(distance)) = self.peek().cloned() else {
            return Ok(left);
        };
        let near_at = self.position();
        self.at += 1;
        let right = self.primary()?;
        if let Some(Token::Near(_)) = self.peek() {
            return Err(error(
                self.position(),
                "NEAR joins two literals; use parentheses and AND for more",
            ));
        }
        match (left, right) {
            (Expr::Literal(left), Expr::Literal(right)) => Ok(Expr::Near {
                left,
                right,
                distance,
            }),
            (Expr::Literal(_), _) => Err(error(near_at, "NEAR needs a literal after it")),
            _ => Err(error(left_at, "NEAR needs a literal before it")),
        }
    }

    fn primary(&mut self) -> Result<Expr, Error> {
        let at = self.position();
        let Some((_, token)) = self.tokens.get(self.at).cloned() else {
            return Err(error(at, "the query ends where a term was expected"));
        };
        self.at += 1;
        match token {
            Token::Open => {
                if self.peek() == Some(&Token::Close) {
                    return Err(error(at, "empty parentheses"));
                }
                if self.depth == MAX_DEPTH {
                    return Err(error(
                        at,
                        format!("parentheses nest more than {MAX_DEPTH} deep"),
                    ));
                }
                self.depth += 1;
                let inner = self.or()?;
                self.depth -= 1;
                if self.peek() != Some(&Token::Close) {
                    return Err(error(at, "this parenthesis is never closed"));
                }
                self.at += 1;
                Ok(inner)
            }
            Token::Word(w) | Token::Quoted(w) => {
                if crate::text::fold::fold(&w).is_empty() {
                    return Err(error(at, format!("{w:?} has no searchable character")));
                }
                Ok(Expr::Literal(w))
            }
            Token::Field(name, value) => filter(&name, &value).map_err(|m| error(at, m)),
            Token::Close => Err(error(at, "this parenthesis closes nothing")),
            Token::Or => Err(error(
                at,
                "OR needs a term before it; to search for the word, quote it: \"OR\"",
            )),
            Token::And => Err(error(
                at,
                "AND needs a term before it; to search for the word, quote it: \"AND\"",
            )),
            Token::Near(_) => Err(error(at, "NEAR needs a literal before it")),
            Token::Minus | Token::Not => Err(error(at, "NOT needs a term after it")),
        }
    }
}

/// The citation fields a query filters on by name; any other `name:value` is a manifest
/// attribute.
pub const FIELDS: [&str; 6] = ["gazette", "region", "document", "docno", "year", "date"];

fn filter(name: &str, value: &str) -> Result<Expr, String> {
    let contains = |field| {
        Ok(Expr::Filter(Filter::Contains {
            field,
            value: value.to_string(),
        }))
    };
    match name {
        "gazette" => contains(Field::Gazette),
        "region" => contains(Field::Region),
        "document" => contains(Field::Document),
        "docno" | "doc_number" => contains(Field::DocNumber),
        "year" => match dates::normalise(value) {
            Some(year) if year.len() == 4 => Ok(Expr::Filter(Filter::Date {
                from: Some(year.clone()),
                to: Some(year),
            })),
            _ => Err(format!("year:{value} is not a year such as year:2025")),
        },
        "date" => {
            let (from, to) = match value.split_once("..") {
                Some((from, to)) => (from, to),
                None => (value, value),
            };
            let bound = |b: &str| -> Result<Option<String>, String> {
                if b.is_empty() {
                    return Ok(None);
                }
                dates::normalise(b)
                    .map(Some)
                    .ok_or_else(|| format!("{b} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"))
            };
            Ok(Expr::Filter(Filter::Date {
                from: bound(from)?,
                to: bound(to)?,
            }))
        }
        _ => Ok(Expr::Filter(Filter::Attribute {
            name: name.to_string(),
            value: value.to_string(),
        })),
    }
}

/// Parses a query. Errors name the character where the problem is.
pub fn parse(query: &str) -> Result<Expr, Error> {
    let tokens = tokenize(query)?;
    if tokens.is_empty() {
        return Err(Error::Query("the query is empty".into()));
    }
    let mut parser = Parser {
        tokens,
        at: 0,
        end: query.chars().count(),
        depth: 0,
    };
    let expr = parser.or()?;
    if parser.at < parser.tokens.len() {
        let at = parser.position();
        return Err(match parser.peek() {
            Some(Token::Close) => error(at, "this parenthesis closes nothing"),
            _ => error(at, "unexpected term"),
        });
    }
    Ok(respelled(expr))
}

/// The expression with each literal that holds a numbered reference (第23条) searched under
/// each of its spellings (第23条 OR 第二十三条), see [`crate::text::numerals`], and a NOT of a
/// NOT (`-(-人)`) read as what it negates. A NEAR's literals are searched as typed.
fn respelled(expr: Expr) -> Expr {
    match expr {
        Expr::Literal(literal) => {
            let mut spellings = crate::text::numerals::spellings(&literal);
            if spellings.len() == 1 {
                Expr::Literal(literal)
            } else {
                Expr::Or(spellings.drain(..).map(Expr::Literal).collect())
            }
        }
        Expr::And(items) => Expr::And(items.into_iter().map(respelled).collect()),
        Expr::Or(items) => Expr::Or(items.into_iter().map(respelled).collect()),
        Expr::Not(inner) => match respelled(*inner) {
            Expr::Not(twice) => *twice,
            once => Expr::Not(Box::new(once)),
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &str) -> Expr {
        Expr::Literal(s.into())
    }

    #[test]
    fn reads_and_or_not_and_groups() {
        assert_eq!(
            parse("(云台山 OR 青天河) -门票").unwrap(),
            Expr::And(vec![
                Expr::Or(vec![lit("云台山"), lit("青天河")]),
                Expr::Not(Box::new(lit("门票")))
            ])
        );
        assert_eq!(
            parse("A AND NOT B").unwrap(),
            Expr::And(vec![lit("A"), Expr::Not(Box::new(lit("B")))])
        );
    }

    #[test]
    fn reads_quoted_literals_near_and_fields() {
        assert_eq!(parse("\"a (b) OR\"").unwrap(), lit("a (b) OR"));
        assert_eq!(
            parse("云台山 NEAR/5 实验室").unwrap(),
            Expr::Near {
                left: "云台山".into(),
                right: "实验室".into(),
                distance: 5
            }
        );
        assert_eq!(
            parse("date:2024-01..2025-06").unwrap(),
            Expr::Filter(Filter::Date {
                from: Some("2024-01".into()),
                to: Some("2025-06".into())
            })
        );
        assert_eq!(
            parse("gazette:\"焦作市 公报\"").unwrap(),
            Expr::Filter(Filter::Contains {
                field: Field::Gazette,
                value: "焦作市 公报".into()
            })
        );
        assert_eq!(
            parse("level:地方性法规").unwrap(),
            Expr::Filter(Filter::Attribute {
                name: "level".into(),
                value: "地方性法规".into()
            })
        );
    }

    /// Parentheses closed within a field's value are part of it; one that closes a group ends it;
    /// one left open is an error at its place.
    #[test]
    fn parentheses_within_a_fields_value_are_part_of_it() {
        let document = |value: &str| {
            Expr::Filter(Filter::Contains {
                field: Field::Document,
                value: value.into(),
            })
        };
        assert_eq!(parse("document:(试行)").unwrap(), document("(试行)"));
        assert_eq!(
            parse("发展 document:办法(试行)").unwrap(),
            Expr::And(vec![lit("发展"), document("办法(试行)")])
        );
        assert_eq!(
            parse("(政府 document:条例) OR 法").unwrap(),
            Expr::Or(vec![
                Expr::And(vec![lit("政府"), document("条例")]),
                lit("法")
            ])
        );
        assert_eq!(
            parse("(document:办法(试行))").unwrap(),
            document("办法(试行)")
        );
        assert_eq!(parse("document:a(b)c(d)").unwrap(), document("a(b)c(d)"));
        // Not a value: the text before the parenthesis is a word, as before.
        assert_eq!(
            parse("办法(试行)").unwrap(),
            Expr::And(vec![lit("办法"), lit("试行")])
        );
        let err = parse("document:(条例 OR 办法)").unwrap_err().to_string();
        assert!(err.contains("(at character 10)"), "{err}");
        assert!(err.contains("never closed"), "{err}");
        let err = parse("发展 docno:国发((2023)").unwrap_err().to_string();
        assert!(err.contains("(at character 12)"), "{err}");
    }

    #[test]
    fn a_hyphen_inside_a_literal_is_text() {
        assert_eq!(
            parse("3-5 -").unwrap(),
            Expr::And(vec![lit("3-5"), lit("-")])
        );
    }

    #[test]
    fn nots_in_a_row_cancel_in_pairs_without_recursing() {
        // A query as long as one may be, of NOTs, would overflow a parser that recursed once
        // for each.
        let dashes = MAX_QUERY_CHARS - 1;
        assert_eq!(
            parse(&format!("{}人", "-".repeat(dashes - 1))).unwrap(),
            lit("人")
        );
        assert_eq!(
            parse(&format!("{}人", "-".repeat(dashes))).unwrap(),
            Expr::Not(Box::new(lit("人")))
        );
        assert_eq!(
            parse(&format!("{}人", "NOT ".repeat(249))).unwrap(),
            Expr::Not(Box::new(lit("人")))
        );
        // Across parentheses too: what is counted is the literal's own occurrences.
        assert_eq!(parse("-(-人)").unwrap(), lit("人"));
        assert_eq!(
            parse("云台山 -(-(-门票))").unwrap(),
            Expr::And(vec![lit("云台山"), Expr::Not(Box::new(lit("门票")))])
        );
    }

    #[test]
    fn parentheses_nest_to_a_bound() {
        let nested = |n: usize| format!("{}人{}", "(".repeat(n), ")".repeat(n));
        assert_eq!(parse(&nested(MAX_DEPTH)).unwrap(), lit("人"));
        let err = parse(&nested(MAX_QUERY_CHARS / 2 - 1))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!(
                "parentheses nest more than {MAX_DEPTH} deep (at character {})",
                MAX_DEPTH + 1
            )),
            "{err}"
        );
        let alternating = format!("{}人{}", "-(".repeat(300), ")".repeat(300));
        assert!(
            parse(&alternating)
                .unwrap_err()
                .to_string()
                .contains("nest more than")
        );
    }

    #[test]
    fn points_at_the_problem() {
        let cases = [
            ("云台山 \"门票", "never closed (at character 5)"),
            ("(云台山 OR 青天河", "never closed (at character 1)"),
            ("云台山)", "closes nothing (at character 4)"),
            (
                "OR 云台山",
                "OR needs a term before it; to search for the word, quote it: \"OR\" (at character 1)",
            ),
            (
                "云台山 OR",
                "ends where a term was expected (at character 7)",
            ),
            (
                "云台山 NEAR/ 实验室",
                "needs a number of characters, e.g. NEAR/10 (at character 5)",
            ),
            ("", "empty"),
            ("()", "empty parentheses (at character 1)"),
            (
                "云台\u{7}山",
                "control character U+0007 in the query (at character 3)",
            ),
            ("year:20x5", "not a year"),
        ];
        for (query, want) in cases {
            let got = parse(query).unwrap_err().to_string();
            assert!(got.contains(want), "{query:?}: {got}");
        }
        let long = "政".repeat(10_000);
        assert!(
            parse(&long)
                .unwrap_err()
                .to_string()
                .contains("at most 1000")
        );
    }
}
