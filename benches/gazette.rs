//! Criterion benchmarks of the parts of gazette on the default corpus (the seed gazette): parsing,
//! folding and tokenizing, building an index, and each class of queries of
//! `benches/queries.tsv` against an index built once outside the timed loops.
//!
//! `cargo bench` runs them. For whole-process figures against ripgrep see `benches/compare.sh`;
//! for latency percentiles on any index, `gazette bench`.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tantivy::tokenizer::{TextAnalyzer, TokenStream};

use gazette::indexer::IndexConfig;
use gazette::search::{Engine, SearchConfig};
use gazette::store::tokenizers::{self, Gram};

const SEED: &str = "corpus/焦作市人民政府公报_2025年第1号.txt";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn seed_text() -> String {
    std::fs::read_to_string(root().join(SEED)).expect("the seed gazette is in corpus/")
}

fn paragraphs() -> Vec<String> {
    gazette::ingest::parse::parse(&seed_text(), "seed").documents[0]
        .paragraphs
        .iter()
        .map(|p| p.text.clone())
        .collect()
}

fn count_tokens(analyzer: &mut TextAnalyzer, texts: &[String]) -> usize {
    let mut n = 0;
    for text in texts {
        let mut stream = analyzer.token_stream(text);
        while stream.advance() {
            n += 1;
        }
    }
    n
}

fn parsing(c: &mut Criterion) {
    let text = seed_text();
    let mut group = c.benchmark_group("parse");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("seed issue", |b| {
        b.iter(|| gazette::ingest::parse::parse(black_box(&text), "seed"))
    });
    group.finish();
}

fn tokenizing(c: &mut Criterion) {
    let texts = paragraphs();
    let folded: Vec<String> = texts
        .iter()
        .map(|t| gazette::text::fold::fold(t).as_string())
        .collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    let mut group = c.benchmark_group("tokenize");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("fold", |b| {
        b.iter(|| {
            texts
                .iter()
                .map(|t| gazette::text::fold::fold(black_box(t)).len())
                .sum::<usize>()
        })
    });
    let mut bigrams = tokenizers::grams_tokenizer(Gram::Bigram);
    group.bench_function("bigrams", |b| {
        b.iter(|| count_tokens(&mut bigrams, &folded))
    });
    let mut covering = tokenizers::grams_tokenizer(Gram::Covering);
    group.bench_function("covering grams", |b| {
        b.iter(|| count_tokens(&mut covering, &folded))
    });
    let mut words = tokenizers::words_tokenizer();
    count_tokens(&mut words, &folded); // loads the jieba dictionary outside the timing
    group.bench_function("jieba words", |b| {
        b.iter(|| count_tokens(&mut words, &folded))
    });
    group.finish();
}

fn indexing(c: &mut Criterion) {
    let bytes = seed_text().len();
    let mut group = c.benchmark_group("index");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("seed corpus", |b| {
        b.iter_batched(
            || tempfile::tempdir().unwrap(),
            |dir| {
                let config = IndexConfig {
                    index_dir: dir.path().join("index"),
                    inputs: vec![root().join("corpus")],
                    ..IndexConfig::default()
                };
                gazette::indexer::run(&config).unwrap();
                dir
            },
            criterion::BatchSize::PerIteration,
        )
    });
    group.finish();
}

fn querying(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let index_dir = dir.path().join("index");
    let config = IndexConfig {
        index_dir: index_dir.clone(),
        inputs: vec![root().join("corpus")],
        ..IndexConfig::default()
    };
    gazette::indexer::run(&config).unwrap();
    let engine = Engine::open(&index_dir).unwrap();
    let queries =
        gazette::tools::bench::parse_queries(gazette::tools::bench::DEFAULT_QUERIES).unwrap();
    let mut group = c.benchmark_group("query");
    for (class, query) in &queries {
        let search = SearchConfig {
            query: query.clone(),
            limit: Some(10),
            ..SearchConfig::default()
        };
        group.bench_function(format!("{class} {query}"), |b| {
            b.iter(|| engine.search(black_box(&search)).unwrap().total)
        });
    }
    let count = SearchConfig {
        query: "发展".into(),
        ..SearchConfig::default()
    };
    group.bench_function("count 发展", |b| {
        b.iter(|| engine.count(black_box(&count)).unwrap().occurrences)
    });
    group.bench_function("open the index", |b| {
        b.iter(|| Engine::open(black_box(&index_dir)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, parsing, tokenizing, indexing, querying);
criterion_main!(benches);
