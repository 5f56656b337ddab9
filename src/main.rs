//! The `gazette` binary: parse arguments, call the library, map the outcome to an exit code
//! (0 found, 1 nothing found, 2 error).

mod cli;

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use clap::Parser;

use cli::{
    BenchArgs, Cli, Command, GenerateArgs, IndexArgs, InspectArgs, SearchArgs, ShowArgs, SortArg,
    StatsArgs,
};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Index(args) => index(args),
        Command::Search(args) => search(&args),
        Command::Stats(args) => stats(&args),
        Command::Show(args) => show(&args),
        Command::Inspect(args) => inspect(&args),
        Command::Bench(args) => bench(&args),
        Command::Generate(args) => generate(&args),
    };
    match outcome {
        Ok(code) => code,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("gazette: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

fn index(args: IndexArgs) -> anyhow::Result<ExitCode> {
    return_freed_memory();
    let config = args.config();
    let summary = gazette::index::run(&config)?;
    for err in &summary.errors {
        eprintln!("gazette: skipped {err}");
    }
    if let Some(reason) = &summary.compaction_failed {
        eprintln!(
            "gazette: the index is complete, but merging its {} segments failed ({reason}); \
             searches are a little slower until a later run merges them",
            summary.segments
        );
    }
    if args.json {
        println!("{}", serde_json::to_string(&summary)?);
    } else {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        println!(
            "{} added, {} updated, {} unchanged, {} removed, {} failed: indexed {}, {} ({} cut \
             lines joined) in {:.2} s into {}",
            summary.added,
            summary.updated,
            summary.unchanged,
            summary.removed,
            summary.failed,
            plural(summary.documents, "document"),
            plural(summary.paragraphs, "paragraph"),
            summary.cuts_joined,
            summary.seconds,
            config.index_dir.display()
        );
        if let Some(before) = summary.compacted_from {
            println!(
                "merged the index's {before} segments into {}, for faster searches",
                summary.segments
            );
        }
    }
    if summary.errors.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "gazette: {} could not be indexed",
            if summary.errors.len() == 1 {
                "1 path".to_string()
            } else {
                format!("{} paths", summary.errors.len())
            }
        );
        Ok(ExitCode::from(2))
    }
}

/// Makes glibc's allocator give large freed blocks back to the system. By default it raises its
/// threshold for serving an allocation from its own heap each time a large block is freed, after
/// which tantivy's 1 MB indexing pages and merge buffers stay in a heap that only grows. Sampling
/// /proc every 10 s while indexing a generated 1 GB corpus: 586 MB of anonymous memory after
/// 300 s by default, 190 MB with this; on ../shared/corpus the peak RSS fell from 509 to 377 MB.
fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tuning parameter of the allocator; it is called before any
    // indexing thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

