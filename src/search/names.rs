//! NAMES: a query -> the documents whose title or 文号 it matches, and the issues whose name (the
//! gazette's and the issue's) it matches. Such a hit stands for a document or an issue, not a
//! paragraph: its text is the name, and `matched_in` says which.
//!
//! A document is usually known by its title or its number (国发〔1993〕21号), and an issue by its
//! cover (焦作市人民政府公报 2025年第1号); none of them is a paragraph, so a literal search of the
//! text never sees them. Each document's head carries them as character views of their own
//! (`schema::NAME`: the title and the 文号; `schema::ISSUE_NAME`: the gazette's and the issue's
//! names), searched by the same plan as the text's grams, so a literal finds a name exactly as
//! it finds a paragraph, and every hit is checked against the name as stored. The heads of one
//! issue (10,551 items of the 行政院公報 come in 482 issues) give one hit, through the column
//! of their issue's key (`schema::ISSUE_KEY`), which also holds what the issue is checked on.
//!
//! The whole query must hold in one name: the title, else the 文号, else the issue's name (the
//! gazette's and the issue's together).
//!
//! Ranking: a document's name ranks above every paragraph, the name that the query covers most
//! first (an exact title before a longer one), then the newest. An issue ranks so when the query
//! covers at least half of its gazette's name or of its issue's (焦作市人民政府公报, 人民政府公报,
//! 2025年第1号); a passing part of a gazette's name (焦作, 政府) ranks its issues after every
//! paragraph.

use std::sync::Arc;

use tantivy::collector::{Count, DocSetCollector, TopDocs};
use tantivy::columnar::StrColumn;
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocId, Searcher, Term};

use crate::search::bounds::{self, Bounds, Score};
use crate::search::engine::Engine;
use crate::search::held::{self, HeldTerm};
use crate::search::issues;
use crate::search::near::NearPositions;
use crate::search::norms::Norms;
use crate::search::plan::{Context, Prepared, exact_in_index, has_filter, to_query};
use crate::search::query::Expr;
use crate::search::rank::{Dates, order, order_by};
use crate::search::spread;
use crate::search::stored::{Heads, Paragraph, citations_of, read_citation, store_blocks};
use crate::search::verify::PARALLEL_FROM;
use crate::search::verify::{WholeWords, spans_of};
use crate::search::{Hit, MatchedIn, SearchConfig, Section, Sort};
use crate::store::schema::{self, Citation, Fields};
use crate::text::dates;
use crate::{Error, parallel};

/// The score of a name that ranks above every paragraph, to which its coverage (0 to 1) is added:
/// larger than any paragraph's score, which is a BM25 score plus [`crate::search::WORD_BONUS`]
/// for each literal that is a whole word.
pub const NAME_SCORE: f32 = 1_000_000.0;
/// Below this share of an issue's gazette name or issue name covered by the query, the issue
/// ranks after every paragraph.
const ISSUE_COVERAGE: f32 = 0.5;

/// The names a query matches: the best of them (every one without a limit), and how many there
/// are of each kind.
#[derive(Debug, Default)]
pub(super) struct Names {
    pub(super) hits: Vec<Hit>,
    /// Documents matched by their title or 文号.
    pub(super) documents: usize,
    /// Issues matched by their name.
    pub(super) issues: usize,
}

/// The documents and issues that `config`'s query (`prepared`, as the paragraphs' search read it)
/// names, the best `config.limit` of each in the order of `config.sort`, cited. None with
/// `--words` (names are not cut into words) or for a query without a literal to look for.
pub(super) fn search(
    engine: &Engine,
    prepared: &Prepared,
    config: &SearchConfig,
) -> Result<Names, Error> {
    let (named, mut names) = listed(engine, prepared, config)?;
    let issues = named
        .iter()
        .filter(|named| matches!(named, Listed::Issue(..)))
        .count();
    let threads = parallel::threads(issues, PARALLEL_FROM);
    names.hits = cite(&engine.searcher, named, threads)?;
    Ok(names)
}

/// A name that a query matches, before it is cited: a document's hit, or an issue found and
/// checked whose citation is read when it is written ([`cite`]).
pub(super) enum Listed {
    /// Boxed: a word of gazette names lists hundreds of thousands of issues, each as large as
    /// the largest variant.
    Hit(Box<Hit>),
    Issue(DocAddress, IssueMatch),
}

