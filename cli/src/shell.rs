//! The interactive shell: a line editor (rustyline) with history kept between runs, input
//! that runs when it ends with `;`, completion, and `:` commands.

use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use kgraph::picture::Picture;
use kgraph::{CancelHandle, CypherDialect, Params, QueryResult};
use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Editor, Helper};

use crate::error::CliError;
use crate::output::{self, Format};
use crate::params;
use crate::script;
use crate::store::{self, ExportFormat, ImportFormat, Names, Store};

/// The shell's commands, with their arguments and what they do (`:help` prints them).
pub const COMMANDS: &[(&str, &str, &str)] = &[
    (":help", "", "this list"),
    (":quit", "", "leave the shell (also :exit, Ctrl-D)"),
    (
        ":schema",
        "",
        "labels, relationship types and property keys with counts; indexes, constraints",
    ),
    (
        ":dataset",
        "",
        "load the embedded healthcare-ecosystem dataset (in memory)",
    ),
    (":new", "", "start an empty graph in memory"),
    (
        ":open",
        "PATH",
        "open a snapshot file, or a database directory (created if missing)",
    ),
    (
        ":save",
        "[PATH]",
        "save a snapshot (no PATH: back to the opened snapshot; a directory: checkpoint)",
    ),
    (
        ":import",
        "csv NODES RELS | jsonl FILE [--merge-on Label.key] [--batch-rows N]",
        "append files to the graph",
    ),
    (
        ":export",
        "csv|jsonl|cypher|kuzu|neo4j|graphml PATH [--dialect neo4j|falkordb]",
        "write the graph",
    ),
    (
        ":param",
        "NAME VALUE",
        "set a parameter (VALUE: JSON or a Cypher literal); :param NAME clears it",
    ),
    (":params", "[clear]", "list the parameters, or clear them all"),
    (":format", "table|csv|jsonl", "how results are printed"),
    (":render", "dot|svg|html FILE", "a picture of the last result"),
];

/// Cypher's keywords, completed in upper case.
const KEYWORDS: &[&str] = &[
    "MATCH",
    "OPTIONAL",
    "WHERE",
    "RETURN",
    "WITH",
    "UNWIND",
    "ORDER",
    "BY",
    "ASC",
    "DESC",
    "SKIP",
    "LIMIT",
    "CREATE",
    "MERGE",
    "SET",
    "REMOVE",
    "DELETE",
    "DETACH",
    "ON",
    "CALL",
    "YIELD",
    "UNION",
    "ALL",
    "DISTINCT",
    "AS",
    "AND",
    "OR",
    "XOR",
    "NOT",
    "IN",
    "IS",
    "NULL",
    "TRUE",
    "FALSE",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "EXISTS",
    "COUNT",
    "COLLECT",
    "FOREACH",
    "STARTS",
    "ENDS",
    "CONTAINS",
    "EXPLAIN",
    "PROFILE",
    "INDEX",
    "CONSTRAINT",
    "FOR",
    "REQUIRE",
    "UNIQUE",
    "DROP",
    "SHOW",
    "INDEXES",
    "CONSTRAINTS",
    "IF",
];

/// The shell's state.
pub struct Shell {
    store: Store,
    params: BTreeMap<String, kgraph::Value>,
    format: Format,
    /// The last statement and its result, for `:render`.
    last: Option<(String, QueryResult)>,
}

/// The completion, validation and (absent) highlighting of the line editor.
pub struct ShellHelper {
    names: Names,
    params: Vec<String>,
    files: FilenameCompleter,
}

impl Helper for ShellHelper {}
impl Highlighter for ShellHelper {}

impl Hinter for ShellHelper {
    type Hint = String;
}

impl Validator for ShellHelper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        let input = ctx.input();
        let t = input.trim_start();
        if t.is_empty() || t.starts_with(':') || script::complete(input) {
            Ok(ValidationResult::Valid(None))
        } else {
            Ok(ValidationResult::Incomplete)
        }
    }
}

