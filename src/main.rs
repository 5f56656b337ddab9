//! The `gazette` binary: read the arguments, run the command, map the outcome to an exit code
//! (0 found, 1 nothing found, 2 error). A closed pipe (`| head`) is not an error.

mod cli;

use std::io;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    match cli::commands::run(cli::args::Cli::parse()) {
        Ok(code) => code,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("gazette: {}", one_line(&err));
            ExitCode::from(2)
        }
    }
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
/// error rather than as its source.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    let broken = |e: &io::Error| e.kind() == io::ErrorKind::BrokenPipe;
    err.chain().any(|cause| {
        cause.downcast_ref::<io::Error>().is_some_and(broken)
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
}