/// The names that `config`'s query names, as [`search`] finds them but for the issues'
/// citations, and how many documents and issues they are (its `hits` empty). A word of gazette
/// names names every issue of a large collection: `--all` cites them a batch at a time as they
/// are written ([`cite`]), so that memory holds what was checked of each (its name and
/// matches), not its citation and hit (held as hits, the issues of a collection of gigabytes
/// took hundreds of megabytes).
pub(super) fn listed(
    engine: &Engine,
    prepared: &Prepared,
    config: &SearchConfig,
) -> Result<(Vec<Listed>, Names), Error> {
    if config.text_only || prepared.words || prepared.expr.positive_literals().is_empty() {
        return Ok((Vec::new(), Names::default()));
    }
    let names = NameRun::new(engine, prepared)?;
    let ((hits, documents), (matched, issues)) = names.documents_and_issues(config)?;
    let mut named: Vec<Listed> = hits
        .into_iter()
        .map(|hit| Listed::Hit(Box::new(hit)))
        .collect();
    named.extend(
        matched
            .into_iter()
            .map(|(address, verdict)| Listed::Issue(address, verdict)),
    );
    // As `order` orders hits: an issue's date is its first head's, which its citation holds.
    let date = |named: &Listed| match named {
        Listed::Hit(hit) => dates::key(hit.citation.date.as_deref()),
        Listed::Issue(_, verdict) => verdict.date,
    };
    let score = |named: &Listed| match named {
        Listed::Hit(hit) => hit.score,
        Listed::Issue(_, verdict) => verdict.score,
    };
    order_by(&mut named, config.sort, score, date);
    let counts = Names {
        hits: Vec::new(),
        documents,
        issues,
    };
    Ok((named, counts))
}

/// The hits of `named`, in their order: each issue cited from its first head, on `threads`
/// threads.
pub(super) fn cite(
    searcher: &Searcher,
    named: Vec<Listed>,
    threads: usize,
) -> Result<Vec<Hit>, Error> {
    let mut hits: Vec<Option<Hit>> = Vec::with_capacity(named.len());
    let mut issues = Vec::new();
    for (at, named) in named.into_iter().enumerate() {
        match named {
            Listed::Hit(hit) => hits.push(Some(*hit)),
            Listed::Issue(address, verdict) => {
                hits.push(None);
                issues.push((at, address, verdict));
            }
        }
    }
    issues.sort_unstable_by_key(|&(_, address, _)| address);
    let parts = parallel::chunks(issues, threads, |part| {
        let heads: Vec<DocAddress> = part.iter().map(|&(_, address, _)| address).collect();
        let citations = citations_of(searcher, &heads)?;
        Ok::<_, Error>(
            part.into_iter()
                .zip(citations)
                .map(|((at, _, verdict), document)| (at, issue_hit(document, verdict)))
                .collect::<Vec<_>>(),
        )
    });
    for part in parts {
        for (at, hit) in part? {
            hits[at] = Some(hit);
        }
    }
    Ok(hits.into_iter().flatten().collect())
}

impl Names {
    /// True when the best `limit` hits of the search are all names, whatever its paragraphs: by
    /// relevance, `limit` names rank above every paragraph. Each literal adds to a paragraph's
    /// score at most [`crate::search::WORD_BONUS`] and a few BM25 scores, so a query of up to a
    /// hundred literals scores a paragraph far below [`NAME_SCORE`].
    pub(super) fn fill(&self, limit: usize, sort: Sort, prepared: &Prepared) -> bool {
        let above = self
            .hits
            .iter()
            .filter(|hit| hit.score >= NAME_SCORE)
            .count();
        sort == Sort::Relevance
            && limit > 0
            && above >= limit
            && prepared.expr.positive_literals().len() <= 100
    }
}

/// What a search of names shares.
struct NameRun<'a> {
    engine: &'a Engine,
    prepared: &'a Prepared,
    whole_words: WholeWords,
    /// The index's candidates are exactly the matches, and each holds a literal: they can be
    /// counted without reading them.
    decides: bool,
}

