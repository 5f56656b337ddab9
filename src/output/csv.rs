//! CSV: hits and statistics for other tools (pandas, R, Excel), UTF-8 with a header row.

use std::collections::BTreeSet;
use std::io::{self, Write};

use super::fields::{COLUMNS, HitFields};
use crate::report::stats::Bucket;
use crate::search::Hit;

/// Writes hits as CSV: a header row, then one row per hit with every field (the section path
/// joined by ` › `, `matches` as a JSON array of byte ranges), the reference when there is one,
/// and one column per manifest attribute of any hit (named `attribute.NAME`).
pub fn csv<W: Write>(out: W, hits: &[Hit]) -> io::Result<()> {
    let cite = hits.iter().any(|h| h.reference.is_some());
    let mut writer = HitWriter::new(out, attributes_of(hits), cite)?;
    writer.write(hits)?;
    writer.finish()
}

/// The names of the manifest attributes of any of `hits`, in order.
pub fn attributes_of(hits: &[Hit]) -> Vec<String> {
    let names: BTreeSet<&str> = hits
        .iter()
        .flat_map(|h| h.citation.attributes.keys().map(String::as_str))
        .collect();
    names.into_iter().map(str::to_string).collect()
}

/// CSV of hits written as they come: the columns are fixed by the header, so that hits can be
/// written a batch at a time (`--all`).
pub struct HitWriter<W: Write> {
    writer: csv::Writer<W>,
    attributes: Vec<String>,
    cite: bool,
}

impl<W: Write> HitWriter<W> {
    /// Writes the header: every field, `reference` when `cite`, then `attribute.NAME` for each of
    /// `attributes`.
    pub fn new(out: W, attributes: Vec<String>, cite: bool) -> io::Result<HitWriter<W>> {
        let mut writer = csv::Writer::from_writer(out);
        let mut header: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
        if cite {
            header.push("reference".into());
        }
        header.extend(attributes.iter().map(|a| format!("attribute.{a}")));
        writer.write_record(&header).map_err(io_error)?;
        Ok(HitWriter {
            writer,
            attributes,
            cite,
        })
    }

    pub fn write(&mut self, hits: &[Hit]) -> io::Result<()> {
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
            self.writer.write_record(&row).map_err(io_error)?;
        }
        Ok(())
    }

    pub fn finish(mut self) -> io::Result<()> {
        self.writer.flush()
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
