//! The `algo.*` procedures: the graph algorithms of [`crate::algo`] from Cypher.
//!
//! Each takes a configuration map (or null for the defaults) whose keys are checked: an
//! unknown key, or a value of the wrong type, fails the query with a `ProcedureError` that
//! names it. Common keys: `nodeLabels` and `relationshipTypes` (a string or a list of
//! strings: the projection), `orientation` (`'NATURAL'`, `'REVERSE'` or `'UNDIRECTED'`).
//! Nodes come back in node-id order; a component or community is named by the id of its
//! smallest node.

use std::collections::BTreeMap;

use super::procedures::{ProcField, ProcRecords, ProcType, Procedure};
use crate::algo::{self, AlgoError, LouvainOptions, Orientation, PageRankOptions, Projection};
use crate::graph::{Graph, NodeId, Value};

/// The keys every procedure accepts.
const PROJECTION_KEYS: [&str; 3] = ["nodeLabels", "relationshipTypes", "orientation"];

/// A configuration map, its keys checked against those the procedure knows.
struct Config<'a> {
    map: Option<&'a BTreeMap<String, Value>>,
}

impl<'a> Config<'a> {
    fn new(value: Option<&'a Value>, procedure: &str, keys: &[&str]) -> Result<Config<'a>, String> {
        let map = match value {
            None | Some(Value::Null) => None,
            Some(Value::Map(m)) => Some(m),
            Some(other) => {
                return Err(format!(
                    "{procedure}: the configuration must be a map, not {}",
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
                        "{procedure}: unknown configuration key {k:?} (known: {})",
                        known.join(", ")
                    ));
                }
            }
        }
        Ok(Config { map })
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.and_then(|m| m.get(key)).filter(|v| !v.is_null())
    }

    fn strings(&self, key: &str) -> Result<Option<Vec<String>>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(vec![s.to_string()])),
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
            Some(Value::Float(f)) => Ok(*f),
            Some(other) => Err(format!("{key} must be a number, not {}", other.type_name())),
        }
    }

    fn count(&self, key: &str, default: u32) -> Result<u32, String> {
        match self.get(key) {
            None => Ok(default),
            Some(Value::Int(i)) => {
                u32::try_from(*i).map_err(|_| format!("{key} must be from 0 to {}, not {i}", u32::MAX))
            }
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

fn failed(procedure: &str, e: AlgoError) -> String {
    format!("{procedure}: {e}")
}

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

fn page_rank(g: &Graph, args: &[Value]) -> ProcRecords {
    const P: &str = "algo.pageRank";
    let c = Config::new(
        args.first(),
        P,
        &["dampingFactor", "maxIterations", "tolerance", "weightProperty"],
    )?;
    let defaults = PageRankOptions::default();
    let options = PageRankOptions {
        damping: c.float("dampingFactor", defaults.damping)?,
        max_iterations: c.count("maxIterations", defaults.max_iterations)?,
        tolerance: c.float("tolerance", defaults.tolerance)?,
        weight: c.string("weightProperty")?,
    };
    let r = algo::page_rank(g, &c.projection()?, &options).map_err(|e| failed(P, e))?;
    Ok(node_float(r.scores))
}

fn louvain(g: &Graph, args: &[Value]) -> ProcRecords {
    const P: &str = "algo.louvain";
    let c = Config::new(
        args.first(),
        P,
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
    let seed = match c.get("seed") {
        None => defaults.seed,
        Some(Value::Int(i)) => *i as u64,
        Some(other) => return Err(format!("seed must be an integer, not {}", other.type_name())),
    };
    let options = LouvainOptions {
        weight: c.string("weightProperty")?,
        resolution: c.float("resolution", defaults.resolution)?,
        max_levels: c.count("maxLevels", defaults.max_levels)?,
        tolerance: c.float("tolerance", defaults.tolerance)?,
        runs: c.count("runs", defaults.runs)?,
        seed,
    };
    let r = algo::louvain(g, &c.projection()?, &options).map_err(|e| failed(P, e))?;
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

/// The built-in `algo.*` procedures.
pub(crate) fn procedures() -> Vec<Procedure> {
    let node = || out("node", ProcType::Node);
    vec![
        Procedure::from_fields(
            "algo.pageRank",
            vec![config_in()],
            vec![node(), out("score", ProcType::Float)],
            page_rank,
        ),
        Procedure::from_fields(
            "algo.wcc",
            vec![config_in()],
            vec![node(), out("componentId", ProcType::Integer)],
            |g, args| {
                let c = Config::new(args.first(), "algo.wcc", &[])?;
                let r = algo::weakly_connected_components(g, &c.projection()?)
                    .map_err(|e| failed("algo.wcc", e))?;
                Ok(node_group(r))
            },
        ),
        Procedure::from_fields(
            "algo.scc",
            vec![config_in()],
            vec![node(), out("componentId", ProcType::Integer)],
            |g, args| {
                let c = Config::new(args.first(), "algo.scc", &[])?;
                let r = algo::strongly_connected_components(g, &c.projection()?)
                    .map_err(|e| failed("algo.scc", e))?;
                Ok(node_group(r))
            },
        ),
        Procedure::from_fields(
            "algo.louvain",
            vec![config_in()],
            vec![
                node(),
                out("communityId", ProcType::Integer),
                out("modularity", ProcType::Float),
            ],
            louvain,
        ),
        Procedure::from_fields(
            "algo.betweenness",
            vec![config_in()],
            vec![node(), out("score", ProcType::Float)],
            |g, args| {
                let c = Config::new(args.first(), "algo.betweenness", &["normalized"])?;
                let normalized = c.boolean("normalized", true)?;
                let r = algo::betweenness(g, &c.projection()?, normalized)
                    .map_err(|e| failed("algo.betweenness", e))?;
                Ok(node_float(r))
            },
        ),
        Procedure::from_fields(
            "algo.degree",
            vec![config_in()],
            vec![node(), out("score", ProcType::Float)],
            |g, args| {
                let c = Config::new(args.first(), "algo.degree", &["weightProperty"])?;
                let weight = c.string("weightProperty")?;
                let r = algo::degree(g, &c.projection()?, weight.as_deref())
                    .map_err(|e| failed("algo.degree", e))?;
                Ok(node_float(r))
            },
        ),
        Procedure::from_fields(
            "algo.triangleCount",
            vec![config_in()],
            vec![node(), out("triangles", ProcType::Integer)],
            |g, args| {
                let c = Config::new(args.first(), "algo.triangleCount", &[])?;
                let r =
                    algo::triangle_count(g, &c.projection()?).map_err(|e| failed("algo.triangleCount", e))?;
                Ok(r.into_iter()
                    .map(|(n, t)| vec![Value::Node(n), Value::Int(i64::try_from(t).unwrap_or(i64::MAX))])
                    .collect())
            },
        ),
        Procedure::from_fields(
            "algo.dijkstra",
            vec![ProcField::new("source", ProcType::Node, false), config_in()],
            vec![node(), out("distance", ProcType::Float)],
            |g, args| {
                let Some(Value::Node(source)) = args.first() else {
                    return Err("algo.dijkstra: the source must be a node".into());
                };
                let c = Config::new(args.get(1), "algo.dijkstra", &["weightProperty"])?;
                let weight = c.string("weightProperty")?;
                let r = algo::dijkstra(g, &c.projection()?, *source, weight.as_deref())
                    .map_err(|e| failed("algo.dijkstra", e))?;
                Ok(node_float(r))
            },
        ),
    ]
}
