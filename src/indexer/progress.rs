//! What a run shows on a terminal: a bar over the files, a spinner while it finishes.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub(super) fn progress_bar(len: u64, visible: bool) -> ProgressBar {
    if !visible {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{bar:30} {pos}/{len} files  {elapsed}  {wide_msg}")
    {
        bar.set_style(style);
    }
    bar
}

/// A spinner with `message` and the time elapsed, on standard error, when `visible`.
pub(super) fn spinner(visible: bool, message: &str) -> ProgressBar {
    if !visible {
        return ProgressBar::hidden();
    }
    let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{spinner} {elapsed}  {wide_msg}") {
        spinner.set_style(style);
    }
    spinner.set_message(message.to_string());
    spinner.enable_steady_tick(std::time::Duration::from_millis(200));
    spinner
}
