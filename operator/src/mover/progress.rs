//! Progress bars for rustic_core's progress trait, drawn with indicatif on stderr (stdout
//! carries the JSON result).

use indicatif::{ProgressBar, ProgressStyle};
use rustic_core::{Progress, ProgressBars, ProgressType, RusticProgress};
use std::time::Duration;

/// indicatif bars; used only when stdout and stderr are terminals.
#[derive(Clone, Copy, Debug)]
pub struct Bars;

impl ProgressBars for Bars {
    fn progress(&self, progress_type: ProgressType, prefix: &str) -> Progress {
        let bar = match progress_type {
            ProgressType::Spinner => ProgressBar::new_spinner(),
            ProgressType::Counter | ProgressType::Bytes => ProgressBar::new(0),
        };
        let template = match progress_type {
            ProgressType::Spinner => "{spinner} {prefix:30} {elapsed}",
            ProgressType::Counter => "{prefix:30} [{bar:30}] {pos}/{len} {elapsed}",
            ProgressType::Bytes => {
                "{prefix:30} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}"
            }
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_prefix(prefix.to_string());
        bar.enable_steady_tick(Duration::from_millis(200));
        Progress::new(Bar(bar))
    }
}

#[derive(Debug)]
struct Bar(ProgressBar);

impl RusticProgress for Bar {
    fn is_hidden(&self) -> bool {
        false
    }
    fn set_length(&self, len: u64) {
        self.0.set_length(len);
    }
    fn set_title(&self, title: &str) {
        self.0.set_prefix(title.to_string());
    }
    fn inc(&self, inc: u64) {
        self.0.inc(inc);
    }
    fn finish(&self) {
        self.0.finish();
    }
}
