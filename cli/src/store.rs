//! The graph a command works on: in memory (empty, the embedded dataset, or opened from a
//! snapshot file) or a database directory; and what can be done to it.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use kgraph::{
    CancelHandle, CypherDialect, CypherExportOptions, Database, Graph, ImportOptions, ImportReport, Params,
    QueryError, QueryResult, SemanticKind,
};

use crate::error::CliError;
use crate::progress;

/// Where the graph lives.
pub enum Store {
    /// In memory; `origin` is the snapshot it was opened from, if any (`:save` writes it back).
    Memory {
        /// The graph.
        graph: Box<Graph>,
        /// The snapshot file it came from.
        origin: Option<PathBuf>,
        /// What it is, for messages (`empty graph`, `embedded dataset`, the file).
        name: String,
    },
    /// A database directory: every write is committed to its log.
    Dir {
        /// The open database.
        db: Database,
        /// Its directory.
        dir: PathBuf,
    },
}

/// The export formats, as the command line names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// `nodes.csv` and `relationships.csv` in a directory (`docs/csv-format.md`).
    Csv,
    /// One JSON object per line in a file (`docs/jsonl-format.md`).
    Jsonl,
    /// A Cypher script that adds a copy of the graph to any graph (a file).
    Cypher,
    /// CSV files and `schema.cypher` for Kùzu or Ladybug (a directory).
    Kuzu,
    /// The CSV layout of `neo4j-admin database import full` (a directory).
    Neo4j,
    /// GraphML for Gephi, networkx, igraph (a file).
    Graphml,
}

impl ExportFormat {
    /// Parses a name as typed in the shell.
    pub fn parse(text: &str) -> Option<ExportFormat> {
        <ExportFormat as clap::ValueEnum>::from_str(text, true).ok()
    }
}

/// The import formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportFormat {
    /// A nodes file and a relationships file in the benchmark CSV format or its extension.
    Csv,
    /// A JSON Lines file.
    Jsonl,
}

impl Store {
    /// An empty graph in memory.
    pub fn empty() -> Store {
        Store::Memory {
            graph: Box::new(Graph::new()),
            origin: None,
            name: "empty graph".to_owned(),
        }
    }

    /// The embedded dataset in memory.
    pub fn dataset() -> Result<Store, CliError> {
        Ok(Store::Memory {
            graph: Box::new(Graph::ecosystem()?),
            origin: None,
            name: "embedded dataset".to_owned(),
        })
    }

    /// A snapshot file, read into memory.
    pub fn open_snapshot(path: &Path) -> Result<Store, CliError> {
        let graph = progress::storage("opening", || Graph::open(path))?;
        Ok(Store::Memory {
            graph: Box::new(graph),
            origin: Some(path.to_owned()),
            name: path.display().to_string(),
        })
    }

    /// A database directory; created if `create` and it does not exist.
    pub fn open_dir(dir: &Path, create: bool) -> Result<Store, CliError> {
        if !create && !dir.is_dir() {
            return Err(CliError::io(format!(
                "{} is not a database directory",
                dir.display()
            )));
        }
        let db = progress::storage("opening", || Database::open(dir))?;
        Ok(Store::Dir {
            db,
            dir: dir.to_owned(),
        })
    }

    /// A snapshot file or a database directory, by what is at `path` (a path that does not
    /// exist is a new database directory if `create_dir`, unless it ends in `.kgs`).
    pub fn open_path(path: &Path, create_dir: bool) -> Result<Store, CliError> {
        if path.is_dir() {
            Store::open_dir(path, false)
        } else if path.exists() {
            Store::open_snapshot(path)
        } else if create_dir && path.extension().is_some_and(|e| e == "kgs") {
            // A missing `.kgs` file is a mistyped snapshot, not a new database directory.
            Err(CliError::io(format!("{}: no such snapshot file", path.display())))
        } else if create_dir {
            Store::open_dir(path, true)
        } else {
            Err(CliError::io(format!(
                "{}: no such file or directory",
                path.display()
            )))
        }
    }

    /// What the store is, for messages.
    pub fn describe(&self) -> String {
        match self {
            Store::Memory { name, .. } => format!("{name} (in memory)"),
            Store::Dir { dir, .. } => format!("database directory {}", dir.display()),
        }
    }

    /// Runs `f` on the current committed graph.
    pub fn with_graph<R>(&self, f: impl FnOnce(&Graph) -> R) -> R {
        match self {
            Store::Memory { graph, .. } => f(graph),
            Store::Dir { db, .. } => f(db.read().graph()),
        }
    }