impl<'a> NameRun<'a> {
    fn new(engine: &'a Engine, prepared: &'a Prepared) -> Result<NameRun<'a>, Error> {
        Ok(NameRun {
            engine,
            prepared,
            whole_words: WholeWords::new(&engine.searcher, &engine.fields, &[]),
            decides: exact_in_index(&prepared.expr, prepared.script)
                && literal_required(&prepared.expr),
        })
    }

    fn searcher(&self) -> &Searcher {
        &self.engine.searcher
    }

    fn fields(&self) -> &Fields {
        &self.engine.fields
    }

    /// The heads whose name in `view` may match: the expression's query on that view, the
    /// filters on the head's citation terms.
    fn candidates(&self, view: Field) -> Result<Box<dyn Query>, Error> {
        let heads = TermQuery::new(
            Term::from_field_u64(self.fields().paragraph, 1),
            IndexRecordOption::Basic,
        );
        Ok(Box::new(BooleanQuery::new(vec![
            (Occur::Must, self.in_view(view, &self.prepared.expr)?),
            (
                Occur::Must,
                Box::new(ConstScoreQuery::new(Box::new(heads), 0.0)),
            ),
        ])))
    }

    /// The heads whose issue's own name (`schema::ISSUE_PART`) may hold an occurrence of `any`
    /// (the query's literals), or converts with its neighbours.
    fn tails(&self, any: &Expr) -> Result<Box<dyn Query>, Error> {
        // Held: most collections have no issue name that converts, and no segment the marker.
        let converts = HeldTerm::new(
            Term::from_field_u64(self.fields().issue_converts, 1),
            IndexRecordOption::Basic,
        );
        Ok(Box::new(BooleanQuery::new(vec![
            (Occur::Should, self.in_view(self.fields().issue_part, any)?),
            (Occur::Should, Box::new(converts)),
        ])))
    }

    /// `expr`'s query on a view of names: its character grams, scored by plain BM25.
    fn in_view(&self, view: Field, expr: &Expr) -> Result<Box<dyn Query>, Error> {
        let ctx = Context {
            searcher: self.searcher(),
            fields: self.fields(),
            grams: view,
            words: false,
            plain_bm25: true,
            word_first: false,
            script: self.prepared.script,
            accepted: &self.engine.accepted,
        };
        to_query(&ctx, expr)
    }

    /// The spans of the literals that make the expression hold in `text`, with `citation` for
    /// its filters; `None` when it does not hold or holds without a literal found there.
    fn check(
        &self,
        expr: &Expr,
        text: &str,
        citation: Arc<Citation>,
        address: DocAddress,
    ) -> Option<Spans> {
        let named = Paragraph::named(text.to_string(), citation);
        let spans = spans_of(expr, &named, self.prepared, &self.whole_words, address)?;
        (!spans.is_empty()).then_some(spans)
    }

    /// Documents whose title or 文号 the query matches: the best `limit`, and how many.
    fn documents(&self, config: &SearchConfig) -> Result<(Vec<Hit>, usize), Error> {
        let query = self.candidates(self.fields().name)?;
        let searcher = self.searcher();
        let (addresses, counted) = match config.limit {
            Some(0) if self.decides => (Vec::new(), Some(searcher.search(&query, &Count)?)),
            Some(limit) if self.decides => {
                // Counted in the pass that keeps the best: the top's collector visits every
                // match anyway, and a second pass walked a common phrase's positions again.
                let collector =
                    shortest_first(self.fields().name, config.sort, limit, &self.engine.dates);
                let (total, top) = searcher.search(&query, &(Count, collector))?;
                (top.into_iter().map(|(_, a)| a).collect(), Some(total))
            }
            _ => {
                let mut all: Vec<DocAddress> = searcher
                    .search(&query, &DocSetCollector)?
                    .into_iter()
                    .collect();
                all.sort_unstable(); // read in store order
                let close = self.close_enough(all)?;
                // A filter under an OR or a NOT is checked on the citation: read for each.
                if let Some(limit) = config.limit
                    && !has_filter(&self.prepared.expr)
                    && let Some(best) = self.best_by_columns(&close, limit, config.sort)?
                {
                    return Ok(best);
                }
                (close, None)
            }
        };
        let mut hits = Vec::new();
        // Many heads (`--all` on a word of titles) are read block by block, each block once.
        let blocks = store_blocks(self.searcher(), addresses.len())?;
        let mut heads = Heads::reading(&blocks);
        for address in addresses {
            if let Some(hit) = self.document(address, &mut heads)? {
                hits.push(hit);
            }
        }
        let total = counted.unwrap_or(hits.len());
        order(&mut hits, config.sort);
        if let Some(limit) = config.limit {
            hits.truncate(limit);
        }
        Ok((hits, total))
    }

    /// The candidates whose names may hold the query's NEAR, in their order: where the query is
    /// one NEAR (alone or with filters), those where two occurrences of its literals stand close
    /// enough in the name view, as a paragraph's candidates are kept (`search::near`). The title
    /// and the 文号 are one view: a pair across the two may be kept, never a pair within one
    /// lost.
    fn close_enough(&self, candidates: Vec<DocAddress>) -> Result<Vec<DocAddress>, Error> {
        let searcher = self.searcher();
        match NearPositions::in_view(searcher, self.fields().name, self.prepared)? {
            Some(near) => near.close_in_view(searcher, candidates),
            None => Ok(candidates),
        }
    }

    /// The hit of the document headed at `address`, if its title or else its 文号 matches.
    fn document(&self, address: DocAddress, heads: &mut Heads) -> Result<Option<Hit>, Error> {
        let citation = heads.citation(self.searcher(), address)?;
        let (title, number) = (citation.document.clone(), citation.doc_number.clone());
        let named = self.named(&title, number.as_deref(), citation.clone(), address);
        Ok(named.map(|named| {
            name_hit(
                citation,
                named.matched_in,
                named.text,
                named.spans,
                named.score,
            )
        }))
    }

    /// How the document headed at `address` is named by the query: by its `title` if it
    /// matches, else by its 文号 (`number`); `None` when neither does. `citation` is for the
    /// query's filters.
    fn named(
        &self,
        title: &str,
        number: Option<&str>,
        citation: Arc<Citation>,
        address: DocAddress,
    ) -> Option<Named> {
        if let Some(spans) = self.check(&self.prepared.expr, title, citation.clone(), address) {
            return Some(Named {
                score: NAME_SCORE + coverage(title, &spans),
                matched_in: MatchedIn::Title,
                text: title.to_string(),
                spans,
            });
        }
        let number = number?;
        let spans = self.check(&self.prepared.expr, number, citation, address)?;
        // Shown after the title it names: 「焦作市人民政府工作报告（焦政〔2025〕1号）」.
        let shift = title.len() + '（'.len_utf8();
        Some(Named {
            score: NAME_SCORE + coverage(number, &spans),
            matched_in: MatchedIn::DocNumber,
            text: format!("{title}（{number}）"),
            spans: spans.iter().map(|&(a, b)| (a + shift, b + shift)).collect(),
        })
    }

    /// The best `limit` of the documents headed at `addresses` (in store order) that the query
    /// names, in the order of `sort`, and how many it names: each checked on its title and 文号
    /// as the heads' columns hold them, and the citation read only for those kept. A NEAR of
    /// two words of common titles (管理 NEAR/2 办法) names hundreds of documents, each one's
    /// whole citation otherwise read and parsed. `None` where a segment
    /// has no such columns or a head no title in them (an index that does not hold them).
    /// Only for a query without filters: they are checked on the citation.
    fn best_by_columns(
        &self,
        addresses: &[DocAddress],
        limit: usize,
        sort: Sort,
    ) -> Result<Option<(Vec<Hit>, usize)>, Error> {
        // A filter is checked on the citation's fields; without one none is read.
        let unread = Arc::new(Citation::default());
        let mut found: Vec<(u64, DocAddress, Named)> = Vec::new();
        for segment in addresses.chunk_by(|a, b| a.segment_ord == b.segment_ord) {
            let reader = self.searcher().segment_reader(segment[0].segment_ord);
            let fast = reader.fast_fields();
            let (Some(titles), Some(numbers)) =
                (fast.str(schema::DOCUMENT)?, fast.str(schema::DOC_NUMBER)?)
            else {
                return Ok(None);
            };
            let docs: Vec<DocId> = segment.iter().map(|address| address.doc_id).collect();
            let titles = column_strings(&titles, &docs)?;
            let numbers = column_strings(&numbers, &docs)?;
            let dates = self.engine.dates.of(reader)?;
            for ((&address, title), number) in segment.iter().zip(titles).zip(numbers) {
                let Some(title) = title else {
                    return Ok(None);
                };
                if let Some(named) = self.named(&title, number.as_deref(), unread.clone(), address)
                {
                    let date = dates.first(address.doc_id).unwrap_or(0);
                    found.push((date, address, named));
                }
            }
        }
        let total = found.len();
        // `order`'s order, the date being the citation's as the date column holds it; equal ones
        // stay in store order, as `order` leaves the hits read in it.
        order_by(&mut found, sort, |f| f.2.score, |f| f.0);
        found.truncate(limit);
        let mut hits = Vec::with_capacity(found.len());
        for (_, address, named) in found {
            let citation = read_citation(self.searcher(), address)?;
            hits.push(name_hit(
                citation,
                named.matched_in,
                named.text,
                named.spans,
                named.score,
            ));
        }
        Ok(Some((hits, total)))
    }

    /// The documents and the issues that the query names (`documents`, `issues`). Where the
    /// issues are many (a word of gazette names finds every issue of a large collection), the
    /// documents are found on a thread of their own meanwhile: the issues' search is on one
    /// thread for a part of its time.
    fn documents_and_issues(
        &self,
        config: &SearchConfig,
    ) -> Result<(Counted<Hit>, Matched), Error> {
        // A collection without issue names (laws, reports) has no segment that holds them.
        if !held::any_holds(self.searcher(), self.fields().issue_name)? {
            return Ok((self.documents(config)?, (Vec::new(), 0)));
        }
        let issues_query = self.candidates(self.fields().issue_name)?;
        let (documents, issues) = if spread::threads(self.searcher(), issues_query.as_ref())? > 1 {
            std::thread::scope(|scope| {
                let documents = scope.spawn(|| self.documents(config));
                let issues = self.issues(issues_query.as_ref(), config);
                let documents = documents
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                (documents, issues)
            })
        } else {
            let documents = self.documents(config);
            (documents, self.issues(issues_query.as_ref(), config))
        };
        Ok((documents?, issues?))
    }

    /// Issues whose name the query matches, each with what was checked of it: the best
    /// `limit`, and how many.
    ///
    /// The heads whose issue name may match (`query`, the candidates of the issue names' view)
    /// are found as a title is, the filters of the query's
    /// top level with them, then taken by issue through their key (`issues::find`). Where the
    /// index decides and no filter needs a document's citation, every issue found matches: they
    /// are counted as found, and only those that could rank among the best `limit` are checked
    /// on their name. Otherwise each is checked: on its name, and on the citation of its first
    /// document where a filter stands under an OR or a NOT.
    fn issues(&self, query: &dyn Query, config: &SearchConfig) -> Result<Matched, Error> {
        let expr = without_scope_filters(&self.prepared.expr);
        let per_document = has_filter(&expr);
        let decided = self.decides && !per_document;
        let bounded = decided && config.sort == Sort::Relevance && config.limit.unwrap_or(0) > 0;
        let literals = self.prepared.expr.positive_literals();
        // Every occurrence of every literal, which covers at least what the spans of any
        // expression of them cover.
        let any = Expr::Or(
            literals
                .iter()
                .map(|literal| Expr::Literal(literal.to_string()))
                .collect(),
        );
        let covers = |text: &str| {
            let spans = self.check(&any, text, Arc::default(), DocAddress::new(0, 0));
            coverage(text, &spans.unwrap_or_default())
        };
        // Bounded as their keys are read, each segment's thread with bounds of its own, which
        // keep what they found of each name apart.
        let bounds = || -> issues::Bound {
            let mut bounds = Bounds::new(&literals, self.prepared.script, &covers);
            Box::new(move |key: &[u8], plain: bool| issue_score(bounds.coverage(key, plain)))
        };
        let bounding = match bounded {
            true => Some(issues::Bounding {
                bounder: &bounds,
                tails: &*self.tails(&any)?,
            }),
            false => None,
        };
        let found = issues::find(self.searcher(), &self.engine.dates, query, bounding)?;
        if !decided {
            return self.each_checked(&found, &expr, per_document, config);
        }
        let best = match (config.limit, config.sort) {
            // Only counted: checking each on its name was half the time of `--count`.
            (Some(0), _) => Vec::new(),
            // Checked in the order of a bound of their score (`issues::Bounds`) until none left
            // could rank above the last kept: by score, then newest.
            (Some(limit), Sort::Relevance) => self.best_checked(
                &found,
                &expr,
                limit,
                || found.iter().map(|issue| (Score(issue.bound), issue.date)),
                |verdict, issue| (Score(verdict.score), issue.date),
            )?,
            // The order is the dates': the first `limit` that hold are the best.
            (Some(limit), sort) => {
                let date = |issue: issues::Issue| by_date(sort, issue.date);
                let dates = || found.iter().map(date);
                self.best_checked(&found, &expr, limit, dates, |_, issue| date(issue))?
            }
            (None, _) => self.each_checked(&found, &expr, false, config)?.0,
        };
        Ok((best, found.len()))
    }

    /// The best `limit` issues of `found`, every one of which matches, by `rank` (greatest
    /// first; equal ones in the order of their keys), checked in the order of `bounds` (each
    /// issue's, in the order of `found`), which are never below `rank`.
    fn best_checked<K: Ord + Copy, I: Iterator<Item = K>>(
        &self,
        found: &issues::Found,
        expr: &Expr,
        limit: usize,
        bounds: impl Fn() -> I,
        rank: impl Fn(&IssueMatch, issues::Issue) -> K,
    ) -> Result<Vec<(DocAddress, IssueMatch)>, Error> {
        let best = bounds::best_checked(
            limit,
            bounds,
            |items| {
                let keys = found.keys(items)?;
                Ok(items
                    .iter()
                    .zip(keys)
                    .map(|(&i, key)| {
                        let issue = found.get(i);
                        let verdict =
                            self.issue(expr, &key, issue.date, None, &mut SharedSpans::default())?;
                        Some((rank(&verdict, issue), (key, issue.address, verdict)))
                    })
                    .collect())
            },
            |a, b| a.0.cmp(&b.0),
        )?;
        Ok(best
            .into_iter()
            .map(|(_, (_, address, verdict))| (address, verdict))
            .collect())
    }

    /// Every issue of `found` checked on its name (and on the citation of its first document
    /// when `per_document`), the best `config.limit` of those that match in `config.sort`'s
    /// order, and how many match.
    fn each_checked(
        &self,
        found: &issues::Found,
        expr: &Expr,
        per_document: bool,
        config: &SearchConfig,
    ) -> Result<Matched, Error> {
        let mut matched = Vec::new();
        let mut shared = SharedSpans::default();
        found.each_by_key(|i, issue, key| {
            let citation = if per_document {
                let citation = read_citation(self.searcher(), issue.address)?;
                Some(issue_citation(citation))
            } else {
                None
            };
            if let Some(verdict) = self.issue(expr, key, issue.date, citation, &mut shared) {
                matched.push((i, issue.address, verdict));
            }
            Ok(())
        })?;
        // The best first (equal ones in the order of their keys), then read only those shown.
        matched.sort_by(|(i, _, a), (j, _, b)| match config.sort {
            Sort::Relevance => b
                .score
                .total_cmp(&a.score)
                .then(b.date.cmp(&a.date))
                .then(i.cmp(j)),
            sort => by_date(sort, b.date)
                .cmp(&by_date(sort, a.date))
                .then(i.cmp(j)),
        });
        let total = matched.len();
        matched.truncate(config.limit.unwrap_or(usize::MAX));
        Ok((
            matched
                .into_iter()
                .map(|(_, address, verdict)| (address, verdict))
                .collect(),
            total,
        ))
    }

    /// Whether `expr` matches the issue of `key`, dated `date` (a `dates::key`), checked on its
    /// name, with filters on `citation` (`None` when `expr` has none); its matches shared with
    /// the last issue's through `shared` where they are the same.
    fn issue(
        &self,
        expr: &Expr,
        key: &str,
        date: u64,
        citation: Option<Arc<Citation>>,
        shared: &mut SharedSpans,
    ) -> Option<IssueMatch> {
        let [gazette, issue, _] = schema::issue_key_parts(key);
        let (name, gazette_len) = schema::issue_name(gazette, issue)?;
        let citation = citation.unwrap_or_default();
        let spans = self.check(expr, &name, citation, DocAddress::new(0, 0))?;
        let (head, tail) = name.split_at(gazette_len);
        let covered = coverage_in(head, &spans, 0).max(coverage_in(tail, &spans, gazette_len));
        let score = issue_score(covered);
        let matched_in = if spans.iter().all(|&(_, end)| end <= gazette_len) {
            MatchedIn::Gazette
        } else {
            MatchedIn::Issue
        };
        // The name is its citation's, read when the hit is written, unless the key cannot
        // give back the parts the citation holds.
        let name = (!schema::issue_key_round_trips(key)).then(|| name.into_boxed_str());
        Some(IssueMatch {
            score,
            date,
            matched_in,
            name,
            spans: shared.share(spans),
        })
    }
}

