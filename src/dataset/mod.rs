//! The embedded healthcare-industry ecosystem: JSON Lines files compiled into the binary,
//! validated against the ontology, and loaded into a [`Graph`].
//!
//! Architecture invariant: the loader refuses, with a [`DatasetError`] naming the file and
//! line, any entity or relationship the ontology does not allow; a graph it returns has every
//! relationship's endpoints, a `source` on every relationship, and names and aliases that
//! identify one entity each.

mod ontology;

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::Map;

use crate::graph::names::normalize_name;
use crate::graph::{Graph, NodeId, Value};
use crate::Date;

pub(crate) use ontology::{BASES, EVIDENCE_MAX_CHARS, GAZETTEER, LABELS, REL_TYPES, SOURCES, STATUSES};

/// One file of the dataset: its name (for errors) and its text.
#[derive(Clone, Copy, Debug)]
pub struct DatasetFile<'a> {
    /// The file's name, as errors print it.
    pub name: &'a str,
    /// The file's JSON Lines text.
    pub text: &'a str,
}

const ENTITIES: DatasetFile<'static> = DatasetFile {
    name: "entities.jsonl",
    text: include_str!("../../data/ecosystem/entities.jsonl"),
};

const RELATIONS: [DatasetFile<'static>; 6] = [
    DatasetFile {
        name: "relations/000_829221f228b32901.jsonl",
        text: include_str!("../../data/ecosystem/relations/000_829221f228b32901.jsonl"),
    },
    DatasetFile {
        name: "relations/001_e0d1812e1d7dabb9.jsonl",
        text: include_str!("../../data/ecosystem/relations/001_e0d1812e1d7dabb9.jsonl"),
    },
    DatasetFile {
        name: "relations/002_d941ef6b52149710.jsonl",
        text: include_str!("../../data/ecosystem/relations/002_d941ef6b52149710.jsonl"),
    },
    DatasetFile {
        name: "relations/003_241209830042b96d.jsonl",
        text: include_str!("../../data/ecosystem/relations/003_241209830042b96d.jsonl"),
    },
    DatasetFile {
        name: "relations/004_7bfd2b9734327095.jsonl",
        text: include_str!("../../data/ecosystem/relations/004_7bfd2b9734327095.jsonl"),
    },
    DatasetFile {
        name: "relations/gazetteer.jsonl",
        text: include_str!("../../data/ecosystem/relations/gazetteer.jsonl"),
    },
];

/// Why a dataset file was refused; every variant names the file and the 1-based line.
///
/// ```
/// use kgraph::{DatasetError, DatasetFile, Graph};
/// let entities = DatasetFile { name: "e.jsonl", text: r#"{"label":"Company"}"# };
/// let err = Graph::from_dataset(entities, &[]).unwrap_err();
/// assert!(matches!(err, DatasetError::MissingKey { line: 1, .. }));
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum DatasetError {
    /// A line is not a JSON object.
    #[error("{file}:{line}: not a JSON object: {message}")]
    Json {
        /// The file.
        file: String,
        /// The line.
        line: usize,
        /// What the JSON parser said.
        message: String,
    },
    /// A required key is missing.
    #[error("{file}:{line}: missing '{key}'")]
    MissingKey {
        /// The file.
        file: String,
        /// The line.
        line: usize,
        /// The key.
        key: &'static str,
    },
    /// A key the ontology does not allow here.
    #[error("{file}:{line}: '{key}' is not allowed {context}")]
    UnknownKey {
        /// The file.
        file: String,
        /// The line.
        line: usize,
        /// The key.
        key: String,
        /// Where (on which label or type).
        context: String,
    },
    /// A label, kind or type the ontology does not have.
    #[error("{file}:{line}: {what} '{value}' is not in the ontology")]
    NotInOntology {
        /// The file.
        file: String,
        /// The line.
        line: usize,
        /// `label`, `kind` or `relationship type`.
        what: &'static str,
        /// The value found.
        value: String,
    },
    /// A value of the wrong type or form (a date that is not `YYYY-MM-DD`, a non-string alias).
    #[error("{file}:{line}: '{key}' {problem}")]
    BadValue {
        /// The file.
        file: String,
        /// The line.
        line: usize,
        /// The key.
        key: String,
        /// What is wrong with it.
        problem: String,
    },
    /// Two entities share a name, Chinese name or alias (after normalisation).
    #[error("{file}:{line}: '{name}' already names '{other}'")]
    DuplicateName {
        /// The file.
        file: String,
        /// The line.
        line: usize,
        /// The shared name.
        name: String,
        /// The canonical name of the entity that has it already.
        other: String,
    },
    /// A relationship names an entity that does not exist.
    #[error("{file}:{line}: no entity is named '{name}'")]
    DanglingEndpoint {
        /// The file.
        file: String,
        /// The line.
        line: usize,
        /// The missing name.
        name: String,
    },
    /// A relationship's `source` is not the document its file is for.
    #[error("{file}:{line}: source '{source_name}' does not match the file (expected one of the five documents or 'gazetteer', equal to the file name)")]
    BadSource {
        /// The file.
        file: String,
        /// The line.
        line: usize,
        /// The source found.
        source_name: String,
    },
    /// The same relationship (type, endpoints, properties) is stated twice.
    #[error("{file}:{line}: duplicate of an earlier relationship")]
    DuplicateRelationship {
        /// The file.
        file: String,
        /// The line.
        line: usize,
    },
    /// An entity no relationship touches.
    #[error("{file}: entity '{name}' has no relationship")]
    Isolated {
        /// The file.
        file: String,
        /// The entity.
        name: String,
    },
}

