//! DOCUMENTS: a parsed issue -> one tantivy document per paragraph, added as one batch.

use std::ops::Range;
use std::sync::Arc;

use tantivy::fieldnorm::FieldNormReader;
use tantivy::indexer::UserOperation;
use tantivy::{IndexWriter, TantivyDocument, Term};

use crate::Error;
use crate::indexer::backlog::{Backlog, PARAGRAPH_WEIGHT, Queued};
use crate::ingest::Loaded;
use crate::ingest::parse::{Document, Issue, Paragraph};
use crate::store::citations::{self, Start};
use crate::store::headings;
use crate::store::place::Place;
use crate::store::schema::{self, Citation, Fields};
use crate::store::tokenizers::{Gram, gram_count};
use crate::text::{dates, fold};

/// When a file was indexed, in milliseconds since 1970 (UTC).
#[derive(Debug, Clone, Copy)]
pub(super) struct Times {
    /// This version of the file.
    pub(super) indexed: u64,
    /// The file, first.
    pub(super) first_indexed: u64,
}

/// A file as the index names it.
pub(super) struct File<'a> {
    pub(super) path: &'a str,
    /// The hash of its content and manifest row.
    pub(super) hash: &'a str,
    pub(super) times: Times,
}

/// Where the next part of a file goes on (`crate::ingest::parts`): what of the file the parts
/// before it added. A file read whole is one part, from the start.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Position {
    /// Paragraphs of the file added: the ordinal of the next.
    pub(super) in_file: u64,
    /// Documents of the file begun.
    pub(super) documents: usize,
    /// Paragraphs of the last document begun, when the part goes on with that document: its
    /// first document is that one's rest. 0 when the part begins with a document of its own.
    pub(super) in_document: u64,
}

/// Adds a file's paragraphs, or a part's, to the index as one batch, and moves `position` past
/// them. A changed file's old paragraphs are deleted by the caller first.
pub(super) fn add_issue(
    writer: &IndexWriter<Queued>,
    backlog: &Arc<Backlog>,
    fields: &Fields,
    file: &File,
    loaded: &Loaded,
    position: &mut Position,
) -> Result<(), Error> {
    let issue = &loaded.issue;
    if issue.documents.is_empty() {
        return Ok(());
    }
    let path = file.path;
    let source = schema::source(path, file.hash);
    // A file is one batch: tantivy puts a batch in one segment, in order, which is how a
    // paragraph finds its document's head (see `crate::store::schema`). A part of a file read in
    // parts is one batch too; a document it goes on with gets a head of its own in it.
    let mut batch = Vec::new();
    let mut context = Context::default();
    let mut in_file = position.in_file;
    let goes_on = position.in_document > 0;
    let first_number = if goes_on {
        position.documents - 1
    } else {
        position.documents
    };
    for (k, document) in issue.documents.iter().enumerate() {
        // Paragraphs of this document added by the parts before.
        let before = if goes_on && k == 0 {
            position.in_document
        } else {
            0
        };
        let citation = Citation {
            path: path.to_string(),
            gazette: issue.gazette.clone(),
            issue: issue.issue.clone(),
            date: issue.date.clone(),
            region: issue.region.clone(),
            document: document.title.clone(),
            doc_number: document.doc_number.clone(),
            page: document.page.map(u64::from),
            attributes: loaded.attributes.clone(),
            indexed: file.times.indexed,
            first_indexed: file.times.first_indexed,
        };
        // Where the document's head, its first paragraph in this batch, stands.
        let start = Start {
            number: before + 1,
            ordinal: in_file,
        };
        let citation = citations::encode(&citation, start).ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidData, "a path holds a zero byte")
        })?;
        for (ordinal, paragraph) in document.paragraphs.iter().enumerate() {
            let mut doc = TantivyDocument::default();
            let number = before + ordinal as u64 + 1;
            let place = Place {
                page: paragraph.pages.map(|pages| u64::from(pages.first)),
                page_end: paragraph
                    .pages
                    .filter(|pages| pages.last > pages.first)
                    .map(|pages| u64::from(pages.last)),
            };
            in_file += 1;
            doc.add_bytes(fields.place, &place.encode(&paragraph.section));
            // What a document says once is on its head only: its citation, and its title for
            // ranking (see `crate::search::context_query`); its names on its first head only,
            // which finds the document once.
            if ordinal == 0 {
                doc.add_u64(fields.head, 1);
                doc.add_bytes(fields.citation, &citation);
                let title = fold::fold_to_string(&document.title);
                let length = gram_count(Gram::Bigram, &title);
                doc.add_u64(fields.title_length, length_value(length));
                if before == 0 {
                    add_names(&mut doc, fields, issue, document, &title);
                }
                doc.add_text(fields.title, title);
            }
            if batch.is_empty() {
                doc.add_text(fields.source, &source);
            }
            add_file_terms(&mut doc, fields, file, loaded);
            if ordinal == 0 {
                // The file's path, by which its paragraphs are found and deleted, on its
                // documents' heads (`crate::search::DocumentsQuery::of_file`).
                doc.add_text(fields.path, file.path);
                add_filter_terms(&mut doc, fields, loaded, document);
            }
            let ended = add_paragraph(&mut doc, fields, number, paragraph, &mut context);
            if let Some((before, _)) = batch.last_mut() {
                end_headings(before, fields, ended);
            }
            batch.push((doc, paragraph.text.len() + PARAGRAPH_WEIGHT));
        }
    }
    if let Some((last, _)) = batch.last_mut() {
        end_headings(last, fields, context.open());
    }
    // What BM25 averages the context by, as if each paragraph held its headings.
    if let Some((first, _)) = batch.first_mut() {
        for bit in schema::total_bits(context.total) {
            first.add_u64(fields.context_total, bit);
        }
    }
    let last = issue
        .documents
        .last()
        .map_or(0, |d| d.paragraphs.len() as u64);
    *position = Position {
        in_file,
        documents: first_number + issue.documents.len(),
        in_document: match issue.documents.len() {
            1 if goes_on => position.in_document + last,
            _ => last,
        },
    };
    let queued = backlog.admit(batch, || {
        // Deleting a source that cannot exist changes nothing; it fails when the writer's
        // threads have died.
        let probe = Term::from_field_text(fields.source, "");
        writer.run([UserOperation::Delete(probe)]).map(drop)
    })?;
    writer.run(queued.into_iter().map(UserOperation::Add))?;
    Ok(())
}