/// The score of an issue whose name the query covers by `covered` (the larger share of its
/// gazette's name or of its issue's): above every paragraph from [`ISSUE_COVERAGE`], else below
/// every one. It grows with `covered`, so a bound of the coverage bounds the score.
fn issue_score(covered: f32) -> f32 {
    if covered >= ISSUE_COVERAGE {
        NAME_SCORE + covered
    } else {
        covered / NAME_SCORE
    }
}

/// The key that orders issues by date as `sort` asks, greatest first: newest first, or oldest
/// first with the undated last.
fn by_date(sort: Sort, date: u64) -> u64 {
    match sort {
        Sort::Newest | Sort::Relevance => date,
        Sort::Oldest if date == 0 => 0,
        Sort::Oldest => u64::MAX - date,
    }
}

/// The hit of an issue whose name the query matches (`verdict`), cited from its first head's
/// citation, `document`.
fn issue_hit(document: Arc<Citation>, verdict: IssueMatch) -> Hit {
    let citation = issue_citation(document);
    let name = match verdict.name {
        Some(name) => name.into_string(),
        None => {
            let gazette = citation.gazette.as_deref().filter(|v| !v.is_empty());
            let issue = citation.issue.as_deref().filter(|v| !v.is_empty());
            schema::issue_name(gazette, issue)
                .map(|(name, _)| name)
                .unwrap_or_default()
        }
    };
    // The name was checked as the key gave it; a head whose citation disagrees (a damaged
    // index) shows no match rather than one cut inside a character.
    let spans = verdict
        .spans
        .iter()
        .copied()
        .filter(|&(start, end)| {
            start <= end && name.is_char_boundary(start) && name.is_char_boundary(end)
        })
        .collect();
    name_hit(citation, verdict.matched_in, name, spans, verdict.score)
}

