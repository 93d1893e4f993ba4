//! A projection of the graph in compact form: the selected nodes numbered `0..n` in node-id
//! order, and each node's relationships (in the projection's orientation) as offset arrays.

use petgraph::visit::{EdgeRef, IntoEdgeReferences, NodeIndexable};

use std::cell::Cell;

use super::{bytes_of, AlgoError, Guard, Orientation, Projection};
use crate::graph::{Graph, NodeId, RelId, Value};

/// Marks a node outside the projection in [`Compact::local`].
const OUTSIDE: u32 = u32::MAX;

/// The projected graph. `targets[offsets[i]..offsets[i + 1]]` are the nodes that node `i`'s
/// relationships lead to (both ends for an undirected projection; a self-loop once), with the
/// relationships in `rels` beside them, in relationship-id order.
pub(crate) struct Compact {
    pub(crate) ids: Vec<NodeId>,
    offsets: Vec<usize>,
    targets: Vec<u32>,
    rels: Vec<RelId>,
    /// Every selected relationship once, as (start, end, relationship), natural direction.
    pub(crate) edges: Vec<(u32, u32, RelId)>,
    local: Vec<u32>,
}

impl Compact {
    /// Reads the graph through `projection`, within the limits of `guard` (the working memory
    /// it takes counted first).
    pub(crate) fn build(g: &Graph, projection: &Projection, guard: &Guard<'_>) -> Result<Compact, AlgoError> {
        guard.check()?;
        let label_filter = match &projection.labels {
            None => None,
            Some(labels) => {
                let mut keep = vec![false; g.symbols.labels.len()];
                for l in labels {
                    let id = g
                        .symbols
                        .find_label(l)
                        .filter(|id| !g.label_nodes(*id).is_empty())
                        .ok_or_else(|| AlgoError::UnknownLabel(l.clone()))?;
                    keep[id.index()] = true;
                }
                Some(keep)
            }
        };
        // Which types to keep, and whether a relationship of each was seen (a type no
        // relationship has is an error, found while the relationships are read).
        let mut type_filter = match &projection.types {
            None => None,
            Some(types) => {
                let mut keep = vec![false; g.symbols.types.len()];
                for t in types {
                    let id = g
                        .symbols
                        .find_type(t)
                        .ok_or_else(|| AlgoError::UnknownType(t.clone()))?;
                    keep[id.index()] = true;
                }
                Some((keep, vec![false; g.symbols.types.len()]))
            }
        };

        const WHAT: &str = "the projection";
        guard.reserve(
            WHAT,
            bytes_of::<u32>(g.inner.node_bound()) + bytes_of::<NodeId>(g.inner.node_count()),
        )?;
        let mut tick = guard.ticker();
        let mut local = vec![OUTSIDE; g.inner.node_bound()];
        let mut ids = Vec::with_capacity(g.inner.node_count());
        for ix in g.inner.node_indices() {
            tick.add(1)?;
            let data = &g.inner[ix];
            if let Some(keep) = &label_filter
                && !data.labels.iter().any(|l| keep[l.index()])
            {
                continue;
            }
            local[ix.index()] = ids.len() as u32;
            ids.push(NodeId::from_ix(ix));
        }

        // Without a filter every relationship is kept: room for all of them is counted at
        // once; with one, as they are kept.
        let filtered = label_filter.is_some() || type_filter.is_some();
        let mut edges = if filtered {
            Vec::new()
        } else {
            guard.reserve(WHAT, bytes_of::<(u32, u32, RelId)>(g.inner.edge_count()))?;
            Vec::with_capacity(g.inner.edge_count())
        };
        const CHUNK: usize = 4096;
        for e in g.inner.edge_references() {
            tick.add(1)?;
            if let Some((keep, seen)) = &mut type_filter {
                let ty = e.weight().ty.index();
                if !keep[ty] {
                    continue;
                }
                seen[ty] = true;
            }
            let (s, t) = (local[e.source().index()], local[e.target().index()]);
            if s != OUTSIDE && t != OUTSIDE {
                if filtered && edges.len().is_multiple_of(CHUNK) {
                    guard.reserve(WHAT, bytes_of::<(u32, u32, RelId)>(CHUNK))?;
                }
                edges.push((s, t, RelId::from_ix(e.id())));
            }
        }

        if let (Some((_, seen)), Some(types)) = (&type_filter, &projection.types)
            && let Some(t) = types
                .iter()
                .find(|t| g.symbols.find_type(t).is_some_and(|id| !seen[id.index()]))
        {
            return Err(AlgoError::UnknownType(t.clone()));
        }

        let n = ids.len();
        let directions = if projection.orientation == Orientation::Undirected {
            2
        } else {
            1
        };
        guard.reserve(
            WHAT,
            3 * bytes_of::<usize>(n + 1) + directions * bytes_of::<(u32, RelId)>(edges.len()),
        )?;
        let mut counts = vec![0usize; n + 1];
        for &(s, t, _) in &edges {
            match projection.orientation {
                Orientation::Natural => counts[s as usize] += 1,
                Orientation::Reverse => counts[t as usize] += 1,
                Orientation::Undirected => {
                    counts[s as usize] += 1;
                    if s != t {
                        counts[t as usize] += 1;
                    }
                }
            }
        }
        let mut offsets = Vec::with_capacity(n + 1);
        let mut sum = 0;
        for c in &counts[..n] {
            offsets.push(sum);
            sum += c;
        }
        offsets.push(sum);
        let mut fill = offsets.clone();
        let mut targets = vec![0u32; sum];
        let mut rels = vec![RelId::from_index(0); sum];
        let mut put = |from: u32, to: u32, rel: RelId| {
            let at = &mut fill[from as usize];
            targets[*at] = to;
            rels[*at] = rel;
            *at += 1;
        };
        for &(s, t, rel) in &edges {
            match projection.orientation {
                Orientation::Natural => put(s, t, rel),
                Orientation::Reverse => put(t, s, rel),
                Orientation::Undirected => {
                    put(s, t, rel);
                    if s != t {
                        put(t, s, rel);
                    }
                }
            }
        }
        Ok(Compact {
            ids,
            offsets,
            targets,
            rels,
            edges,
            local,
        })
    }