impl Completer for ShellHelper {
    type Candidate = Pair;

    fn complete(&self, line: &str, pos: usize, ctx: &Context<'_>) -> rustyline::Result<(usize, Vec<Pair>)> {
        let before = &line[..pos];
        let trimmed = before.trim_start();
        // File names after the commands that take them.
        if trimmed.starts_with(':') && trimmed.contains(' ') {
            let command = trimmed.split_whitespace().next().unwrap_or_default();
            if [":open", ":save", ":import", ":export", ":render"].contains(&command) {
                return self.files.complete(line, pos, ctx);
            }
            return Ok((pos, Vec::new()));
        }
        let start = before
            .char_indices()
            .rev()
            .find(|(_, c)| !(c.is_alphanumeric() || *c == '_' || *c == ':' && trimmed.starts_with(':')))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let word = &before[start..];
        let prev = before[..start].chars().next_back();
        let candidates: Vec<String> = if trimmed.starts_with(':') {
            COMMANDS
                .iter()
                .map(|c| c.0.to_owned())
                .chain([":exit".to_owned()])
                .collect()
        } else {
            match prev {
                Some(':') if in_brackets(&before[..start]) => self.names.types.clone(),
                Some(':') => self.names.labels.clone(),
                Some('.') => self.names.keys.clone(),
                Some('$') => self.params.clone(),
                _ if word.is_empty() => Vec::new(),
                _ => KEYWORDS.iter().map(|k| (*k).to_owned()).collect(),
            }
        };
        let fold = |s: &str| s.to_lowercase();
        let mut out: Vec<Pair> = candidates
            .into_iter()
            .filter(|c| fold(c).starts_with(&fold(word)))
            .map(|c| Pair {
                display: c.clone(),
                replacement: if needs_quotes(&c) && prev != Some('$') && !c.starts_with(':') {
                    format!("`{}`", c.replace('`', "``"))
                } else {
                    c
                },
            })
            .collect();
        out.sort_by(|a, b| a.display.cmp(&b.display));
        out.dedup_by(|a, b| a.display == b.display);
        Ok((start, out))
    }
}

/// True when the text ends inside a relationship pattern's brackets.
fn in_brackets(text: &str) -> bool {
    let open = text.rfind('[');
    let close = text.rfind(']');
    match (open, close) {
        (Some(o), Some(c)) => o > c,
        (Some(_), None) => true,
        _ => false,
    }
}

/// True when a name must be back-quoted in Cypher.
fn needs_quotes(name: &str) -> bool {
    name.is_empty()
        || name.starts_with(|c: char| c.is_ascii_digit())
        || !name.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// Where the history is kept: `KGRAPH_HISTORY`, else `kgraph/history` in the user's data
/// directory (`~/.local/share` on Linux).
pub fn history_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("KGRAPH_HISTORY") {
        return Some(PathBuf::from(p));
    }
    dirs::data_dir().map(|d| d.join("kgraph").join("history"))
}

impl Shell {
    /// A shell on `store`.
    pub fn new(store: Store) -> Shell {
        Shell {
            store,
            params: BTreeMap::new(),
            format: Format::Table,
            last: None,
        }
    }

    fn helper(&self) -> ShellHelper {
        ShellHelper {
            names: self.store.names(),
            params: self.param_names(),
            files: FilenameCompleter::new(),
        }
    }

    fn param_names(&self) -> Vec<String> {
        self.params.keys().cloned().collect()
    }

    /// The parameters, for a query.
    fn query_params(&self) -> Params {
        let mut params = Params::new();
        for (n, v) in &self.params {
            params.insert(n, v.clone());
        }
        params
    }