/// An issue whose name the query matches, kept small: a word of gazette names (政府) finds
/// every issue of a collection, and `--all` holds them all until they are written.
pub(super) struct IssueMatch {
    score: f32,
    /// The issue's date as `dates::key` gives it.
    date: u64,
    matched_in: MatchedIn,
    /// The name checked, where the issue's citation would not give it back (see
    /// [`schema::issue_key_round_trips`]); otherwise the citation's name, made when the hit is.
    name: Option<Box<str>>,
    /// Where the name matched, most often as the last issue's (the issues of a gazette, in
    /// order, match in its name alike).
    spans: Arc<[(usize, usize)]>,
}

/// The matches of the last issue checked, given again to the next issue they equal.
#[derive(Default)]
struct SharedSpans(Option<Arc<[(usize, usize)]>>);

impl SharedSpans {
    fn share(&mut self, spans: Spans) -> Arc<[(usize, usize)]> {
        match &self.0 {
            Some(last) if **last == *spans => last.clone(),
            _ => {
                let spans: Arc<[(usize, usize)]> = spans.into();
                self.0 = Some(spans.clone());
                spans
            }
        }
    }
}

type Spans = Vec<(usize, usize)>;

/// The best of some names, and how many there are.
type Counted<T> = (Vec<T>, usize);

