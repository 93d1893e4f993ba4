#!/usr/bin/env python3
"""Loads kgraph's exports into real engines and compares their answers with kgraph's.

Run by tests/server_exports.rs as `python exports.py DIR`: each subdirectory of DIR holds the
exports of one graph and `expected.json`, kgraph's own answers (counts, counts per label and
per type, the two-hop count, and some nodes' labels and properties in the adapter's JSON
encoding). Checks, for what each subdirectory holds:
- kuzu/ (the Kùzu export): loaded into `kuzu` and `ladybug`;
- falkordb.cypher (FalkorDB's dialect of the Cypher script): run line by line in FalkorDB
  (`falkordblite`), on a graph that already has a node, which must stay;
- g.graphml: read by networkx's `read_graphml`;
- neo4j/ (neo4j-admin's layout): read by the reader below, written from Neo4j's documented
  header rules, independent of the writer.
Prints "<graph>: <engine> ok" per check, and exits 1 at the first difference.
"""
import csv
import datetime
import json
import math
import os
import sys
import tempfile

failures = []


def fail(where, what):
    failures.append(f"{where}: {what}")
    print(f"FAIL {where}: {what}")


def same(a, b):
    """Equal, with NaN equal to itself and -0.0 to 0.0 (as Cypher compares)."""
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def decode(v):
    """The adapter's JSON encoding -> (kind, python value): temporal values as their text."""
    if isinstance(v, dict):
        (tag, text), = v.items()
        if tag == "~float":
            return float(text.replace("Infinity", "inf"))
        return (tag[1:], text)
    if isinstance(v, list):
        return [decode(x) for x in v]
    return v


def check_common(where, exp, got):
    for k in ("nodes", "relationships", "labels", "types", "two_hop"):
        if k in got and got[k] != exp[k]:
            fail(where, f"{k}: kgraph {exp[k]!r}, engine {got[k]!r}")


# ---------------------------------------------------------------- neo4j-admin layout

def parse_neo4j_value(ty, text, delimiter):
    """A field by the header type, as neo4j-admin reads it."""
    if ty.endswith("[]"):
        base = ty[:-2]
        return [] if text == "" else [parse_neo4j_value(base, t, delimiter) for t in text.split(delimiter)]
    if ty in ("long", "int", "short", "byte"):
        return int(text)
    if ty in ("double", "float"):
        return float({"NaN": "nan", "Infinity": "inf", "-Infinity": "-inf"}.get(text, text))
    if ty == "boolean":
        return text == "true"
    if ty == "string":
        return text
    return (ty, text)


def read_neo4j_admin(where, d):
    with open(os.path.join(d, "neo4j-admin-import.txt"), encoding="utf-8") as f:
        command = [l for l in f.read().splitlines() if not l.startswith("#")][0]
    args = command.split()
    if args[:4] != ["neo4j-admin", "database", "import", "full"]:
        fail(where, f"command line: {command}")
    opts = {}
    node_files, rel_files = [], []
    for a in args[4:]:
        if a.startswith("--nodes="):
            node_files.append(a.split("=", 1)[1])
        elif a.startswith("--relationships="):
            rel_files.append(a.split("=", 1)[1])
        elif a.startswith("--"):
            k, _, v = a[2:].partition("=")
            opts[k] = v.strip("'")
    delimiter = opts.get("array-delimiter", ";")
    if opts.get("id-type") != "integer":
        fail(where, "ids are integers")

    nodes, labels_of = {}, {}
    for name in node_files:
        header, *body = quoted_rows(os.path.join(d, name))
        fields = [split_header(h) for h, _ in header]
        for row in body:
            props = {}
            node_id = labels = None
            for (key, ty), (text, quoted) in zip(fields, row):
                if ty == "ID":
                    node_id = int(text)
                elif ty == "LABEL":
                    labels = sorted(l for l in text.split(";") if l)
                elif quoted:
                    props[key] = parse_neo4j_value(ty, text, delimiter)
            nodes[node_id] = props
            labels_of[node_id] = labels
    rels = []
    for name in rel_files:
        header, *body = quoted_rows(os.path.join(d, name))
        fields = [split_header(h) for h, _ in header]
        for row in body:
            rel = {"props": {}}
            for (key, ty), (text, quoted) in zip(fields, row):
                if ty in ("START_ID", "END_ID"):
                    rel[ty] = int(text)
                elif ty == "TYPE":
                    rel["type"] = text
                elif quoted:
                    rel["props"][key] = parse_neo4j_value(ty, text, delimiter)
            rels.append(rel)
    got = {"nodes": len(nodes), "relationships": len(rels)}
    lc = {}
    for ls in labels_of.values():
        for l in ls:
            lc[l] = lc.get(l, 0) + 1
    got["labels"] = lc
    tc = {}
    for r in rels:
        tc[r["type"]] = tc.get(r["type"], 0) + 1
    got["types"] = tc
    got["two_hop"] = two_hop([(r["START_ID"], r["END_ID"]) for r in rels])
    return got, {nid: (labels_of[nid], p) for nid, p in nodes.items()}


