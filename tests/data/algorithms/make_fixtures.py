#!/usr/bin/env python3
"""Computes, with networkx, the answers that tests/algorithms.rs checks kgraph's graph
algorithms against, and writes them to fixtures.json beside this script.

Run from the repository root, with networkx installed (the committed fixtures were made with
networkx 3.4.2):

    python3 -m venv target/nx-venv
    target/nx-venv/bin/pip install networkx==3.4.2 scipy==1.14.1 "numpy<2.3"
    target/nx-venv/bin/python tests/data/algorithms/make_fixtures.py

(networkx's pagerank runs on scipy.) The output is deterministic: running the script again
writes the same bytes.

The graphs: two generated multigraphs (several labels per node, three relationship types,
parallel relationships, self-loops, integer, float and missing weights, isolated nodes),
written into the fixture so that the test builds the same graph, and the embedded dataset,
read from data/ecosystem/ (nodes keyed by name). Each case is a graph and a projection
(labels, types); the answers are keyed by node key (the generated nodes' `k`, the dataset's
`name`). The semantics of parallel relationships and self-loops that kgraph documents are the
networkx graph classes chosen here: PageRank, degree and Dijkstra on a MultiDiGraph (a
MultiGraph undirected), betweenness on a DiGraph (or Graph), triangles and Louvain on a Graph.

The generated graphs' relationships carry a weight `w` (or none: it then weighs 1), and each
of their cases has weighted answers too (PageRank, Louvain, Dijkstra, degree); the dataset has
no numeric weight on its relationships, so its cases are unweighted (`"weight": null`).
"""

import glob
import json
import os
import random

import networkx as nx

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
SEED = 42
# Louvain's modularity over these seeds too: networkx's own spread (on the dataset, 0.719 to
# 0.745), beside the run of SEED that the test compares with.
LOUVAIN_SEEDS = range(20)


def generated(n_nodes, n_rels, seed):
    rng = random.Random(seed)
    nodes = []
    for k in range(n_nodes):
        # One or two labels; every 17th node has none.
        labels = [] if k % 17 == 16 else sorted(rng.sample(["A", "B", "C"], rng.choice([1, 1, 2])))
        nodes.append({"k": k, "labels": labels})
    rels = []
    # The last tenth of the nodes stay isolated (apart from a few self-loops).
    linked = int(n_nodes * 0.9)
    for _ in range(n_rels):
        s = rng.randrange(linked)
        t = s if rng.random() < 0.03 else rng.randrange(linked)
        kind = rng.choice(["T", "T", "U", "V"])
        r = rng.random()
        # Weights on a grid of quarters, so that every path length is exact in binary.
        w = None if r < 0.1 else (rng.randint(1, 9) if r < 0.6 else rng.randint(1, 40) / 4.0)
        rels.append([s, t, kind, w])
        if rng.random() < 0.05:
            rels.append([s, t, kind, w])  # a parallel relationship
    return {"nodes": nodes, "rels": rels}


def ecosystem():
    nodes = []
    for line in open(os.path.join(ROOT, "data", "ecosystem", "entities.jsonl"), encoding="utf-8"):
        if line.strip():
            e = json.loads(line)
            nodes.append({"k": e["name"], "labels": [e["label"]]})
    rels = []
    for f in sorted(glob.glob(os.path.join(ROOT, "data", "ecosystem", "relations", "*.jsonl"))):
        for line in open(f, encoding="utf-8"):
            if line.strip():
                r = json.loads(line)
                rels.append([r["from"], r["to"], r["type"], None])
    return {"nodes": nodes, "rels": rels}


def project(graph, labels, types):
    keep = {n["k"] for n in graph["nodes"] if labels is None or set(n["labels"]) & set(labels)}
    rels = [r for r in graph["rels"] if r[0] in keep and r[1] in keep and (types is None or r[2] in types)]
    return sorted(keep, key=lambda k: (str(type(k)), k)), rels


def multi(keys, rels, weight_key="w"):
    g = nx.MultiDiGraph()
    g.add_nodes_from(keys)
    for s, t, _, w in rels:
        if w is None:
            g.add_edge(s, t)
        else:
            g.add_edge(s, t, **{weight_key: w})
    return g


def multi_undirected(keys, rels, weight_key="w"):
    """Each relationship an undirected edge (MultiDiGraph.to_undirected would merge u->v and
    v->u of the same key)."""
    g = nx.MultiGraph()
    g.add_nodes_from(keys)
    for s, t, _, w in rels:
        if w is None:
            g.add_edge(s, t)
        else:
            g.add_edge(s, t, **{weight_key: w})
    return g


def simple_undirected_weighted(keys, rels, weighted=False):
    """The projection as a simple undirected graph whose `weight` sums its relationships'
    weights (each 1, or `w` with 1 for a missing one when `weighted`)."""
    g = nx.Graph()
    g.add_nodes_from(keys)
    for s, t, _, w in rels:
        x = (1 if w is None else w) if weighted else 1
        if g.has_edge(s, t):
            g[s][t]["weight"] += x
        else:
            g.add_edge(s, t, weight=x)
    return g