/// What names a document and its issue, on the document's head: a literal in the title or the
/// 文号 finds the document, one in the issue's name the issue (see [`crate::search::names`]).
/// `title` is the document's title folded.
fn add_names(
    doc: &mut TantivyDocument,
    fields: &Fields,
    issue: &Issue,
    document: &Document,
    title: &str,
) {
    let mut names = vec![title.to_string()];
    if let Some(number) = &document.doc_number {
        names.push(fold::fold_to_string(number));
    }
    let length = names.iter().map(|n| gram_count(Gram::Covering, n)).sum();
    doc.add_u64(fields.name_length, length_value(length));
    for name in names {
        doc.add_text(fields.name_chars, &name);
        doc.add_text(fields.name, name);
    }
    let (gazette, number) = (issue.gazette.as_deref(), issue.issue.as_deref());
    if let Some((name, _)) = schema::issue_name(gazette, number) {
        doc.add_text(fields.issue_name, fold::fold_to_string(&name));
        let key = schema::issue_key(gazette, number, issue.date.as_deref());
        doc.add_text(fields.issue_key, key);
    }
    if let Some(number) = number {
        doc.add_text(fields.issue_part, fold::fold_to_string(number));
        if fold::may_be_traditional(number) {
            doc.add_u64(fields.issue_converts, 1);
        }
    }
}

/// A field's length on a head as its length column holds it ([`schema::TITLE_LENGTH`]): the field
/// norm id that tantivy would have recorded for so many tokens, so that BM25 scores as it would
/// from field norms.
fn length_value(tokens: u64) -> u64 {
    let tokens = u32::try_from(tokens).unwrap_or(u32::MAX);
    u64::from(FieldNormReader::fieldnorm_to_id(tokens))
}

/// What every paragraph carries of its file: the numbers that sort and filter (date, when
/// indexed).
fn add_file_terms(doc: &mut TantivyDocument, fields: &Fields, file: &File, loaded: &Loaded) {
    doc.add_u64(fields.date_key, dates::key(loaded.issue.date.as_deref()));
    doc.add_u64(fields.indexed, file.times.indexed);
    doc.add_u64(fields.first_indexed, file.times.first_indexed);
}