    /// Ctrl-C while a statement runs cancels it (the error is printed and the shell goes on);
    /// at the prompt the line editor reads it as a key; elsewhere it ends the program (130).
    fn catch_interrupts() {
        let installed = ctrlc::set_handler(|| {
            let running = RUNNING.lock().map(|r| r.clone()).unwrap_or(None);
            match running {
                Some(handle) => handle.cancel(),
                None => std::process::exit(130),
            }
        });
        if let Err(e) = installed {
            eprintln!("Ctrl-C will end the shell: {e}");
        }
    }

    /// Runs the shell: on a line editor when stdin is a terminal, else reading stdin as a
    /// script of statements and commands. Returns the exit code: 0, or, when reading a
    /// script, that of the first error.
    pub fn run(mut self) -> Result<(), CliError> {
        if !std::io::stdin().is_terminal() {
            Shell::catch_interrupts();
            return self.run_script();
        }
        let config = rustyline::Config::builder()
            .auto_add_history(false)
            .history_ignore_dups(true)
            .map_err(|e| CliError::io(e.to_string()))?
            .max_history_size(10_000)
            .map_err(|e| CliError::io(e.to_string()))?
            .completion_type(rustyline::CompletionType::List)
            .build();
        let mut rl: Editor<ShellHelper, DefaultHistory> =
            Editor::with_config(config).map_err(|e| CliError::io(e.to_string()))?;
        rl.set_helper(Some(self.helper()));
        // After the editor: without its `signal-hook` feature, rustyline puts a SIGINT handler
        // of its own in place when it is created (at the prompt, in raw mode, Ctrl-C is a key
        // and raises no signal anyway).
        Shell::catch_interrupts();
        let history = history_path();
        if let Some(h) = &history {
            let _ = rl.load_history(h);
        }
        println!(
            "kgraph {} shell on {}. Statements end with ';'. :help lists the commands.",
            env!("CARGO_PKG_VERSION"),
            self.store.describe()
        );
        loop {
            match rl.readline("kgraph> ") {
                Ok(input) => {
                    if input.trim().is_empty() {
                        continue;
                    }
                    // Leaving is not kept: the up arrow of the next run finds the last query.
                    if ![":quit", ":exit", ":q"].contains(&input.trim()) {
                        let _ = rl.add_history_entry(input.trim_end());
                    }
                    if let Some(h) = &history {
                        save_history(&mut rl, h);
                    }
                    match self.input(&input) {
                        Ok(Flow::Quit) => break,
                        Ok(Flow::Continue) => {}
                        Err(e) => eprintln!("{e}"),
                    }
                    if let Some(helper) = rl.helper_mut() {
                        helper.names = self.store.names();
                        helper.params = self.param_names();
                    }
                }
                Err(ReadlineError::Interrupted) => {}
                Err(ReadlineError::Eof) => break,
                Err(e) => return Err(CliError::io(e.to_string())),
            }
        }
        Ok(())
    }

    /// Reads stdin as a script: commands on lines of their own, statements ending with `;`.
    /// Stops at the first error.
    fn run_script(&mut self) -> Result<(), CliError> {
        let mut pending = String::new();
        for line in std::io::stdin().lock().lines() {
            let line = line?;
            if pending.trim().is_empty() && line.trim_start().starts_with(':') {
                if let Flow::Quit = self.input(&line)? {
                    return Ok(());
                }
                continue;
            }
            pending.push_str(&line);
            pending.push('\n');
            if script::complete(&pending) {
                self.input(&std::mem::take(&mut pending))?;
            }
        }
        if !pending.trim().is_empty() {
            self.input(&pending)?;
        }
        Ok(())
    }

    /// Runs one input: a command, or statements.
    pub fn input(&mut self, input: &str) -> Result<Flow, CliError> {
        let t = input.trim();
        if t.starts_with(':') {
            return self.command(t);
        }
        for stmt in script::split(input) {
            self.statement(&stmt)?;
        }
        Ok(Flow::Continue)
    }

