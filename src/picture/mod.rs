//! Pictures of a query's result: the nodes, relationships and paths it returns, drawn as
//! DOT for Graphviz ([`Picture::to_dot`]), as a self-contained SVG laid out by the crate
//! ([`Picture::to_svg`]), or as a self-contained HTML page that pans, zooms, drags and shows a
//! node's properties on a click ([`Picture::to_html`]). Behind the `picture` feature.
//!
//! ```
//! use kgraph::picture::Picture;
//! let g = kgraph::Graph::ecosystem()?;
//! let r = g
//!     .query("MATCH (a:Company {name: 'AstraZeneca'})-[s:SIGNS_WITH]->(p) RETURN a, s, p")
//!     .run()?;
//! let picture = Picture::from_result(&r);
//! assert!(picture.nodes().len() > 1);
//! assert!(picture.to_svg().contains("AstraZeneca"));
//! assert!(picture.to_dot().starts_with("digraph"));
//! assert!(picture.to_html().starts_with("<!DOCTYPE html>"));
//! # Ok::<_, kgraph::Error>(())
//! ```
//!
//! A node's caption is the property the picture is told to use ([`Picture::with_caption`]),
//! else `name`, else its first string property (by key), else `#` and its id; its colour
//! follows its first label, from a fixed palette in the order of the labels' names. The
//! layout is force-directed (the `force_graph` crate's simulation from a radial start, one
//! connected component at a time, scaled so that no boxes overlap and every relationship has
//! room for its type) and deterministic: the same picture gives the same bytes. Its cost is
//! bounded: the simulation's steps shrink as the square of the node count grows, and past
//! [`FORCE_LAYOUT_LIMIT`] nodes a grid replaces it (`ARCHITECTURE.md` gives the numbers).

mod dot;
mod html;
mod layout;
mod scene;
mod svg;
mod text;

use std::collections::{BTreeMap, BTreeSet};

use crate::graph::{Graph, NodeId, RelId, Value};
use crate::query::{Node, QueryResult, Relationship};

pub use layout::FORCE_LAYOUT_LIMIT;

/// How many nodes [`Picture::from_graph`] takes at most.
pub const DEFAULT_GRAPH_LIMIT: usize = 500;

/// The colours of the labels, in the order of the labels' names within a picture (after the
/// last one, they repeat).
pub const PALETTE: [&str; 12] = [
    "#68bdf6", "#6dce9e", "#faafc2", "#f2baf6", "#ff928c", "#fcea7e", "#ffc766", "#b88cbb", "#a5abb6",
    "#4c8eda", "#57c7e3", "#d9c8ae",
];

/// The colour of a node without labels.
const UNLABELLED: &str = "#c9ccd1";

/// Nodes and relationships to draw, with how to caption them.
///
/// Made from a query's result ([`Picture::from_result`]) or from a whole graph
/// ([`Picture::from_graph`]); written as DOT, SVG or HTML.
#[derive(Clone, Debug, PartialEq)]
pub struct Picture {
    /// By id.
    nodes: Vec<Node>,
    /// By id; both ends of each are in `nodes`.
    relationships: Vec<Relationship>,
    caption_key: Option<String>,
    title: Option<String>,
    omitted_nodes: usize,
}

impl Picture {
    /// The nodes and relationships of a result: those in its rows, inside lists, maps and
    /// paths. A relationship whose ends the result does not return brings them along, as
    /// nodes known by their id only (no labels or properties: the result does not carry
    /// them); [`Picture::from_result_in`] reads them from the graph instead.
    ///
    /// ```
    /// use kgraph::picture::Picture;
    /// let g = kgraph::Graph::ecosystem()?;
    /// let r = g.query("MATCH (:Company {name: 'Pfizer'})-[s:SIGNS_WITH]-() RETURN s").run()?;
    /// let p = Picture::from_result(&r);
    /// assert_eq!(p.relationships().len(), r.len());
    /// assert!(p.nodes().len() >= 2);
    /// # Ok::<_, kgraph::Error>(())
    /// ```
    pub fn from_result(result: &QueryResult) -> Picture {
        Picture::collect(result, None)
    }

    /// Like [`Picture::from_result`], with the ends of relationships that the result does
    /// not return read from `graph` (their labels and properties as they are now).
    ///
    /// ```
    /// use kgraph::picture::Picture;
    /// let g = kgraph::Graph::ecosystem()?;
    /// let r = g.query("MATCH (:Company {name: 'Pfizer'})-[s:SIGNS_WITH]-() RETURN s").run()?;
    /// let p = Picture::from_result_in(&r, &g);
    /// assert!(p.nodes().iter().any(|n| n.property("name") == Some(&kgraph::Value::from("Pfizer"))));
    /// # Ok::<_, kgraph::Error>(())
    /// ```
    pub fn from_result_in(result: &QueryResult, graph: &Graph) -> Picture {
        Picture::collect(result, Some(graph))
    }

