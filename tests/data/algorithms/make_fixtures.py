#!/usr/bin/env python3
"""Computes, with networkx, the answers that tests/algorithms.rs checks kgraph's graph
algorithms against, and writes them to fixtures.json beside this script.

Run from the repository root, with networkx installed (the committed fixtures were made with
networkx 3.4.2):

    python3 -m venv /tmp/nx && /tmp/nx/bin/pip install networkx==3.4.2
    /tmp/nx/bin/python tests/data/algorithms/make_fixtures.py

The graphs: two generated multigraphs (several labels per node, three relationship types,
parallel relationships, self-loops, integer, float and missing weights, isolated nodes),
written into the fixture so that the test builds the same graph, and the embedded dataset,
read from data/ecosystem/ (nodes keyed by name). Each case is a graph and a projection
(labels, types); the answers are keyed by node key (the generated nodes' `k`, the dataset's
`name`). The semantics of parallel relationships and self-loops that kgraph documents are the
networkx graph classes chosen here: PageRank, degree and Dijkstra on a MultiDiGraph,
betweenness on a DiGraph (or Graph), triangles and Louvain on a Graph.
"""

import glob
import json
import os
import random

import networkx as nx

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
SEED = 42


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


def simple_undirected_weighted(keys, rels):
    g = nx.Graph()
    g.add_nodes_from(keys)
    for s, t, _, _ in rels:
        if g.has_edge(s, t):
            g[s][t]["weight"] += 1
        else:
            g.add_edge(s, t, weight=1)
    return g


def key(k):
    return str(k)


def case(name, graph_name, graph, labels, types, source):
    keys, rels = project(graph, labels, types)
    m = multi(keys, rels)
    out = {"name": name, "graph": graph_name, "labels": labels, "types": types}
    out["nodes"] = len(keys)
    out["relationships"] = len(rels)
    pr = nx.pagerank(m, alpha=0.85, tol=1e-10, max_iter=1000, weight=None)
    out["pagerank"] = {key(k): v for k, v in pr.items()}
    out["wcc"] = sorted(sorted(key(k) for k in c) for c in nx.weakly_connected_components(m))
    out["scc"] = sorted(sorted(key(k) for k in c) for c in nx.strongly_connected_components(m))
    out["betweenness_directed"] = {key(k): v for k, v in nx.betweenness_centrality(nx.DiGraph(m)).items()}
    out["betweenness_undirected"] = {
        key(k): v for k, v in nx.betweenness_centrality(nx.Graph(m.to_undirected())).items()
    }
    out["degree_out"] = {key(k): d for k, d in m.out_degree()}
    out["degree_both"] = {key(k): d for k, d in m.degree()}
    out["degree_out_weighted"] = {key(k): d for k, d in m.out_degree(weight="w")}
    u = simple_undirected_weighted(keys, rels)
    out["triangles"] = {key(k): t for k, t in nx.triangles(u).items()}
    comms = nx.community.louvain_communities(u, weight="weight", seed=SEED)
    out["louvain_modularity"] = nx.community.modularity(u, comms, weight="weight")
    out["louvain_communities"] = sorted(sorted(key(k) for k in c) for c in comms)
    dist = nx.single_source_dijkstra_path_length(m, source, weight="w")
    out["dijkstra"] = {"source": key(source), "distances": {key(k): d for k, d in dist.items()}}
    return out


def main():
    graphs = {
        "small": generated(60, 200, 1),
        "medium": generated(400, 1600, 2),
    }
    eco = ecosystem()
    cases = [
        case("small, whole graph", "small", graphs["small"], None, None, 0),
        case("small, labels A and B, type T", "small", graphs["small"], ["A", "B"], ["T"], 1),
        case("medium, whole graph", "medium", graphs["medium"], None, None, 3),
        case("medium, label C, types T and U", "medium", graphs["medium"], ["C"], ["T", "U"], 5),
        case("ecosystem, whole graph", "ecosystem", eco, None, None, "AstraZeneca"),
        case(
            "ecosystem, companies, places and governments; LOCATED_IN and SIGNS_WITH",
            "ecosystem",
            eco,
            ["Company", "Place", "Government"],
            ["LOCATED_IN", "SIGNS_WITH"],
            "AstraZeneca",
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
