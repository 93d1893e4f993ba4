//! `kgraph`: an interactive Cypher shell on kgraph, and one-shot commands for scripts.

mod error;
mod output;
mod params;
mod progress;
mod script;
mod shell;
mod store;

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, Parser, Subcommand};
use kgraph::Params;

use error::{CliError, Exit};
use output::Format;
use store::{ExportFormat, ImportFormat, Store};

const EXIT_CODES: &str = "\
Exit codes:
  0  success (also when the output's reader closed it early, as `| head` does)
  1  a query or the data failed: syntax, semantic or runtime error, a malformed import row,
     a graph the export format cannot hold
  2  usage error: unknown option, missing argument, bad parameter value
  3  I/O error: a file or directory missing, unreadable, unwritable, damaged or locked";

/// kgraph's command-line program: an interactive Cypher shell, and one-shot commands to
/// query, import, export and check graphs.
#[derive(Parser, Debug)]
#[command(name = "kgraph", version, about, after_help = EXIT_CODES, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// The interactive shell (also `kgraph` alone); reads a script from stdin when it is not a terminal.
    Shell {
        /// A snapshot file or database directory to open (created as a directory if missing).
        path: Option<PathBuf>,
        /// Start on the embedded dataset.
        #[arg(long, conflicts_with = "path")]
        dataset: bool,
    },
    /// Runs Cypher statements and prints their results.
    Query(QueryArgs),
    /// Imports CSV or JSON Lines files into a snapshot file or database directory.
    Import(ImportArgs),
    /// Exports a graph in any of the crate's formats.
    Export(ExportArgs),
    /// Opens a snapshot file or database directory and verifies it; prints its counts.
    Check {
        /// The snapshot file or database directory.
        path: PathBuf,
    },
}

/// The graph a command reads.
#[derive(Args, Debug)]
#[group(multiple = false)]
struct Source {
    /// A database directory (created if missing; writes are committed to it).
    #[arg(long, value_name = "DIR")]
    db: Option<PathBuf>,
    /// A snapshot file (read into memory).
    #[arg(long, value_name = "FILE")]
    snapshot: Option<PathBuf>,
    /// The embedded healthcare-ecosystem dataset.
    #[arg(long)]
    dataset: bool,
}

impl Source {
    fn open(&self, create_db: bool) -> Result<Store, CliError> {
        if let Some(dir) = &self.db {
            Store::open_dir(dir, create_db)
        } else if let Some(file) = &self.snapshot {
            Store::open_snapshot(file)
        } else if self.dataset {
            Store::dataset()
        } else {
            Ok(Store::empty())
        }
    }
}

#[derive(Args, Debug)]
struct QueryArgs {
    #[command(flatten)]
    source: Source,
    /// The statements (`;`-separated); else `-f FILE`, else stdin.
    query: Option<String>,
    /// Reads the statements from a file.
    #[arg(short = 'f', long = "file", value_name = "FILE", conflicts_with = "query")]
    file: Option<PathBuf>,
    /// A parameter, `name=value`; the value is JSON or a Cypher literal (repeatable).
    #[arg(short = 'p', long = "param", value_name = "NAME=VALUE")]
    params: Vec<String>,
    /// How results are printed.
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// With --snapshot: save the graph back to the snapshot after the statements.
    #[arg(long, requires = "snapshot")]
    save: bool,
    /// Print each statement's time on stderr.
    #[arg(long)]
    time: bool,
}

#[derive(Args, Debug)]
struct ImportArgs {
    /// The files' format.
    #[arg(long, value_enum)]
    format: ImportFormat,
    /// The files: for csv, the nodes file then the relationships file; for jsonl, one file.
    #[arg(required = true, num_args = 1..=2)]
    files: Vec<PathBuf>,
    /// The database directory to import into (created if missing).
    #[arg(
        long,
        value_name = "DIR",
        required_unless_present = "snapshot",
        conflicts_with = "snapshot"
    )]
    db: Option<PathBuf>,
    /// The snapshot file to import into (created if missing; saved after the import).
    #[arg(long, value_name = "FILE")]
    snapshot: Option<PathBuf>,
    /// Match node rows to existing nodes with this label and key (`Label.key`) instead of
    /// creating them.
    #[arg(long, value_name = "LABEL.KEY")]
    merge_on: Option<String>,
    /// Rows per atomic batch (default 100,000); an import of at most this many rows is all or nothing.
    #[arg(long, value_name = "N")]
    batch_rows: Option<usize>,
}

