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

/// Allocations at least this large get their own mapping, returned to the system when freed.
///
/// glibc starts at 128 KiB and raises the threshold to the size of every mapped block that
/// is freed (up to 32 MiB), and the trim threshold to twice that. The repository key's
/// scrypt lanes are 16 MiB blocks, freed when the repository is open; from then on every
/// chunk and blob buffer of the backup (up to 8 MiB, the chunker's largest chunk) came from
/// the arenas, and up to 32 MiB freed at their top stayed resident. Setting the threshold
/// turns that adjustment off. 4 MiB keeps the chunks of small files and the average
/// chunk (1 MiB) in the arenas, where they are reused without new page faults, and gives
/// the rare large ones back. Measured on the 128 MiB real tree of `pusdata bench mover`
/// (release, 2026-12-07, see docs/benchmarks.md): full backup peak 60–65 MiB before,
/// 54–56 MiB after.
pub const MMAP_THRESHOLD: usize = 4 << 20;

/// The malloc parameters to set, given the process's environment: an explicit setting
/// (`MALLOC_ARENA_MAX`, `MALLOC_MMAP_THRESHOLD_`/`MALLOC_TRIM_THRESHOLD_`, or the same in
/// `GLIBC_TUNABLES`) wins over ours, each for its own parameter.
fn settings(env: impl Fn(&str) -> Option<String>) -> Vec<Setting> {
    let tunables = env("GLIBC_TUNABLES").unwrap_or_default();
    let mut out = Vec::new();
    if env("MALLOC_ARENA_MAX").is_none() && !tunables.contains("malloc.arena_max") {
        out.push(Setting::ArenaMax(2));
    }
    let mmap_set = env("MALLOC_MMAP_THRESHOLD_").is_some()
        || env("MALLOC_TRIM_THRESHOLD_").is_some()
        || tunables.contains("malloc.mmap_threshold")
        || tunables.contains("malloc.trim_threshold");
    if !mmap_set {
        out.push(Setting::MmapThreshold(MMAP_THRESHOLD));
    }
    out
}

#[derive(Debug, PartialEq, Eq)]
enum Setting {
    ArenaMax(usize),
    MmapThreshold(usize),
}

/// At most two malloc arenas and a fixed mmap threshold ([`MMAP_THRESHOLD`]), unless the
/// environment says otherwise.
#[allow(unsafe_code)]
pub fn tune() {
    let set = settings(|name| std::env::var(name).ok());
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    for s in set {
        let (param, value) = match s {
            Setting::ArenaMax(n) => (libc::M_ARENA_MAX, n),
            Setting::MmapThreshold(n) => (libc::M_MMAP_THRESHOLD, n),
        };
        let Ok(value) = libc::c_int::try_from(value) else {
            continue;
        };
        // SAFETY: `mallopt` only sets an allocator parameter; it runs first thing in `main`,
        // before any other thread exists.
        unsafe {
            libc::mallopt(param, value);
        }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    let _ = set;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    #[test]
    fn mover_jobs_arena_setting_does_not_cancel_the_mmap_threshold() {
        // Mover Jobs carry MALLOC_ARENA_MAX=2: the threshold must still be set.
        let set = settings(env(&[("MALLOC_ARENA_MAX", "2")]));
        assert_eq!(set, vec![Setting::MmapThreshold(MMAP_THRESHOLD)]);
    }

    #[test]
    fn an_empty_environment_gets_both_settings() {
        assert_eq!(
            settings(env(&[])),
            vec![Setting::ArenaMax(2), Setting::MmapThreshold(MMAP_THRESHOLD)]
        );
    }

    #[test]
    fn explicit_allocator_settings_win_each_for_its_own_parameter() {
        assert_eq!(
            settings(env(&[(
                "GLIBC_TUNABLES",
                "glibc.malloc.mmap_threshold=65536"
            )])),
            vec![Setting::ArenaMax(2)]
        );
        assert_eq!(
            settings(env(&[("MALLOC_TRIM_THRESHOLD_", "1048576")])),
            vec![Setting::ArenaMax(2)]
        );
        assert_eq!(
            settings(env(&[("GLIBC_TUNABLES", "glibc.malloc.arena_max=4")])),
            vec![Setting::MmapThreshold(MMAP_THRESHOLD)]
        );
    }
}
