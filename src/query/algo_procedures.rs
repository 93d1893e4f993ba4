//! The `algo.*` procedures: the graph algorithms of [`crate::algo`] from Cypher.
//!
//! Each takes a configuration map (or null for the defaults) whose keys are checked: an
//! unknown key, a value of the wrong type or out of its range, a label, type or weight
//! property that nothing in the graph has, fails the query with a `ProcedureError` that names
//! it, at the `CALL`'s line and column. Common keys: `nodeLabels` and `relationshipTypes` (a
//! string or a non-empty list of strings: the projection), `orientation` (`'NATURAL'`,
//! `'REVERSE'` or `'UNDIRECTED'`). Nodes come back in node-id order; a component or
//! community is named by the id of its smallest node.
//!
//! The algorithm runs within the query's limits: its deadline and cancel handles stop it
//! (`Timeout`, `Cancelled`), and its working memory counts against `max_memory`
//! (`MemoryLimit`), as [`crate::algo::Projection`]'s limits, which the procedure sets from the
//! query's.

use std::collections::BTreeMap;

use super::exec::error::{ExecError, ExecKind, ExecResult};
use super::exec::Ctx;
use super::procedures::{ProcField, ProcType, Procedure};
use crate::algo::{self, AlgoError, LouvainOptions, Orientation, PageRankOptions, Projection};
use crate::graph::{NodeId, Value};

/// The keys every procedure accepts.
const PROJECTION_KEYS: [&str; 3] = ["nodeLabels", "relationshipTypes", "orientation"];

/// A configuration map, its keys checked against those the procedure knows.
struct Config<'a> {
    map: Option<&'a BTreeMap<String, Value>>,
}

impl<'a> Config<'a> {
    fn new(value: Option<&'a Value>, keys: &[&str]) -> Result<Config<'a>, String> {
        let map = match value {
            None | Some(Value::Null) => None,
            Some(Value::Map(m)) => Some(m),
            Some(other) => {
                return Err(format!(
                    "the configuration must be a map, not {}",
                    other.type_name()
                ))
            }
        };
        if let Some(m) = map {
            for k in m.keys() {
                if !PROJECTION_KEYS.contains(&k.as_str()) && !keys.contains(&k.as_str()) {
                    let mut known: Vec<&str> = PROJECTION_KEYS.iter().chain(keys).copied().collect();
                    known.sort_unstable();
                    return Err(format!(
                        "unknown configuration key {k:?} (known: {})",
                        known.join(", ")
                    ));
                }
            }
        }
        Ok(Config {
            map: map.map(|m| &**m),
        })
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.and_then(|m| m.get(key)).filter(|v| !v.is_null())
    }

    fn strings(&self, key: &str) -> Result<Option<Vec<String>>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(vec![s.to_string()])),
            Some(Value::List(items)) if items.is_empty() => {
                Err(format!("{key} must name at least one, not an empty list"))
            }
            Some(Value::List(items)) => items
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| format!("{key} must hold strings, not {}", v.type_name()))
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(other) => Err(format!(
                "{key} must be a string or a list of strings, not {}",
                other.type_name()
            )),
        }
    }

    fn string(&self, key: &str) -> Result<Option<String>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.to_string())),
            Some(other) => Err(format!("{key} must be a string, not {}", other.type_name())),
        }
    }

    fn float(&self, key: &str, default: f64) -> Result<f64, String> {
        match self.get(key) {
            None => Ok(default),
            Some(Value::Int(i)) => Ok(*i as f64),
            Some(Value::Float(f)) if f.is_finite() => Ok(*f),
            Some(Value::Float(f)) => Err(format!("{key} must be a finite number, not {f}")),
            Some(other) => Err(format!("{key} must be a number, not {}", other.type_name())),
        }
    }

    /// A count of at least `min`.
    fn count(&self, key: &str, default: u32, min: u32) -> Result<u32, String> {
        match self.get(key) {
            None => Ok(default),
            Some(Value::Int(i)) => u32::try_from(*i)
                .ok()
                .filter(|c| *c >= min)
                .ok_or_else(|| format!("{key} must be from {min} to {}, not {i}", u32::MAX)),
            Some(other) => Err(format!("{key} must be an integer, not {}", other.type_name())),
        }
    }

    fn boolean(&self, key: &str, default: bool) -> Result<bool, String> {
        match self.get(key) {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(other) => Err(format!("{key} must be a boolean, not {}", other.type_name())),
        }
    }

    fn projection(&self) -> Result<Projection, String> {
        let mut p = Projection::all();
        if let Some(labels) = self.strings("nodeLabels")? {
            p = p.labels(labels);
        }
        if let Some(types) = self.strings("relationshipTypes")? {
            p = p.types(types);
        }
        let orientation = match self
            .string("orientation")?
            .as_deref()
            .map(str::to_ascii_uppercase)
            .as_deref()
        {
            None | Some("NATURAL") => Orientation::Natural,
            Some("REVERSE") => Orientation::Reverse,
            Some("UNDIRECTED") => Orientation::Undirected,
            Some(other) => {
                return Err(format!(
                    "orientation must be NATURAL, REVERSE or UNDIRECTED, not {other:?}"
                ))
            }
        };
        Ok(p.orientation(orientation))
    }
}

