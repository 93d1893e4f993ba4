//! Procedures: what `CALL name(args) [YIELD ...]` runs.
//!
//! A [`Procedures`] value is a registry of user procedures, each a [`Procedure`]: a typed
//! signature and a closure over the graph. It belongs to the query layer, not to the graph:
//! a query sees the procedures its builder is given ([`ReadQuery::procedures`],
//! [`WriteQuery::procedures`]), and a [`Database`](crate::Database) hands the registry set with
//! [`Database::set_procedures`](crate::Database::set_procedures) to every transaction begun
//! after. The built-in procedures (`kg.resolve(text, limit)`: the nodes a text names, ranked, as
//! `Graph::resolve_ranked`; `db.labels()`, `db.relationshipTypes()`,
//! `db.propertyKeys()`, `db.indexes()`, `db.constraints()`, `db.schema.visualization()`, and the
//! graph algorithms `algo.*` of `algo_procedures.rs`) are always there; a registered procedure of the same name hides one.
//!
//! [`ReadQuery::procedures`]: crate::ReadQuery::procedures
//! [`WriteQuery::procedures`]: crate::WriteQuery::procedures

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use super::exec::error::{ExecError, ExecKind, ExecResult};
use super::exec::Ctx;
use crate::graph::{Graph, Value};

/// The type of a procedure's input or output, as a signature writes it (`INTEGER?`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProcType {
    /// `ANY`: every value.
    Any,
    /// `BOOLEAN`
    Boolean,
    /// `INTEGER`
    Integer,
    /// `FLOAT` (an integer argument is converted to a float).
    Float,
    /// `NUMBER`: an integer or a float, kept as given.
    Number,
    /// `STRING`
    String,
    /// `LIST OF ...` (the element type is not checked).
    List,
    /// `MAP`
    Map,
    /// `NODE`
    Node,
    /// `RELATIONSHIP`
    Relationship,
    /// `PATH`
    Path,
    /// `DATE`
    Date,
    /// `LOCALTIME`
    LocalTime,
    /// `TIME`
    Time,
    /// `LOCALDATETIME`
    LocalDateTime,
    /// `DATETIME`
    DateTime,
    /// `DURATION`
    Duration,
}

impl ProcType {
    /// Reads a type name as a signature writes it (case-insensitive; `LIST OF X` and
    /// `LIST<X>` are lists).
    ///
    /// ```
    /// use kgraph::ProcType;
    /// assert_eq!(ProcType::parse("integer"), Some(ProcType::Integer));
    /// assert_eq!(ProcType::parse("LIST OF STRING"), Some(ProcType::List));
    /// assert_eq!(ProcType::parse("WIDGET"), None);
    /// ```
    pub fn parse(text: &str) -> Option<ProcType> {
        let t = text.trim().to_ascii_uppercase();
        if t.starts_with("LIST") {
            return Some(ProcType::List);
        }
        Some(match t.as_str() {
            "ANY" => ProcType::Any,
            "BOOLEAN" | "BOOL" => ProcType::Boolean,
            "INTEGER" | "INT" => ProcType::Integer,
            "FLOAT" => ProcType::Float,
            "NUMBER" => ProcType::Number,
            "STRING" => ProcType::String,
            "MAP" => ProcType::Map,
            "NODE" => ProcType::Node,
            "RELATIONSHIP" => ProcType::Relationship,
            "PATH" => ProcType::Path,
            "DATE" => ProcType::Date,
            "LOCALTIME" => ProcType::LocalTime,
            "TIME" => ProcType::Time,
            "LOCALDATETIME" => ProcType::LocalDateTime,
            "DATETIME" => ProcType::DateTime,
            "DURATION" => ProcType::Duration,
            _ => return None,
        })
    }

