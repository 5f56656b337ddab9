//! The `gazette` binary: read the arguments, run the command, map the outcome to an exit code
//! (0 found, 1 nothing found, 2 error). A closed pipe (`| head`) is not an error.

mod cli;

use std::io;
use std::process::ExitCode;

use clap::Parser;
use gazette::output::printable;

#[global_allocator]
static ALLOCATOR: gazette::indexer::huge_pages::Allocator = gazette::indexer::huge_pages::Allocator;

fn main() -> ExitCode {
    let cli = cli::args::Cli::parse_from(cli::args::with_negations(std::env::args_os().collect()));
    quiet_panics();
    match std::panic::catch_unwind(|| cli::commands::run(cli)) {
        Ok(Ok(code)) => code,
        Ok(Err(err)) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Ok(Err(err)) => {
            eprintln!("gazette: {}", printable(&one_line(&err)));
            ExitCode::from(2)
        }
        Err(_) => {
            let panic = PANIC.get().map_or("", String::as_str);
            eprintln!(
                "gazette: stopped on an internal error ({panic}); the index may be damaged: {}",
                gazette::error::DAMAGED_HELP
            );
            ExitCode::from(2)
        }
    }
}

/// The first panic's message and place, for the one line that reports it.
static PANIC: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Panics are reported by `main` on one line, not by the default hook's lines. Most come from
/// reading an index file that is damaged where no checksum is verified on the way (a flipped
/// byte in a term dictionary, a fast field read past its end); GAZETTE_DEBUG keeps the default
/// report too, for a bug.
fn quiet_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        // 「tantivy-common-0.27.0/src/file_slice.rs:176」, not the path of the cargo registry.
        let place = info.location().map_or(String::new(), |l| {
            let file = l.file();
            let file = file
                .find("registry/src/")
                .and_then(|at| file[at..].splitn(4, '/').nth(3))
                .unwrap_or(file);
            format!(" at {file}:{}", l.line())
        });
        let _ = PANIC.set(format!("{}{place}", message.replace('\n', " ")));
        if std::env::var_os("GAZETTE_DEBUG").is_some() {
            default(info);
        }
    }));
}

/// An error and its causes on one line, `error: cause: cause`. A cause that the message before
/// it already says is not said again: gazette's errors put their source's text in their own
/// message (`corpus/a.txt: Permission denied (os error 13)`) and keep the source for callers.
fn one_line(err: &anyhow::Error) -> String {
    let mut line = err.to_string();
    for cause in err.chain().skip(1) {
        let cause = cause.to_string();
        if !line.contains(&cause) {
            line.push_str(": ");
            line.push_str(&cause);
        }
    }
    line
}

/// A write to a closed pipe, from any writer: the csv crate keeps its io::Error inside its own
/// error rather than as its source, and gazette's own error holds it whole (hits written as they
/// are read fail inside the search).
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    let broken = |e: &io::Error| e.kind() == io::ErrorKind::BrokenPipe;
    err.chain().any(|cause| {
        cause.downcast_ref::<io::Error>().is_some_and(broken)
            || cause
                .downcast_ref::<gazette::Error>()
                .is_some_and(|e| matches!(e, gazette::Error::Io(io) if broken(io)))
            || cause
                .downcast_ref::<csv::Error>()
                .is_some_and(|e| matches!(e.kind(), csv::ErrorKind::Io(io) if broken(io)))
    })
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn a_cause_is_said_once() {
        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied");
        let err = anyhow::Error::new(io).context("a.txt: denied");
        assert_eq!(super::one_line(&err), "a.txt: denied");
        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied");
        let err = anyhow::Error::new(io).context("cannot read a.txt");
        assert_eq!(super::one_line(&err), "cannot read a.txt: denied");
    }

    #[test]
    fn the_command_line_is_well_formed() {
        // clap's own checks: conflicting or duplicated flags, defaults that do not parse.
        super::cli::args::Cli::command().debug_assert();
    }

    /// Each command's flags are built when it runs (`#[command(defer = true)]`); its
    /// description must still be its own once they are, not a flattened group's.
    #[test]
    fn each_command_keeps_its_own_description_once_built() {
        let mut cli = super::cli::args::Cli::command();
        cli.build();
        for (name, about) in [
            ("search", "Search the index"),
            ("stats", "Count matches"),
            ("index", "Index gazette text files"),
        ] {
            let command = cli.find_subcommand(name).unwrap();
            let own = command.get_about().map(ToString::to_string);
            assert!(
                own.as_deref().is_some_and(|own| own.starts_with(about)),
                "{own:?}"
            );
        }
        let search = cli.find_subcommand("search").unwrap();
        assert!(search.get_arguments().any(|arg| arg.get_id() == "query"));
    }
}