def key(k):
    return str(k)


def louvain_by_seed(g):
    return [
        nx.community.modularity(g, nx.community.louvain_communities(g, weight="weight", seed=s), weight="weight")
        for s in LOUVAIN_SEEDS
    ]


def case(name, graph_name, graph, labels, types, source, weight):
    keys, rels = project(graph, labels, types)
    m = multi(keys, rels)
    mu = multi_undirected(keys, rels)
    out = {"name": name, "graph": graph_name, "labels": labels, "types": types, "weight": weight}
    out["nodes"] = len(keys)
    out["relationships"] = len(rels)
    pr = nx.pagerank(m, alpha=0.85, tol=1e-10, max_iter=1000, weight=None)
    out["pagerank"] = {key(k): v for k, v in pr.items()}
    pr = nx.pagerank(mu, alpha=0.85, tol=1e-10, max_iter=1000, weight=None)
    out["pagerank_undirected"] = {key(k): v for k, v in pr.items()}
    out["wcc"] = sorted(sorted(key(k) for k in c) for c in nx.weakly_connected_components(m))
    out["scc"] = sorted(sorted(key(k) for k in c) for c in nx.strongly_connected_components(m))
    out["betweenness_directed"] = {key(k): v for k, v in nx.betweenness_centrality(nx.DiGraph(m)).items()}
    out["betweenness_undirected"] = {
        key(k): v for k, v in nx.betweenness_centrality(nx.Graph(m.to_undirected())).items()
    }
    out["betweenness_directed_raw"] = {
        key(k): v for k, v in nx.betweenness_centrality(nx.DiGraph(m), normalized=False).items()
    }
    out["betweenness_undirected_raw"] = {
        key(k): v
        for k, v in nx.betweenness_centrality(nx.Graph(m.to_undirected()), normalized=False).items()
    }
    out["degree_out"] = {key(k): d for k, d in m.out_degree()}
    out["degree_both"] = {key(k): d for k, d in m.degree()}
    out["degree_out_weighted"] = {key(k): d for k, d in m.out_degree(weight="w")}
    u = simple_undirected_weighted(keys, rels)
    out["triangles"] = {key(k): t for k, t in nx.triangles(u).items()}
    comms = nx.community.louvain_communities(u, weight="weight", seed=SEED)
    out["louvain_modularity"] = nx.community.modularity(u, comms, weight="weight")
    out["louvain_communities"] = sorted(sorted(key(k) for k in c) for c in comms)
    out["louvain_modularity_by_seed"] = louvain_by_seed(u)
    dist = nx.single_source_dijkstra_path_length(m, source, weight="w")
    out["dijkstra"] = {"source": key(source), "distances": {key(k): d for k, d in dist.items()}}
    dist = nx.single_source_dijkstra_path_length(mu, source, weight="w")
    out["dijkstra_undirected"] = {key(k): d for k, d in dist.items()}
    if weight is not None:
        pr = nx.pagerank(m, alpha=0.85, tol=1e-10, max_iter=1000, weight=weight)
        out["pagerank_weighted"] = {key(k): v for k, v in pr.items()}
        uw = simple_undirected_weighted(keys, rels, weighted=True)
        comms = nx.community.louvain_communities(uw, weight="weight", seed=SEED)
        out["louvain_weighted_modularity"] = nx.community.modularity(uw, comms, weight="weight")
        out["louvain_weighted_communities"] = sorted(sorted(key(k) for k in c) for c in comms)
        out["louvain_weighted_modularity_by_seed"] = louvain_by_seed(uw)
    return out


def main():
    graphs = {
        "small": generated(60, 200, 1),
        "medium": generated(400, 1600, 2),
    }
    eco = ecosystem()
    cases = [
        case("small, whole graph", "small", graphs["small"], None, None, 0, "w"),
        case("small, labels A and B, type T", "small", graphs["small"], ["A", "B"], ["T"], 1, "w"),
        case("medium, whole graph", "medium", graphs["medium"], None, None, 3, "w"),
        case("medium, label C, types T and U", "medium", graphs["medium"], ["C"], ["T", "U"], 5, "w"),
        case("ecosystem, whole graph", "ecosystem", eco, None, None, "AstraZeneca", None),
        case(
            "ecosystem, companies, places and governments; LOCATED_IN and SIGNS_WITH",
            "ecosystem",
            eco,
            ["Company", "Place", "Government"],
            ["LOCATED_IN", "SIGNS_WITH"],
            "AstraZeneca",
            None,
        ),
    ]
    fixture = {
        "made_by": "tests/data/algorithms/make_fixtures.py, networkx " + nx.__version__,
        "graphs": graphs,
        "cases": cases,
    }
    path = os.path.join(HERE, "fixtures.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(fixture, f, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        f.write("\n")
    print("wrote %s: %d cases" % (os.path.relpath(path, ROOT), len(cases)))


if __name__ == "__main__":
    main()
