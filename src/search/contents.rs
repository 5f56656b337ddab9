//! CONTENTS: what the index holds, listed for `show`, `--csv` and the web page: its files, the
//! paragraphs of one of them, the names of its manifest attributes.

use std::collections::BTreeSet;

use tantivy::DocAddress;
use tantivy::collector::DocSetCollector;

use crate::Error;
use crate::search::Hit;
use crate::search::engine::Engine;
use crate::search::runs::DocumentsQuery;
use crate::search::stored::{Heads, hit};
use crate::store::schema;

/// Every paragraph of an indexed file, in file order, as hits without matches; the file is named
/// as the index names it (the `path` of a hit).
pub fn file_paragraphs(engine: &Engine, path: &str) -> Result<Vec<Hit>, Error> {
    let query = DocumentsQuery::of_file(&engine.fields, path);
    let mut addresses: Vec<DocAddress> = engine
        .searcher
        .search(&query, &DocSetCollector)?
        .into_iter()
        .collect();
    addresses.sort_unstable(); // read in store order
    let mut heads = Heads::default();
    let mut paragraphs = addresses
        .into_iter()
        .map(|address| {
            let mut paragraph =
                heads.paragraph(&engine.searcher, &engine.fields, address, false)?;
            heads.cite(&engine.searcher, &engine.fields, address, &mut paragraph)?;
            Ok((paragraph.ordinal, hit(paragraph, 0.0, false, Vec::new())))
        })
        .collect::<Result<Vec<(u64, Hit)>, Error>>()?;
    paragraphs.sort_by_key(|(ordinal, _)| *ordinal);
    Ok(paragraphs.into_iter().map(|(_, hit)| hit).collect())
}

/// The paths of the indexed files, in order.
pub fn indexed_paths(engine: &Engine) -> Result<Vec<String>, Error> {
    // Paths are stored as valid UTF-8 (`crate::ingest::display_path`).
    let mut paths = BTreeSet::new();
    crate::store::terms::each_value(&engine.searcher, engine.fields.path, |path| {
        paths.insert(path.to_string());
    })?;
    Ok(paths.into_iter().collect())
}

/// The names of the manifest attributes that any indexed file has (the `NAME` of its
/// `NAME=value` values), in order: the columns of every hit's attributes, known before any hit
/// is read. Each segment's dictionary is searched for the first value of each name after the
/// last: the keywords of an item of the 行政院公報 are one value of thousands, all of one name.
pub fn attribute_names(engine: &Engine) -> Result<Vec<String>, Error> {
    let mut names = BTreeSet::new();
    for segment in engine.searcher.segment_readers() {
        let Some(column) = segment.fast_fields().str(schema::ATTRIBUTES)? else {
            continue;
        };
        let mut from = Vec::new();
        loop {
            let mut values = column.dictionary().range().ge(&from).into_stream()?;
            if !values.advance() {
                break;
            }
            let value = values.key();
            let Some(end) = value.iter().position(|&b| b == b'=') else {
                // Not an attribute's value: the next one after it.
                from = [value, &[0]].concat();
                continue;
            };
            let name = &value[..end];
            names.insert(String::from_utf8_lossy(name).into_owned());
            // Past every value of this name: `NAME=` then anything sorts below `NAME>`.
            from = [name, b">"].concat();
        }
    }
    Ok(names.into_iter().collect())
}
