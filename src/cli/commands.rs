//! Each command from resolved arguments to output and an exit code: 0 found, 1 nothing found,
//! 2 error (returned as `Err`). The index is opened here, once per command, by
//! [`Engine::open`](gazette::search::Engine::open).

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use clap::CommandFactory;

use gazette::output::{cite, csv, human, inspect, json, kwic, printable, show, tables};
use gazette::search::{self, Engine};

use super::args::{
    BenchArgs, CheckArgs, Cli, Command, CompletionsArgs, GenerateArgs, IndexArgs, InspectArgs,
    SearchArgs, ServeArgs, ShowArgs, StatsArgs,
};
use super::resolve::{Format, stdout_color};

/// Runs the command the arguments name.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Index(args) => index(args),
        Command::Search(args) => search_command(&args),
        Command::Stats(args) => stats(&args),
        Command::Show(args) => show_command(&args),
        Command::Inspect(args) => inspect_command(&args),
        Command::Check(args) => check_command(&args),
        Command::Bench(args) => bench(&args),
        Command::Serve(args) => serve(&args),
        Command::Generate(args) => generate(&args),
        Command::Completions(args) => completions(&args),
        Command::Man => man(),
    }
}

/// The exit code of a command that found something or not.
fn found(found: bool) -> ExitCode {
    ExitCode::from(if found { 0 } else { 1 })
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

fn index(args: IndexArgs) -> anyhow::Result<ExitCode> {
    return_freed_memory();
    let config = args.config();
    let summary = gazette::indexer::run(&config)?;
    for err in &summary.errors {
        eprintln!("gazette: skipped {}", printable(&err.to_string()));
    }
    for err in &summary.partial {
        eprintln!("gazette: {}", printable(&err.to_string()));
    }
    for problem in &summary.manifest_problems {
        eprintln!("gazette: {}", printable(&problem.to_string()));
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
        if summary.pdf_files > 0 {
            println!(
                "read {} from {}",
                plural(summary.pdf_pages, "page"),
                plural(summary.pdf_files, "PDF file")
            );
        }
        if let Some(before) = summary.compacted_from {
            println!(
                "merged the index's {before} segments into {}, for faster searches",
                summary.segments
            );
        }
    }
    if summary.errors.is_empty()
        && summary.partial.is_empty()
        && summary.manifest_problems.is_empty()
    {
        return Ok(ExitCode::SUCCESS);
    }
    if !summary.errors.is_empty() {
        eprintln!("gazette: {} skipped", plural(summary.errors.len(), "path"));
    }
    if !summary.partial.is_empty() {
        eprintln!(
            "gazette: {} indexed in part",
            plural(summary.partial.len(), "file")
        );
    }
    if !summary.manifest_problems.is_empty() {
        eprintln!(
            "gazette: {} in manifests (the files are indexed)",
            plural(summary.manifest_problems.len(), "problem")
        );
    }
    Ok(ExitCode::from(2))
}

/// Makes glibc's allocator give large freed blocks back to the system. By default it raises its
/// threshold for serving an allocation from its own heap each time a large block is freed, after
/// which tantivy's merge buffers (and its indexing pages, before they were placed in huge pages:
/// `gazette::indexer::huge_pages`) stay in a heap that only grows (see docs/PERFORMANCE.md for
/// what it saved).
fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tuning parameter of the allocator; it is called before any
    // indexing thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

fn generate(args: &GenerateArgs) -> anyhow::Result<ExitCode> {
    let config = gazette::tools::generate::GenerateConfig {
        source: args.source.clone(),
        out: args.out.clone(),
        bytes: args.megabytes.saturating_mul(1_000_000),
        seed: args.seed,
    };
    let summary = gazette::tools::generate::run(&config)?;
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
    use gazette::tools::bench;
    let text = match &args.queries {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|err| anyhow::anyhow!("{}: {err}", path.display()))?,
        None => bench::DEFAULT_QUERIES.to_string(),
    };
    let config = bench::BenchConfig {
        index_dir: args.location.index.clone(),
        queries: bench::parse_queries(&text)?,
        repeat: args.repeat,
    };
    let report = bench::run(&config)?;
    let mut out = io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &report)?;
        writeln!(out)?;
    } else {
        tables::bench(&mut out, &report)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn inspect_command(args: &InspectArgs) -> anyhow::Result<ExitCode> {
    let mut manifests = gazette::ingest::manifest::Manifests::default();
    let mut errors = Vec::new();
    let loaded = gazette::ingest::load(&args.file, &mut manifests, &mut errors)?;
    for err in &errors {
        eprintln!("gazette: {}", printable(&err.to_string()));
    }
    let path = gazette::ingest::display_path(&args.file);
    // Uncoloured text, from a file and its manifest: written out line by line, each with its
    // control characters made visible.
    let mut text = Vec::new();
    inspect::inspect(&mut text, &path, &loaded, args.paragraphs)?;
    let mut out = BufWriter::new(io::stdout().lock());
    for line in String::from_utf8_lossy(&text).lines() {
        writeln!(out, "{}", printable(line))?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Buffered standard output.
fn stdout() -> BufWriter<io::StdoutLock<'static>> {
    BufWriter::new(io::stdout().lock())
}

fn search_command(args: &SearchArgs) -> anyhow::Result<ExitCode> {
    let mut resolved = args.resolve()?;
    // A mistyped query is reported as such whether or not the index is there.
    search::check(&resolved.config)?;
    resolved.config.filters.extend(args.query.new_filter()?);
    let config = &resolved.config;
    let engine = Engine::open(&resolved.index)?;
    if let Format::Count { json } = resolved.format {
        let counts = engine.count(config)?;
        let mut out = io::stdout().lock();
        if json {
            serde_json::to_writer(&mut out, &counts)?;
            writeln!(out)?;
        } else {
            write!(
                out,
                "{} paragraphs, {} occurrences",
                counts.paragraphs, counts.occurrences
            )?;
            // Names are counted apart: they are not paragraphs, and the share of paragraphs
            // that `stats` gives does not count them.
            if counts.documents > 0 {
                write!(
                    out,
                    "; {} by title or 文号",
                    plural(counts.documents, "document")
                )?;
            }
            if counts.issues > 0 {
                write!(out, "; {} by name", plural(counts.issues, "issue"))?;
            }
            writeln!(out)?;
        }
        let any = counts.paragraphs + counts.documents + counts.issues > 0;
        if !any {
            note_unknown_attributes(&engine, &config.query);
        }
        return Ok(found(any));
    }
    let cite = resolved.cite;
    let referenced = |mut hits: Vec<search::Hit>| {
        if cite {
            for hit in &mut hits {
                hit.reference = Some(cite::reference(hit));
            }
        }
        hits
    };
    let color = stdout_color();
    let mut out = stdout();
    // With `--all` in the order of the index, hits come a batch at a time as they are read, each
    // rendered on the thread that read it and written in turn: memory is that of a few batches.
    // Otherwise they come in one batch, ranked or sorted.
    let in_index_order = resolved.in_index_order;
    let result = match resolved.format {
        Format::Json => batches(
            &engine,
            config,
            in_index_order,
            &|hits| {
                let mut bytes = Vec::new();
                json::hits(&mut bytes, &referenced(hits))?;
                Ok(bytes)
            },
            &mut |bytes| Ok(out.write_all(&bytes)?),
        )?,
        Format::Csv if !in_index_order => {
            // One column per attribute of the hits.
            let mut result = engine.search(config)?;
            csv::csv(&mut out, &referenced(std::mem::take(&mut result.hits)))?;
            result
        }
        Format::Csv => {
            // The columns are fixed before the first hit is read: one per attribute in the index.
            let layout = csv::Layout::new(search::attribute_names(&engine)?, cite);
            layout.header(&mut out)?;
            batches(
                &engine,
                config,
                in_index_order,
                &|hits| Ok(layout.rows(&referenced(hits))?),
                &mut |bytes| Ok(out.write_all(&bytes)?),
            )?
        }
        Format::Kwic(order) => {
            // Its columns are aligned over every line: it needs every hit before the first.
            let mut hits = Vec::new();
            let result = batches(
                &engine,
                config,
                in_index_order,
                &|batch| Ok(referenced(batch)),
                &mut |batch| {
                    hits.extend(batch);
                    Ok(())
                },
            )?;
            kwic::kwic(&mut out, &hits, resolved.width, order, color)?;
            if hits.len() < result.total {
                eprintln!(
                    "{}; lines for the best {} (--all for every one)",
                    human::totals(&result),
                    hits.len()
                );
            }
            // The process ends next, and its exit frees the hits at once: freeing tens of
            // thousands of hits one by one is a large share of `--all` (docs/PERFORMANCE.md).
            std::mem::forget(hits);
            result
        }
        Format::Human => {
            let mut shown = 0;
            let result = batches(
                &engine,
                config,
                in_index_order,
                &|hits| {
                    let (count, mut bytes) = (hits.len(), Vec::new());
                    human::hits(&mut bytes, &referenced(hits), color)?;
                    Ok((count, bytes))
                },
                &mut |(hits, bytes)| {
                    shown += hits;
                    Ok(out.write_all(&bytes)?)
                },
            )?;
            if result.total > 0 {
                human::footer(&mut out, &result, shown)?;
            }
            result
        }
        Format::Count { .. } => unreachable!("counted above"),
    };
    out.flush()?;
    let any = result.total > 0;
    if !any {
        if matches!(resolved.format, Format::Human | Format::Kwic(_)) {
            let what = if config.text_only {
                "no paragraph matches"
            } else {
                "no paragraph, title or name matches"
            };
            eprintln!("{what} {}", printable(&config.query));
        }
        note_unknown_attributes(&engine, &config.query);
    }
    // The process ends next, and its exit unmaps the index at once.
    std::mem::forget(engine);
    Ok(found(any))
}

/// When a query that found nothing filters on an attribute that no indexed file has, says so
/// and lists what it could filter on: a misspelt field (`titel:`, `regoin:`) is read as an
/// attribute of the manifest, and would find nothing without a word.
fn note_unknown_attributes(engine: &Engine, query: &str) {
    let Ok(expr) = search::query::parse(query) else {
        return;
    };
    let asked = expr.attribute_names();
    if asked.is_empty() {
        return;
    }
    let Ok(known) = search::attribute_names(engine) else {
        return;
    };
    for name in asked
        .iter()
        .filter(|name| !known.iter().any(|k| k == *name))
    {
        let fields = search::query::FIELDS.join(", ");
        let attributes = match known.is_empty() {
            true => "no file has manifest attributes".to_string(),
            false => format!("the manifest's attributes are {}", known.join(", ")),
        };
        eprintln!(
            "note: no indexed file has an attribute `{}`; the fields are {fields}, and {attributes}",
            printable(name)
        );
    }
}

/// Every hit of a search, each batch made by `render` what is written and handed to `each`: with
/// `--all` in the order of the index, a batch at a time as they are read (`Engine::stream`);
/// otherwise ranked or sorted, in one batch.
fn batches<R: Send>(
    engine: &Engine,
    config: &search::SearchConfig,
    in_index_order: bool,
    render: &(dyn Fn(Vec<search::Hit>) -> Result<R, gazette::Error> + Sync),
    each: &mut dyn FnMut(R) -> Result<(), gazette::Error>,
) -> Result<search::SearchResult, gazette::Error> {
    if in_index_order {
        return engine.stream(config, render, each);
    }
    let mut result = engine.search(config)?;
    each(render(std::mem::take(&mut result.hits))?)?;
    Ok(result)
}

fn serve(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let config = gazette::serve::ServeConfig {
        index: args.location.index.clone(),
        addr: args.addr,
    };
    // Opened once before listening, so that a missing or old index is said at once.
    Engine::open(&config.index)?;
    gazette::serve::run(&config, |addr| {
        if !addr.ip().is_loopback() {
            eprintln!(
                "gazette: warning: listening on {addr}, which other machines may reach: anyone \
                 who can reach it can search the index"
            );
        }
        eprintln!(
            "gazette: serving {} at http://{addr}/ (Ctrl-C stops)",
            config.index.display()
        );
    })?;
    Ok(ExitCode::SUCCESS)
}

fn stats(args: &StatsArgs) -> anyhow::Result<ExitCode> {
    let mut config = args.query.config();
    let engine = Engine::open(&args.query.location.index)?;
    config.filters.extend(args.query.new_filter()?);
    let buckets = gazette::report::stats::stats(&engine, &config, args.by.by())?;
    let mut out = stdout();
    if args.json {
        json::json(&mut out, &buckets)?;
    } else if args.csv {
        csv::stats_csv(&mut out, &buckets)?;
    } else {
        tables::stats(&mut out, &buckets, stdout_color())?;
    }
    out.flush()?;
    let any = buckets.iter().any(|b| b.paragraphs > 0);
    if !any {
        note_unknown_attributes(&engine, &config.query);
    }
    Ok(found(any))
}

fn show_command(args: &ShowArgs) -> anyhow::Result<ExitCode> {
    let engine = Engine::open(&args.location.index)?;
    let shown = gazette::report::show::show(&engine, &args.config())?;
    let mut out = stdout();
    if args.json {
        json::json(&mut out, &shown.paragraphs)?;
    } else {
        show::show(&mut out, &shown, stdout_color())?;
    }
    out.flush()?;
    Ok(found(!shown.paragraphs.is_empty()))
}

fn check_command(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let dir = &args.location.index;
    let started = std::time::Instant::now();
    let report = gazette::store::check::check(dir)?;
    let mut out = io::stdout().lock();
    gazette::output::check::report(&mut out, dir, &report, started.elapsed())?;
    if report.damaged().next().is_none() {
        return Ok(ExitCode::SUCCESS);
    }
    if args.repair {
        let dropped = gazette::store::check::repair(dir, &report)?;
        gazette::output::check::repaired(&mut out, &report, &dropped)?;
        return Ok(ExitCode::SUCCESS);
    }
    Ok(ExitCode::from(2))
}

/// Writes a completion script for `shell` to standard output.
fn completions(args: &CompletionsArgs) -> anyhow::Result<ExitCode> {
    let mut command = Cli::command();
    clap_complete::generate(args.shell, &mut command, "gazette", &mut io::stdout());
    Ok(ExitCode::SUCCESS)
}

/// Writes the manual page (roff) to standard output: `gazette man > gazette.1`.
fn man() -> anyhow::Result<ExitCode> {
    let page = clap_mangen::Man::new(Cli::command());
    let mut out = stdout();
    page.render(&mut out)?;
    for sub in Cli::command()
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
    {
        let name = format!("gazette-{}", sub.get_name());
        let sub = sub.clone().display_name(name);
        writeln!(out)?;
        clap_mangen::Man::new(sub).render(&mut out)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
