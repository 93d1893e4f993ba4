//! Progress bars on stderr, with rate and time left, shown only when stderr is a terminal.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use kgraph::{ImportProgress, ProgressStage, StorageProgress};

/// Whether bars are drawn: stderr is a terminal (and `KGRAPH_PROGRESS` is not `never`).
pub fn enabled() -> bool {
    std::env::var("KGRAPH_PROGRESS").map_or(true, |v| v != "never") && std::io::stderr().is_terminal()
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .with_key(
            "rate",
            |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.0}/s", state.per_sec());
            },
        )
        .progress_chars("=> ")
}

const BYTES: &str = "{msg:>10} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}";
const ITEMS: &str = "{msg:>10} [{bar:30}] {human_pos}/{human_len} {rate} eta {eta}";
const SPIN: &str = "{msg:>10} {spinner} {elapsed}";

/// A bar for `what` (a verb such as `saving`), hidden unless [`enabled`].
fn bar(what: &str) -> ProgressBar {
    let target = if enabled() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let pb = ProgressBar::with_draw_target(None, target);
    pb.set_style(style(SPIN));
    pb.set_message(what.to_owned());
    pb.enable_steady_tick(Duration::from_millis(200));
    pb
}

/// Runs a snapshot save or open, or an export, with a bar fed by the library's
/// [`kgraph::report_progress`].
pub fn storage<R>(what: &str, f: impl FnOnce() -> R) -> R {
    if !enabled() {
        return f();
    }
    let pb = bar(what);
    let shown = pb.clone();
    let what = what.to_owned();
    let r = kgraph::report_progress(
        move |p: &StorageProgress| {
            let (template, message) = match p.stage {
                ProgressStage::Read => (BYTES, what.as_str()),
                ProgressStage::Write => (BYTES, what.as_str()),
                ProgressStage::Export => (ITEMS, what.as_str()),
                ProgressStage::Encode => (SPIN, "encoding"),
                ProgressStage::Decode => (SPIN, "decoding"),
                _ => (SPIN, what.as_str()),
            };
            if shown.message() != message || shown.length() != Some(p.total).filter(|t| *t > 0) {
                shown.set_style(style(template));
                shown.set_message(message.to_owned());
                if p.total > 0 {
                    shown.set_length(p.total);
                } else {
                    shown.unset_length();
                }
            }
            shown.set_position(p.done);
        },
        f,
    );
    pb.finish_and_clear();
    r
}

/// A bar for an import of files of `total_bytes`, and the callback that feeds it.
pub struct ImportBar {
    pb: ProgressBar,
}

impl ImportBar {
    /// A bar (hidden unless [`enabled`]).
    pub fn new() -> ImportBar {
        let pb = bar("importing");
        pb.set_style(style(
            "{msg:>10} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta} {prefix}",
        ));
        ImportBar { pb }
    }

    /// Tells the bar how far the import is.
    pub fn update(&self, p: &ImportProgress) {
        if self.pb.length() != Some(p.total_bytes) {
            self.pb.set_length(p.total_bytes);
        }
        self.pb.set_position(p.bytes_read);
        self.pb.set_prefix(format!("{} rows", p.rows));
    }

    /// Clears the bar.
    pub fn finish(&self) {
        self.pb.finish_and_clear();
    }
}