struct LineCtx<'a> {
    file: &'a str,
    line: usize,
}

impl LineCtx<'_> {
    fn missing(&self, key: &'static str) -> DatasetError {
        DatasetError::MissingKey {
            file: self.file.to_owned(),
            line: self.line,
            key,
        }
    }
    fn bad(&self, key: &str, problem: impl Into<String>) -> DatasetError {
        DatasetError::BadValue {
            file: self.file.to_owned(),
            line: self.line,
            key: key.to_owned(),
            problem: problem.into(),
        }
    }
    fn unknown(&self, key: &str, context: String) -> DatasetError {
        DatasetError::UnknownKey {
            file: self.file.to_owned(),
            line: self.line,
            key: key.to_owned(),
            context,
        }
    }
    fn not_in_ontology(&self, what: &'static str, value: &str) -> DatasetError {
        DatasetError::NotInOntology {
            file: self.file.to_owned(),
            line: self.line,
            what,
            value: value.to_owned(),
        }
    }
}

fn lines(
    file: DatasetFile<'_>,
) -> impl Iterator<Item = Result<(LineCtx<'_>, Map<String, serde_json::Value>), DatasetError>> {
    file.text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(move |(i, l)| {
            let ctx = LineCtx {
                file: file.name,
                line: i + 1,
            };
            match serde_json::from_str::<serde_json::Value>(l) {
                Ok(serde_json::Value::Object(map)) => Ok((ctx, map)),
                Ok(_) => Err(DatasetError::Json {
                    file: file.name.to_owned(),
                    line: i + 1,
                    message: "expected an object".to_owned(),
                }),
                Err(e) => Err(DatasetError::Json {
                    file: file.name.to_owned(),
                    line: i + 1,
                    message: e.to_string(),
                }),
            }
        })
}

fn string_of<'m>(
    ctx: &LineCtx<'_>,
    map: &'m Map<String, serde_json::Value>,
    key: &'static str,
) -> Result<&'m str, DatasetError> {
    match map.get(key) {
        None => Err(ctx.missing(key)),
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => Ok(s),
        Some(_) => Err(ctx.bad(key, "must be a non-empty string")),
    }
}