    fn statement(&mut self, text: &str) -> Result<(), CliError> {
        let started = Instant::now();
        let cancel = CancelHandle::new();
        set_running(Some(cancel.clone()));
        let result = self.store.run(text, &self.query_params(), &cancel);
        set_running(None);
        let result = result?;
        let elapsed = started.elapsed();
        let mut out = std::io::stdout().lock();
        let body = output::render(&result, self.format);
        let _ = out.write_all(body.as_bytes());
        if self.format == Format::Table {
            let _ = writeln!(out, "{}", output::summary(&result, elapsed));
        }
        if let Some(profile) = result.profile() {
            let _ = write!(out, "{}", output::profile(profile));
        }
        let _ = out.flush();
        self.last = Some((text.to_owned(), result));
        Ok(())
    }

    fn command(&mut self, line: &str) -> Result<Flow, CliError> {
        let words = split_words(line);
        let Some((command, args)) = words.split_first() else {
            return Ok(Flow::Continue);
        };
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        match (command.as_str(), args.as_slice()) {
            (":quit" | ":exit" | ":q", []) => return Ok(Flow::Quit),
            (":help" | ":h" | ":?", _) => print!("{}", help()),
            (":schema", []) => print!("{}", self.store.schema()),
            (":dataset", []) => {
                self.store = Store::dataset()?;
                println!("loaded the {}", self.store.describe());
            }
            (":new", []) => {
                self.store = Store::empty();
                println!("an {}", self.store.describe());
            }
            (":open", [path]) => {
                // Dropped first: a database directory reopened must be unlocked.
                self.store = Store::empty();
                self.store = Store::open_path(Path::new(path), true)?;
                println!("opened {}", self.store.describe());
            }
            (":save", []) => {
                if self.store.checkpoint()? {
                    println!("checkpointed");
                } else if let Some(origin) = self.store.origin().map(Path::to_owned) {
                    self.store.save(&origin)?;
                    println!("saved {}", origin.display());
                } else {
                    return Err(CliError::usage(
                        ":save needs a PATH: this graph was not opened from a snapshot",
                    ));
                }
            }
            (":save", [path]) => {
                self.store.save(Path::new(path))?;
                println!("saved {path}");
            }
            (":import", [format, rest @ ..]) => {
                let Some(format) = <ImportFormat as clap::ValueEnum>::from_str(format, true).ok() else {
                    return Err(CliError::usage(format!(
                        "{format}: the import formats are csv and jsonl"
                    )));
                };
                let (files, merge, batch) = import_args(rest)?;
                let merge = merge.as_ref().map(|(l, k)| (l.as_str(), k.as_str()));
                let r = self.store.import(format, &files, merge, batch)?;
                println!("{}", store::import_summary(&r));
            }
            (":export", [format, path, rest @ ..]) => {
                let Some(format) = ExportFormat::parse(format) else {
                    return Err(CliError::usage(format!(
                        "{format}: the export formats are csv, jsonl, cypher, kuzu, neo4j and graphml"
                    )));
                };
                let dialect = match rest {
                    [] => CypherDialect::Neo4j,
                    ["--dialect", d] => parse_dialect(d)?,
                    _ => return Err(CliError::usage(usage_of(":export"))),
                };
                self.store.export(format, Path::new(path), dialect)?;
                println!("exported to {path}");
            }
            (":param", [name]) => {
                let name = name.trim_start_matches('$');
                if self.params.remove(name).is_none() {
                    return Err(CliError::usage(format!("no parameter ${name}")));
                }
                println!("${name} cleared");
            }
            (":param", [name, ..]) => {
                let name = name.trim_start_matches('$');
                params::check_name(name)?;
                let value_text = line
                    .trim_start()
                    .split_once(char::is_whitespace)
                    .map(|(_, r)| r.trim_start())
                    .and_then(|r| r.split_once(char::is_whitespace))
                    .map_or("", |(_, v)| v);
                let value = params::parse_value(value_text)?;
                println!("${name} = {value}");
                self.params.insert(name.to_owned(), value);
            }
            (":params" | ":param", []) => {
                if self.params.is_empty() {
                    println!("no parameters");
                }
                for (n, v) in &self.params {
                    println!("${n} = {v}");
                }
            }
            (":params", ["clear"]) => {
                self.params.clear();
                println!("parameters cleared");
            }
            (":format", []) => println!("{}", self.format.name()),
            (":format", [f]) => match Format::parse(f) {
                Some(f) => self.format = f,
                None => {
                    return Err(CliError::usage(format!(
                        "{f}: the formats are table, csv and jsonl"
                    )))
                }
            },
            (":render", [kind, file]) => self.render(kind, Path::new(file))?,
            (c, _) => {
                return Err(match COMMANDS.iter().find(|x| x.0 == c) {
                    Some(_) => CliError::usage(usage_of(c)),
                    None => CliError::usage(format!("{c}: unknown command; :help lists them")),
                })
            }
        }
        Ok(Flow::Continue)
    }

