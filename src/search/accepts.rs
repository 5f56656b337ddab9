//! JUDGE: whether a filter accepts one value of a citation field or column, as the index holds
//! it: what the filter looks for folded once, a value holding it as written accepted unfolded,
//! one lacking a character of it turned away unfolded, the rest folded a character at a time
//! where no neighbour decides, and whole otherwise.

use memchr::memmem::Finder;

use crate::search::query::Filter;
use crate::text::dates;
use crate::text::fold::{Folded, MayContain, contains_folded, fold, folds_to_itself};

/// True when `value` contains `wanted`, both folded.
pub(super) fn folded_contains(value: &str, wanted: &str) -> bool {
    fold(value).as_string().contains(&fold(wanted).as_string())
}

pub(super) fn filter_accepts(filter: &Filter, value: &str) -> bool {
    Accepts::new(filter).value(value.as_bytes())
}

/// A filter's test of a value, with what it looks for folded once: a filter on a manifest column
/// or on titles judges every value the column holds.
pub(super) struct Accepts<'a> {
    filter: &'a Filter,
    /// The folded value a `Contains` or `Attribute` filter looks for, as characters and as text.
    pub(super) needle: Folded,
    wanted: String,
    /// Turns away, before they are folded, the values that lack a character of `wanted`: most of
    /// them, for a word of titles (`document:条例`) or of keywords.
    may: Option<MayContain>,
    /// Finds `wanted` as written when every character of it stands for itself
    /// ([`folds_to_itself`]): a value that holds it so is accepted without folding.
    as_written: Option<Finder<'static>>,
    /// The matching form of the value judged last ([`contains_folded`]).
    form: Vec<char>,
}

impl<'a> Accepts<'a> {
    /// For judging one value, or a few: each is folded.
    pub(super) fn new(filter: &'a Filter) -> Accepts<'a> {
        let wanted = match filter {
            Filter::Contains { value, .. } | Filter::Attribute { value, .. } => fold(value),
            Filter::Date { .. } | Filter::IndexedSince(_) => Default::default(),
        };
        Accepts {
            filter,
            may: None,
            as_written: (!wanted.is_empty() && wanted.chars.iter().all(|&c| folds_to_itself(c)))
                .then(|| Finder::new(wanted.as_string().as_bytes()).into_owned()),
            form: Vec::new(),
            wanted: wanted.as_string(),
            needle: wanted,
        }
    }

    /// For judging the many values of a field or a column: those that lack a character looked
    /// for are turned away before they are folded.
    pub(super) fn for_many(filter: &'a Filter) -> Accepts<'a> {
        let accepts = Accepts::new(filter);
        Accepts {
            may: MayContain::new(&accepts.needle.chars),
            ..accepts
        }
    }

    /// Whether the filter accepts `value`, a term or a column's value as the index holds it.
    pub(super) fn value(&mut self, value: &[u8]) -> bool {
        self.may(value) && self.held(value)
    }

    /// [`Accepts::value`] for a value that a view says may well be accepted: not turned away
    /// first, and found as written before it is read as text.
    pub(super) fn held(&mut self, value: &[u8]) -> bool {
        if self.holds_as_written(value) {
            return true;
        }
        match std::str::from_utf8(value) {
            Ok(value) => self.folded(value),
            Err(_) => self.folded(&String::from_utf8_lossy(value)),
        }
    }

    /// True when `value` holds what is looked for as written, each character of which stands for
    /// itself: accepted, unfolded. False says nothing.
    pub(super) fn holds_as_written(&self, value: &[u8]) -> bool {
        let Some(finder) = &self.as_written else {
            return false;
        };
        let judged = match self.filter {
            Filter::Contains { .. } => Some(value),
            Filter::Attribute { name, .. } => attribute_value(value, name),
            Filter::Date { .. } | Filter::IndexedSince(_) => None,
        };
        judged.is_some_and(|judged| finder.find(judged).is_some())
    }

    /// False when `value` cannot be accepted whatever it folds to: a `Contains` or `Attribute`
    /// filter's value holds no character that folds to one of those it looks for.
    pub(super) fn may(&mut self, value: &[u8]) -> bool {
        let value = match self.filter {
            Filter::Attribute { name, .. } => match attribute_value(value, name) {
                Some(value) => value,
                None => return false,
            },
            _ => value,
        };
        self.may.as_mut().is_none_or(|may| may.may(value))
    }

    /// Whether the filter accepts `value`, folded where it looks for a value. Asked after
    /// [`Accepts::holds_as_written`] said nothing.
    pub(super) fn folded(&mut self, value: &str) -> bool {
        let (needle, form) = (&self.needle.chars, &mut self.form);
        let mut holds_wanted = |value: &str| {
            contains_folded(value, needle, form)
                .unwrap_or_else(|| fold(value).as_string().contains(&self.wanted))
        };
        match self.filter {
            Filter::Contains { .. } => holds_wanted(value),
            Filter::Date { from, to } => dates::within(value, from.as_deref(), to.as_deref()),
            Filter::Attribute { name, .. } => value
                .strip_prefix(name.as_str())
                .and_then(|rest| rest.strip_prefix('='))
                .is_some_and(holds_wanted),
            Filter::IndexedSince(since) => value.parse::<u64>().is_ok_and(|v| v >= *since),
        }
    }
}

/// The value of the attribute term `term` (`name=value`) when it is one of `name`.
fn attribute_value<'t>(term: &'t [u8], name: &str) -> Option<&'t [u8]> {
    term.strip_prefix(name.as_bytes())?.strip_prefix(b"=")
}
