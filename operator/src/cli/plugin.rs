//! The binary as a kubectl plugin: installed (or symlinked) as `kubectl-pusdata` on the PATH,
//! `kubectl pusdata drill status`, `kubectl pusdata place --dry-run …` and
//! `kubectl pusdata report …` run the same clap commands as `pusdata …`. kubectl finds
//! plugins by file name, so the only difference is the name the binary was started under.

use super::Cli;
use clap::{CommandFactory, FromArgMatches};
use std::ffi::{OsStr, OsString};
use std::path::Path;

/// The file name kubectl looks for.
pub const PLUGIN_NAME: &str = "kubectl-pusdata";

/// Whether the binary was started as `kubectl-pusdata` (argv[0], any directory, `.exe`).
pub fn invoked_as_plugin(argv0: &OsStr) -> bool {
    Path::new(argv0)
        .file_stem()
        .is_some_and(|s| s == PLUGIN_NAME)
}

/// The plugin's shorthands: `kubectl pusdata report [ARGS]` is `report compliance [ARGS]`
/// (the one report there is to ask for by hand).
pub fn plugin_args(mut args: Vec<OsString>) -> Vec<OsString> {
    let known = ["compliance", "help", "-h", "--help"];
    if args.get(1).is_some_and(|a| a == "report")
        && !args.get(2).is_some_and(|a| known.iter().any(|k| a == k))
    {
        args.insert(2, "compliance".into());
    }
    args
}

/// Parses the command line as `pusdata` or, under the plugin's name, as `kubectl pusdata`
/// (help and errors then show `kubectl pusdata`).
pub fn parse(args: Vec<OsString>) -> Cli {
    let plugin = args.first().is_some_and(|a| invoked_as_plugin(a));
    if !plugin {
        return Cli::parse_from_args(args);
    }
    let matches = Cli::command()
        .bin_name("kubectl pusdata")
        .get_matches_from(plugin_args(args));
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

impl Cli {
    fn parse_from_args(args: Vec<OsString>) -> Cli {
        <Cli as clap::Parser>::parse_from(args)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(v: &[&str]) -> Vec<OsString> {
        v.iter().map(OsString::from).collect()
    }

    #[test]
    fn the_plugin_name_is_recognised_wherever_the_link_is() {
        assert!(invoked_as_plugin(OsStr::new("kubectl-pusdata")));
        assert!(invoked_as_plugin(OsStr::new(
            "/usr/local/bin/kubectl-pusdata"
        )));
        assert!(invoked_as_plugin(OsStr::new("C:/bin/kubectl-pusdata.exe")));
        assert!(!invoked_as_plugin(OsStr::new("/usr/bin/pusdata")));
        assert!(!invoked_as_plugin(OsStr::new("kubectl-pusdata-old")));
    }

    #[test]
    fn report_alone_means_the_compliance_report() {
        assert_eq!(
            plugin_args(os(&["k", "report", "--format", "json", "dr-plans"])),
            os(&["k", "report", "compliance", "--format", "json", "dr-plans"])
        );
        assert_eq!(
            plugin_args(os(&["k", "report", "compliance", "x"])),
            os(&["k", "report", "compliance", "x"])
        );
        assert_eq!(
            plugin_args(os(&["k", "report"])),
            os(&["k", "report", "compliance"])
        );
        assert_eq!(
            plugin_args(os(&["k", "place", "--dry-run"])),
            os(&["k", "place", "--dry-run"])
        );
    }

    #[test]
    fn the_plugin_parses_into_the_same_commands() {
        let cli = parse(os(&[
            "/x/kubectl-pusdata",
            "report",
            "--format",
            "md",
            "dr-plans",
        ]));
        assert!(matches!(
            cli.command,
            super::super::Command::Report(super::super::ReportCommand::Compliance(ref a))
                if a.paths == [std::path::PathBuf::from("dr-plans")]
        ));
        let cli = parse(os(&[
            "kubectl-pusdata",
            "place",
            "--dry-run",
            "--inventory",
            "i",
            "--requests",
            "r",
        ]));
        assert!(matches!(cli.command, super::super::Command::Place(ref p) if p.dry_run));
    }
}