/// Converts one property of a dataset line into a graph value, checking its form.
fn property_value(ctx: &LineCtx<'_>, key: &str, json: &serde_json::Value) -> Result<Value, DatasetError> {
    match (key, json) {
        ("date", serde_json::Value::String(s)) => s
            .parse::<Date>()
            .map(Value::Date)
            .map_err(|e| ctx.bad(key, e.to_string())),
        ("date", _) => Err(ctx.bad(key, "must be a YYYY-MM-DD string")),
        ("date_precision", serde_json::Value::String(s))
            if matches!(s.as_str(), "day" | "month" | "year") =>
        {
            Ok(Value::from(s.as_str()))
        }
        ("date_precision", _) => Err(ctx.bad(key, "must be 'day', 'month' or 'year'")),
        ("aliases", serde_json::Value::Array(items)) => items
            .iter()
            .map(|i| match i {
                serde_json::Value::String(s) if !s.trim().is_empty() => Ok(Value::from(s.as_str())),
                _ => Err(ctx.bad(key, "must be a list of non-empty strings")),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Value::List),
        ("aliases", _) => Err(ctx.bad(key, "must be a list of non-empty strings")),
        ("edition" | "agreements_signed" | "partners_count" | "rank", serde_json::Value::Number(n))
            if n.is_i64() =>
        {
            Ok(Value::Int(n.as_i64().unwrap_or_default()))
        }
        ("edition" | "agreements_signed" | "partners_count" | "rank", _) => {
            Err(ctx.bad(key, "must be an integer"))
        }
        ("status", serde_json::Value::String(s)) if STATUSES.contains(&s.as_str()) => {
            Ok(Value::from(s.as_str()))
        }
        ("status", _) => Err(ctx.bad(key, format!("must be one of {}", STATUSES.join(", ")))),
        ("basis", serde_json::Value::String(s)) if BASES.contains(&s.as_str()) => Ok(Value::from(s.as_str())),
        ("basis", _) => Err(ctx.bad(key, format!("must be one of {}", BASES.join(", ")))),
        ("evidence", serde_json::Value::String(s))
            if !s.trim().is_empty() && s.chars().count() <= EVIDENCE_MAX_CHARS =>
        {
            Ok(Value::from(s.as_str()))
        }
        ("evidence", _) => Err(ctx.bad(
            key,
            format!("must be a non-empty phrase of at most {EVIDENCE_MAX_CHARS} characters"),
        )),
        ("amount" | "procurement_amount" | "prize_amount", serde_json::Value::Number(n)) => n
            .as_f64()
            .filter(|f| f.is_finite() && *f >= 0.0)
            .map(Value::Float)
            .ok_or_else(|| ctx.bad(key, "must be a non-negative number")),
        ("amount" | "procurement_amount" | "prize_amount", _) => Err(ctx.bad(key, "must be a number")),
        (_, serde_json::Value::String(s)) if !s.trim().is_empty() => Ok(Value::from(s.as_str())),
        _ => Err(ctx.bad(key, "must be a non-empty string")),
    }
}

impl Graph {
    /// The embedded healthcare-industry ecosystem: organisations, places, events, products,
    /// people, projects and policies of the five source documents, and how they relate.
    ///
    /// ```
    /// let g = kgraph::Graph::ecosystem()?;
    /// let az = g.resolve("阿斯利康")?;
    /// assert_eq!(g.node(az)?.property("name").and_then(|v| v.as_str()), Some("AstraZeneca"));
    /// # Ok::<_, kgraph::Error>(())
    /// ```
    pub fn ecosystem() -> Result<Graph, DatasetError> {
        Graph::from_dataset(ENTITIES, &RELATIONS)
    }

    /// Loads and validates a dataset in the embedded dataset's format (`data/ecosystem/FORMAT.md`):
    /// one entities file and relationship files named after their source document.
    ///
    /// ```
    /// use kgraph::{DatasetFile, Graph};
    /// let entities = DatasetFile {
    ///     name: "entities.jsonl",
    ///     text: "{\"label\":\"Place\",\"name\":\"Shanghai\",\"kind\":\"city\"}\n\
    ///            {\"label\":\"Place\",\"name\":\"China\",\"kind\":\"country\"}",
    /// };
    /// let rels = DatasetFile {
    ///     name: "relations/000_829221f228b32901.jsonl",
    ///     text: r#"{"type":"LOCATED_IN","from":"Shanghai","to":"China","source":"000_829221f228b32901","basis":"stated","evidence":"上海"}"#,
    /// };
    /// let g = Graph::from_dataset(entities, &[rels])?;
    /// assert_eq!((g.node_count(), g.relationship_count()), (2, 1));
    /// # Ok::<_, kgraph::DatasetError>(())
    /// ```
    pub fn from_dataset(
        entities: DatasetFile<'_>,
        relations: &[DatasetFile<'_>],
    ) -> Result<Graph, DatasetError> {
        let mut graph = Graph::new();
        let mut by_name: HashMap<String, NodeId> = HashMap::new();
        let mut owner_of_key: HashMap<String, String> = HashMap::new();
        for line in lines(entities) {
            let (ctx, map) = line?;
            let label = string_of(&ctx, &map, "label")?;
            let name = string_of(&ctx, &map, "name")?;
            let Some((_, kinds)) = LABELS.iter().find(|(l, _)| *l == label) else {
                return Err(ctx.not_in_ontology("label", label));
            };
            let mut props: BTreeMap<&str, Value> = BTreeMap::new();
            for (key, json) in &map {
                if key == "label" {
                    continue;
                }
                if !ontology::NODE_KEYS.contains(&key.as_str()) {
                    return Err(ctx.unknown(key, format!("on an entity ({label})")));
                }
                props.insert(key, property_value(&ctx, key, json)?);
            }
            if let (Some(kinds), Some(kind)) = (kinds, props.get("kind").and_then(Value::as_str))
                && !kinds.contains(&kind)
            {
                return Err(ctx.not_in_ontology("kind", kind));
            }
            if props.contains_key("date") != props.contains_key("date_precision") {
                return Err(ctx.bad("date_precision", "must be given with 'date', and only with it"));
            }
            let mut keys: Vec<&str> = vec![name];
            if let Some(zh) = props.get("name_zh").and_then(Value::as_str) {
                keys.push(zh);
            }
            if let Some(aliases) = props.get("aliases").and_then(Value::as_list) {
                keys.extend(aliases.iter().filter_map(Value::as_str));
            }
            let mut own = HashSet::new();
            for k in keys {
                let norm = normalize_name(k);
                if !own.insert(norm.clone()) {
                    continue;
                }
                if let Some(other) = owner_of_key.get(&norm) {
                    return Err(DatasetError::DuplicateName {
                        file: ctx.file.to_owned(),
                        line: ctx.line,
                        name: k.to_owned(),
                        other: other.clone(),
                    });
                }
                owner_of_key.insert(norm, name.to_owned());
            }
            let id = graph
                .add_node(&[label], props)
                .map_err(|e| ctx.bad("name", e.to_string()))?;
            by_name.insert(name.to_owned(), id);
        }

        let mut touched: HashSet<NodeId> = HashSet::new();
        let mut seen_rels: HashSet<String> = HashSet::new();
        for file in relations {
            let stem = file
                .name
                .rsplit('/')
                .next()
                .and_then(|f| f.strip_suffix(".jsonl"))
                .unwrap_or(file.name);
            for line in lines(*file) {
                let (ctx, map) = line?;
                let ty = string_of(&ctx, &map, "type")?;
                let from = string_of(&ctx, &map, "from")?;
                let to = string_of(&ctx, &map, "to")?;
                let source = string_of(&ctx, &map, "source")?;
                let Some((_, allowed)) = REL_TYPES.iter().find(|(t, _)| *t == ty) else {
                    return Err(ctx.not_in_ontology("relationship type", ty));
                };
                if source != stem || !(SOURCES.contains(&source) || source == GAZETTEER) {
                    return Err(DatasetError::BadSource {
                        file: ctx.file.to_owned(),
                        line: ctx.line,
                        source_name: source.to_owned(),
                    });
                }
                let endpoint = |name: &str| {
                    by_name
                        .get(name)
                        .copied()
                        .ok_or_else(|| DatasetError::DanglingEndpoint {
                            file: ctx.file.to_owned(),
                            line: ctx.line,
                            name: name.to_owned(),
                        })
                };
                let (start, end) = (endpoint(from)?, endpoint(to)?);
                let mut props: BTreeMap<&str, Value> = BTreeMap::new();
                for (key, json) in &map {
                    if matches!(key.as_str(), "type" | "from" | "to") {
                        continue;
                    }
                    let provenance = matches!(key.as_str(), "source" | "basis" | "evidence");
                    if !provenance && !allowed.contains(&key.as_str()) {
                        return Err(ctx.unknown(key, format!("on {ty}")));
                    }
                    props.insert(key, property_value(&ctx, key, json)?);
                }
                if props.contains_key("date") != props.contains_key("date_precision") {
                    return Err(ctx.bad("date_precision", "must be given with 'date', and only with it"));
                }
                let basis = string_of(&ctx, &map, "basis")?;
                if source == GAZETTEER {
                    if basis != "world" {
                        return Err(ctx.bad("basis", "must be 'world' on a gazetteer fact"));
                    }
                    if map.contains_key("evidence") {
                        return Err(ctx.unknown("evidence", "on a gazetteer fact".to_owned()));
                    }
                } else {
                    string_of(&ctx, &map, "evidence")?;
                    if basis == "world" {
                        return Err(ctx.bad("basis", "'world' is for gazetteer facts only"));
                    }
                }
                let mut fingerprint = map.clone();
                for key in ["source", "basis", "evidence"] {
                    fingerprint.remove(key);
                }
                if !seen_rels.insert(serde_json::Value::Object(fingerprint).to_string()) {
                    return Err(DatasetError::DuplicateRelationship {
                        file: ctx.file.to_owned(),
                        line: ctx.line,
                    });
                }
                graph
                    .add_relationship(start, end, ty, props)
                    .map_err(|e| ctx.bad("type", e.to_string()))?;
                touched.insert(start);
                touched.insert(end);
            }
        }
        graph.require_unique_names().map_err(|e| DatasetError::BadValue {
            file: entities.name.to_owned(),
            line: 0,
            key: "name".to_owned(),
            problem: e.to_string(),
        })?;
        if !relations.is_empty() {
            for (name, id) in &by_name {
                if !touched.contains(id) {
                    return Err(DatasetError::Isolated {
                        file: entities.name.to_owned(),
                        name: name.clone(),
                    });
                }
            }
        }
        Ok(graph)
    }
}
