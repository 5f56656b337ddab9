//! READ: paths -> the text files below them, each decoded to a `String`.
//!
//! Folders are walked in a stable (sorted) order, so two runs index files in the same order.
//! Documentation that sits beside a corpus (README, SOURCE) is not corpus text and is skipped.

use std::path::{Path, PathBuf};

use crate::Error;

/// File name endings read as text.
const TEXT_EXTENSIONS: &[&str] = &["txt", "text", "md"];

/// Names of files that describe a folder rather than belong to it.
fn is_folder_documentation(path: &Path) -> bool {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    matches!(stem.as_str(), "readme" | "source" | "license" | "licence")
}

fn is_text_file(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| TEXT_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        && !is_folder_documentation(path)
}

/// The text files at or below `roots`, in sorted order, and the errors met on the way (a root
/// that does not exist, a folder that cannot be read).
pub fn walk(roots: &[PathBuf]) -> (Vec<PathBuf>, Vec<Error>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for root in roots {
        if root.is_file() {
            files.push(root.clone());
            continue;
        }
        if !root.exists() {
            errors.push(Error::File {
                path: root.clone(),
                reason: "no such file or folder".into(),
            });
            continue;
        }
        let walker = walkdir::WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name();
        for entry in walker {
            match entry {
                Ok(entry) if entry.file_type().is_file() && is_text_file(entry.path()) => {
                    files.push(entry.into_path());
                }
                Ok(_) => {}
                Err(err) => errors.push(Error::File {
                    path: err.path().map_or_else(|| root.clone(), Path::to_path_buf),
                    reason: err.to_string(),
                }),
            }
        }
    }
    (files, errors)
}

/// Reads a file as text: UTF-8, with or without a byte-order mark.
pub fn read_text(path: &Path) -> Result<String, Error> {
    let bytes = std::fs::read(path).map_err(|err| Error::File {
        path: path.to_path_buf(),
        reason: err.to_string(),
    })?;
    decode(&bytes).map_err(|reason| Error::File {
        path: path.to_path_buf(),
        reason,
    })
}

fn decode(bytes: &[u8]) -> Result<String, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.contains(&0) {
        return Err("binary data (NUL bytes), not text".into());
    }
    String::from_utf8(bytes.to_vec()).map_err(|err| {
        format!(
            "not UTF-8 text (invalid byte at offset {})",
            err.utf8_error().valid_up_to()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_a_byte_order_mark() {
        assert_eq!(decode(b"\xEF\xBB\xBF\xE5\x85\xAC").unwrap(), "公");
    }

    #[test]
    fn refuses_binary_data() {
        assert!(decode(b"%PDF-1.7\0\x01").unwrap_err().contains("binary"));
    }

    #[test]
    fn skips_folder_documentation() {
        assert!(!is_text_file(Path::new("corpus/README.md")));
        assert!(!is_text_file(Path::new("x/SOURCE.md")));
        assert!(is_text_file(Path::new("x/2025年第1号.txt")));
        assert!(!is_text_file(Path::new("x/manifest.tsv")));
    }
}