/// The best of the issues that a query names, each at its first head with what was checked of
/// it, and how many there are.
type Matched = Counted<(DocAddress, IssueMatch)>;

/// `expr` without the filters of its top-level AND, which the index applies to every candidate.
fn without_scope_filters(expr: &Expr) -> Expr {
    match expr {
        Expr::And(items) => Expr::And(
            items
                .iter()
                .filter(|item| !matches!(item, Expr::Filter(_)))
                .cloned()
                .collect(),
        ),
        other => other.clone(),
    }
}

/// True when every match of `expr` holds a literal: a name matched only by a filter (`A OR
/// gazette:焦作` on a document without A) names nothing.
fn literal_required(expr: &Expr) -> bool {
    match expr {
        Expr::Literal(_) | Expr::Near { .. } => true,
        Expr::Filter(_) | Expr::Not(_) => false,
        Expr::And(items) => items.iter().any(literal_required),
        Expr::Or(items) => items.iter().all(literal_required),
    }
}

/// The best `limit` heads by the length of their name, shortest first (the name a literal
/// covers most: an exact title before the titles that hold it), equal lengths newest first; or
/// by date, as `sort` asks.
fn shortest_first(
    view: Field,
    sort: Sort,
    limit: usize,
    dates: &Arc<Dates>,
) -> impl tantivy::collector::Collector<Fruit = Vec<((u64, u64), DocAddress)>> {
    let all_dates = Arc::clone(dates);
    // Ordered by the name's length and the date alone: the query is searched without scoring,
    // where a score nobody reads cost a column read for each title that holds the literal (国:
    // thousands of titles).
    TopDocs::with_limit(limit).order_by(move |segment: &tantivy::SegmentReader| {
        // Opened at the first name found: most segments of a rare literal hold none.
        let (segment, mut lengths) = (segment.clone(), None);
        let dates = all_dates.values(&segment);
        move |doc: tantivy::DocId| {
            let lengths = lengths.get_or_insert_with(|| Norms::open(&segment, view).ok().flatten());
            let length = lengths.as_ref().map_or(0, |l| u64::from(l.fieldnorm(doc)));
            let shortness = u64::MAX - length;
            let date = dates.as_ref().map_or(0, |column| column.get_val(doc));
            match sort {
                Sort::Relevance => (shortness, date),
                Sort::Newest => (date, shortness),
                // Undated last.
                Sort::Oldest if date == 0 => (0, shortness),
                Sort::Oldest => (u64::MAX - date, shortness),
            }
        }
    })
}