    /// The type's name in a signature.
    ///
    /// ```
    /// assert_eq!(kgraph::ProcType::Float.name(), "FLOAT");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            ProcType::Any => "ANY",
            ProcType::Boolean => "BOOLEAN",
            ProcType::Integer => "INTEGER",
            ProcType::Float => "FLOAT",
            ProcType::Number => "NUMBER",
            ProcType::String => "STRING",
            ProcType::List => "LIST OF ANY",
            ProcType::Map => "MAP",
            ProcType::Node => "NODE",
            ProcType::Relationship => "RELATIONSHIP",
            ProcType::Path => "PATH",
            ProcType::Date => "DATE",
            ProcType::LocalTime => "LOCALTIME",
            ProcType::Time => "TIME",
            ProcType::LocalDateTime => "LOCALDATETIME",
            ProcType::DateTime => "DATETIME",
            ProcType::Duration => "DURATION",
        }
    }

    /// The value converted to this type: an integer given for a `FLOAT` becomes a float;
    /// `None` if the value is not of the type (null is handled by the field).
    fn convert(self, v: Value) -> Option<Value> {
        let ok = match (self, &v) {
            (ProcType::Any, _) => true,
            (ProcType::Float, Value::Int(i)) => return Some(Value::Float(*i as f64)),
            (ProcType::Boolean, Value::Bool(_))
            | (ProcType::Integer, Value::Int(_))
            | (ProcType::Float, Value::Float(_))
            | (ProcType::Number, Value::Int(_) | Value::Float(_))
            | (ProcType::String, Value::String(_))
            | (ProcType::List, Value::List(_))
            | (ProcType::Map, Value::Map(_))
            | (ProcType::Node, Value::Node(_))
            | (ProcType::Relationship, Value::Relationship(_))
            | (ProcType::Path, Value::Path(_))
            | (ProcType::Date, Value::Date(_))
            | (ProcType::LocalTime, Value::LocalTime(_))
            | (ProcType::Time, Value::Time(_))
            | (ProcType::LocalDateTime, Value::LocalDateTime(_))
            | (ProcType::DateTime, Value::DateTime(_))
            | (ProcType::Duration, Value::Duration(_)) => true,
            _ => false,
        };
        ok.then_some(v)
    }
}

/// One input or output of a procedure: a name, a type, and whether null is allowed (`?`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcField {
    /// The field's name: an output's is the variable `YIELD` binds.
    pub name: String,
    /// Its type.
    pub ty: ProcType,
    /// `?` was written: null is allowed.
    pub nullable: bool,
}

impl ProcField {
    /// A field (builder style).
    ///
    /// ```
    /// let f = kgraph::ProcField::new("x", kgraph::ProcType::Integer, true);
    /// assert_eq!(f.to_string(), "x :: INTEGER?");
    /// ```
    pub fn new(name: &str, ty: ProcType, nullable: bool) -> ProcField {
        ProcField {
            name: name.to_owned(),
            ty,
            nullable,
        }
    }

    /// Reads `TYPE` or `TYPE?` for a field named `name`.
    ///
    /// ```
    /// let f = kgraph::ProcField::parse("id", "INTEGER?")?;
    /// assert!(f.nullable);
    /// # Ok::<_, kgraph::SignatureError>(())
    /// ```
    pub fn parse(name: &str, ty: &str) -> Result<ProcField, SignatureError> {
        let ty = ty.trim();
        let (base, nullable) = match ty.strip_suffix('?') {
            Some(b) => (b, true),
            None => (ty, false),
        };
        let t = ProcType::parse(base).ok_or_else(|| SignatureError(format!("unknown type '{ty}'")))?;
        Ok(ProcField::new(name.trim(), t, nullable))
    }

    /// The value converted to the field's type (see [`ProcType`]), or an explanation.
    pub(crate) fn convert(&self, v: Value) -> Result<Value, String> {
        if v.is_null() {
            return if self.nullable || self.ty == ProcType::Any {
                Ok(v)
            } else {
                Err(format!(
                    "'{}' of type {} cannot be null",
                    self.name,
                    self.ty.name()
                ))
            };
        }
        let type_name = v.type_name();
        self.ty
            .convert(v)
            .ok_or_else(|| format!("'{}' needs a {}, got a {type_name}", self.name, self.ty.name()))
    }
}

impl std::fmt::Display for ProcField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} :: {}{}",
            self.name,
            self.ty.name(),
            if self.nullable { "?" } else { "" }
        )
    }
}

/// A signature that could not be read.
///
/// ```
/// assert!(kgraph::Procedure::new("no parentheses", |_, _| Ok(vec![])).is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("bad procedure signature: {0}")]
pub struct SignatureError(pub String);