def split_header(h):
    """`name:type` -> (name, type); `:ID` -> ("", "ID"); a bare name is a string."""
    if ":" not in h:
        return h, "string"
    name, _, ty = h.rpartition(":")
    ty = ty.split("(")[0]
    return name, ty if ty.isupper() else ty.lower()


def quoted_rows(path):
    """CSV rows of (text, was it quoted) fields: RFC 4180 with "" inside quotes."""
    with open(path, encoding="utf-8", newline="") as f:
        data = f.read()
    rows, row, i, n = [], [], 0, len(data)
    field, quoted = [], False
    while i < n:
        c = data[i]
        if c == '"' and not field and not quoted:
            quoted = True
            i += 1
            while i < n:
                if data[i] == '"':
                    if i + 1 < n and data[i + 1] == '"':
                        field.append('"')
                        i += 2
                        continue
                    i += 1
                    break
                field.append(data[i])
                i += 1
            continue
        if c == ",":
            row.append(("".join(field), quoted))
            field, quoted = [], False
        elif c == "\n":
            row.append(("".join(field), quoted))
            rows.append(row)
            row, field, quoted = [], [], False
        else:
            field.append(c)
        i += 1
    if field or row:
        row.append(("".join(field), quoted))
        rows.append(row)
    return rows


def two_hop(edges):
    """Pairs of distinct relationships (a)-[r1]->(b)-[r2]->(c)."""
    out = {}
    for i, (a, b) in enumerate(edges):
        out.setdefault(a, []).append(i)
    total = 0
    for i, (a, b) in enumerate(edges):
        total += sum(1 for j in out.get(b, []) if j != i)
    return total


def compare_lookups(where, exp, find, norm):
    """For each expected node: the engine's node by name, labels and properties normalised by
    `norm(kind, expected value, engine value)` -> (expected, got)."""
    for e in exp["lookups"]:
        found = find(e["name"])
        if found is None:
            fail(where, f"no node named {e['name']!r}")
            continue
        labels, props = found
        if labels is not None and labels != e["labels"]:
            fail(where, f"{e['name']}: labels {labels} != {e['labels']}")
        want = {k: decode(v) for k, v in e["properties"].items()}
        if set(props) != set(want):
            fail(where, f"{e['name']}: keys {sorted(props)} != {sorted(want)}")
            continue
        for k, w in want.items():
            a, b = norm(w, props[k])
            if not same(a, b):
                fail(where, f"{e['name']}.{k}: kgraph {a!r}, engine {b!r}")


def check_neo4j_admin(where, d, exp):
    got, nodes = read_neo4j_admin(where, d)
    check_common(where, exp, got)
    by_name = {p.get("name"): (ls, p) for ls, p in nodes.values()}
    compare_lookups(where, exp, by_name.get, lambda w, g: (w, g))


# ---------------------------------------------------------------- networkx

def text_form(w):
    """How GraphML carries a value: temporal values as text, lists as JSON arrays."""
    if isinstance(w, tuple):
        return w[1]
    if isinstance(w, list):
        return [text_form(x) if not isinstance(x, float) or math.isfinite(x) else
                {"nan": "NaN"}.get(str(x), "INF" if x > 0 else "-INF") for x in w]
    return w