/// The citation fields a head carries as terms or columns, for filters (`crate::search::runs`: a
/// filter matches the paragraphs of the heads that hold a value it accepts); the citation itself is
/// stored beside them.
fn add_filter_terms(
    doc: &mut TantivyDocument,
    fields: &Fields,
    loaded: &Loaded,
    document: &Document,
) {
    let issue = &loaded.issue;
    if let Some(gazette) = &issue.gazette {
        doc.add_text(fields.gazette, gazette);
    }
    if let Some(number) = &issue.issue {
        doc.add_text(fields.issue, number);
    }
    if let Some(date) = &issue.date {
        doc.add_text(fields.date, date);
    }
    if let Some(region) = &issue.region {
        doc.add_text(fields.region, region);
    }
    for (name, value) in &loaded.attributes {
        doc.add_text(fields.attributes, format!("{name}={value}"));
        doc.add_text(fields.attribute_grams, fold::fold_to_string(value));
    }
    doc.add_text(fields.document, &document.title);
    if let Some(number) = &document.doc_number {
        doc.add_text(fields.doc_number, number);
        doc.add_text(fields.doc_number_grams, fold::fold_to_string(number));
    }
}

/// A paragraph's own fields: its number indexed, its text stored, and its views indexed from its
/// matching form: the grams, the words, and the headings that head it.
fn add_paragraph<'a>(
    doc: &mut TantivyDocument,
    fields: &Fields,
    number: u64,
    paragraph: &'a Paragraph,
    context: &mut Context<'a>,
) -> Range<usize> {
    // Only a document's first paragraph is ever asked for by its number.
    if number == 1 {
        doc.add_u64(fields.paragraph, number);
    }
    doc.add_text(fields.text, &paragraph.text);
    // Every view reads the matching form, folded once here, with where it dropped characters
    // (for NEAR).
    let (folded, drops) = fold::fold_with_drops(&paragraph.text);
    for (at, count) in drops {
        doc.add_u64(fields.drops, schema::drop_value(at, count));
    }
    doc.add_text(fields.grams, &folded);
    doc.add_text(fields.chars, &folded);
    doc.add_text(fields.words, folded);
    // The headings' bigrams on the first paragraph of their run only, and of those only the
    // headings the run does not keep from the run before.
    let run = context.of(paragraph);
    doc.add_u64(fields.section, u64::from(run.is_none()));
    match run {
        Some(Run { text, ended }) => {
            if let Some(text) = text {
                doc.add_text(fields.context, text);
            }
            ended
        }
        None => 0..0,
    }
}

/// Marks `doc`, a batch's paragraph, as the last that headings at `depths` head (see
/// [`schema::HEADING_END`]).
fn end_headings(doc: &mut TantivyDocument, fields: &Fields, depths: Range<usize>) {
    for depth in depths {
        doc.add_u64(fields.heading_end, depth as u64);
    }
}

/// A run of paragraphs under the same headings, at its first paragraph.
struct Run {
    /// The context's text for the headings the run does not keep from the run before
    /// ([`headings::text`]).
    text: Option<String>,
    /// The depths of the headings of the run before that it does not keep: they end at the
    /// paragraph before.
    ended: Range<usize>,
}

/// The headings of the last run of paragraphs, in their matching form. A section's paragraphs
/// follow one another under the same headings, which are folded once for them all, not once for
/// each paragraph, and indexed on the first of them only, each heading on the first run under it
/// only ([`crate::store::schema::SECTION`], [`crate::store::headings`]).
#[derive(Default)]
struct Context<'a> {
    headings: Vec<&'a str>,
    folded: Vec<String>,
    /// Whether a paragraph of the batch has been asked about: its first starts a run.
    begun: bool,
    /// The bigrams of `folded`: the length of a paragraph's context.
    length: u64,
    /// The lengths of the contexts of the paragraphs asked about, summed.
    total: u64,
    /// The depths that `headings` stand at ([`headings::depths`]).
    depths: usize,
}

impl<'a> Context<'a> {
    /// Where a run starts at `paragraph` (the batch's first paragraph, or headings other than
    /// the last paragraph's), the text of the headings it does not keep from the run before
    /// (see [`crate::store::headings`]) and the depths of the run before's headings that end;
    /// `None` where it goes on a run.
    fn of(&mut self, paragraph: &'a Paragraph) -> Option<Run> {
        let starts = !self.begun || !paragraph.context().eq(self.headings.iter().copied());
        let before = self.begun.then_some(&self.headings[..]);
        self.begun = true;
        if !starts {
            self.total += self.length;
            return None;
        }
        let now: Vec<&'a str> = paragraph.context().collect();
        let kept = headings::kept(before, &now);
        self.headings = now;
        self.folded.truncate(kept);
        self.folded.extend(
            self.headings[kept..]
                .iter()
                .map(|heading| fold::fold_to_string(heading)),
        );
        let (text, length) = headings::text(&self.folded, kept);
        self.length = length;
        self.total += self.length;
        let ended = kept..self.depths;
        self.depths = headings::depths(self.headings.len());
        Some(Run {
            text: (length > 0).then_some(text),
            ended,
        })
    }

