//! The errors of the graph API.

use super::id::{NodeId, RelId};

/// What went wrong in a call of the graph API; each variant names the item at fault.
///
/// ```
/// use kgraph::{Graph, GraphError, NodeId};
/// let g = Graph::new();
/// assert!(matches!(g.node(NodeId::from_index(9)), Err(GraphError::NodeNotFound { .. })));
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum GraphError {
    /// No live node has this id.
    #[error("node {id} does not exist")]
    NodeNotFound {
        /// The id asked for.
        id: NodeId,
    },
    /// No live relationship has this id.
    #[error("relationship {id} does not exist")]
    RelationshipNotFound {
        /// The id asked for.
        id: RelId,
    },
    /// A node that still has relationships cannot be removed without removing them too.
    #[error("node {id} still has {count} relationship(s); detach them first (DETACH DELETE)")]
    NodeHasRelationships {
        /// The node.
        id: NodeId,
        /// How many relationships it still has.
        count: usize,
    },
    /// A label, relationship type or property key was empty.
    #[error("a {what} cannot be empty")]
    EmptyName {
        /// `label`, `relationship type` or `property key`.
        what: &'static str,
    },
    /// Nodes, relationships and paths cannot be stored as property values (maps are
    /// [`GraphError::MapValue`]).
    #[error("property '{key}' cannot hold a {type_name} value")]
    InvalidPropertyValue {
        /// The property key.
        key: String,
        /// The Cypher type of the value refused.
        type_name: &'static str,
    },
    /// A map, or a list holding one, was given as a property value. Maps are not property
    /// values (as in Neo4j and openCypher): store each entry as a property of its own, or the
    /// map as a JSON string.
    ///
    /// ```
    /// use kgraph::{Graph, GraphError, Value};
    /// use std::collections::BTreeMap;
    /// let map = Value::from(BTreeMap::from([("x".to_owned(), Value::Int(1))]));
    /// let mut g = Graph::new();
    /// let err = g.add_node(&["A"], [("point", Value::List(vec![map]))]).unwrap_err();
    /// assert_eq!(err, GraphError::MapValue { key: "point".into() });
    /// assert_eq!(err.to_string(), "property 'point' cannot hold a map: maps are not property values");
    /// ```
    #[error("property '{key}' cannot hold a map: maps are not property values")]
    MapValue {
        /// The property key.
        key: String,
    },
    /// Lists and maps nest deeper in a property value than `Value::MAX_NESTING` levels, more
    /// than a snapshot or a JSON Lines file could be relied on to read back.
    #[error("property '{key}' nests lists or maps more than {max} levels deep")]
    ValueTooDeep {
        /// The property key.
        key: String,
        /// The deepest nesting allowed (`Value::MAX_NESTING`).
        max: usize,
    },
    /// A unique constraint would be broken.
    #[error("node {existing} already has label '{label}' and property '{key}' = {value}")]
    ConstraintViolation {
        /// The constrained label.
        label: String,
        /// The constrained key.
        key: String,
        /// The duplicated value, as a Cypher literal.
        value: String,
        /// The node that already holds it.
        existing: NodeId,
    },
    /// An index or constraint cannot be created: its name is taken, or one on the same
    /// label and key exists.
    #[error("{message}")]
    SchemaConflict {
        /// What is in the way.
        message: String,
    },
    /// No index or constraint has this name.
    #[error("there is no index or constraint named '{name}'")]
    SchemaNotFound {
        /// The name asked for.
        name: String,
    },
    /// No node carries this name, Chinese name or alias.
    #[error("no node is named '{name}'")]
    NameNotFound {
        /// The name asked for.
        name: String,
    },
    /// A copy of the graph kept up to date by replaying another copy's changes no longer
    /// matches it (an internal error: the copy is dropped and rebuilt).
    #[error("a replica of the graph diverged at its {what}")]
    Diverged {
        /// What differed.
        what: String,
    },
    /// Several nodes carry this name; the candidates are listed with their canonical names.
    #[error("'{name}' names {} nodes: {}", candidates.len(), candidate_list(candidates))]
    AmbiguousName {
        /// The name asked for.
        name: String,
        /// Every node that carries it, with its `name` property (or empty).
        candidates: Vec<(NodeId, String)>,
    },
}

fn candidate_list(candidates: &[(NodeId, String)]) -> String {
    candidates
        .iter()
        .map(|(id, name)| format!("{id} '{name}'"))
        .collect::<Vec<_>>()
        .join(", ")
}
