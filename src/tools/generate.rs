//! GENERATE: gazette-like corpora of any size for growth curves (`gazette generate`, hidden).
//!
//! Paragraphs and headings of a real source corpus are recombined into issues of city gazettes:
//! each output folder is one city's 人民政府公报 with a `manifest.tsv` (title, date, gazette,
//! issue), each file one issue of one document under a printed masthead. Everything follows from
//! the seed, the source files (read in sorted order) and the size, so the same command gives the
//! same bytes on any machine. The generator is SplitMix64, written out here so that the output
//! cannot change with a dependency's version.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use crate::Error;
use crate::ingest::{parse, walk};

#[derive(Debug, Clone)]
pub struct GenerateConfig {
    /// A folder of gazettes whose paragraphs are recombined.
    pub source: PathBuf,
    /// Where the corpus is written; must be empty or new.
    pub out: PathBuf,
    /// Size of the text to write, in bytes (the last file may end a little beyond it).
    pub bytes: u64,
    pub seed: u64,
}

#[derive(Debug, Default)]
pub struct GenerateSummary {
    pub files: usize,
    pub paragraphs: usize,
    pub bytes: u64,
}

/// SplitMix64 (Steele, Lea and Flood 2014).
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `range`, which must not be empty.
    fn within(&mut self, range: std::ops::Range<usize>) -> usize {
        range.start + (self.next() % (range.end - range.start) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.within(0..items.len())]
    }
}

/// The paragraphs and headings of a source corpus.
struct Pool {
    paragraphs: Vec<String>,
    headings: Vec<String>,
    titles: Vec<String>,
}

fn pool(source: &Path) -> Result<Pool, Error> {
    let mut files: Vec<PathBuf> = walk::walk(&[source.to_path_buf()]).0.iter().collect();
    files.sort();
    let mut pool = Pool {
        paragraphs: Vec::new(),
        headings: Vec::new(),
        titles: Vec::new(),
    };
    for path in files {
        let Ok(text) = walk::read_text(&path) else {
            continue;
        };
        let stem = path.file_stem().unwrap_or_default().to_string_lossy();
        for document in parse::parse(&text, &stem).documents {
            pool.titles.push(document.title);
            for paragraph in document.paragraphs {
                if paragraph.heading {
                    pool.headings.push(paragraph.text);
                } else {
                    pool.paragraphs.push(paragraph.text);
                }
            }
        }
    }
    if pool.paragraphs.is_empty() || pool.headings.is_empty() {
        return Err(Error::Generate(format!(
            "{} holds no paragraphs and headings to recombine",
            source.display()
        )));
    }
    Ok(pool)
}

/// Writes a corpus of about `config.bytes` of text: one loop that draws a city, an issue and its
/// paragraphs from the seed, in an order that must not change (the same seed gives the same bytes).
pub fn run(config: &GenerateConfig) -> Result<GenerateSummary, Error> {
    if config.out.exists() && fs::read_dir(&config.out)?.next().is_some() {
        return Err(Error::Generate(format!(
            "{} is not empty; give an empty or new folder",
            config.out.display()
        )));
    }
    let pool = pool(&config.source)?;
    let cities: Vec<(&str, String)> = crate::ingest::region::cities().collect();
    let mut random = Random(config.seed);
    let mut summary = GenerateSummary::default();
    // Issue numbers per city, so that each city's gazette counts up.
    let mut issues = vec![0usize; cities.len()];
    let mut manifests: Vec<String> = vec![String::new(); cities.len()];
    while summary.bytes < config.bytes {
        let c = random.within(0..cities.len());
        let city = &cities[c].1;
        let gazette = format!("{city}人民政府公报");
        issues[c] += 1;
        let total = issues[c];
        let year = 2000 + random.within(0..27);
        let number = 1 + random.within(0..24);
        let (month, day) = (1 + random.within(0..12), 1 + random.within(0..28));
        let title = random.pick(&pool.titles).clone();
        let mut text = format!(
            "{gazette}\n\n{year}年第{number}号（总第{total}号）\n\n{city}人民政府\n\n\
             {year}年{month}月{day}日\n\n{title}\n\n"
        );
        for _ in 0..random.within(1..8) {
            writeln!(text, "{}\n", random.pick(&pool.headings)).ok();
            for _ in 0..random.within(2..30) {
                writeln!(text, "{}\n", random.pick(&pool.paragraphs)).ok();
                summary.paragraphs += 1;
            }
        }
        let folder = config.out.join(&gazette);
        fs::create_dir_all(&folder)?;
        let name = format!("{gazette}_{total:05}.txt");
        fs::write(folder.join(&name), &text)?;
        let manifest = &mut manifests[c];
        if manifest.is_empty() {
            manifest.push_str("file\ttitle\tdate\tgazette\tissue\n");
        }
        let clean = |s: &str| s.replace(['\t', '\n', '"'], " ");
        writeln!(
            manifest,
            "{name}\t{}\t{year}-{month:02}-{day:02}\t{gazette}\t{year}年第{number}号（总第{total}号）",
            clean(&title)
        )
        .ok();
        summary.files += 1;
        summary.bytes += text.len() as u64;
    }
    for ((_, city), manifest) in cities.iter().zip(&manifests) {
        if !manifest.is_empty() {
            let folder = config.out.join(format!("{city}人民政府公报"));
            fs::write(folder.join("manifest.tsv"), manifest)?;
        }
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_is_splitmix64() {
        // The first outputs for seed 0, as published with the algorithm.
        let mut random = Random(0);
        assert_eq!(random.next(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(random.next(), 0x6E78_9E6A_A1B9_65F4);
    }
}