    /// Writes a picture of the last result (its nodes, relationships and paths; the ends of
    /// its relationships read from the graph) as DOT, SVG or an HTML page.
    fn render(&self, kind: &str, file: &Path) -> Result<(), CliError> {
        let Some((text, result)) = &self.last else {
            return Err(CliError::usage(
                ":render draws the last result: run a query first",
            ));
        };
        let picture = self
            .store
            .with_graph(|g| Picture::from_result_in(result, g))
            .with_title(text.clone());
        let body = match kind.to_ascii_lowercase().as_str() {
            "dot" => picture.to_dot(),
            "svg" => picture.to_svg(),
            "html" => picture.to_html(),
            _ => {
                return Err(CliError::usage(format!(
                    "{kind}: the pictures are dot, svg and html"
                )))
            }
        };
        std::fs::write(file, body)
            .map_err(|e| CliError::io(format!("cannot write {}: {e}", file.display())))?;
        println!(
            "wrote {} ({} nodes, {} relationships)",
            file.display(),
            picture.nodes().len(),
            picture.relationships().len()
        );
        Ok(())
    }
}

/// The cancel handle of the statement running, for the Ctrl-C handler.
static RUNNING: std::sync::Mutex<Option<CancelHandle>> = std::sync::Mutex::new(None);

fn set_running(handle: Option<CancelHandle>) {
    if let Ok(mut r) = RUNNING.lock() {
        *r = handle;
    }
}

/// What the shell does after an input.
pub enum Flow {
    /// Reads the next input.
    Continue,
    /// Leaves.
    Quit,
}

fn save_history(rl: &mut Editor<ShellHelper, DefaultHistory>, path: &Path) {
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    if let Err(e) = rl.save_history(path) {
        eprintln!("cannot save the history to {}: {e}", path.display());
    }
}

/// The words of a command line; `'...'` and `"..."` keep spaces in a word.
fn split_words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quote = None;
    let mut any = false;
    for c in line.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => word.push(c),
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                any = true;
            }
            None if c.is_whitespace() => {
                if any {
                    out.push(std::mem::take(&mut word));
                    any = false;
                }
            }
            None => {
                word.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(word);
    }
    out
}

/// The files, the `--merge-on` label and key, and the `--batch-rows` of `:import`.
type ImportArgs = (Vec<PathBuf>, Option<(String, String)>, Option<usize>);

fn import_args(args: &[&str]) -> Result<ImportArgs, CliError> {
    let mut files = Vec::new();
    let mut merge = None;
    let mut batch = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match *a {
            "--merge-on" => {
                let v = it
                    .next()
                    .ok_or_else(|| CliError::usage("--merge-on needs Label.key"))?;
                merge = Some(parse_merge(v)?);
            }
            "--batch-rows" => {
                let v = it
                    .next()
                    .ok_or_else(|| CliError::usage("--batch-rows needs a number"))?;
                batch = Some(
                    v.parse()
                        .map_err(|_| CliError::usage(format!("--batch-rows {v}: not a number")))?,
                );
            }
            f => files.push(PathBuf::from(f)),
        }
    }
    Ok((files, merge, batch))
}