/// A configuration error of `procedure`: a `ProcedureError` naming it.
fn bad(procedure: &str, message: String) -> ExecError {
    ExecError::new(ExecKind::Procedure, format!("{procedure} failed: {message}"))
}

/// The error the query ends with when `procedure`'s algorithm fails: the query's own kind
/// when one of its limits stopped it, else a `ProcedureError` naming the procedure.
fn failed(procedure: &str, e: AlgoError) -> ExecError {
    match e {
        AlgoError::Cancelled => ExecError::new(
            ExecKind::Cancelled,
            format!("the query was cancelled through its CancelHandle (stopped in {procedure})"),
        ),
        AlgoError::Timeout => ExecError::new(
            ExecKind::Timeout,
            format!(
                "the query ran past its deadline (stopped in {procedure}); \
                 give it more time with timeout() or deadline()"
            ),
        ),
        AlgoError::MemoryLimit { what, needed, budget } => ExecError::new(
            ExecKind::MemoryLimit,
            format!(
                "{procedure}: {what} would take about {needed} bytes of working memory, more than \
                 the query's memory budget of {budget} bytes; raise it with max_memory()"
            ),
        ),
        other => bad(procedure, other.to_string()),
    }
}

/// The configuration of `procedure` (the argument `arg`), its keys checked against `keys`.
fn config<'a>(procedure: &str, arg: Option<&'a Value>, keys: &[&str]) -> ExecResult<Config<'a>> {
    Config::new(arg, keys).map_err(|m| bad(procedure, m))
}

/// The configuration's projection, with the query's limits.
fn projection(procedure: &str, ctx: &Ctx<'_>, c: &Config<'_>) -> ExecResult<Projection> {
    let mut p = c.projection().map_err(|m| bad(procedure, m))?;
    if let Some(at) = ctx.limits.deadline {
        p = p.deadline(at);
    }
    for handle in ctx.limits.cancel.iter().flatten() {
        p = p.cancel_handle(handle);
    }
    Ok(p.max_memory(ctx.limits.max_memory))
}

/// A procedure's records.
type Records = Vec<Vec<Value>>;

fn node_float(rows: Vec<(NodeId, f64)>) -> Vec<Vec<Value>> {
    rows.into_iter()
        .map(|(n, x)| vec![Value::Node(n), Value::Float(x)])
        .collect()
}

fn node_group(rows: Vec<(NodeId, NodeId)>) -> Vec<Vec<Value>> {
    rows.into_iter()
        .map(|(n, c)| vec![Value::Node(n), Value::Int(i64::from(c.index()))])
        .collect()
}

fn config_in() -> ProcField {
    ProcField::new("config", ProcType::Map, true)
}

fn out(name: &str, ty: ProcType) -> ProcField {
    ProcField::new(name, ty, false)
}

fn page_rank(ctx: &Ctx<'_>, args: &[Value]) -> ExecResult<Vec<Vec<Value>>> {
    const P: &str = "algo.pageRank";
    let c = config(
        P,
        args.first(),
        &["dampingFactor", "maxIterations", "tolerance", "weightProperty"],
    )?;
    let defaults = PageRankOptions::default();
    let options = (|| {
        Ok::<_, String>(PageRankOptions {
            damping: c.float("dampingFactor", defaults.damping)?,
            max_iterations: c.count("maxIterations", defaults.max_iterations, 1)?,
            tolerance: c.float("tolerance", defaults.tolerance)?,
            weight: c.string("weightProperty")?,
        })
    })()
    .map_err(|m| bad(P, m))?;
    let p = projection(P, ctx, &c)?;
    let r = algo::page_rank(ctx.graph, &p, &options).map_err(|e| failed(P, e))?;
    Ok(node_float(r.scores))
}