#[derive(Args, Debug)]
struct ExportArgs {
    #[command(flatten)]
    source: Source,
    /// The format.
    #[arg(long, value_enum)]
    format: ExportFormat,
    /// Where to write: a file (jsonl, cypher, graphml) or a directory (csv, kuzu, neo4j).
    output: PathBuf,
    /// The Cypher script's dialect: neo4j or falkordb.
    #[arg(long, default_value = "neo4j", value_parser = ["neo4j", "falkordb"])]
    dialect: String,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(Exit::Usage as u8),
            };
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.exit == Exit::Closed => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kgraph: {e}");
            ExitCode::from(e.exit as u8)
        }
    }
}

fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        None => shell::Shell::new(Store::empty()).run(),
        Some(Command::Shell { path, dataset }) => {
            let store = match (path, dataset) {
                (Some(p), _) => Store::open_path(&p, true)?,
                (None, true) => Store::dataset()?,
                (None, false) => Store::empty(),
            };
            shell::Shell::new(store).run()
        }
        Some(Command::Query(args)) => query(args),
        Some(Command::Import(args)) => import(args),
        Some(Command::Export(args)) => {
            let store = args.source.open(false)?;
            let dialect = shell::parse_dialect(&args.dialect)?;
            store.export(args.format, &args.output, dialect)?;
            Ok(())
        }
        Some(Command::Check { path }) => {
            print!("{}", store::check(&path)?);
            Ok(())
        }
    }
}

fn query(args: QueryArgs) -> Result<(), CliError> {
    let mut params = Params::new();
    for p in &args.params {
        let (name, value) = params::parse_assignment(p)?;
        params.insert(&name, value);
    }
    let text = match (&args.query, &args.file) {
        (Some(q), _) => q.clone(),
        (None, Some(f)) => std::fs::read_to_string(f)
            .map_err(|e| CliError::io(format!("cannot read {}: {e}", f.display())))?,
        (None, None) => {
            if std::io::stdin().is_terminal() {
                return Err(CliError::usage(
                    "no statements: give them as an argument, with -f FILE, or on stdin",
                ));
            }
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| CliError::io(format!("cannot read stdin: {e}")))?;
            text
        }
    };
    let statements = script::split(&text);
    if statements.is_empty() {
        return Err(CliError::usage("no statements to run"));
    }
    let mut store = args.source.open(true)?;
    let mut out = std::io::stdout().lock();
    for (i, stmt) in statements.iter().enumerate() {
        let started = Instant::now();
        let result = store
            .run(stmt, &params, &kgraph::CancelHandle::new())
            .map_err(|mut e| {
                if statements.len() > 1 {
                    e.message = format!("statement {} of {}: {}", i + 1, statements.len(), e.message);
                }
                e
            })?;
        let elapsed = started.elapsed();
        // A statement that returns no columns (a write without RETURN) prints nothing but
        // its summary in a table.
        let body = output::render(&result, args.format);
        out.write_all(body.as_bytes())?;
        if args.format == Format::Table && (!result.columns().is_empty() || !result.stats().is_empty()) {
            writeln!(out, "{}", output::summary(&result, elapsed))?;
        }
        // PROFILE's table follows the result's; off stdout unless the output is a table, so
        // that CSV and JSON Lines stay data only.
        if let Some(profile) = result.profile() {
            if args.format == Format::Table {
                write!(out, "{}", output::profile(profile))?;
            } else {
                eprint!("{}", output::profile(profile));
            }
        }
        if args.time {
            eprintln!("{}", output::duration(elapsed));
        }
    }
    out.flush()?;
    drop(out);
    if args.save
        && let Some(path) = &args.source.snapshot
    {
        store.save(path)?;
    }
    Ok(())
}

fn import(args: ImportArgs) -> Result<(), CliError> {
    let merge = args.merge_on.as_deref().map(shell::parse_merge).transpose()?;
    let merge = merge.as_ref().map(|(l, k)| (l.as_str(), k.as_str()));
    let mut store = match (&args.db, &args.snapshot) {
        (Some(dir), _) => Store::open_dir(dir, true)?,
        (None, Some(file)) if file.exists() => Store::open_snapshot(file)?,
        _ => Store::empty(),
    };
    let report = store.import(args.format, &args.files, merge, args.batch_rows)?;
    if let Some(file) = &args.snapshot {
        store.save(file)?;
    }
    println!("{}", store::import_summary(&report));
    Ok(())
}