/// What a procedure's body returns: its records, each with one value per output.
pub type ProcRecords = Result<Vec<Vec<Value>>, String>;

type Body = dyn Fn(&Graph, &[Value]) -> ProcRecords + Send + Sync;

/// The body of a built-in procedure that runs within the query's limits (the `algo.*`
/// procedures): it gets the running query's context, and fails with the error the query
/// ends with (`Cancelled`, `Timeout`, `MemoryLimit`, or a `ProcedureError` that names it).
pub(crate) type LimitedBody = dyn Fn(&Ctx<'_>, &[Value]) -> ExecResult<Vec<Vec<Value>>> + Send + Sync;

/// A procedure's body: a user's (or a plain built-in), or one that honours the limits.
#[derive(Clone)]
enum Run {
    Plain(Arc<Body>),
    Limited(Arc<LimitedBody>),
}

/// A procedure: a name (with its namespace), typed inputs and outputs, and a body.
///
/// The body gets the graph and the arguments, already converted to the input types (an
/// integer for a `FLOAT` input is a float), and returns its records, one value per output
/// in signature order; an `Err` fails the query (class `ProcedureError`). A procedure is
/// read-only.
///
/// ```
/// use kgraph::{Graph, Procedure, Procedures, Value};
/// let double = Procedure::new("my.double(x :: INTEGER) :: (y :: INTEGER)", |_, args| {
///     Ok(vec![vec![Value::Int(args[0].as_int().unwrap_or(0) * 2)]])
/// })?;
/// let mut procs = Procedures::new();
/// procs.register(double);
/// let g = Graph::new();
/// let r = g.query("CALL my.double(21) YIELD y RETURN y").procedures(&procs).run()?;
/// assert_eq!(r.get(0, "y"), Some(&Value::Int(42)));
/// # Ok::<_, kgraph::Error>(())
/// ```
#[derive(Clone)]
pub struct Procedure {
    name: String,
    inputs: Vec<ProcField>,
    outputs: Vec<ProcField>,
    body: Run,
}

impl std::fmt::Debug for Procedure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Procedure({})", self.signature())
    }
}

impl Procedure {
    /// A procedure from its signature, `ns.name(in :: TYPE?, ...) :: (out :: TYPE?, ...)`
    /// (`:: ()` or `:: VOID` for none), and its body.
    ///
    /// ```
    /// let p = kgraph::Procedure::new("test.doNothing() :: ()", |_, _| Ok(vec![]))?;
    /// assert_eq!(p.name(), "test.doNothing");
    /// assert!(p.outputs().is_empty());
    /// # Ok::<_, kgraph::SignatureError>(())
    /// ```
    pub fn new(
        signature: &str,
        body: impl Fn(&Graph, &[Value]) -> ProcRecords + Send + Sync + 'static,
    ) -> Result<Procedure, SignatureError> {
        let (name, inputs, outputs) = parse_signature(signature)?;
        Ok(Procedure::from_fields(&name, inputs, outputs, body))
    }

    /// A procedure from a name and fields already taken apart.
    ///
    /// ```
    /// use kgraph::{ProcField, ProcType, Procedure, Value};
    /// let p = Procedure::from_fields("my.one", vec![], vec![ProcField::new("one", ProcType::Integer, false)],
    ///     |_, _| Ok(vec![vec![Value::Int(1)]]));
    /// assert_eq!(p.signature(), "my.one() :: (one :: INTEGER)");
    /// ```
    pub fn from_fields(
        name: &str,
        inputs: Vec<ProcField>,
        outputs: Vec<ProcField>,
        body: impl Fn(&Graph, &[Value]) -> ProcRecords + Send + Sync + 'static,
    ) -> Procedure {
        Procedure {
            name: name.to_owned(),
            inputs,
            outputs,
            body: Run::Plain(Arc::new(body)),
        }
    }

