//! PLAN: a query and its flags -> a [`Run`]: the parsed expression, the tantivy query that finds
//! its candidates, and whether the index decides alone or the text must confirm them.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use tantivy::query::{AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query};
use tantivy::{DocAddress, Searcher, Term};

use crate::Error;
use crate::search::char_query::CharQuery;
use crate::search::context_query::K1;
use crate::search::engine::Engine;
use crate::search::filter::{Accepted, filter_query};
use crate::search::literal::{literal_exact_in_index, literal_query, lone_char};
use crate::search::query::{self, Expr};
use crate::search::rank::{CONTEXT_BOOST, Dates, WORD_BONUS};
use crate::search::stored::{Heads, Paragraph};
use crate::search::verify::{WholeWords, spans_of};
use crate::search::{SearchConfig, Sort};
use crate::store::schema::{self, Fields};
use crate::store::tokenizers::literal_grams;
use crate::text::fold::{Script, fold, fold_with};
use crate::text::haystack::Needle;

/// A query made ready to run: the expression with the flags' filters joined to it.
pub(super) struct Prepared {
    pub(super) expr: Expr,
    pub(super) words: bool,
    pub(super) script: Script,
    /// Each literal of the expression (under a NOT too) and its matching form in `script`,
    /// folded and made ready once rather than for every paragraph checked.
    needles: Vec<(String, Needle)>,
}

impl Prepared {
    pub(super) fn new(config: &SearchConfig) -> Result<Prepared, Error> {
        let mut expr = query::parse(&config.query)?;
        if !config.filters.is_empty() {
            let mut all = vec![expr];
            all.extend(config.filters.iter().cloned().map(Expr::Filter));
            expr = Expr::And(all);
        }
        let needles = expr
            .every_literal()
            .into_iter()
            .map(|literal| {
                let folded = fold_with(literal, config.script);
                (literal.to_string(), Needle::new(folded))
            })
            .collect();
        Ok(Prepared {
            expr,
            words: config.words,
            script: config.script,
            needles,
        })
    }

    /// The matching form of a literal of the expression, in its script, made ready.
    pub(super) fn needle(&self, literal: &str) -> Cow<'_, Needle> {
        match self.needles.iter().find(|(l, _)| l == literal) {
            Some((_, needle)) => Cow::Borrowed(needle),
            None => Cow::Owned(Needle::new(fold_with(literal, self.script))),
        }
    }

    /// The index alone decides which paragraphs match, without reading their text.
    pub(super) fn index_decides(&self) -> bool {
        exact_in_index(&self.expr, self.script)
    }
}

/// What a searcher needs to turn an expression into tantivy queries.
pub(super) struct Context<'a> {
    pub(super) searcher: &'a Searcher,
    pub(super) fields: &'a Fields,
    /// The character view a literal is looked for in: the text's grams, or a name's
    /// (`crate::search::names`).
    pub(super) grams: tantivy::schema::Field,
    pub(super) words: bool,
    pub(super) plain_bm25: bool,
    /// Only whole-word matches, scored as usual: see [`Run::word_first`].
    pub(super) word_first: bool,
    pub(super) script: Script,
    /// The values the filters of the engine's searches accepted.
    pub(super) accepted: &'a Accepted,
}

impl<'a> Context<'a> {
    /// The context of `prepared`'s query in the text's grams.
    fn of_text(
        searcher: &'a Searcher,
        fields: &'a Fields,
        prepared: &Prepared,
        accepted: &'a Accepted,
        plain_bm25: bool,
    ) -> Context<'a> {
        Context {
            searcher,
            fields,
            grams: fields.grams,
            words: prepared.words,
            plain_bm25,
            word_first: false,
            script: prepared.script,
            accepted,
        }
    }

    /// Where a character of [`Context::grams`] may have postings of its own: the text's `chars`
    /// when the view is the text's, the names' when it is the names'.
    pub(super) fn chars(&self) -> Option<tantivy::schema::Field> {
        match self.grams {
            _ if self.in_text() => Some(self.fields.chars),
            grams if grams == self.fields.name => Some(self.fields.name_chars),
            _ => None,
        }
    }

    /// True when [`Context::grams`] is the text's, whose paragraphs the word view indexes too.
    pub(super) fn in_text(&self) -> bool {
        self.grams == self.fields.grams
    }
}