/// An issue's citation, from one of its documents': what belongs to that document alone (its
/// title, number, page, manifest columns) left out.
fn issue_citation(document: Arc<Citation>) -> Arc<Citation> {
    let mut citation = Arc::unwrap_or_clone(document);
    citation.document = String::new();
    citation.doc_number = None;
    citation.page = None;
    citation.attributes.clear();
    Arc::new(citation)
}

/// How a query names a document: by which name, shown as what, where, with what score.
struct Named {
    score: f32,
    matched_in: MatchedIn,
    text: String,
    spans: Spans,
}

/// The value of a string column (one per document at most) for each of `docs` (in increasing
/// order): the dictionary is read once, in the order of its terms.
fn column_strings(column: &StrColumn, docs: &[DocId]) -> Result<Vec<Option<String>>, Error> {
    let ords: Vec<Option<u64>> = docs.iter().map(|&doc| column.ords().first(doc)).collect();
    let mut sorted: Vec<u64> = ords.iter().flatten().copied().collect();
    sorted.sort_unstable();
    sorted.dedup();
    let mut terms = Vec::with_capacity(sorted.len());
    column
        .dictionary()
        .sorted_ords_to_term_cb(&sorted, |bytes| {
            terms.push(String::from_utf8_lossy(bytes).into_owned());
        })?;
    Ok(ords
        .into_iter()
        .map(|ord| {
            let at = sorted.binary_search(&ord?).ok()?;
            terms.get(at).cloned()
        })
        .collect())
}

fn name_hit(
    citation: Arc<Citation>,
    matched_in: MatchedIn,
    text: String,
    matches: Spans,
    score: f32,
) -> Hit {
    Hit {
        page: citation.page,
        page_end: None,
        citation,
        section: Section::default(),
        paragraph: 0,
        score,
        word_match: false,
        matched_in,
        text,
        matches,
        reference: None,
    }
}

/// The share of `text`'s characters that `spans` cover.
fn coverage(text: &str, spans: &[(usize, usize)]) -> f32 {
    coverage_in(text, spans, 0)
}