    /// The number of nodes.
    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }

    /// The number of (node, relationship) entries: the relationships, twice each (but
    /// self-loops) when undirected.
    pub(crate) fn entries(&self) -> usize {
        self.targets.len()
    }

    /// Where node `i`'s entries lie among all [`Compact::entries`].
    pub(crate) fn span(&self, i: usize) -> std::ops::Range<usize> {
        self.offsets[i]..self.offsets[i + 1]
    }

    /// The nodes node `i`'s relationships lead to, with repeats for parallel relationships.
    pub(crate) fn targets(&self, i: usize) -> &[u32] {
        &self.targets[self.offsets[i]..self.offsets[i + 1]]
    }

    /// Node `i`'s relationships, beside [`Compact::targets`].
    pub(crate) fn rels(&self, i: usize) -> &[RelId] {
        &self.rels[self.offsets[i]..self.offsets[i + 1]]
    }

    /// The local number of a graph node, if the projection has it.
    pub(crate) fn local(&self, id: NodeId) -> Option<u32> {
        self.local
            .get(id.index() as usize)
            .copied()
            .filter(|&l| l != OUTSIDE)
    }

    /// Each node's distinct neighbours other than itself, sorted (the simple graph of the
    /// projection, as networkx's `Graph`/`DiGraph` sees a multigraph's adjacency).
    pub(crate) fn simple(&self, guard: &Guard<'_>) -> Result<Vec<Vec<u32>>, AlgoError> {
        guard.reserve(
            "the simple graph",
            bytes_of::<Vec<u32>>(self.len()) + bytes_of::<u32>(self.entries()),
        )?;
        let mut tick = guard.ticker();
        (0..self.len())
            .map(|i| {
                tick.add(self.targets(i).len() + 1)?;
                let mut out: Vec<u32> = self
                    .targets(i)
                    .iter()
                    .copied()
                    .filter(|&t| t as usize != i)
                    .collect();
                out.sort_unstable();
                out.dedup();
                Ok(out)
            })
            .collect()
    }
}

/// Reads relationship weights from a property: a missing property weighs `default`; an
/// integer or a float is the weight; anything else (or NaN, or an infinity) is an error.
///
/// A property that no relationship of the projection has is an error
/// ([`AlgoError::UnknownProperty`]): at once if no relationship of the graph has it, else
/// from [`Weights::finish`], once the algorithm has read every weight.
pub(crate) struct Weights<'g> {
    g: &'g Graph,
    key: Option<(crate::graph::intern::KeyId, &'g str)>,
    default: f64,
    /// A relationship with the property was read.
    seen: Cell<bool>,
}

impl<'g> Weights<'g> {
    /// Weights from `property` (every relationship weighs `default` when it is `None`).
    pub(crate) fn new(
        g: &'g Graph,
        property: Option<&'g str>,
        default: f64,
    ) -> Result<Weights<'g>, AlgoError> {
        let key = match property {
            None => None,
            Some(p) => {
                let key = g
                    .symbols
                    .find_key(p)
                    .ok_or_else(|| AlgoError::UnknownProperty(p.to_owned()))?;
                Some((key, p))
            }
        };
        Ok(Weights {
            g,
            key,
            default,
            seen: Cell::new(false),
        })
    }

    /// After every relationship's weight was read: an error if a weight property was named
    /// and none of them had it.
    pub(crate) fn finish(&self) -> Result<(), AlgoError> {
        match self.key {
            Some((_, name)) if !self.seen.get() => Err(AlgoError::UnknownProperty(name.to_owned())),
            _ => Ok(()),
        }
    }

    /// The weight of `rel`.
    pub(crate) fn of(&self, rel: RelId) -> Result<f64, AlgoError> {
        let Some((key, name)) = self.key else {
            return Ok(self.default);
        };
        let value = self.g.rel_data(rel).ok().and_then(|d| d.props.get(key));
        if value.is_some() {
            self.seen.set(true);
        }
        let w = match value {
            None => return Ok(self.default),
            Some(Value::Int(i)) => *i as f64,
            Some(Value::Float(f)) => *f,
            Some(other) => {
                return Err(AlgoError::NotANumber {
                    rel: rel.index(),
                    key: name.to_owned(),
                    value: other.to_string(),
                })
            }
        };
        if w.is_finite() {
            Ok(w)
        } else {
            Err(AlgoError::NotANumber {
                rel: rel.index(),
                key: name.to_owned(),
                value: w.to_string(),
            })
        }
    }

    /// The weight of `rel`, which must not be negative.
    pub(crate) fn non_negative(&self, rel: RelId) -> Result<f64, AlgoError> {
        let w = self.of(rel)?;
        if w < 0.0 {
            return Err(AlgoError::NegativeWeight {
                rel: rel.index(),
                key: self.key.map(|(_, n)| n.to_owned()).unwrap_or_default(),
                value: w,
            });
        }
        Ok(w)
    }
}
