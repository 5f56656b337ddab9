//! READ: metadata the user keeps in a spreadsheet. A `manifest.tsv` or `manifest.csv` (header row)
//! in a folder describes files below it: column `file` (path relative to the manifest), and
//! `title`, `date`, `gazette`, `issue`, `region`; any other column is kept as an attribute.
//! What a manifest says wins over what the parser guessed.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::Error;

const NAMES: &[(&str, u8)] = &[("manifest.tsv", b'\t'), ("manifest.csv", b',')];

/// One manifest row: the metadata of one file. Empty cells are `None` or absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    pub title: Option<String>,
    pub date: Option<String>,
    pub gazette: Option<String>,
    pub issue: Option<String>,
    pub region: Option<String>,
    /// The document number (文号), e.g. 国发〔1993〕85号.
    pub doc_number: Option<String>,
    pub attributes: BTreeMap<String, String>,
}

impl Metadata {
    /// The row as bytes that tell any two rows apart, for the hash by which a later run knows
    /// an unchanged file (`crate::indexer::sources`): each value with its length, a missing one
    /// apart from an empty one. Not the row's `Debug` text, which escapes every character one
    /// by one (the Executive Yuan's rows hold hundreds) and whose form the standard library
    /// does not promise to keep.
    pub fn identity(&self) -> Vec<u8> {
        fn put(bytes: &mut Vec<u8>, value: Option<&str>) {
            match value {
                None => bytes.push(0),
                Some(value) => {
                    bytes.push(1);
                    bytes.extend_from_slice(&(value.len() as u64).to_le_bytes());
                    bytes.extend_from_slice(value.as_bytes());
                }
            }
        }
        let mut bytes = Vec::new();
        for value in [
            &self.title,
            &self.date,
            &self.gazette,
            &self.issue,
            &self.region,
            &self.doc_number,
        ] {
            put(&mut bytes, value.as_deref());
        }
        bytes.extend_from_slice(&(self.attributes.len() as u64).to_le_bytes());
        for (name, value) in &self.attributes {
            put(&mut bytes, Some(name));
            put(&mut bytes, Some(value));
        }
        bytes
    }
}

#[derive(Debug, Default)]
struct Manifest {
    rows: HashMap<String, Metadata>,
}

/// The manifests of the folders above the file being read. Files come folder by folder (the walk
/// is sorted), so a manifest is read once and dropped when the walk leaves its folder: holding
/// every manifest to the end of a run made memory grow with the corpus.
#[derive(Debug, Default)]
pub struct Manifests {
    by_folder: HashMap<PathBuf, Option<Arc<Manifest>>>,
    /// Manifests found wrong, so that each is reported once even if it is read again.
    reported: HashSet<PathBuf>,
}

impl Manifests {
    /// The metadata of `file` from the nearest manifest, in its folder or above, that lists it.
    /// A manifest that cannot be read, or a row that is wrong, is reported in `errors` once.
    pub fn lookup(&mut self, file: &Path, errors: &mut Vec<Error>) -> Option<Metadata> {
        self.by_folder.retain(|dir, _| file.starts_with(dir));
        let mut folder = file.parent();
        while let Some(dir) = folder {
            if let Some(manifest) = self.manifest_in(dir, errors)
                && let Ok(relative) = file.strip_prefix(dir)
                && let Some(row) = manifest.rows.get(&key(relative))
            {
                return Some(row.clone());
            }
            folder = dir.parent().filter(|p| !p.as_os_str().is_empty());
        }
        None
    }

    fn manifest_in(&mut self, dir: &Path, errors: &mut Vec<Error>) -> Option<Arc<Manifest>> {
        if let Some(cached) = self.by_folder.get(dir) {
            return cached.clone();
        }
        let mut found = None;
        let mut read_one: Option<PathBuf> = None;
        for (name, delimiter) in NAMES {
            let path = dir.join(name);
            if !path.is_file() {
                continue;
            }
            let mut problems = Vec::new();
            match &read_one {
                // Two manifests in one folder: the first is read, and the user told which.
                Some(first) => problems.push(Error::file(
                    &path,
                    format!(
                        "ignored: {} in the same folder is read instead; keep one",
                        first.file_name().unwrap_or_default().to_string_lossy()
                    ),
                )),
                None => match read(&path, *delimiter, &mut problems) {
                    Ok(manifest) => found = Some(Arc::new(manifest)),
                    Err(err) => problems.push(err),
                },
            }
            if !problems.is_empty() && self.reported.insert(path.clone()) {
                errors.append(&mut problems);
            }
            read_one.get_or_insert(path);
        }
        self.by_folder.insert(dir.to_path_buf(), found.clone());
        found
    }
}

