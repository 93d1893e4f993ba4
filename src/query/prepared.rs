//! Prepared statements: parsed once, bound once per graph state, run many times with new
//! parameters.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use super::syntax::Query;
use super::{parse_cached, CacheEntry, CachedPlan, PlanKey, QueryError, ReadQuery, WriteQuery};
use crate::graph::{Graph, Value};

/// A statement parsed once and kept, to run many times with new parameters, on a graph or in a
/// transaction.
///
/// It keeps its parse and the plan of its last run. A plan is bound for a graph state: the
/// graph it ran on, the names (labels, types, keys) the graph has interned, its indexes and
/// constraints, the names of the parameters given and the options that change a plan. When
/// any of them differs at the next run, the statement is bound again (from its kept parse),
/// so a statement prepared before a label existed finds the nodes of that label once they do.
/// Errors are those of [`Graph::query`]: a syntax error when preparing; a missing parameter
/// (`SemanticKind::ParameterMissing`) or a wrong one at the run.
///
/// `Prepared` is `Send` and `Sync`: threads may share one.
///
/// ```
/// use kgraph::Graph;
/// let g = Graph::ecosystem()?;
/// let stmt = g.prepare("MATCH (c:Company {name: $name}) RETURN c.country AS country")?;
/// for (name, country) in [("AstraZeneca", "GB"), ("Pfizer", "US")] {
///     let r = stmt.query(&g).param("name", name).run()?;
///     assert_eq!(r.row(0).unwrap().get::<String>("country")?, country);
/// }
/// # Ok::<_, kgraph::Error>(())
/// ```
pub struct Prepared {
    text: Arc<str>,
    pub(crate) parsed: Arc<Query>,
    /// The plan of the last run, with its key.
    plan: Mutex<Option<CacheEntry>>,
}

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prepared")
            .field("text", &self.text)
            .finish_non_exhaustive()
    }
}

impl Prepared {
    /// Parses `text` (a syntax error is returned here).
    ///
    /// ```
    /// assert!(kgraph::Prepared::new("RETURN $x AS x").is_ok());
    /// assert!(matches!(kgraph::Prepared::new("RETURN"), Err(kgraph::QueryError::Syntax(_))));
    /// ```
    pub fn new(text: &str) -> Result<Prepared, QueryError> {
        let parsed = parse_cached(text)?;
        Ok(Prepared {
            text: text.into(),
            parsed,
            plan: Mutex::new(None),
        })
    }

    /// The statement's text.
    ///
    /// ```
    /// assert_eq!(kgraph::Prepared::new("RETURN 1 AS x")?.text(), "RETURN 1 AS x");
    /// # Ok::<_, kgraph::QueryError>(())
    /// ```
    pub fn text(&self) -> &str {
        &self.text
    }

    /// A read-only run of the statement on `graph`, to give parameters and options and run.
    ///
    /// ```
    /// let g = kgraph::Graph::new();
    /// let stmt = kgraph::Prepared::new("RETURN $x * 2 AS y")?;
    /// assert_eq!(stmt.query(&g).param("x", 21).run()?.row(0).unwrap().get::<i64>("y")?, 42);
    /// # Ok::<_, kgraph::Error>(())
    /// ```
    pub fn query<'g>(&'g self, graph: &'g Graph) -> ReadQuery<'g> {
        let mut q = graph.query(&self.text);
        q.prepared = Some(self);
        q
    }

    /// A run of the statement that may write on `graph` (one statement: if it fails,
    /// nothing it did remains).
    ///
    /// ```
    /// let mut g = kgraph::Graph::new();
    /// let stmt = kgraph::Prepared::new("CREATE (:Company {name: $name})")?;
    /// for name in ["A", "B", "C"] {
    ///     stmt.execute(&mut g).param("name", name).run()?;
    /// }
    /// assert_eq!(g.node_count(), 3);
    /// # Ok::<_, kgraph::Error>(())
    /// ```
    pub fn execute<'g>(&'g self, graph: &'g mut Graph) -> WriteQuery<'g> {
        let mut q = graph.execute(&self.text);
        q.prepared = Some(self);
        q
    }

    /// The kept plan, if it was bound for `key` and parameters of the same names.
    pub(crate) fn plan_get(&self, key: &PlanKey<'_>, params: &BTreeMap<String, Value>) -> Option<CachedPlan> {
        let slot = self
            .plan
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match &*slot {
            Some((k, names, hit)) if k == key && names.iter().eq(params.keys()) => Some(hit.clone()),
            _ => None,
        }
    }

    /// Keeps `plan` as bound for `key`.
    pub(crate) fn plan_put(&self, key: PlanKey<'_>, params: &BTreeMap<String, Value>, plan: CachedPlan) {
        let entry = (key.into_owned(), params.keys().cloned().collect(), plan);
        *self
            .plan
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(entry);
    }
}

impl Graph {
    /// Prepares a statement to run many times: see [`Prepared`].
    ///
    /// ```
    /// let g = kgraph::Graph::ecosystem()?;
    /// let stmt = g.prepare("MATCH (c:Company {name: $name}) RETURN c.country AS country")?;
    /// let r = stmt.query(&g).param("name", "AstraZeneca").run()?;
    /// assert_eq!(r.row(0).unwrap().get::<String>("country")?, "GB");
    /// # Ok::<_, kgraph::Error>(())
    /// ```
    pub fn prepare(&self, text: &str) -> Result<Prepared, QueryError> {
        Prepared::new(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prepared_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Prepared>();
    }
}
