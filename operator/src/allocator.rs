//! glibc's allocator, set once for the whole process.
//!
//! glibc gives each thread that allocates its own arena (up to eight per core) and keeps what
//! is freed in an arena for that arena. The mover's pipeline spreads over a dozen threads
//! (file workers, compressors, the packer, scrypt's lanes, restore workers), so memory one
//! stage frees stays resident while the next stage allocates afresh. Measured on the 1 GiB
//! set of `pusdata bench mover` (release, 2026-11-26): a full backup peaked at 181–192 MiB
//! with glibc's default and 141–146 MiB with two arenas, in the same 3.04–3.10 s; the
//! streaming restore at 112 MiB and 75 MiB. Mover Jobs also carry `MALLOC_ARENA_MAX=2` in
//! their environment; this makes the CLI, the DRC agent and the benchmarks behave the same.

/// At most two malloc arenas, unless `MALLOC_ARENA_MAX` says otherwise.
#[allow(unsafe_code)]
pub fn limit_arenas() {
    if std::env::var_os("MALLOC_ARENA_MAX").is_some() {
        return;
    }
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: `mallopt` only sets an allocator parameter; it runs first thing in `main`,
        // before any other thread exists.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
}

/// Gives the pages glibc holds free back to the system. glibc returns memory only from the
/// top of an arena; what a burst frees in the middle (a first start's reconciles, an audit
/// pass, a list page) stays resident under the long-lived objects of the watched stores.
/// The operator calls this periodically ([`trim_periodically`]) so that its settled size is
/// what it holds, not the high-water mark of its busiest minute.
#[allow(unsafe_code)]
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: `malloc_trim` only returns free pages to the kernel; it takes the
        // allocator's own locks and is safe to call from any thread at any time.
        unsafe {
            libc::malloc_trim(0);
        }
    }
}

/// How often the long-running commands (operator, webhook) return free pages.
pub const TRIM_PERIOD: std::time::Duration = std::time::Duration::from_secs(30);

/// [`release_free_memory`] every `period`, for as long as the runtime runs.
pub async fn trim_periodically(period: std::time::Duration) {
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        release_free_memory();
    }
}
