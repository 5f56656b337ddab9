//! CSV: hits and statistics for other tools (pandas, R, Excel), UTF-8 with a header row.

use std::collections::BTreeSet;
use std::io::{self, Write};

use super::fields::{COLUMNS, HitFields};
use crate::report::stats::Bucket;
use crate::search::Hit;

/// Writes hits as CSV: a header row, then one row per hit with every field (the section path
/// joined by ` › `, `matches` as a JSON array of byte ranges), the reference when there is one,
/// and one column per manifest attribute of any hit (named `attribute.NAME`).
pub fn csv<W: Write>(mut out: W, hits: &[Hit]) -> io::Result<()> {
    let cite = hits.iter().any(|h| h.reference.is_some());
    let layout = Layout::new(attributes_of(hits), cite);
    layout.header(&mut out)?;
    out.write_all(&layout.rows(hits)?)
}

/// The names of the manifest attributes of any of `hits`, in order.
pub fn attributes_of(hits: &[Hit]) -> Vec<String> {
    let names: BTreeSet<&str> = hits
        .iter()
        .flat_map(|h| h.citation.attributes.keys().map(String::as_str))
        .collect();
    names.into_iter().map(str::to_string).collect()
}

/// The columns of CSV hits, fixed by the header so that hits can be written a batch at a time
/// (`--all`), each batch's rows made on any thread.
pub struct Layout {
    attributes: Vec<String>,
    cite: bool,
}

impl Layout {
    /// Every field, `reference` when `cite`, then `attribute.NAME` for each of `attributes`.
    pub fn new(attributes: Vec<String>, cite: bool) -> Layout {
        Layout { attributes, cite }
    }

    pub fn header<W: Write>(&self, out: W) -> io::Result<()> {
        let mut header: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
        if self.cite {
            header.push("reference".into());
        }
        header.extend(self.attributes.iter().map(|a| format!("attribute.{a}")));
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(&header).map_err(io_error)?;
        writer.flush()
    }

    /// The rows of `hits`.
    pub fn rows(&self, hits: &[Hit]) -> io::Result<Vec<u8>> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        for hit in hits {
            let mut row = HitFields::of(hit).cells();
            if self.cite {
                row.push(hit.reference.clone().unwrap_or_default());
            }
            row.extend(
                self.attributes
                    .iter()
                    .map(|a| hit.citation.attributes.get(a).cloned().unwrap_or_default()),
            );
            writer.write_record(&row).map_err(io_error)?;
        }
        writer
            .into_inner()
            .map_err(|err| io::Error::other(err.to_string()))
    }
}

/// The csv crate's error as the I/O error it holds, so that a closed pipe reads as one.
fn io_error(err: csv::Error) -> io::Error {
    match err.into_kind() {
        csv::ErrorKind::Io(err) => err,
        kind => io::Error::other(format!("{kind:?}")),
    }
}

/// Writes the buckets of `gazette stats` as CSV with a header row.
pub fn stats_csv<W: Write>(out: W, buckets: &[Bucket]) -> Result<(), csv::Error> {
    let mut writer = csv::Writer::from_writer(out);
    for bucket in buckets {
        writer.serialize(bucket)?;
    }
    writer.flush()?;
    Ok(())
}
