//! SIGTERM and SIGINT: the first asks the watcher to stop after the step it
//! is in (a window being ingested is finished, one not yet started is left
//! in the folder), the second ends the process at once with status 1 (what
//! a killed run leaves is repaired at the next start, as for any job).
//!
//! signal-hook's flag is an `AtomicBool` set from the handler (the only
//! async-signal-safe thing to do there) that the watch loop reads between
//! steps; the watcher is synchronous, so no async runtime is needed.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use signal_hook::consts::{SIGINT, SIGTERM};

/// Whether a stop was asked for.
#[derive(Clone, Debug, Default)]
pub struct Stop(Arc<AtomicBool>);

impl Stop {
    /// A flag that only [`Stop::request`] sets.
    pub fn new() -> Stop {
        Stop::default()
    }

    /// A flag SIGTERM and SIGINT set (a second signal exits with status 1).
    pub fn on_signals() -> std::io::Result<Stop> {
        let stop = Stop::new();
        for signal in [SIGTERM, SIGINT] {
            // Registered first, so it sees the flag as it was before this signal.
            signal_hook::flag::register_conditional_shutdown(signal, 1, Arc::clone(&stop.0))?;
            signal_hook::flag::register(signal, Arc::clone(&stop.0))?;
        }
        Ok(stop)
    }

    /// Asks for a stop.
    pub fn request(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether a stop was asked for.
    pub fn requested(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}