fn generate(args: &GenerateArgs) -> anyhow::Result<ExitCode> {
    let config = gazette::generate::GenerateConfig {
        source: args.source.clone(),
        out: args.out.clone(),
        bytes: args.megabytes * 1_000_000,
        seed: args.seed,
    };
    let summary = gazette::generate::run(&config)?;
    println!(
        "wrote {} files, {} paragraphs, {:.1} MB into {}",
        summary.files,
        summary.paragraphs,
        summary.bytes as f64 / 1e6,
        config.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn bench(args: &BenchArgs) -> anyhow::Result<ExitCode> {
    let text = match &args.queries {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|err| anyhow::anyhow!("{}: {err}", path.display()))?,
        None => gazette::bench::DEFAULT_QUERIES.to_string(),
    };
    let config = gazette::bench::BenchConfig {
        index_dir: args.location.index.clone(),
        queries: gazette::bench::parse_queries(&text)?,
        repeat: args.repeat,
    };
    let report = gazette::bench::run(&config)?;
    let mut out = io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &report)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "index open: {:.2} ms", report.open_ms)?;
    writeln!(
        out,
        "{:<10} {:>7} {:>6} {:>9} {:>8} {:>8} {:>8} {:>8}",
        "class", "queries", "runs", "hits", "p50 ms", "p95 ms", "p99 ms", "max ms"
    )?;
    for l in report
        .classes
        .iter()
        .chain(std::iter::once(&report.overall))
    {
        writeln!(
            out,
            "{:<10} {:>7} {:>6} {:>9} {:>8.3} {:>8.3} {:>8.3} {:>8.3}",
            l.class, l.queries, l.runs, l.hits, l.p50_ms, l.p95_ms, l.p99_ms, l.max_ms
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn inspect(args: &InspectArgs) -> anyhow::Result<ExitCode> {
    let mut manifests = gazette::manifest::Manifests::default();
    let mut errors = Vec::new();
    let loaded = gazette::index::load(&args.file, &mut manifests, &mut errors)?;
    for err in &errors {
        eprintln!("gazette: {err}");
    }
    let mut out = BufWriter::new(io::stdout().lock());
    let path = gazette::index::display_path(&args.file);
    gazette::print::inspect(&mut out, &path, &loaded, args.paragraphs)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Buffered standard output, and whether it takes colour.
fn terminal() -> (BufWriter<io::StdoutLock<'static>>, bool) {
    let stdout = io::stdout();
    let color = anstream::AutoStream::choice(&stdout) != anstream::ColorChoice::Never;
    (BufWriter::new(stdout.lock()), color)
}

fn search(args: &SearchArgs) -> anyhow::Result<ExitCode> {
    let query = args.query.query.join(" ");
    if matches!(args.sort, SortArg::Left | SortArg::Right) && !args.kwic {
        anyhow::bail!("--sort left and --sort right order concordance lines: add --kwic");
    }
    if args.count {
        let counts = gazette::search::count(&args.config())?;
        let mut out = io::stdout().lock();
        if args.json {
            serde_json::to_writer(&mut out, &counts)?;
            writeln!(out)?;
        } else {
            writeln!(
                out,
                "{} paragraphs, {} occurrences",
                counts.paragraphs, counts.occurrences
            )?;
        }
        return Ok(ExitCode::from(if counts.paragraphs > 0 { 0 } else { 1 }));
    }
    let config = args.config();
    gazette::search::check(&config)?;
    let engine = gazette::search::Engine::open(&config.index_dir)?;
    let mut result = engine.search(&config)?;
    if args.cite {
        for hit in &mut result.hits {
            hit.reference = Some(gazette::export::reference(hit));
        }
    }
    let (mut out, color) = terminal();
    if args.json {
        gazette::print::json(&mut out, &result.hits)?;
    } else if args.csv {
        gazette::export::csv(&mut out, &result.hits)?;
    } else if args.kwic {
        let order = match args.sort {
            SortArg::Left => gazette::print::KwicOrder::Left,
            SortArg::Right => gazette::print::KwicOrder::Right,
            _ => gazette::print::KwicOrder::Hits,
        };
        gazette::print::kwic(&mut out, &result.hits, args.width, order, color)?;
        if result.hits.len() < result.total {
            eprintln!(
                "{} paragraphs match; lines for the best {} (--all for every one)",
                result.total,
                result.hits.len()
            );
        }
    } else if result.total > 0 {
        gazette::print::human(&mut out, &result, color)?;
    }
    out.flush()?;
    let found = result.total > 0;
    // The process ends next, and its exit frees the hits and unmaps the index at once: freeing
    // 58,000 hits one by one took a fifth of `search 政府 --all --json` (1.11 s, 0.85 s without).
    std::mem::forget((engine, result));
    if !found {
        if !args.json && !args.csv {
            eprintln!("no paragraph matches {query}");
        }
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn stats(args: &StatsArgs) -> anyhow::Result<ExitCode> {
    let buckets = gazette::stats::run(&args.query.config(), args.by.by())?;
    let (mut out, color) = terminal();
    if args.json {
        gazette::print::json(&mut out, &buckets)?;
    } else if args.csv {
        gazette::export::stats_csv(&mut out, &buckets)?;
    } else {
        gazette::print::stats(&mut out, &buckets, color)?;
    }
    out.flush()?;
    let found = buckets.iter().any(|b| b.paragraphs > 0);
    Ok(ExitCode::from(if found { 0 } else { 1 }))
}

fn show(args: &ShowArgs) -> anyhow::Result<ExitCode> {
    let config = gazette::show::ShowConfig {
        index_dir: args.location.index.clone(),
        path: args.path.clone(),
        paragraph: args.paragraph,
        context: args.context,
        document: args.document.clone(),
    };
    let shown = gazette::show::run(&config)?;
    let (mut out, color) = terminal();
    if args.json {
        gazette::print::json(&mut out, &shown.paragraphs)?;
    } else {
        gazette::print::show(&mut out, &shown, color)?;
    }
    out.flush()?;
    Ok(ExitCode::from(if shown.paragraphs.is_empty() {
        1
    } else {
        0
    }))
}
