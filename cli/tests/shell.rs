//! The interactive shell, driven through a pseudo-terminal as a person types: a multi-line
//! query, the table it prints, history (the up arrow, and a history file kept between runs),
//! completion. Each wait is for text to appear, with a generous timeout; nothing is timed.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::Path;
use std::process::Command;

use rexpect::session::PtySession;

/// Seconds to wait for any expected output (debug builds on a busy machine are slow).
const TIMEOUT_MS: u64 = 60_000;

const UP: &str = "\x1b[A";
const ENTER: &str = "\r";
const TAB: &str = "\t";

fn shell(history: &Path, args: &[&str]) -> PtySession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kgraph"));
    cmd.args(args)
        .env("KGRAPH_HISTORY", history)
        .env("TERM", "xterm")
        .env_remove("NO_COLOR");
    let mut s = rexpect::session::spawn_command(cmd, Some(TIMEOUT_MS)).unwrap();
    expect(&mut s, "Statements end with ';'");
    expect(&mut s, "kgraph> ");
    s
}

/// Waits for `text`. rexpect reads the terminal's bytes one char each (Latin-1), so UTF-8
/// text is looked for as its bytes.
fn expect(s: &mut PtySession, text: &str) {
    let bytes: String = text.bytes().map(char::from).collect();
    s.exp_string(&bytes).unwrap();
}

/// Types `text` (sent and flushed: the program sees it at once).
fn keys(s: &mut PtySession, text: &str) {
    s.send(text).unwrap();
    s.flush().unwrap();
}

fn quit(mut s: PtySession) {
    keys(&mut s, ":quit");
    keys(&mut s, ENTER);
    s.exp_eof().unwrap();
}

#[test]
fn a_multi_line_query_prints_an_aligned_table_and_its_time() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = shell(&dir.path().join("history"), &["shell", "--dataset"]);
    // The first line is not complete: the editor goes on to a second line.
    keys(&mut s, "MATCH (c:Company {name: 'Pfizer'})");
    keys(&mut s, ENTER);
    keys(&mut s, "RETURN c.name AS name, c.name_zh AS zh;");
    keys(&mut s, ENTER);
    expect(&mut s, "| name   | zh   |");
    expect(&mut s, "| Pfizer | 辉瑞 |");
    s.exp_regex(r"1 row, [0-9.]+ ms").unwrap();
    // An error is printed and the shell goes on.
    keys(&mut s, "RETURN 1 / 0;");
    keys(&mut s, ENTER);
    expect(&mut s, "ArithmeticError");
    keys(&mut s, ":schema");
    keys(&mut s, ENTER);
    expect(&mut s, "relationship types (");
    quit(s);
}

#[test]
fn the_up_arrow_recalls_input_and_history_is_kept_between_runs() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("sub").join("history");
    let mut s = shell(&history, &["shell"]);
    keys(&mut s, "RETURN 'first' + '-run' AS marker;");
    keys(&mut s, ENTER);
    expect(&mut s, "| first-run |");
    keys(&mut s, "RETURN 'second' AS other;");
    keys(&mut s, ENTER);
    expect(&mut s, "| second |");
    // Up twice: the first query again.
    keys(&mut s, UP);
    keys(&mut s, UP);
    keys(&mut s, ENTER);
    expect(&mut s, "| first-run |");
    quit(s);
    let saved = std::fs::read_to_string(&history).unwrap();
    assert!(saved.contains("RETURN 'first' + '-run' AS marker;"), "{saved}");

    // A second run starts with the history of the first.
    let mut s = shell(&history, &["shell"]);
    keys(&mut s, UP);
    keys(&mut s, ENTER);
    expect(&mut s, "| first-run |");
    quit(s);
}

#[test]
fn tab_completes_a_label_and_a_keyword() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = shell(&dir.path().join("history"), &["shell", "--dataset"]);
    // `Compa` is completed to the label `Company` (the only label starting so); without the
    // completion the pattern would name no label and find nothing.
    keys(&mut s, "MATCH (c:Compa");
    keys(&mut s, TAB);
    keys(&mut s, " {name: 'Pfizer'}) RET");
    keys(&mut s, TAB);
    keys(&mut s, " count(c) AS n;");
    keys(&mut s, ENTER);
    expect(&mut s, "| n |");
    expect(&mut s, "| 1 |");
    quit(s);
}

#[test]
fn ctrl_c_cancels_the_running_statement_and_the_shell_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("history");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kgraph"));
    cmd.args(["shell", "--dataset"])
        .env("KGRAPH_HISTORY", &history)
        .env("TERM", "xterm");
    // Short waits, repeated: Ctrl-C is sent until the statement is seen cancelled, so it does
    // not matter when the statement starts.
    let mut s = rexpect::session::spawn_command(cmd, Some(500)).unwrap();
    let seen = |s: &mut PtySession, text: &str, tries: usize| {
        for _ in 0..tries {
            if s.exp_string(text).is_ok() {
                return true;
            }
        }
        false
    };
    assert!(seen(&mut s, "kgraph> ", 120));
    // Hours of work: four scans of the dataset's 308 nodes, crossed.
    keys(&mut s, "MATCH (a), (b), (c), (d) RETURN count(*) AS n;");
    keys(&mut s, ENTER);
    let mut cancelled = false;
    for _ in 0..240 {
        keys(&mut s, "\x03");
        if s.exp_string("LimitExceeded").is_ok() {
            cancelled = true;
            break;
        }
    }
    assert!(cancelled, "the statement was not cancelled");
    keys(&mut s, "RETURN 'still here' AS alive;");
    keys(&mut s, ENTER);
    assert!(seen(&mut s, "| still here |", 120));
    keys(&mut s, ":quit");
    keys(&mut s, ENTER);
}