/// True when the index query of `expr` finds exactly its paragraphs. Where it may find more, the
/// text decides; under a NOT such a query must not exclude anything.
pub(super) fn exact_in_index(expr: &Expr, script: Script) -> bool {
    match expr {
        Expr::Literal(literal) => script == Script::Fold && literal_exact_in_index(literal),
        Expr::Near { .. } => false,
        Expr::Filter(_) => true,
        Expr::Not(inner) => exact_in_index(inner, script),
        Expr::And(items) | Expr::Or(items) => items.iter().all(|x| exact_in_index(x, script)),
    }
}

/// True when no paragraph where `literal` is not a whole word can score as much as
/// [`WORD_BONUS`]: then the best hits are whole-word matches whenever there are enough of them.
/// A BM25 score is below idf × (k1 + 1) for each term, and an idf below ln(1 + (N + 0.5) / 0.5);
/// the literal's grams and its context (boosted) are each scored so.
pub(super) fn below_word_bonus(searcher: &Searcher, literal: &str) -> bool {
    let documents: u64 = searcher
        .segment_readers()
        .iter()
        .map(|segment| u64::from(segment.max_doc()))
        .sum();
    let idf = (1.0 + (documents as f32 + 0.5) / 0.5).ln();
    let terms = literal_grams(&fold(literal).chars).len() as f32;
    (1.0 + CONTEXT_BOOST) * terms * idf * (1.0 + K1) < WORD_BONUS
}

/// True when a literal's whole-word matches are at most half of the paragraphs holding its
/// rarest gram, which bound its matches: then ranking them apart saves scoring the rest. Where
/// nearly every match is a whole word (发展), it would only add a pass.
pub(super) fn few_whole_words(
    searcher: &Searcher,
    fields: &Fields,
    literal: &str,
) -> Result<bool, Error> {
    let folded = fold(literal);
    if folded.len() == 1 {
        // Its grams' postings are read whole whichever paragraphs are scored.
        return Ok(false);
    }
    let word = Term::from_field_text(fields.words, &folded.as_string());
    let mut matches = u64::MAX;
    for (_, gram) in literal_grams(&folded.chars) {
        let paragraphs = match lone_char(&gram) {
            Some(c) => CharQuery::new(fields.grams, None, c).doc_freq_bound(searcher)?,
            None => searcher.doc_freq(&Term::from_field_text(fields.grams, &gram))?,
        };
        matches = matches.min(paragraphs);
    }
    Ok(searcher.doc_freq(&word)?.saturating_mul(2) <= matches)
}

pub(super) fn not(inner: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(vec![
        (
            Occur::Must,
            Box::new(ConstScoreQuery::new(Box::new(AllQuery), 0.0)),
        ),
        (Occur::MustNot, inner),
    ]))
}

pub(super) fn match_all() -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(Box::new(AllQuery), 0.0))
}

/// The tantivy query for an expression. It finds every matching paragraph, and only those where
/// [`exact_in_index`] says so; NEAR asks only for both literals. A NOT over a query that may find
/// more than its paragraphs excludes nothing, and the text decides.
pub(super) fn to_query(ctx: &Context, expr: &Expr) -> Result<Box<dyn Query>, Error> {
    Ok(match expr {
        Expr::Literal(literal) => literal_query(ctx, literal),
        Expr::Near { left, right, .. } => Box::new(BooleanQuery::new(vec![
            (Occur::Must, literal_query(ctx, left)),
            (Occur::Must, literal_query(ctx, right)),
        ])),
        Expr::Filter(filter) => filter_query(ctx, filter)?,
        Expr::Not(inner) if exact_in_index(inner, ctx.script) => not(to_query(ctx, inner)?),
        Expr::Not(_) => match_all(),
        Expr::And(items) => {
            let mut clauses = Vec::new();
            for item in items {
                match item {
                    Expr::Not(inner) if exact_in_index(inner, ctx.script) => {
                        clauses.push((Occur::MustNot, to_query(ctx, inner)?))
                    }
                    Expr::Not(_) => {}
                    _ => clauses.push((Occur::Must, to_query(ctx, item)?)),
                }
            }
            if clauses.iter().all(|(occur, _)| *occur == Occur::MustNot) {
                clauses.push((Occur::Must, match_all()));
            }
            Box::new(BooleanQuery::new(clauses))
        }
        Expr::Or(items) => {
            let clauses = items
                .iter()
                .map(|item| Ok((Occur::Should, to_query(ctx, item)?)))
                .collect::<Result<Vec<_>, Error>>()?;
            Box::new(BooleanQuery::new(clauses))
        }
    })
}

