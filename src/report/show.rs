//! SHOW: a paragraph of an indexed file in its place, with its neighbours, to read a hit in its
//! context.

use std::path::Path;

use crate::Error;
use crate::search::{self, Engine, Hit};

/// What `gazette show` is asked for.
#[derive(Debug, Clone, Default)]
pub struct ShowConfig {
    /// The file as the index names it, or another spelling of the same path.
    pub path: String,
    /// ¶N of a hit; `None` for the whole file.
    pub paragraph: Option<u64>,
    /// Paragraphs before and after the asked one, within its document.
    pub context: usize,
    /// In a file of several documents, which one: its number from 1 or part of its title.
    pub document: Option<String>,
}

/// Paragraphs to show, in file order, and which of them was asked for.
#[derive(Debug)]
pub struct Shown {
    pub paragraphs: Vec<Hit>,
    pub target: Option<usize>,
}

/// The paragraphs of a file of the index to show, from the open index `engine`: the whole file
/// (or one document of it), or a paragraph with its neighbours. The choice of document, the
/// paragraph and the errors that list the documents share one listing, so they stand together.
pub fn show(engine: &Engine, config: &ShowConfig) -> Result<Shown, Error> {
    let path = resolve(engine, &config.path)?;
    let all = search::file_paragraphs(engine, &path)?;
    // Documents in file order: a paragraph numbered 1 opens one.
    let mut document_of = Vec::with_capacity(all.len());
    let mut titles: Vec<String> = Vec::new();
    for hit in &all {
        if hit.paragraph == 1 || titles.is_empty() {
            titles.push(hit.citation.document.clone());
        }
        document_of.push(titles.len());
    }
    let wanted_document = |number: usize| match &config.document {
        None => true,
        Some(d) => match d.parse::<usize>() {
            Ok(n) => n == number,
            Err(_) => titles[number - 1].contains(d.as_str()),
        },
    };
    let Some(n) = config.paragraph else {
        let paragraphs = all
            .into_iter()
            .zip(&document_of)
            .filter(|(_, number)| wanted_document(**number))
            .map(|(hit, _)| hit)
            .collect();
        return Ok(Shown {
            paragraphs,
            target: None,
        });
    };
    let found: Vec<usize> = (0..all.len())
        .filter(|&i| all[i].paragraph == n && wanted_document(document_of[i]))
        .collect();
    let listing = || {
        titles
            .iter()
            .enumerate()
            .map(|(k, title)| format!("{} {title}", k + 1))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let at = match found.as_slice() {
        [one] => *one,
        [] => {
            return Err(Error::Show(format!(
                "{path} has no paragraph {n}{}",
                config
                    .document
                    .as_ref()
                    .map_or(String::new(), |d| format!(" in a document matching {d}"))
            )));
        }
        _ => {
            return Err(Error::Show(format!(
                "{path} has {} documents with a paragraph {n}; choose one with --document: {}",
                found.len(),
                listing()
            )));
        }
    };
    let document = document_of[at];
    let first = (0..=at)
        .rev()
        .take(config.context + 1)
        .take_while(|&i| document_of[i] == document)
        .last()
        .unwrap_or(at);
    let last = (at..all.len())
        .take(config.context + 1)
        .take_while(|&i| document_of[i] == document)
        .last()
        .unwrap_or(at);
    Ok(Shown {
        paragraphs: all[first..=last].to_vec(),
        target: Some(at - first),
    })
}

/// The path as the index names it: as given when the index has it, otherwise the one indexed
/// file that is the same file or whose path ends with the one given.
fn resolve(engine: &Engine, given: &str) -> Result<String, Error> {
    let paths = search::indexed_paths(engine)?;
    if paths.binary_search_by(|p| p.as_str().cmp(given)).is_ok() {
        return Ok(given.to_string());
    }
    let canonical = |p: &str| std::fs::canonicalize(p).ok();
    let given_canonical = canonical(given);
    let trimmed = given.trim_start_matches("./");
    let same: Vec<&String> = paths
        .iter()
        .filter(|p| {
            p.as_str() == trimmed
                || Path::new(p.as_str()).ends_with(trimmed)
                || (given_canonical.is_some() && canonical(p) == given_canonical)
        })
        .collect();
    match same.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(Error::Show(format!(
            "no indexed file is named {given} (paths are shown with each hit, in brackets)"
        ))),
        many => Err(Error::Show(format!(
            "{given} names {} indexed files: {}",
            many.len(),
            many.iter()
                .take(5)
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}
