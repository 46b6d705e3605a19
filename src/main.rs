//! The `essaymap` command line: parse arguments, dispatch to a subcommand, print
//! any error with its cause chain, and turn the outcome into an exit code
//! (0 ok, 2 usage or fatal error, 3 finished but some records failed).

mod cli;

use std::process::ExitCode;

// mimalloc: batch allocates and frees per essay on every worker and frees
// output lines on the writer thread; glibc's arenas scale worse at 2 threads.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    match cli::run() {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("essaymap: {}", message(&err));
            ExitCode::from(2)
        }
    }
}

/// The error and its causes, each cause once: our error types already end their
/// message with their cause ("FILE: No such file or directory").
fn message(err: &anyhow::Error) -> String {
    let mut out = err.to_string();
    for cause in err.chain().skip(1) {
        let c = cause.to_string();
        if !out.ends_with(&c) {
            out = format!("{out}: {c}");
        }
    }
    out
}

/// A closed pipe (`essaymap ... | head`) is not an error worth reporting.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