    fn collect(result: &QueryResult, graph: Option<&Graph>) -> Picture {
        let mut nodes = BTreeSet::new();
        let mut rels = BTreeSet::new();
        for row in result.rows() {
            for v in row {
                gather(v, &mut nodes, &mut rels);
            }
        }
        let records = result.records();
        let relationships: Vec<Relationship> = rels
            .iter()
            .filter_map(|id| records.relationship(*id).cloned())
            .collect();
        let ends: BTreeSet<NodeId> = relationships.iter().flat_map(|r| [r.start(), r.end()]).collect();
        nodes.extend(ends.iter().copied());
        let nodes = nodes
            .into_iter()
            .filter_map(|id| match records.node(id) {
                Some(n) => Some(n.clone()),
                // An end that the rows do not hold; a node without a record that is no end
                // is one the statement deleted, and is left out.
                None if ends.contains(&id) => Some(
                    graph
                        .and_then(|g| node_of(g, id))
                        .unwrap_or_else(|| Node::new(id, Vec::new(), BTreeMap::new())),
                ),
                None => None,
            })
            .collect();
        Picture::new(nodes, relationships)
    }

    /// A picture of a graph: its first [`DEFAULT_GRAPH_LIMIT`] nodes (by id) and the
    /// relationships between them ([`Picture::omitted_nodes`] says how many were left out).
    ///
    /// ```
    /// let g = kgraph::Graph::ecosystem()?;
    /// let p = kgraph::picture::Picture::from_graph(&g);
    /// assert_eq!(p.nodes().len() + p.omitted_nodes(), g.node_count());
    /// # Ok::<_, kgraph::Error>(())
    /// ```
    pub fn from_graph(graph: &Graph) -> Picture {
        Picture::from_graph_limited(graph, DEFAULT_GRAPH_LIMIT)
    }

    /// A picture of a graph's first `limit` nodes (by id) and the relationships between
    /// them.
    ///
    /// ```
    /// let g = kgraph::Graph::ecosystem()?;
    /// let p = kgraph::picture::Picture::from_graph_limited(&g, 10);
    /// assert_eq!(p.nodes().len(), 10);
    /// assert_eq!(p.omitted_nodes(), g.node_count() - 10);
    /// # Ok::<_, kgraph::Error>(())
    /// ```
    pub fn from_graph_limited(graph: &Graph, limit: usize) -> Picture {
        let mut ids: Vec<NodeId> = graph.nodes().collect();
        ids.sort_unstable();
        let omitted = ids.len().saturating_sub(limit);
        ids.truncate(limit);
        let kept: BTreeSet<NodeId> = ids.iter().copied().collect();
        let nodes = ids.iter().filter_map(|id| node_of(graph, *id)).collect();
        let mut rel_ids: Vec<RelId> = graph.relationships().collect();
        rel_ids.sort_unstable();
        let relationships = rel_ids
            .into_iter()
            .filter_map(|id| rel_of(graph, id))
            .filter(|r| kept.contains(&r.start()) && kept.contains(&r.end()))
            .collect();
        let mut p = Picture::new(nodes, relationships);
        p.omitted_nodes = omitted;
        p
    }

    /// A picture of the given nodes and relationships. A relationship whose end is not among
    /// the nodes brings that end as a node known by its id only; a node or relationship
    /// given twice is kept once.
    ///
    /// ```
    /// use kgraph::{picture::Picture, Node, NodeId, RelId, Relationship};
    /// let a = Node::new(NodeId::from_index(0), vec!["A".into()], Default::default());
    /// let r = Relationship::new(RelId::from_index(0), "T".into(), NodeId::from_index(0), NodeId::from_index(1), Default::default());
    /// let p = Picture::new(vec![a], vec![r]);
    /// assert_eq!(p.nodes().len(), 2);
    /// ```
    pub fn new(nodes: Vec<Node>, relationships: Vec<Relationship>) -> Picture {
        let mut by_id: BTreeMap<NodeId, Node> = BTreeMap::new();
        for n in nodes {
            by_id.entry(n.id()).or_insert(n);
        }
        let mut rels: BTreeMap<RelId, Relationship> = BTreeMap::new();
        for r in relationships {
            for end in [r.start(), r.end()] {
                by_id
                    .entry(end)
                    .or_insert_with(|| Node::new(end, Vec::new(), BTreeMap::new()));
            }
            rels.entry(r.id()).or_insert(r);
        }
        Picture {
            nodes: by_id.into_values().collect(),
            relationships: rels.into_values().collect(),
            caption_key: None,
            title: None,
            omitted_nodes: 0,
        }
    }

    /// Captions the nodes with the property `key` where they have it (as text), instead of
    /// `name`.
    ///
    /// ```
    /// let g = kgraph::Graph::ecosystem()?;
    /// let r = g.query("MATCH (c:Company {name: 'Pfizer'}) RETURN c").run()?;
    /// let p = kgraph::picture::Picture::from_result(&r).with_caption("name_zh");
    /// assert!(p.to_svg().contains("辉瑞"));
    /// # Ok::<_, kgraph::Error>(())
    /// ```
    pub fn with_caption(mut self, key: impl Into<String>) -> Picture {
        self.caption_key = Some(key.into());
        self
    }