/// The literal of an expression that is one literal, alone or with filters (`政府 region:河南`):
/// the expressions whose best hits are whole-word matches when there are enough of them
/// ([`Run::word_first`]).
fn filtered_literal(expr: &Expr) -> Option<&str> {
    match expr.beside_filters()? {
        Expr::Literal(literal) => Some(literal),
        _ => None,
    }
}

/// Whether an expression has a filter anywhere in it.
pub(super) fn has_filter(expr: &Expr) -> bool {
    match expr {
        Expr::Filter(_) => true,
        Expr::Literal(_) | Expr::Near { .. } => false,
        Expr::Not(inner) => has_filter(inner),
        Expr::And(items) | Expr::Or(items) => items.iter().any(has_filter),
    }
}

/// The filters that an expression puts on every match: its own when it is one, those of the
/// items of an AND.
pub(super) fn scope_filters(expr: &Expr, out: &mut Vec<Expr>) {
    match expr {
        Expr::Filter(_) => out.push(expr.clone()),
        Expr::And(items) => items.iter().for_each(|item| scope_filters(item, out)),
        _ => {}
    }
}

/// Everything a run shares.
pub(super) struct Run {
    pub(super) prepared: Prepared,
    pub(super) searcher: Searcher,
    pub(super) fields: Fields,
    pub(super) query: Box<dyn Query>,
    /// [`Run::matches`], built when first asked.
    matches: OnceLock<Box<dyn Query>>,
    /// The values the filters of the engine's searches accepted, for [`Run::matches`].
    accepted: Arc<Accepted>,
    /// For a query of one literal, alone or with filters, ranked by relevance: its whole-word
    /// matches alone (within the filters), ranked as [`Run::query`] ranks them, which hold the
    /// best hits when there are enough of them (see [`below_word_bonus`]).
    pub(super) word_first: Option<Box<dyn Query>>,
    pub(super) whole_words: WholeWords,
    /// Whether `query` ranks its best without scoring every match (one character, see
    /// `CharWeight::for_each_pruning`), so that its matches are better counted apart.
    pub(super) prunes: bool,
    /// Whether the expression has a filter, which the text check reads from the citation.
    pub(super) filters: bool,
    /// Each segment's `drops` column (`None`: nothing dropped from any of its paragraphs): a
    /// paragraph without drops is searched without folding it.
    pub(super) drops: Vec<Option<tantivy::columnar::Column<u64>>>,
    /// Each segment's dates, kept with the open index.
    pub(super) dates: Arc<Dates>,
}

impl Run {
    pub(super) fn new(engine: &Engine, config: &SearchConfig) -> Result<Run, Error> {
        let prepared = Prepared::new(config)?;
        let searcher = engine.searcher.clone();
        let fields = engine.fields;
        let ctx = Context::of_text(
            &searcher,
            &fields,
            &prepared,
            &engine.accepted,
            config.plain_bm25,
        );
        let query = to_query(&ctx, &prepared.expr)?;
        let word_first = match filtered_literal(&prepared.expr) {
            Some(literal)
                if config.sort == Sort::Relevance
                    && config.limit.is_some()
                    && !prepared.words
                    && !config.plain_bm25
                    && literal_exact_in_index(literal)
                    && below_word_bonus(&searcher, literal)
                    && few_whole_words(&searcher, &fields, literal)? =>
            {
                let ctx = Context {
                    word_first: true,
                    ..ctx
                };
                // The filters, as in `query`, score nothing: a whole-word match scores the same
                // in both, and any other match less than the word's bonus.
                Some(to_query(&ctx, &prepared.expr)?)
            }
            _ => None,
        };
        let literals: Vec<String> = prepared
            .expr
            .positive_literals()
            .into_iter()
            .map(str::to_string)
            .collect();
        let literal_refs: Vec<&str> = literals.iter().map(String::as_str).collect();
        let whole_words = WholeWords::new(&searcher, &fields, &literal_refs);
        let prunes = matches!(&prepared.expr, Expr::Literal(literal) if fold(literal).len() == 1);
        let drops = searcher
            .segment_readers()
            .iter()
            .map(|segment| segment.fast_fields().column_opt::<u64>(schema::DROPS))
            .collect::<Result<_, _>>()?;
        Ok(Run {
            drops,
            dates: Arc::clone(&engine.dates),
            prunes,
            filters: has_filter(&prepared.expr),
            prepared,
            searcher,
            fields,
            query,
            matches: OnceLock::new(),
            accepted: Arc::clone(&engine.accepted),
            word_first,
            whole_words,
        })
    }

