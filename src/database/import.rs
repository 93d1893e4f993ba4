//! Appending imports into a database: each batch of `storage::append` is one write
//! transaction, committed (and logged, on a database opened from a directory) like any other.

use std::path::Path;

use super::{Database, WriteTxn};
use crate::graph::{Graph, Symbols};
use crate::storage::append::{self, Source, Target};
use crate::storage::{ImportFailure, ImportOptions, ImportReport, MAX_IMPORT_LINE_BYTES};

/// Batches as write transactions of a database.
struct TxnTarget<'db> {
    db: &'db Database,
    txn: Option<WriteTxn<'db>>,
}

impl Target for TxnTarget<'_> {
    fn begin(&mut self) -> Result<&mut Graph, crate::Error> {
        Ok(self.txn.insert(self.db.write()).graph_mut())
    }

    fn graph(&mut self) -> &mut Graph {
        // `begin` always comes first; a fresh transaction if not.
        let db = self.db;
        self.txn.get_or_insert_with(|| db.write()).graph_mut()
    }

    fn commit(&mut self) -> Result<(), crate::Error> {
        match self.txn.take() {
            Some(txn) => txn.commit().map_err(crate::Error::from),
            None => Ok(()),
        }
    }

    fn abort(&mut self) {
        if let Some(txn) = self.txn.take() {
            txn.rollback();
        }
    }
}

impl Database {
    /// Imports CSV files into the database as [`Graph::import_csv_into`] does into a graph:
    /// each batch of [`ImportOptions::batch_rows`] rows is one write transaction, committed
    /// before the next begins (so readers see the import grow batch by batch, and, on a
    /// database opened from a directory, each batch is durable as a commit is). Other writers
    /// wait for the batch in progress, not for the whole import.
    ///
    /// ```
    /// use kgraph::{Database, ImportOptions};
    /// let dir = std::env::temp_dir().join(format!("kgraph-doc-db-import-csv-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// std::fs::write(dir.join("nodes.csv"), "id:ID,label:LABEL,name:STRING\n1,Company,Pfizer\n2,Place,New York\n")?;
    /// std::fs::write(dir.join("rels.csv"), "start:START_ID,end:END_ID,type:TYPE\n1,2,LOCATED_IN\n")?;
    /// let db = Database::new();
    /// db.execute("CREATE (:Company {name: 'Pfizer', founded: 1849})")?;
    /// let report = db.import_csv(dir.join("nodes.csv"), dir.join("rels.csv"),
    ///     &ImportOptions::new().merge_on("Company", "name"))?;
    /// assert_eq!(report.nodes_matched, 1);
    /// let read = db.read();
    /// assert_eq!((read.node_count(), read.relationship_count()), (2, 1));
    /// std::fs::remove_dir_all(&dir)?;
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    pub fn import_csv(
        &self,
        nodes: impl AsRef<Path>,
        relationships: impl AsRef<Path>,
        options: &ImportOptions<'_>,
    ) -> Result<ImportReport, ImportFailure> {
        let mut symbols = Symbols::default();
        let source = Source::csv(
            nodes.as_ref(),
            relationships.as_ref(),
            &mut symbols,
            MAX_IMPORT_LINE_BYTES,
        )
        .map_err(ImportFailure::before_any)?;
        let mut target = TxnTarget { db: self, txn: None };
        append::run(source, symbols, &mut target, options)
    }

    /// Imports a JSON Lines file into the database as [`Graph::import_jsonl_into`] does into
    /// a graph, each batch one write transaction (see [`Database::import_csv`]).
    ///
    /// ```
    /// use kgraph::{Database, ImportOptions};
    /// let path = std::env::temp_dir().join(format!("kgraph-doc-db-import-jsonl-{}.jsonl", std::process::id()));
    /// std::fs::write(&path, concat!(
    ///     r#"{"node":{"id":1,"labels":["Company"],"properties":{"name":"BeiGene"}}}"#, "\n",
    /// ))?;
    /// let db = Database::new();
    /// let report = db.import_jsonl(&path, &ImportOptions::new())?;
    /// assert_eq!((report.nodes_created, report.batches), (1, 1));
    /// assert_eq!(db.read().resolve("beigene")?.index(), 0);
    /// std::fs::remove_file(&path)?;
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    pub fn import_jsonl(
        &self,
        path: impl AsRef<Path>,
        options: &ImportOptions<'_>,
    ) -> Result<ImportReport, ImportFailure> {
        let source =
            Source::jsonl(path.as_ref(), MAX_IMPORT_LINE_BYTES).map_err(ImportFailure::before_any)?;
        let mut target = TxnTarget { db: self, txn: None };
        append::run(source, Symbols::default(), &mut target, options)
    }
}
