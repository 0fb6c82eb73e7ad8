//! Standard output that a closed reader ends quietly, as Unix tools do: `pusdata place … |
//! head -1` must not panic ("failed printing to stdout: Broken pipe", exit 101). Once a
//! write fails, later output is dropped and the command finishes with its own exit code.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes formatted text to stdout, with a newline when `newline`.
pub fn write(args: std::fmt::Arguments<'_>, newline: bool) {
    if CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut out = std::io::stdout().lock();
    let written = out.write_fmt(args).and_then(|()| {
        if newline {
            out.write_all(b"\n")
        } else {
            Ok(())
        }
    });
    if let Err(e) = written {
        // Broken pipe is the reader leaving; any other stdout error is no better served by
        // a panic. The exit code still says how the command went.
        CLOSED.store(true, Ordering::Relaxed);
        tracing::debug!(error = %e, "stdout closed; dropping further output");
    }
}

/// Writes raw bytes to stdout (completions, generated files).
pub fn bytes(b: &[u8]) {
    if CLOSED.load(Ordering::Relaxed) {
        return;
    }
    if let Err(e) = std::io::stdout().lock().write_all(b) {
        CLOSED.store(true, Ordering::Relaxed);
        tracing::debug!(error = %e, "stdout closed; dropping further output");
    }
}