    /// Every match of [`Run::query`], unscored: the query without its optional signals (a
    /// literal's word and context, which a ranking adds), so that a count opens none of them:
    /// the context of 政府 is every paragraph under a heading that holds it.
    pub(super) fn matches(&self) -> Result<&dyn Query, Error> {
        if let Some(matches) = self.matches.get() {
            return Ok(matches.as_ref());
        }
        let ctx = Context::of_text(
            &self.searcher,
            &self.fields,
            &self.prepared,
            &self.accepted,
            true,
        );
        let matches = to_query(&ctx, &self.prepared.expr)?;
        Ok(self.matches.get_or_init(|| matches).as_ref())
    }

    /// The paragraph at `address`, ready for [`Run::check`]: with its citation when the
    /// expression has a filter.
    pub(super) fn read(&self, address: DocAddress, heads: &mut Heads) -> Result<Paragraph, Error> {
        let undropped = self.drop_rows(address).is_empty();
        let mut paragraph = heads.paragraph(&self.searcher, &self.fields, address, undropped)?;
        if self.filters {
            heads.cite(&self.searcher, &self.fields, address, &mut paragraph)?;
        }
        Ok(paragraph)
    }

    /// The rows of the drops column that hold the places where folding dropped characters from
    /// the paragraph at `address`: none in most paragraphs.
    fn drop_rows(&self, address: DocAddress) -> std::ops::Range<u32> {
        match &self.drops[address.segment_ord as usize] {
            Some(drops) => drops.index.value_row_ids(address.doc_id),
            None => 0..0,
        }
    }

    /// The places where folding dropped characters from the paragraph at `address`, as the
    /// drops column holds them ([`schema::drop_value`]), into `values` (cleared first). A
    /// paragraph cut from a PDF may have dropped hundreds: they are read together, not one by
    /// one.
    pub(super) fn dropped(&self, address: DocAddress, values: &mut Vec<u64>) {
        values.clear();
        let Some(drops) = &self.drops[address.segment_ord as usize] else {
            return;
        };
        let rows = drops.index.value_row_ids(address.doc_id);
        if rows.is_empty() {
            return;
        }
        values.resize(rows.len(), 0);
        drops.values.get_range(u64::from(rows.start), values);
    }

    /// The matching spans of a candidate, or `None` when its text says it does not match.
    pub(super) fn check(
        &self,
        paragraph: &Paragraph,
        address: DocAddress,
    ) -> Option<Vec<(usize, usize)>> {
        spans_of(
            &self.prepared.expr,
            paragraph,
            &self.prepared,
            &self.whole_words,
            address,
        )
    }

    pub(super) fn date_keys(&self, addresses: &[DocAddress]) -> Result<Vec<u64>, Error> {
        let mut columns = HashMap::new();
        let mut keys = Vec::with_capacity(addresses.len());
        for address in addresses {
            let column = match columns.get(&address.segment_ord) {
                Some(column) => column,
                None => {
                    let reader = self.searcher.segment_reader(address.segment_ord);
                    let column = self.dates.of(reader)?;
                    columns.entry(address.segment_ord).or_insert(column)
                }
            };
            keys.push(column.first(address.doc_id).unwrap_or(0));
        }
        Ok(keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::query::parse;

    fn decides(query: &str, script: Script) -> bool {
        exact_in_index(&parse(query).unwrap(), script)
    }

    #[test]
    fn the_index_decides_literals_filters_and_their_combinations() {
        for query in [
            "云台山",
            "县",
            "云台山 实验室",
            "云台山 OR 青天河",
            "云台山 -门票",
            "云台山 gazette:焦作 year:2025",
            "(云台山 OR 青天河) NOT 门票",
        ] {
            assert!(decides(query, Script::Fold), "{query}");
        }
    }

    #[test]
    fn the_text_decides_near_exact_script_and_a_lone_character_beside_others() {
        // NEAR asks the index only for both literals; distance is the text's (or positions').
        assert!(!decides("云台山 NEAR/5 实验室", Script::Fold));
        // The index folds scripts; only the text knows how a character was written.
        assert!(!decides("雲臺山", Script::Exact));
        // 「a bc」: the lone `a` is required somewhere, not placed before `bc`.
        assert!(!decides("\"a bc\"", Script::Fold));
        // Under a NOT, a query that may find more must not exclude anything.
        assert!(!decides("云台山 -\"a bc\"", Script::Fold));
    }
}