    /// The depths of the headings still open: at a batch's end, its last paragraph is the last
    /// they head.
    fn open(&self) -> Range<usize> {
        0..self.depths
    }
}

#[cfg(test)]
mod tests {
    use crate::ingest::parse::Paragraph;
    use crate::text::fold;
    use tantivy::Term;

    /// The headings folded once for a run of paragraphs under them are what folding each
    /// paragraph's own headings gives, whatever comes between: other headings, none, a heading
    /// that is the paragraph's own text (not its context), and the first headings again.
    #[test]
    fn the_headings_folded_for_a_run_are_each_paragraphs_own() {
        let paragraph = |text: &str, section: &[&str]| Paragraph {
            text: text.to_string(),
            section: section.iter().map(|s| s.to_string()).collect(),
            heading: false,
            pages: None,
        };
        let paragraphs = [
            paragraph("市政府決定開展工作。", &["第一章　總則", "第一條"]),
            paragraph("第二段。", &["第一章　總則", "第一條"]),
            paragraph("第一章　總則", &["第一章　總則"]),
            paragraph("其他。", &["第一章　總則"]),
            paragraph("沒有標題。", &[]),
            paragraph("ＡＢＣ。", &["第一章　總則", "第一條"]),
            paragraph("再一段。", &["第二章", "第一條"]),
        ];
        let mut context = super::Context::default();
        let mut folded = Vec::new();
        let mut ended = Vec::new();
        for paragraph in &paragraphs {
            let own: Vec<String> = paragraph.context().map(fold::fold_to_string).collect();
            ended.push(context.of(paragraph).map(|run| run.ended));
            assert_eq!(context.folded, own, "{}", paragraph.text);
            folded.push(own.join(" "));
        }
        // The cases above are the ones named: a heading is left out where it is the text.
        assert_eq!(folded[2], "");
        assert_eq!(folded[3], "第一章总则");
        assert_ne!(folded[5], folded[6]);
        // A run starts at the first paragraph and wherever the headings differ from the last's,
        // ending the headings of the run before that it does not keep.
        assert_eq!(
            ended,
            [
                Some(0..0),
                None,
                Some(0..2),
                Some(0..0),
                Some(0..1),
                Some(0..0),
                Some(0..2)
            ]
        );
        assert_eq!(context.open(), 0..2);
        // A batch's first paragraph starts a run under no headings too.
        let mut context = super::Context::default();
        assert!(
            context
                .of(&paragraphs[4])
                .is_some_and(|run| run.ended.is_empty() && run.text.is_none())
        );
        assert!(context.of(&paragraphs[4]).is_none());
        assert_eq!(context.open(), 0..0);
        // A run that keeps the chapter ends the article under it only.
        let mut context = super::Context::default();
        context.of(&paragraphs[0]);
        assert_eq!(context.of(&paragraphs[3]).map(|run| run.ended), Some(1..2));
    }

    /// Each document's head holds its issue's own name in the view of its own, folded, and is
    /// marked where that name holds a traditional character (總 in 第1期（總第5期）), which may
    /// convert otherwise next to the gazette's name than alone.
    #[test]
    fn a_head_holds_its_issues_own_name_and_whether_it_converts() {
        let rows = [
            ("a.txt", "焦作市人民政府公报", "2025年第1期"),
            ("b.txt", "行政院公報", "第1期（總第5期）"),
            ("c.txt", "焦作市人民政府公报", ""),
        ];
        let mut manifest = String::from("file\tgazette\tissue\tdate\n");
        let mut files = Vec::new();
        for (file, gazette, issue) in rows {
            files.push((file, "市政府决定开展工作。\n"));
            manifest.push_str(&format!("{file}\t{gazette}\t{issue}\t2025-01-02\n"));
        }
        files.push(("manifest.tsv", &manifest));
        let (_dir, index, fields) = crate::indexer::index_of_files(&files);
        let searcher = index.reader().unwrap().searcher();
        // A fresh index deletes nothing: the documents that hold a term are its frequency.
        let heads = |term: Term| searcher.doc_freq(&term).unwrap();
        let part = |gram: &str| heads(Term::from_field_text(fields.issue_part, gram));
        assert_eq!(part("年第"), 1);
        // Folded: 總 is held as 总.
        assert_eq!(part("总第"), 1);
        assert_eq!(part("總第"), 0);
        // Not the gazette's name.
        assert_eq!(part("公报"), 0);
        assert_eq!(heads(Term::from_field_u64(fields.issue_converts, 1)), 1);
    }
}
