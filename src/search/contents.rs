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
/// `NAME=value` terms), in order: the columns of every hit's attributes, known before any hit is
/// read.
pub fn attribute_names(engine: &Engine) -> Result<Vec<String>, Error> {
    let mut names = BTreeSet::new();
    crate::search::held::each_value(&engine.searcher, engine.fields.attribute_terms, |term| {
        if let Some((name, _)) = term.split_once('=')
            && !names.contains(name)
        {
            names.insert(name.to_string());
        }
    })?;
    Ok(names.into_iter().collect())
}