fn louvain(ctx: &Ctx<'_>, args: &[Value]) -> ExecResult<Vec<Vec<Value>>> {
    const P: &str = "algo.louvain";
    let c = config(
        P,
        args.first(),
        &[
            "weightProperty",
            "resolution",
            "maxLevels",
            "tolerance",
            "runs",
            "seed",
        ],
    )?;
    let defaults = LouvainOptions::default();
    let options = (|| {
        let seed = match c.get("seed") {
            None => defaults.seed,
            // Any integer: a negative one's bits are the seed.
            Some(Value::Int(i)) => *i as u64,
            Some(other) => return Err(format!("seed must be an integer, not {}", other.type_name())),
        };
        Ok(LouvainOptions {
            weight: c.string("weightProperty")?,
            resolution: c.float("resolution", defaults.resolution)?,
            max_levels: c.count("maxLevels", defaults.max_levels, 1)?,
            tolerance: c.float("tolerance", defaults.tolerance)?,
            runs: c.count("runs", defaults.runs, 1)?,
            seed,
        })
    })()
    .map_err(|m| bad(P, m))?;
    let p = projection(P, ctx, &c)?;
    let r = algo::louvain(ctx.graph, &p, &options).map_err(|e| failed(P, e))?;
    Ok(r.assignment
        .into_iter()
        .map(|(n, k)| {
            vec![
                Value::Node(n),
                Value::Int(i64::from(k.index())),
                Value::Float(r.modularity),
            ]
        })
        .collect())
}

/// A procedure whose configuration has only the projection's keys and `extra`, read by
/// `read`, and whose algorithm is `run`.
fn simple<T: 'static>(
    name: &'static str,
    outputs: Vec<ProcField>,
    extra: &'static [&'static str],
    read: fn(&Config<'_>) -> Result<T, String>,
    run: fn(&crate::graph::Graph, &Projection, T) -> Result<Records, AlgoError>,
) -> Procedure {
    Procedure::limited(name, vec![config_in()], outputs, move |ctx, args| {
        let c = config(name, args.first(), extra)?;
        let options = read(&c).map_err(|m| bad(name, m))?;
        let p = projection(name, ctx, &c)?;
        run(ctx.graph, &p, options).map_err(|e| failed(name, e))
    })
}

/// The built-in `algo.*` procedures.
pub(crate) fn procedures() -> Vec<Procedure> {
    let node = || out("node", ProcType::Node);
    vec![
        Procedure::limited(
            "algo.pageRank",
            vec![config_in()],
            vec![node(), out("score", ProcType::Float)],
            page_rank,
        ),
        simple(
            "algo.wcc",
            vec![node(), out("componentId", ProcType::Integer)],
            &[],
            |_| Ok(()),
            |g, p, ()| algo::weakly_connected_components(g, p).map(node_group),
        ),
        simple(
            "algo.scc",
            vec![node(), out("componentId", ProcType::Integer)],
            &[],
            |_| Ok(()),
            |g, p, ()| algo::strongly_connected_components(g, p).map(node_group),
        ),
        Procedure::limited(
            "algo.louvain",
            vec![config_in()],
            vec![
                node(),
                out("communityId", ProcType::Integer),
                out("modularity", ProcType::Float),
            ],
            louvain,
        ),
        simple(
            "algo.betweenness",
            vec![node(), out("score", ProcType::Float)],
            &["normalized"],
            |c| c.boolean("normalized", true),
            |g, p, normalized| algo::betweenness(g, p, normalized).map(node_float),
        ),
        simple(
            "algo.degree",
            vec![node(), out("score", ProcType::Float)],
            &["weightProperty"],
            |c| c.string("weightProperty"),
            |g, p, weight| algo::degree(g, p, weight.as_deref()).map(node_float),
        ),
        simple(
            "algo.triangleCount",
            vec![node(), out("triangles", ProcType::Integer)],
            &[],
            |_| Ok(()),
            |g, p, ()| {
                algo::triangle_count(g, p).map(|r| {
                    r.into_iter()
                        .map(|(n, t)| vec![Value::Node(n), Value::Int(i64::try_from(t).unwrap_or(i64::MAX))])
                        .collect()
                })
            },
        ),
        Procedure::limited(
            "algo.dijkstra",
            vec![ProcField::new("source", ProcType::Node, false), config_in()],
            vec![node(), out("distance", ProcType::Float)],
            |ctx, args| {
                const P: &str = "algo.dijkstra";
                let Some(Value::Node(source)) = args.first() else {
                    return Err(bad(P, "the source must be a node".into()));
                };
                let c = config(P, args.get(1), &["weightProperty"])?;
                let weight = c.string("weightProperty").map_err(|m| bad(P, m))?;
                let p = projection(P, ctx, &c)?;
                let r =
                    algo::dijkstra(ctx.graph, &p, *source, weight.as_deref()).map_err(|e| failed(P, e))?;
                Ok(node_float(r))
            },
        ),
    ]
}