    /// A built-in procedure whose body runs within the query's limits.
    pub(crate) fn limited(
        name: &str,
        inputs: Vec<ProcField>,
        outputs: Vec<ProcField>,
        body: impl Fn(&Ctx<'_>, &[Value]) -> ExecResult<Vec<Vec<Value>>> + Send + Sync + 'static,
    ) -> Procedure {
        Procedure {
            name: name.to_owned(),
            inputs,
            outputs,
            body: Run::Limited(Arc::new(body)),
        }
    }

    /// The full name, namespace included (`db.labels`).
    ///
    /// ```
    /// let p = kgraph::Procedure::new("a.b() :: ()", |_, _| Ok(vec![]))?;
    /// assert_eq!(p.name(), "a.b");
    /// # Ok::<_, kgraph::SignatureError>(())
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The inputs, in order.
    ///
    /// ```
    /// let p = kgraph::Procedure::new("a.b(x :: ANY) :: ()", |_, _| Ok(vec![]))?;
    /// assert_eq!(p.inputs()[0].name, "x");
    /// # Ok::<_, kgraph::SignatureError>(())
    /// ```
    pub fn inputs(&self) -> &[ProcField] {
        &self.inputs
    }

    /// The outputs, in order.
    ///
    /// ```
    /// let p = kgraph::Procedure::new("a.b() :: (y :: STRING)", |_, _| Ok(vec![]))?;
    /// assert_eq!(p.outputs()[0].name, "y");
    /// # Ok::<_, kgraph::SignatureError>(())
    /// ```
    pub fn outputs(&self) -> &[ProcField] {
        &self.outputs
    }

    /// The signature, as `Procedure::new` reads it.
    ///
    /// ```
    /// let p = kgraph::Procedure::new("a.b(x :: INTEGER?) :: ()", |_, _| Ok(vec![]))?;
    /// assert_eq!(p.signature(), "a.b(x :: INTEGER?) :: ()");
    /// # Ok::<_, kgraph::SignatureError>(())
    /// ```
    pub fn signature(&self) -> String {
        let list = |fields: &[ProcField]| {
            fields
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        format!(
            "{}({}) :: ({})",
            self.name,
            list(&self.inputs),
            list(&self.outputs)
        )
    }

    /// Runs the body on converted arguments, for the query running in `ctx`; a body's
    /// message is a `ProcedureError` naming the procedure.
    pub(crate) fn call(&self, ctx: &Ctx<'_>, args: &[Value]) -> ExecResult<Vec<Vec<Value>>> {
        match &self.body {
            Run::Plain(body) => body(ctx.graph, args)
                .map_err(|m| ExecError::new(ExecKind::Procedure, format!("{} failed: {m}", self.name))),
            Run::Limited(body) => body(ctx, args),
        }
    }
}

/// `name(fields) :: (fields)` taken apart.
fn parse_signature(text: &str) -> Result<(String, Vec<ProcField>, Vec<ProcField>), SignatureError> {
    let bad = |m: &str| SignatureError(format!("{m} in '{text}'"));
    let open = text.find('(').ok_or_else(|| bad("no '('"))?;
    let name = text.get(..open).unwrap_or_default().trim();
    if name.is_empty()
        || !name
            .split('.')
            .all(|p| !p.is_empty() && !p.contains(char::is_whitespace))
    {
        return Err(bad("a bad name"));
    }
    let rest = text.get(open + 1..).unwrap_or_default();
    let close = rest.find(')').ok_or_else(|| bad("no ')'"))?;
    let inputs = fields(rest.get(..close).unwrap_or_default()).map_err(|e| bad(&e))?;
    let after = rest.get(close + 1..).unwrap_or_default().trim();
    let after = after
        .strip_prefix("::")
        .ok_or_else(|| bad("no '::' before the outputs"))?
        .trim();
    let outputs = if after.eq_ignore_ascii_case("VOID") {
        Vec::new()
    } else {
        let inner = after
            .strip_prefix('(')
            .and_then(|a| a.strip_suffix(')'))
            .ok_or_else(|| bad("outputs not in parentheses"))?;
        fields(inner).map_err(|e| bad(&e))?
    };
    Ok((name.to_owned(), inputs, outputs))
}

fn fields(text: &str) -> Result<Vec<ProcField>, String> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    text.split(',')
        .map(|f| {
            let (name, ty) = f
                .split_once("::")
                .ok_or_else(|| format!("'{}' has no '::'", f.trim()))?;
            if name.trim().is_empty() {
                return Err("a field without a name".to_owned());
            }
            ProcField::parse(name, ty).map_err(|e| e.0)
        })
        .collect()
}

/// Gives every distinct registry content its own number, for the plan cache's key.
static REGISTRY_IDS: AtomicU64 = AtomicU64::new(1);

/// A registry of procedures, given to queries by their builders' `procedures` method.
///
/// Cloning is cheap (the table is shared until a clone changes it). Registering a name
/// again replaces the procedure.
///
/// ```
/// use kgraph::{Graph, Procedure, Procedures, Value};
/// let mut procs = Procedures::new();
/// procs.register(Procedure::new("my.answer() :: (x :: INTEGER)", |_, _| Ok(vec![vec![Value::Int(42)]]))?);
/// assert!(procs.get("my.answer").is_some());
/// let r = Graph::new().query("CALL my.answer()").procedures(&procs).run()?;
/// assert_eq!(r.get(0, "x"), Some(&Value::Int(42)));
/// # Ok::<_, kgraph::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Procedures {
    /// `None` for the empty registry: a query without procedures allocates nothing for it.
    table: Option<Arc<BTreeMap<String, Arc<Procedure>>>>,
    /// 0 for the empty registry; otherwise a number no other content had.
    id: u64,
}