    /// Runs one statement: a read in memory or on a committed state; a write in a
    /// transaction of its own, committed (to the log of a database directory).
    /// `cancel` stops it (the shell's Ctrl-C).
    pub fn run(
        &mut self,
        text: &str,
        params: &Params,
        cancel: &CancelHandle,
    ) -> Result<QueryResult, CliError> {
        match self {
            Store::Memory { graph, .. } => Ok(graph
                .execute(text)
                .params(params.clone())
                .cancel_handle(cancel)
                .run()?),
            Store::Dir { db, .. } => {
                let read = db.read();
                match read
                    .query(text)
                    .params(params.clone())
                    .cancel_handle(cancel)
                    .run()
                {
                    Err(QueryError::Semantic {
                        kind: SemanticKind::ReadOnly,
                        ..
                    }) => {
                        drop(read);
                        let mut tx = db.write();
                        let r = tx
                            .execute(text)
                            .params(params.clone())
                            .cancel_handle(cancel)
                            .run()?;
                        tx.commit()?;
                        Ok(r)
                    }
                    other => Ok(other?),
                }
            }
        }
    }

    /// Labels, relationship types and property keys (names only: cheap, for completion).
    pub fn names(&self) -> Names {
        self.with_graph(|g| {
            let column = |q: &str| -> Vec<String> {
                g.query(q)
                    .run()
                    .map(|r| {
                        r.rows()
                            .iter()
                            .filter_map(|row| row[0].as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            Names {
                labels: column("CALL db.labels() YIELD label RETURN label"),
                types: column("CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType"),
                keys: column("CALL db.propertyKeys() YIELD propertyKey RETURN propertyKey"),
            }
        })
    }

    /// The schema with counts, as text for people.
    pub fn schema(&self) -> String {
        self.with_graph(|g| {
            let mut out = String::new();
            let _ = writeln!(
                out,
                "{} nodes, {} relationships",
                g.node_count(),
                g.relationship_count()
            );
            let mut labels = g.label_counts();
            labels.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            let mut types = g.relationship_type_counts();
            types.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            let mut node_keys: BTreeMap<&str, usize> = BTreeMap::new();
            for id in g.nodes() {
                if let Ok(n) = g.node(id) {
                    for (k, _) in n.properties() {
                        *node_keys.entry(k).or_default() += 1;
                    }
                }
            }
            let mut rel_keys: BTreeMap<&str, usize> = BTreeMap::new();
            for id in g.relationships() {
                if let Ok(r) = g.relationship(id) {
                    for (k, _) in r.properties() {
                        *rel_keys.entry(k).or_default() += 1;
                    }
                }
            }
            let section = |out: &mut String, title: &str, items: Vec<(&str, usize)>| {
                let _ = writeln!(out, "{title} ({}):", items.len());
                let width = items
                    .iter()
                    .map(|(n, _)| unicode_width::UnicodeWidthStr::width(*n))
                    .max();
                for (name, count) in &items {
                    let pad = width.unwrap_or(0) - unicode_width::UnicodeWidthStr::width(*name);
                    let _ = writeln!(out, "  {name}{} {count:>8}", " ".repeat(pad));
                }
            };
            section(&mut out, "labels", labels);
            section(&mut out, "relationship types", types);
            section(&mut out, "node property keys", by_count(node_keys));
            section(&mut out, "relationship property keys", by_count(rel_keys));
            let indexes = g.indexes();
            let constraints = g.constraints();
            let _ = writeln!(out, "indexes ({}):", indexes.len());
            for (name, label, key) in indexes {
                let _ = writeln!(out, "  {name} on :{label}({key})");
            }
            let _ = writeln!(out, "constraints ({}):", constraints.len());
            for (name, label, key) in constraints {
                let _ = writeln!(out, "  {name}: :{label}({key}) is unique");
            }
            out
        })
    }

    /// Imports files into the graph (appending; `merge_on` matches node rows to existing
    /// nodes), with a progress bar.
    pub fn import(
        &mut self,
        format: ImportFormat,
        files: &[PathBuf],
        merge_on: Option<(&str, &str)>,
        batch_rows: Option<usize>,
    ) -> Result<ImportReport, CliError> {
        let bar = progress::ImportBar::new();
        let update = |p: &kgraph::ImportProgress| bar.update(p);
        let mut opts = ImportOptions::new().progress(&update);
        if let Some((label, key)) = merge_on {
            opts = opts.merge_on(label, key);
        }
        if let Some(rows) = batch_rows {
            opts = opts.batch_rows(rows);
        }
        let r = match (format, files) {
            (ImportFormat::Csv, [nodes, rels]) => match self {
                Store::Memory { graph, .. } => graph.import_csv_into(nodes, rels, &opts),
                Store::Dir { db, .. } => db.import_csv(nodes, rels, &opts),
            },
            (ImportFormat::Jsonl, [file]) => match self {
                Store::Memory { graph, .. } => graph.import_jsonl_into(file, &opts),
                Store::Dir { db, .. } => db.import_jsonl(file, &opts),
            },
            (ImportFormat::Csv, _) => {
                bar.finish();
                return Err(CliError::usage(
                    "a CSV import takes two files: the nodes file and the relationships file",
                ));
            }
            (ImportFormat::Jsonl, _) => {
                bar.finish();
                return Err(CliError::usage("a JSON Lines import takes one file"));
            }
        };
        bar.finish();
        Ok(r?)
    }

    /// Writes the graph in `format` to `path` (a file or a directory, by format).
    pub fn export(&self, format: ExportFormat, path: &Path, dialect: CypherDialect) -> Result<(), CliError> {
        self.with_graph(|g| {
            progress::storage("exporting", || match format {
                ExportFormat::Csv => g.export_csv(path),
                ExportFormat::Jsonl => g.export_jsonl(path),
                ExportFormat::Cypher => {
                    g.export_cypher_with(path, &CypherExportOptions::default().dialect(dialect))
                }
                ExportFormat::Kuzu => g.export_kuzu(path),
                ExportFormat::Neo4j => g.export_neo4j_admin(path),
                ExportFormat::Graphml => g.export_graphml(path),
            })
        })?;
        Ok(())
    }

    /// Saves a snapshot of the graph to `path` (crash-safe).
    pub fn save(&self, path: &Path) -> Result<(), CliError> {
        self.with_graph(|g| progress::storage("saving", || g.save(path)))?;
        Ok(())
    }

    /// The snapshot the graph came from, if any.
    pub fn origin(&self) -> Option<&Path> {
        match self {
            Store::Memory { origin, .. } => origin.as_deref(),
            Store::Dir { .. } => None,
        }
    }

    /// Writes a new snapshot of a database directory and empties its log.
    pub fn checkpoint(&self) -> Result<bool, CliError> {
        match self {
            Store::Dir { db, .. } => {
                progress::storage("saving", || db.checkpoint())?;
                Ok(true)
            }
            Store::Memory { .. } => Ok(false),
        }
    }
}

/// Counts, largest first, then by name.
fn by_count(m: BTreeMap<&str, usize>) -> Vec<(&str, usize)> {
    let mut v: Vec<(&str, usize)> = m.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v
}

/// The names the shell completes.
#[derive(Clone, Debug, Default)]
pub struct Names {
    /// Node labels.
    pub labels: Vec<String>,
    /// Relationship types.
    pub types: Vec<String>,
    /// Property keys.
    pub keys: Vec<String>,
}

/// A summary of an import, for people.
pub fn import_summary(r: &ImportReport) -> String {
    format!(
        "imported {} rows: {} nodes created, {} matched, {} relationships created, {} constraints created ({} batches)",
        r.rows, r.nodes_created, r.nodes_matched, r.relationships_created, r.constraints_created, r.batches
    )
}

/// Checks a snapshot file or database directory without changing it: a snapshot is read
/// (magic number, version, lengths and checksums, structure); a directory is verified by
/// `Database::verify` (its snapshot read, its logs replayed in memory commit by commit, what
/// opening would repair reported, nothing written). Every index is checked against the data.
/// Returns the report printed on success.
pub fn check(path: &Path) -> Result<String, CliError> {
    let mut out = String::new();
    if path.is_dir() {
        let v = progress::storage("checking", || Database::verify(path))?;
        let _ = writeln!(out, "database directory {}: ok", path.display());
        let _ = writeln!(
            out,
            "  checked: the snapshot of generation {} (header, checksums and structure), the {} {} of the logs after it; labels, names, indexes and constraints against the data",
            v.generation,
            v.commits,
            if v.commits == 1 { "commit" } else { "commits" }
        );
        counts(&mut out, &v.graph);
        if v.torn_bytes > 0 {
            let _ = writeln!(
                out,
                "  the last log ends in {} bytes of a commit that was not finished (what a crash leaves): opening the database cuts them off",
                v.torn_bytes
            );
        }
        if v.log_missing {
            let _ = writeln!(
                out,
                "  the log of generation {} does not exist yet (a checkpoint stopped after its snapshot): opening the database creates it",
                v.generation
            );
        }
        for f in &v.leftovers {
            let _ = writeln!(
                out,
                "  left over: {} (opening the database removes it)",
                f.display()
            );
        }
        let _ = writeln!(out, "  nothing was changed");
        return Ok(out);
    }
    if !path.exists() {
        return Err(CliError::io(format!(
            "{}: no such file or directory",
            path.display()
        )));
    }
    let store = Store::open_snapshot(path)?;
    store.with_graph(|g| {
        g.check_invariants()
            .map_err(|reason| CliError::io(format!("{}: inconsistent: {reason}", path.display())))?;
        let _ = writeln!(out, "snapshot {}: ok", path.display());
        let _ = writeln!(
            out,
            "  checked: header, checksums and structure; labels, names, indexes and constraints against the data"
        );
        counts(&mut out, g);
        Ok(out)
    })
}

/// The counts line of a check's report.
fn counts(out: &mut String, g: &Graph) {
    let _ = writeln!(
        out,
        "  {} nodes, {} relationships, {} labels, {} relationship types, {} indexes, {} constraints",
        g.node_count(),
        g.relationship_count(),
        g.label_counts().len(),
        g.relationship_type_counts().len(),
        g.indexes().len(),
        g.constraints().len()
    );
}
