//! CSV: hits and statistics for other tools (pandas, R, Excel), UTF-8 with a header row.

use std::collections::BTreeSet;
use std::io::Write;

use super::fields::{COLUMNS, HitFields};
use crate::report::stats::Bucket;
use crate::search::Hit;

/// Writes hits as CSV: a header row, then one row per hit with every field (the section path
/// joined by ` › `, `matches` as a JSON array of byte ranges), the reference when there is one,
/// and one column per manifest attribute of any hit (named `attribute.NAME`).
pub fn csv<W: Write>(out: W, hits: &[Hit]) -> Result<(), csv::Error> {
    let attributes: BTreeSet<&str> = hits
        .iter()
        .flat_map(|h| h.citation.attributes.keys().map(String::as_str))
        .collect();
    let cite = hits.iter().any(|h| h.reference.is_some());
    let mut writer = csv::Writer::from_writer(out);
    let mut header: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
    if cite {
        header.push("reference".into());
    }
    header.extend(attributes.iter().map(|a| format!("attribute.{a}")));
    writer.write_record(&header)?;
    for hit in hits {
        let mut row = HitFields::of(hit).cells();
        if cite {
            row.push(hit.reference.clone().unwrap_or_default());
        }
        row.extend(
            attributes
                .iter()
                .map(|a| hit.citation.attributes.get(*a).cloned().unwrap_or_default()),
        );
        writer.write_record(&row)?;
    }
    writer.flush()?;
    Ok(())
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