impl Procedures {
    /// No user procedures (the built-ins are always there).
    ///
    /// ```
    /// assert!(kgraph::Procedures::new().is_empty());
    /// ```
    pub fn new() -> Procedures {
        Procedures::default()
    }

    /// Adds a procedure, replacing one of the same name.
    ///
    /// ```
    /// let mut p = kgraph::Procedures::new();
    /// p.register(kgraph::Procedure::new("a.b() :: ()", |_, _| Ok(vec![]))?);
    /// assert_eq!(p.len(), 1);
    /// # Ok::<_, kgraph::SignatureError>(())
    /// ```
    pub fn register(&mut self, procedure: Procedure) {
        Arc::make_mut(self.table.get_or_insert_default()).insert(procedure.name.clone(), Arc::new(procedure));
        self.id = REGISTRY_IDS.fetch_add(1, Ordering::Relaxed);
    }

    /// Removes a procedure; true if there was one.
    ///
    /// ```
    /// let mut p = kgraph::Procedures::new();
    /// assert!(!p.remove("a.b"));
    /// ```
    pub fn remove(&mut self, name: &str) -> bool {
        let Some(table) = self.table.as_mut().filter(|t| t.contains_key(name)) else {
            return false;
        };
        Arc::make_mut(table).remove(name);
        self.id = REGISTRY_IDS.fetch_add(1, Ordering::Relaxed);
        true
    }

    /// The procedure registered under `name` (exact, case-sensitive), not the built-ins.
    ///
    /// ```
    /// assert!(kgraph::Procedures::new().get("db.labels").is_none());
    /// ```
    pub fn get(&self, name: &str) -> Option<&Procedure> {
        self.table().get(name).map(|p| &**p)
    }

    /// The number of user procedures.
    ///
    /// ```
    /// assert_eq!(kgraph::Procedures::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.table().len()
    }

    /// True if no user procedure is registered.
    ///
    /// ```
    /// assert!(kgraph::Procedures::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.table().is_empty()
    }

    /// The signatures of every procedure a query can call: the registered ones and the
    /// built-ins, sorted by name.
    ///
    /// ```
    /// let all = kgraph::Procedures::new().signatures();
    /// assert!(all.iter().any(|s| s.starts_with("db.labels()")));
    /// ```
    pub fn signatures(&self) -> Vec<String> {
        let mut all: BTreeMap<&str, String> = builtins().iter().map(|p| (p.name(), p.signature())).collect();
        for (name, p) in self.table().iter() {
            all.insert(name, p.signature());
        }
        all.into_values().collect()
    }

    /// The registered procedures.
    fn table(&self) -> &BTreeMap<String, Arc<Procedure>> {
        static EMPTY: BTreeMap<String, Arc<Procedure>> = BTreeMap::new();
        self.table.as_deref().unwrap_or(&EMPTY)
    }

    /// The number that tells this registry's content apart in the plan cache's key.
    pub(crate) fn cache_id(&self) -> u64 {
        self.id
    }

    /// The procedure a `CALL` of `name` runs: a registered one, else a built-in.
    pub(crate) fn resolve(&self, name: &str) -> Option<Arc<Procedure>> {
        self.table()
            .get(name)
            .cloned()
            .or_else(|| builtins().iter().find(|p| p.name() == name).cloned())
    }

    /// Every name a `CALL` can use, for "did you mean" hints.
    pub(crate) fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.table().keys().cloned().collect();
        names.extend(builtins().iter().map(|p| p.name().to_owned()));
        names
    }
}

