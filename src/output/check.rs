//! CHECK: what `gazette check` found in an index, and what `--repair` dropped, for a person.

use std::io::{self, Write};
use std::path::Path;
use std::time::Duration;

use crate::store::check::Report;

/// 「checked N segments, F files (S MB) of the index at DIR in T s: no damage」, or that line with
/// each damaged segment, its files and what to run.
pub fn report<W: Write>(
    out: &mut W,
    dir: &Path,
    report: &Report,
    took: Duration,
) -> io::Result<()> {
    let files: usize = report.segments.iter().map(|s| s.files).sum();
    let damaged: Vec<_> = report.damaged().collect();
    writeln!(
        out,
        "checked {} segments, {files} files ({:.1} MB) of the index at {} in {:.1} s: {}",
        report.segments.len(),
        report.bytes as f64 / 1e6,
        dir.display(),
        took.as_secs_f64(),
        match damaged.len() {
            0 => "no damage".to_string(),
            1 => "1 damaged segment".to_string(),
            n => format!("{n} damaged segments"),
        }
    )?;
    for segment in &damaged {
        writeln!(
            out,
            "segment {} ({} paragraphs of {}):",
            segment.id,
            segment.paragraphs,
            match &segment.sources {
                Some(sources) if sources.len() == 1 => "1 file".to_string(),
                Some(sources) => format!("{} files", sources.len()),
                None => "files that cannot be listed".to_string(),
            }
        )?;
        for (file, wrong) in &segment.damaged {
            writeln!(out, "  {}: {wrong}", file.display())?;
        }
    }
    if !damaged.is_empty() {
        writeln!(
            out,
            "`gazette check --repair --index {0}` drops the damaged segments, then `gazette index CORPUS --index {0}` adds their files again; or `gazette index CORPUS --rebuild --index {0}` rebuilds it all",
            dir.display()
        )?;
    }
    Ok(())
}

/// What `--repair` dropped, and the files to index again.
pub fn repaired<W: Write>(out: &mut W, report: &Report, dropped: &[String]) -> io::Result<()> {
    let mut unknown = false;
    writeln!(
        out,
        "dropped {} damaged segment(s); index these files again with `gazette index`:",
        dropped.len()
    )?;
    for segment in report.damaged() {
        match &segment.sources {
            Some(sources) => {
                for source in sources {
                    writeln!(out, "  {source}")?;
                }
            }
            None => unknown = true,
        }
    }
    if unknown {
        writeln!(
            out,
            "  (and the files of a segment whose list of files is damaged: `gazette index` of the whole corpus adds every file missing from the index)"
        )?;
    }
    Ok(())
}