    /// A title, written above the SVG and HTML pictures and as the DOT graph's label.
    ///
    /// ```
    /// let p = kgraph::picture::Picture::new(vec![], vec![]).with_title("Nothing");
    /// assert!(p.to_svg().contains("Nothing"));
    /// ```
    pub fn with_title(mut self, title: impl Into<String>) -> Picture {
        self.title = Some(title.into());
        self
    }

    /// The nodes, by id.
    ///
    /// ```
    /// assert!(kgraph::picture::Picture::new(vec![], vec![]).nodes().is_empty());
    /// ```
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The relationships, by id.
    ///
    /// ```
    /// assert!(kgraph::picture::Picture::new(vec![], vec![]).relationships().is_empty());
    /// ```
    pub fn relationships(&self) -> &[Relationship] {
        &self.relationships
    }

    /// How many nodes of the graph [`Picture::from_graph_limited`] left out (0 for a
    /// picture of a result).
    ///
    /// ```
    /// assert_eq!(kgraph::picture::Picture::new(vec![], vec![]).omitted_nodes(), 0);
    /// ```
    pub fn omitted_nodes(&self) -> usize {
        self.omitted_nodes
    }

    /// The caption a node is drawn with: the caption property's value, else `name`, else the
    /// first string property by key, else `#` and the node's id.
    ///
    /// ```
    /// use kgraph::{picture::Picture, Node, NodeId, Value};
    /// let n = Node::new(NodeId::from_index(7), vec![], [("b".to_owned(), Value::from("x"))].into());
    /// let p = Picture::new(vec![], vec![]);
    /// assert_eq!(p.caption(&n), "x");
    /// assert_eq!(p.caption(&Node::new(NodeId::from_index(7), vec![], Default::default())), "#7");
    /// ```
    pub fn caption(&self, node: &Node) -> String {
        let chosen = self
            .caption_key
            .as_deref()
            .and_then(|k| node.property(k))
            .filter(|v| !v.is_null());
        if let Some(v) = chosen {
            return value_text(v);
        }
        if let Some(Value::String(s)) = node.property("name") {
            return s.to_string();
        }
        node.properties()
            .values()
            .find_map(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| format!("#{}", node.id().index()))
    }

    /// The colour of each first label, in the order of the labels' names.
    fn colours(&self) -> BTreeMap<&str, &'static str> {
        let labels: BTreeSet<&str> = self
            .nodes
            .iter()
            .filter_map(|n| n.labels().first().map(String::as_str))
            .collect();
        labels
            .into_iter()
            .enumerate()
            .map(|(i, l)| (l, PALETTE[i % PALETTE.len()]))
            .collect()
    }

    /// The node's fill colour.
    fn colour_of<'a>(colours: &BTreeMap<&str, &'a str>, node: &Node) -> &'a str {
        node.labels()
            .first()
            .and_then(|l| colours.get(l.as_str()).copied())
            .unwrap_or(UNLABELLED)
    }

    /// The index of each node in `nodes`, and the relationships as index pairs.
    fn ends(&self) -> Vec<(usize, usize)> {
        let index: BTreeMap<NodeId, usize> =
            self.nodes.iter().enumerate().map(|(i, n)| (n.id(), i)).collect();
        self.relationships
            .iter()
            .filter_map(|r| Some((*index.get(&r.start())?, *index.get(&r.end())?)))
            .collect()
    }
}

/// A node record read from the graph.
fn node_of(graph: &Graph, id: NodeId) -> Option<Node> {
    let n = graph.node(id).ok()?;
    Some(Node::new(
        id,
        n.labels().map(str::to_owned).collect(),
        n.properties().map(|(k, v)| (k.to_owned(), v.clone())).collect(),
    ))
}

/// A relationship record read from the graph.
fn rel_of(graph: &Graph, id: RelId) -> Option<Relationship> {
    let r = graph.relationship(id).ok()?;
    Some(Relationship::new(
        id,
        r.rel_type().to_owned(),
        r.start(),
        r.end(),
        r.properties().map(|(k, v)| (k.to_owned(), v.clone())).collect(),
    ))
}

/// The nodes and relationships of a value: itself, or inside its lists, maps and paths.
fn gather(v: &Value, nodes: &mut BTreeSet<NodeId>, rels: &mut BTreeSet<RelId>) {
    match v {
        Value::Node(id) => {
            nodes.insert(*id);
        }
        Value::Relationship(id) => {
            rels.insert(*id);
        }
        Value::Path(p) => {
            nodes.extend(p.nodes().iter().copied());
            rels.extend(p.relationships().iter().copied());
        }
        Value::List(items) => items.iter().for_each(|i| gather(i, nodes, rels)),
        Value::Map(m) => m.values().for_each(|i| gather(i, nodes, rels)),
        _ => {}
    }
}

/// A property value as a person reads it: a string as it is, anything else in Cypher's
/// spelling.
pub(crate) fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        other => other.to_string(),
    }
}