fn out(name: &str, ty: ProcType) -> ProcField {
    ProcField::new(name, ty, false)
}

fn strings(items: impl IntoIterator<Item = String>) -> Value {
    Value::List(items.into_iter().map(Value::from).collect())
}

/// The built-in procedures.
fn builtins() -> &'static [Arc<Procedure>] {
    static BUILTINS: OnceLock<Vec<Arc<Procedure>>> = OnceLock::new();
    BUILTINS.get_or_init(|| {
        let s = ProcType::String;
        vec![
            Procedure::from_fields("db.labels", vec![], vec![out("label", s)], |g, _| {
                Ok(g.label_counts()
                    .into_iter()
                    .map(|(l, _)| vec![Value::from(l)])
                    .collect())
            }),
            Procedure::from_fields(
                "db.relationshipTypes",
                vec![],
                vec![out("relationshipType", s)],
                |g, _| {
                    Ok(g.relationship_type_counts()
                        .into_iter()
                        .map(|(t, _)| vec![Value::from(t)])
                        .collect())
                },
            ),
            Procedure::from_fields("db.propertyKeys", vec![], vec![out("propertyKey", s)], |g, _| {
                Ok(g.symbols.keys.iter().map(|k| vec![Value::from(k)]).collect())
            }),
            Procedure::from_fields(
                "db.indexes",
                vec![],
                vec![
                    out("id", ProcType::Integer),
                    out("name", s),
                    out("state", s),
                    out("type", s),
                    out("entityType", s),
                    out("labelsOrTypes", ProcType::List),
                    out("properties", ProcType::List),
                    out("owningConstraint", s),
                ],
                |g, _| Ok(index_rows(g)),
            ),
            Procedure::from_fields(
                "db.constraints",
                vec![],
                vec![
                    out("id", ProcType::Integer),
                    out("name", s),
                    out("type", s),
                    out("entityType", s),
                    out("labelsOrTypes", ProcType::List),
                    out("properties", ProcType::List),
                ],
                |g, _| Ok(constraint_rows(g)),
            ),
            Procedure::from_fields(
                "kg.resolve",
                vec![
                    ProcField::new("text", s, false),
                    ProcField::new("limit", ProcType::Integer, false),
                ],
                vec![out("node", ProcType::Node), out("score", ProcType::Float)],
                |g, args| {
                    let (Some(Value::String(text)), Some(Value::Int(limit))) = (args.first(), args.get(1))
                    else {
                        return Ok(Vec::new());
                    };
                    let limit = usize::try_from(*limit).unwrap_or(0);
                    Ok(g.resolve_ranked(text, limit)
                        .into_iter()
                        .map(|(id, score)| vec![Value::Node(id), Value::Float(score)])
                        .collect())
                },
            ),
            Procedure::from_fields(
                "db.schema.visualization",
                vec![],
                vec![out("nodes", ProcType::List), out("relationships", ProcType::List)],
                |g, _| Ok(vec![schema_graph(g)]),
            ),
        ]
        .into_iter()
        .chain(super::algo_procedures::procedures())
        .map(Arc::new)
        .collect()
    })
}