/// A relative path as manifests write it: forward slashes, no leading `./`.
fn key(relative: &Path) -> String {
    let text = relative.to_string_lossy().replace('\\', "/");
    text.trim_start_matches("./").to_string()
}

/// Reads one manifest. Whole-file problems (unreadable, no `file` column) are the `Err`; a bad
/// row goes to `errors` and the rest is read. One pass over the rows, each column's rule beside
/// the others, which is why it runs past a screen.
fn read(path: &Path, delimiter: u8, errors: &mut Vec<Error>) -> Result<Manifest, Error> {
    let fail = |reason: String| Error::file(path, reason);
    let bytes = std::fs::read(path).map_err(|err| Error::unreadable(path, err))?;
    let text = crate::ingest::walk::decode(&bytes).map_err(fail)?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        // Tab-separated files from spreadsheets do not quote; a 「"」 in a title is text.
        .quoting(delimiter != b'\t')
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|err| fail(format!("unreadable header row: {err}")))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let Some(file_column) = headers.iter().position(|h| h == "file") else {
        return Err(fail("the header row has no column `file`".into()));
    };
    let folder = path.parent().unwrap_or(Path::new(""));
    let mut manifest = Manifest::default();
    let mut first_line: HashMap<String, usize> = HashMap::new();
    for (n, record) in reader.records().enumerate() {
        let line = n + 2;
        let record = record.map_err(|err| fail(format!("line {line}: {err}")))?;
        // More cells than the header names: every cell after the extra one would land in the
        // wrong column (a tab inside a quoted TSV cell, which TSV cannot quote).
        if record.len() > headers.len() {
            let tab = if delimiter == b'\t' && record.iter().any(|cell| cell.starts_with('"')) {
                "; a tab inside a quoted cell? TSV cells cannot hold tabs"
            } else {
                ""
            };
            errors.push(fail(format!(
                "line {line} has {} cells where the header has {}{tab}; the row is left out",
                record.len(),
                headers.len()
            )));
            continue;
        }
        let file = record.get(file_column).unwrap_or_default().trim();
        if file.is_empty() {
            continue;
        }
        if let Some(first) = first_line.insert(key(Path::new(file)), line) {
            errors.push(fail(format!(
                "line {line} lists {file} again (first at line {first}); line {line} is used"
            )));
        }
        if !folder.join(file).is_file() {
            errors.push(fail(format!(
                "line {line} names {file}, which does not exist"
            )));
            continue;
        }
        let mut row = Metadata::default();
        for (column, value) in headers.iter().zip(record.iter()) {
            let value = value.trim();
            if value.is_empty() || column == "file" {
                continue;
            }
            let value = value.to_string();
            match column.as_str() {
                "title" => row.title = Some(value),
                "gazette" => row.gazette = Some(value),
                "issue" => row.issue = Some(value),
                "region" => row.region = Some(value),
                "doc_number" | "docno" | "文号" => row.doc_number = Some(value),
                "date" => match crate::text::dates::normalise(&value) {
                    Some(date) => row.date = Some(date),
                    None => errors.push(fail(format!(
                        "line {line}: date {value:?} is not YYYY-MM-DD, YYYY-MM or YYYY"
                    ))),
                },
                _ => {
                    row.attributes.insert(column.clone(), value);
                }
            }
        }
        manifest.rows.insert(key(Path::new(file)), row);
    }
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows that differ in any way have identities that differ: a value moved to another field,
    /// an empty value against a missing one, a value cut differently between two attributes.
    #[test]
    fn rows_that_differ_have_identities_that_differ() {
        let attributes = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>()
        };
        let some = |v: &str| Some(v.to_string());
        let row = |set: &dyn Fn(&mut Metadata)| {
            let mut row = Metadata::default();
            set(&mut row);
            row
        };
        let titled = |pairs: &[(&str, &str)]| {
            row(&|r| {
                r.title = some("甲");
                r.attributes = attributes(pairs);
            })
        };
        let rows = [
            Metadata::default(),
            row(&|r| r.title = some("")),
            row(&|r| r.title = some("甲")),
            row(&|r| r.date = some("甲")),
            row(&|r| r.doc_number = some("甲")),
            titled(&[("a", "bc")]),
            titled(&[("ab", "c")]),
            titled(&[("a", "b"), ("c", "")]),
            titled(&[("a", ""), ("b", "c")]),
        ];
        for (i, a) in rows.iter().enumerate() {
            for (j, b) in rows.iter().enumerate() {
                assert_eq!(a.identity() == b.identity(), i == j, "{a:?} {b:?}");
            }
        }
        assert_eq!(rows[5].identity(), rows[5].clone().identity());
    }

    #[test]
    fn a_manifest_is_dropped_when_the_walk_leaves_its_folder_and_reread_if_needed() {
        let dir = tempfile::tempdir().unwrap();
        for (folder, title) in [("a", "甲"), ("b", "乙")] {
            std::fs::create_dir(dir.path().join(folder)).unwrap();
            std::fs::write(dir.path().join(folder).join("1.txt"), "文").unwrap();
            std::fs::write(
                dir.path().join(folder).join("manifest.tsv"),
                format!("file\ttitle\n1.txt\t{title}\ngone.txt\tx\n"),
            )
            .unwrap();
        }
        let mut manifests = Manifests::default();
        let mut errors = Vec::new();
        let mut title = |folder: &str| {
            let file = dir.path().join(folder).join("1.txt");
            let meta = manifests.lookup(&file, &mut errors).unwrap();
            // Only manifests of folders above this file are held.
            assert!(manifests.by_folder.keys().all(|d| file.starts_with(d)));
            let held = manifests
                .by_folder
                .keys()
                .filter(|d| d.ends_with(folder))
                .count();
            (meta.title.unwrap(), held)
        };
        assert_eq!(title("a"), ("甲".to_string(), 1));
        assert_eq!(title("b"), ("乙".to_string(), 1));
        assert_eq!(title("a"), ("甲".to_string(), 1));
        // Each manifest's missing file is reported once, though `a` was read twice.
        assert_eq!(errors.len(), 2, "{errors:?}");
    }

    #[test]
    fn reads_a_manifest_and_keeps_other_columns_as_attributes() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/a.txt"), "甲").unwrap();
        std::fs::write(
            dir.path().join("manifest.tsv"),
            "file\ttitle\tdate\tregion\tlevel\tnote\nsub/a.txt\t某条例\t2021-08-25\t河南\t地方性法规\t\nsub/gone.txt\tx\t\t\t\t\n",
        )
        .unwrap();
        let mut manifests = Manifests::default();
        let mut errors = Vec::new();
        let meta = manifests
            .lookup(&dir.path().join("sub/a.txt"), &mut errors)
            .unwrap();
        assert_eq!(meta.title.as_deref(), Some("某条例"));
        assert_eq!(meta.date.as_deref(), Some("2021-08-25"));
        assert_eq!(meta.region.as_deref(), Some("河南"));
        assert_eq!(
            meta.attributes,
            BTreeMap::from([("level".to_string(), "地方性法规".to_string())])
        );
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0]
                .to_string()
                .contains("gone.txt, which does not exist")
        );
    }

    #[test]
    fn reports_a_manifest_without_a_file_column() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "甲").unwrap();
        std::fs::write(dir.path().join("manifest.csv"), "name,title\na.txt,x\n").unwrap();
        let mut errors = Vec::new();
        assert_eq!(
            Manifests::default().lookup(&dir.path().join("a.txt"), &mut errors),
            None
        );
        assert!(errors[0].to_string().contains("no column `file`"));
    }
}
