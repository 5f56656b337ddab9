//! The command line: clap's types ([`args`]), their resolution into the library's plain configs
//! ([`resolve`]), and each command's run from config to output and exit code ([`commands`]).

pub mod args;
pub mod commands;
pub mod resolve;