/// The indexes: the name index (over `name`, `name_zh` and `aliases` of every node), the
/// property indexes, then one per unique constraint, which owns it.
fn index_rows(g: &Graph) -> Vec<Vec<Value>> {
    let mut rows = vec![vec![
        Value::Int(1),
        Value::from("name_index"),
        Value::from("ONLINE"),
        Value::from("TEXT"),
        Value::from("NODE"),
        Value::Null,
        strings(["name", "name_zh", "aliases"].map(str::to_owned)),
        Value::Null,
    ]];
    for (name, label, key) in g.indexes() {
        rows.push(vec![
            Value::Int(rows.len() as i64 + 1),
            Value::from(name),
            Value::from("ONLINE"),
            Value::from("RANGE"),
            Value::from("NODE"),
            strings([label.to_owned()]),
            strings([key.to_owned()]),
            Value::Null,
        ]);
    }
    for (name, label, key) in g.constraints() {
        rows.push(vec![
            Value::Int(rows.len() as i64 + 1),
            Value::from(name.as_str()),
            Value::from("ONLINE"),
            Value::from("RANGE"),
            Value::from("NODE"),
            strings([label.to_owned()]),
            strings([key.to_owned()]),
            Value::from(name.as_str()),
        ]);
    }
    rows
}

fn constraint_rows(g: &Graph) -> Vec<Vec<Value>> {
    g.constraints()
        .into_iter()
        .enumerate()
        .map(|(i, (name, label, key))| {
            vec![
                Value::Int(i as i64 + 1),
                Value::from(name.as_str()),
                Value::from("UNIQUENESS"),
                Value::from("NODE"),
                strings([label.to_owned()]),
                strings([key.to_owned()]),
            ]
        })
        .collect()
}

/// The schema as a graph: a map per label (`{name, count}`) and one per relationship type and
/// pair of end labels that occurs (`{type, start, end, count}`). Neo4j returns virtual nodes;
/// the crate's values refer only to stored items, so these are maps.
fn schema_graph(g: &Graph) -> Vec<Value> {
    let nodes = g
        .label_counts()
        .into_iter()
        .map(|(l, n)| {
            Value::from(BTreeMap::from([
                ("name".to_owned(), Value::from(l)),
                ("count".to_owned(), Value::Int(n as i64)),
            ]))
        })
        .collect();
    let mut pairs: BTreeMap<(String, String, String), i64> = BTreeMap::new();
    for r in g.relationships() {
        let Ok(rel) = g.relationship(r) else { continue };
        let labels = |id| {
            g.node(id)
                .map(|n| n.labels().map(str::to_owned).collect::<Vec<_>>())
                .unwrap_or_default()
        };
        for a in labels(rel.start()) {
            for b in labels(rel.end()) {
                *pairs
                    .entry((rel.rel_type().to_owned(), a.clone(), b))
                    .or_default() += 1;
            }
        }
    }
    let rels = pairs
        .into_iter()
        .map(|((t, a, b), n)| {
            Value::from(BTreeMap::from([
                ("type".to_owned(), Value::from(t.as_str())),
                ("start".to_owned(), Value::from(a.as_str())),
                ("end".to_owned(), Value::from(b.as_str())),
                ("count".to_owned(), Value::Int(n)),
            ]))
        })
        .collect();
    vec![Value::List(nodes), Value::List(rels)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_read_and_print_back() {
        let p = Procedure::new(
            "test.my.proc(name :: STRING?, id :: INTEGER?) :: (city :: STRING?, country_code :: INTEGER?)",
            |_, _| Ok(vec![]),
        );
        let Ok(p) = p else { panic!("signature refused") };
        assert_eq!(
            p.signature(),
            "test.my.proc(name :: STRING?, id :: INTEGER?) :: (city :: STRING?, country_code :: INTEGER?)"
        );
        assert!(Procedure::new("x() :: (a INTEGER)", |_, _| Ok(vec![])).is_err());
        assert!(Procedure::new("x() :: VOID", |_, _| Ok(vec![])).is_ok());
    }

    #[test]
    fn arguments_convert_as_neo4j_does() {
        let f = ProcField::new("x", ProcType::Float, true);
        assert_eq!(f.convert(Value::Int(42)), Ok(Value::Float(42.0)));
        assert!(ProcField::new("x", ProcType::Integer, true)
            .convert(Value::Bool(true))
            .is_err());
        assert!(ProcField::new("x", ProcType::Integer, false)
            .convert(Value::Null)
            .is_err());
        assert_eq!(
            ProcField::new("x", ProcType::Number, true).convert(Value::Int(1)),
            Ok(Value::Int(1))
        );
    }
}