/// The share of the characters of `part`, which starts at byte `start` of the text the spans
/// point into, that the spans cover.
fn coverage_in(part: &str, spans: &[(usize, usize)], start: usize) -> f32 {
    let chars = part.chars().count();
    if chars == 0 {
        return 0.0;
    }
    let end = start + part.len();
    let covered = part
        .char_indices()
        .filter(|(i, _)| {
            let at = start + i;
            spans.iter().any(|&(a, b)| a <= at && at < b && at < end)
        })
        .count();
    covered as f32 / chars as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::query::parse;

    #[test]
    fn a_name_matched_only_by_a_filter_names_nothing() {
        for (query, required) in [
            ("云台山", true),
            ("云台山 gazette:焦作", true),
            ("云台山 OR gazette:焦作", false),
            ("-云台山", false),
            ("云台山 NEAR/3 实验室", true),
            ("(云台山 OR 青天河) -门票", true),
        ] {
            assert_eq!(
                literal_required(&parse(query).unwrap()),
                required,
                "{query}"
            );
        }
    }

    fn citation(gazette: Option<&str>, issue: Option<&str>) -> Arc<Citation> {
        Arc::new(Citation {
            path: "焦作/2025-01.txt".to_string(),
            gazette: gazette.map(str::to_string),
            issue: issue.map(str::to_string),
            document: "关于印发某办法的通知".to_string(),
            ..Citation::default()
        })
    }

    fn verdict(name: Option<&str>, spans: &[(usize, usize)]) -> IssueMatch {
        IssueMatch {
            score: 1.5,
            date: 20250101,
            matched_in: MatchedIn::Gazette,
            name: name.map(Box::from),
            spans: spans.into(),
        }
    }

    #[test]
    fn an_issue_hit_takes_its_name_from_its_citation_unless_the_key_kept_it() {
        let gazette = "焦作市人民政府公报";
        let at = gazette.find("政府").unwrap();
        let span = (at, at + "政府".len());
        let hit = issue_hit(
            citation(Some(gazette), Some("2025年第1号")),
            verdict(None, &[span]),
        );
        assert_eq!(hit.text, "焦作市人民政府公报2025年第1号");
        assert_eq!(hit.matches, vec![span]);
        assert_eq!(&hit.text[hit.matches[0].0..hit.matches[0].1], "政府");
        assert_eq!((hit.citation.document.as_str(), hit.score), ("", 1.5));
        // An empty part is none, as the key reads it back.
        let hit = issue_hit(citation(Some(""), Some("2025年第1号")), verdict(None, &[]));
        assert_eq!(hit.text, "2025年第1号");
        // A name the key could not give back is the one that was checked.
        let kept = "焦作\u{1f}公报2025年第1号";
        let hit = issue_hit(
            citation(Some("焦作\u{1f}公报"), None),
            verdict(Some(kept), &[(0, 6)]),
        );
        assert_eq!(
            (hit.text.as_str(), hit.matches.clone()),
            (kept, vec![(0, 6)])
        );
        // Matches that do not fall on the name's characters are left out, not cut.
        let hit = issue_hit(
            citation(Some(gazette), None),
            verdict(None, &[(1, 3), (0, 999), span]),
        );
        assert_eq!((hit.text.as_str(), hit.matches), (gazette, vec![span]));
    }

    #[test]
    fn a_key_round_trips_unless_a_part_holds_its_separator() {
        let key = schema::issue_key(
            Some("焦作市人民政府公报"),
            Some("2025年第1号"),
            Some("2025-01-05"),
        );
        assert!(schema::issue_key_round_trips(&key));
        assert!(schema::issue_key_round_trips(&schema::issue_key(
            None, None, None
        )));
        let key = schema::issue_key(Some("焦作\u{1f}公报"), Some("第1号"), None);
        assert!(!schema::issue_key_round_trips(&key));
    }

    #[test]
    fn equal_matches_are_shared_and_listed_issues_stay_small() {
        let mut shared = SharedSpans::default();
        let first = shared.share(vec![(0, 6)]);
        let again = shared.share(vec![(0, 6)]);
        let other = shared.share(vec![(3, 9)]);
        assert!(Arc::ptr_eq(&first, &again));
        assert!(!Arc::ptr_eq(&first, &other));
        assert_eq!(*other, [(3, 9)]);
        // `--all` of a word of gazette names holds one for every issue of the collection.
        assert!(
            std::mem::size_of::<Listed>() <= 64,
            "{}",
            std::mem::size_of::<Listed>()
        );
    }

    #[test]
    fn coverage_counts_the_characters_the_matches_cover() {
        let title = "焦作市人民政府工作报告";
        assert_eq!(coverage(title, &[(0, title.len())]), 1.0);
        // 工作报告: 4 of 11 characters.
        let at = title.find("工作报告").unwrap();
        let share = coverage(title, &[(at, title.len())]);
        assert!((share - 4.0 / 11.0).abs() < 1e-6, "{share}");
        // Overlapping spans count a character once.
        assert_eq!(coverage("哈哈哈", &[(0, 6), (3, 9)]), 1.0);
        // Within one part of a longer text.
        let name = "焦作市人民政府公报2025年第1号";
        let gazette = "焦作市人民政府公报".len();
        let (head, tail) = name.split_at(gazette);
        assert_eq!(coverage_in(head, &[(0, gazette)], 0), 1.0);
        assert_eq!(coverage_in(tail, &[(0, gazette)], gazette), 0.0);
    }
}
