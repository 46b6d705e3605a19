//! The `essaymap` command line: parse arguments, dispatch to a subcommand, print
//! any error with its cause chain, and turn the outcome into an exit code
//! (0 ok, 2 usage or fatal error, 3 finished but some records failed).

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::run() {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("essaymap: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// A closed pipe (`essaymap ... | head`) is not an error worth reporting.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