def check_networkx(where, path, exp):
    import networkx as nx
    g = nx.read_graphml(path, force_multigraph=True)
    got = {"nodes": g.number_of_nodes(), "relationships": g.number_of_edges()}
    lc, tc = {}, {}
    for _, data in g.nodes(data=True):
        for l in [x for x in data.get("labels", "").split(":") if x]:
            lc[l] = lc.get(l, 0) + 1
    for _, _, data in g.edges(data=True):
        tc[data["label"]] = tc.get(data["label"], 0) + 1
    got["labels"], got["types"] = lc, tc
    index = {n: i for i, n in enumerate(g.nodes)}
    got["two_hop"] = two_hop([(index[a], index[b]) for a, b in g.edges()])
    check_common(where, exp, got)
    by_name = {}
    for _, data in g.nodes(data=True):
        props = {k: v for k, v in data.items() if k != "labels"}
        labels = sorted(x for x in data.get("labels", "").split(":") if x)
        by_name[data.get("name")] = (labels, props)

    def norm(w, v):
        if isinstance(w, list):
            return text_form(w), json.loads(v)
        return text_form(w), v
    compare_lookups(where, exp, by_name.get, norm)


# ---------------------------------------------------------------- FalkorDB

def temporal_py(kind, text):
    """A temporal text as the FalkorDB client returns the value (FalkorDB keeps whole seconds)."""
    if kind == "date":
        return datetime.date.fromisoformat(text)
    if kind == "localtime":
        return datetime.time.fromisoformat(text)
    if kind == "localdatetime":
        return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.timezone.utc)
    if kind == "duration":
        from dateutil.relativedelta import relativedelta
        import re
        m = re.fullmatch(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?", text)
        y, mo, d, h, mi, s = (int(x or 0) for x in m.groups())
        return relativedelta(years=y, months=mo, days=d, hours=h, minutes=mi, seconds=s).normalized()
    return (kind, text)


def falkor_form(w):
    if isinstance(w, tuple):
        return temporal_py(*w)
    if isinstance(w, list):
        return [falkor_form(x) for x in w]
    return w


def falkor_value(v):
    if hasattr(v, "normalized"):
        return v.normalized()
    if isinstance(v, list):
        return [falkor_value(x) for x in v]
    return v


def check_falkordb(where, path, exp):
    from redislite.falkordb_client import FalkorDB
    tmp = tempfile.mkdtemp(prefix="kgraph-verify-falkordb-")
    db = FalkorDB(os.path.join(tmp, "g.rdb"), serverconfig={"save": '""'})
    try:
        g = db.select_graph("g")
        g.query("CREATE (:Before {name: 'here before'})")
        with open(path, encoding="utf-8") as f:
            for line in f.read().split("\n"):
                if line and not line.startswith("//"):
                    g.query(line.rstrip(";"))
        q = lambda text, **p: g.query(text, p).result_set
        before = q("MATCH (n:Before) RETURN count(n)")[0][0]
        if before != 1:
            fail(where, "the node there before the load is gone")
        got = {
            "nodes": q("MATCH (n) RETURN count(n)")[0][0] - 1,
            "relationships": q("MATCH ()-[r]->() RETURN count(r)")[0][0],
            "labels": {l: q(f"MATCH (n:`{l}`) RETURN count(n)")[0][0] for l in exp["labels"]},
            "types": {t: q(f"MATCH ()-[r:`{t}`]->() RETURN count(r)")[0][0] for t in exp["types"]},
            "two_hop": q("MATCH (a)-[r1]->(b)-[r2]->(c) WHERE id(r1) <> id(r2) RETURN count(*)")[0][0],
        }
        left = q("MATCH (n:KGRAPH_IMPORT) RETURN count(n)")[0][0]
        if left:
            fail(where, f"{left} nodes keep the import label")
        check_common(where, exp, got)

        def find(name):
            rows = q("MATCH (n) WHERE n.name = $name RETURN labels(n), properties(n)", name=name)
            if len(rows) != 1:
                return None
            return sorted(rows[0][0]), dict(rows[0][1])
        compare_lookups(where, exp, find, lambda w, v: (falkor_form(w), falkor_value(v)))
    finally:
        db.close()


# ---------------------------------------------------------------- Kùzu and Ladybug

def kuzu_form(w):
    """How the Kùzu export carries a value: dates as DATE, other temporal values as text."""
    if isinstance(w, tuple):
        return datetime.date.fromisoformat(w[1]) if w[0] == "date" else w[1]
    if isinstance(w, list):
        return [kuzu_form(x) for x in w]
    return w


def check_kuzu(where, d, exp, module):
    K = __import__(module)
    db = K.Database(os.path.join(tempfile.mkdtemp(prefix=f"kgraph-verify-{module}-"), "db"))
    conn = K.Connection(db)
    with open(os.path.join(d, "schema.cypher"), encoding="utf-8") as f:
        for stmt in f.read().split(";\n"):
            if stmt.strip():
                conn.execute(stmt)

    def q(text, **p):
        r = conn.execute(text, p)
        out = []
        while r.has_next():
            out.append(r.get_next())
        return out
    got = {
        "nodes": q("MATCH (n) RETURN count(n)")[0][0],
        "relationships": q("MATCH ()-[r]->() RETURN count(r)")[0][0],
        "labels": {l: q(f"MATCH (n:`{l}`) RETURN count(n)")[0][0] for l in exp["labels"]},
        "types": {t: q(f"MATCH ()-[r:`{t}`]->() RETURN count(r)")[0][0] for t in exp["types"]},
        "two_hop": q("MATCH (a)-[r1]->(b)-[r2]->(c) WHERE id(r1) <> id(r2) RETURN count(*)")[0][0],
    }
    check_common(where, exp, got)

    def find(name):
        rows = q("MATCH (n) WHERE n.name = $name RETURN label(n), n", name=name)
        if len(rows) != 1:
            return None
        label, node = rows[0]
        # Table columns the node has no value in come back as None; the primary key is the
        # export's own.
        props = {k: v for k, v in node.items() if not k.startswith("_") and v is not None and k != "id"}
        return [label], props
    compare_lookups(where, exp, find, lambda w, v: (kuzu_form(w), v))


def main():
    root = sys.argv[1]
    if len(sys.argv) == 2:
        # kuzu and ladybug cannot share a process (their bindings register the same types):
        # each engine runs in a process of its own.
        import subprocess
        status = 0
        for engine in ("kuzu", "ladybug", "falkordb", "networkx", "neo4j-admin"):
            sys.stdout.flush()
            status |= subprocess.run([sys.executable, __file__, root, engine]).returncode
        print("all checks passed" if status == 0 else "some checks failed")
        sys.exit(status)
    only = sys.argv[2]
    for graph in sorted(os.listdir(root)):
        d = os.path.join(root, graph)
        with open(os.path.join(d, "expected.json"), encoding="utf-8") as f:
            exp = json.load(f)
        checks = []
        if os.path.isdir(os.path.join(d, "kuzu")):
            checks += [("kuzu", lambda: check_kuzu(f"{graph}: kuzu", os.path.join(d, "kuzu"), exp, "kuzu")),
                       ("ladybug", lambda: check_kuzu(f"{graph}: ladybug", os.path.join(d, "kuzu"), exp, "ladybug"))]
        if os.path.exists(os.path.join(d, "falkordb.cypher")):
            checks.append(("falkordb", lambda: check_falkordb(f"{graph}: falkordb", os.path.join(d, "falkordb.cypher"), exp)))
        checks.append(("networkx", lambda: check_networkx(f"{graph}: networkx", os.path.join(d, "g.graphml"), exp)))
        checks.append(("neo4j-admin", lambda: check_neo4j_admin(f"{graph}: neo4j-admin", os.path.join(d, "neo4j"), exp)))
        for name, run in checks:
            if name != only:
                continue
            before = len(failures)
            try:
                run()
            except Exception as e:  # an engine refusing the export is a failure, with its words
                fail(f"{graph}: {name}", f"{type(e).__name__}: {e}")
            if len(failures) == before:
                print(f"{graph}: {name} ok")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