/// Reads `Label.key` (or `Label:key`).
pub fn parse_merge(text: &str) -> Result<(String, String), CliError> {
    match text.split_once(['.', ':']) {
        Some((l, k)) if !l.is_empty() && !k.is_empty() => Ok((l.to_owned(), k.to_owned())),
        _ => Err(CliError::usage(format!("--merge-on {text}: expected Label.key"))),
    }
}

/// Reads a Cypher dialect name.
pub fn parse_dialect(text: &str) -> Result<CypherDialect, CliError> {
    match text.to_ascii_lowercase().as_str() {
        "neo4j" => Ok(CypherDialect::Neo4j),
        "falkordb" => Ok(CypherDialect::FalkorDb),
        _ => Err(CliError::usage(format!("--dialect {text}: neo4j or falkordb"))),
    }
}

fn usage_of(command: &str) -> String {
    match COMMANDS.iter().find(|c| c.0 == command) {
        Some((c, args, what)) => format!("usage: {c} {args}  ({what})"),
        None => format!("{command}: unknown command"),
    }
}

/// The text of `:help`.
pub fn help() -> String {
    let mut out = String::from(
        "Type Cypher statements ending with ';' (several lines are fine). Tab completes keywords,\n\
         labels (after ':'), relationship types (after '[:'), property keys (after '.'), parameters\n\
         (after '$'), commands and file names; the up arrow recalls earlier input.\n\
         EXPLAIN shows a statement's plan.\n\nCommands:\n",
    );
    let width = COMMANDS
        .iter()
        .map(|(c, a, _)| c.len() + a.len() + 1)
        .max()
        .unwrap_or(0)
        .min(40);
    for (c, a, what) in COMMANDS {
        let head = if a.is_empty() {
            (*c).to_owned()
        } else {
            format!("{c} {a}")
        };
        if head.len() > width {
            out.push_str(&format!("  {head}\n  {:width$}  {what}\n", ""));
        } else {
            out.push_str(&format!("  {head:width$}  {what}\n"));
        }
    }
    out
}

impl std::fmt::Debug for Shell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.store.describe())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_merge_keys() {
        assert_eq!(
            split_words(":open 'my dir/g.kgs'  x"),
            [":open", "my dir/g.kgs", "x"]
        );
        assert_eq!(
            parse_merge("Company.name").ok(),
            Some(("Company".into(), "name".into()))
        );
        assert!(parse_merge("Company").is_err());
    }

    #[test]
    fn completion_of_labels_types_keys_and_keywords() {
        let h = ShellHelper {
            names: Names {
                labels: vec!["Company".into(), "Place".into(), "城市".into()],
                types: vec!["LOCATED_IN".into()],
                keys: vec!["name".into(), "name_zh".into()],
            },
            params: vec!["who".into()],
            files: FilenameCompleter::new(),
        };
        let history = DefaultHistory::new();
        let ctx = Context::new(&history);
        let complete = |line: &str| {
            let (start, c) = h.complete(line, line.len(), &ctx).unwrap_or((0, Vec::new()));
            (start, c.into_iter().map(|p| p.replacement).collect::<Vec<_>>())
        };
        assert_eq!(complete("MATCH (c:Co"), (9, vec!["Company".to_owned()]));
        assert_eq!(complete("MATCH (c)-[:LOC"), (12, vec!["LOCATED_IN".to_owned()]));
        assert_eq!(complete("MATCH (c) RETURN c.na").1, ["name", "name_zh"]);
        assert_eq!(complete("mat").1, ["MATCH"]);
        assert_eq!(complete("RETURN $w").1, ["who"]);
        assert_eq!(complete(":sch").1, [":schema"]);
        assert_eq!(complete("MATCH (c:城").1, ["城市"]);
    }
}
