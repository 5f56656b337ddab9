//! BENCH: query latency in-process, as `gazette bench` reports it. The index is opened once
//! (timed apart), every query is run once to warm the caches, then each query `repeat` times.
//! Latencies are of `Engine::search` with the default top 10, hits verified, nothing printed,
//! each search finding its filters' values anew (an engine keeps them).

use std::path::PathBuf;
use std::time::Instant;

use serde::Serialize;

use crate::Error;
use crate::search::{Engine, SearchConfig};

/// The query set that ships with gazette (`benches/queries.tsv`).
pub const DEFAULT_QUERIES: &str = include_str!("../../benches/queries.tsv");

#[derive(Debug, Clone)]
pub struct BenchConfig {
    pub index_dir: PathBuf,
    /// (class, query) pairs.
    pub queries: Vec<(String, String)>,
    pub repeat: usize,
}

/// Latency figures of one class of queries, or of all, in milliseconds.
#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    pub class: String,
    pub queries: usize,
    pub runs: usize,
    /// Matching paragraphs, summed over the class's queries.
    pub hits: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    pub open_ms: f64,
    pub classes: Vec<Latency>,
    pub overall: Latency,
}

/// Reads a query file: `class<TAB>query` lines; `#` starts a comment line.
pub fn parse_queries(text: &str) -> Result<Vec<(String, String)>, Error> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((class, query)) = line.split_once('\t') else {
            return Err(Error::Query(format!(
                "line {} of the query file is not `class<TAB>query`",
                n + 1
            )));
        };
        out.push((class.to_string(), query.to_string()));
    }
    Ok(out)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn latency(class: &str, queries: usize, hits: usize, mut times: Vec<f64>) -> Latency {
    times.sort_by(|a, b| a.total_cmp(b));
    Latency {
        class: class.to_string(),
        queries,
        runs: times.len(),
        hits,
        p50_ms: percentile(&times, 50.0),
        p95_ms: percentile(&times, 95.0),
        p99_ms: percentile(&times, 99.0),
        max_ms: times.last().copied().unwrap_or(0.0),
    }
}

pub fn run(config: &BenchConfig) -> Result<BenchReport, Error> {
    let started = Instant::now();
    let engine = Engine::open(&config.index_dir)?;
    let open_ms = started.elapsed().as_secs_f64() * 1000.0;
    let search_config = |query: &str| SearchConfig {
        query: query.to_string(),
        limit: Some(10),
        ..SearchConfig::default()
    };
    let mut hits = Vec::new();
    for (_, query) in &config.queries {
        hits.push(engine.search(&search_config(query))?.total);
    }
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); config.queries.len()];
    for _ in 0..config.repeat.max(1) {
        for (i, (_, query)) in config.queries.iter().enumerate() {
            // Each search finds its filters' values, as one from the terminal does.
            engine.forget_filters();
            let start = Instant::now();
            engine.search(&search_config(query))?;
            times[i].push(start.elapsed().as_secs_f64() * 1000.0);
        }
    }
    let mut classes: Vec<String> = Vec::new();
    for (class, _) in &config.queries {
        if !classes.contains(class) {
            classes.push(class.clone());
        }
    }
    let by_class = classes
        .iter()
        .map(|class| {
            let members: Vec<usize> = (0..config.queries.len())
                .filter(|&i| &config.queries[i].0 == class)
                .collect();
            let all: Vec<f64> = members.iter().flat_map(|&i| times[i].clone()).collect();
            let found = members.iter().map(|&i| hits[i]).sum();
            latency(class, members.len(), found, all)
        })
        .collect();
    let overall = latency(
        "all",
        config.queries.len(),
        hits.iter().sum(),
        times.into_iter().flatten().collect(),
    );
    Ok(BenchReport {
        open_ms,
        classes: by_class,
        overall,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_shipped_query_file() {
        let queries = parse_queries(DEFAULT_QUERIES).unwrap();
        assert!(queries.len() >= 10);
        assert!(queries.iter().any(|(c, q)| c == "rare" && q == "多氟多"));
    }

    #[test]
    fn refuses_a_line_without_a_class() {
        assert!(parse_queries("rare 多氟多\n").is_err());
    }

    #[test]
    fn takes_percentiles_by_nearest_rank() {
        let times: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&times, 50.0), 50.0);
        assert_eq!(percentile(&times, 99.0), 99.0);
        assert_eq!(percentile(&[3.0], 99.0), 3.0);
    }
}
