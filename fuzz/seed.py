#!/usr/bin/env python3
"""Writes the seed inputs of kgraph's fuzz targets into fuzz/corpus/<target>/.

    python3 fuzz/seed.py            # from the repository root

Text seeds (targets `query` and `parse_print_parse`):
  - every query of the openCypher TCK (../shared/tck/features: the \"\"\" blocks of
    `When executing query:`, `Given having executed:` and `And having executed:`; the
    placeholders of a `Scenario Outline` filled from each row of its `Examples`),
  - the Cypher string literals of tests/*.rs,
  - the benchmark's queries (../shared/bench/queries.json).
Import seeds (`import_csv`): slices of the benchmark's CSV files (../shared/bench/gen.py at
scale XS), nodes and relationships joined by the byte 0xFF as the target splits them.
Binary seeds (snapshots, logs, exports): `cargo run --example seeds` in fuzz/ (fuzz/examples/
seeds.rs), which this script runs last.

Each file is named by the SHA-1 of its content (as libFuzzer names corpus files), so running
this again adds nothing twice. Then minimise: `cargo +nightly fuzz cmin <target>`.
"""
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(ROOT, "..", "shared")
CORPUS = os.path.join(ROOT, "fuzz", "corpus")


def put(target, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


def tck_queries():
    feats = os.path.join(SHARED, "tck", "features")
    for dirpath, _, files in os.walk(feats):
        for name in sorted(files):
            if name.endswith(".feature"):
                with open(os.path.join(dirpath, name), encoding="utf-8") as f:
                    yield from feature_queries(f.read())


def feature_queries(text):
    # Split into scenarios; an outline's placeholders are filled from its Examples rows.
    for scenario in re.split(r"\n\s*(?=Scenario)", text):
        blocks = re.findall(r'(?:executing query|having executed):\s*\n\s*"""\n(.*?)\n\s*"""', scenario, re.S)
        blocks = [re.sub(r"^\s+", "", b, flags=re.M) for b in blocks]
        rows = []
        if scenario.startswith("Scenario Outline"):
            for table in re.findall(r"Examples:\s*\n((?:\s*\|.*\n?)+)", scenario):
                lines = [[c.strip() for c in l.strip().strip("|").split("|")] for l in table.strip().splitlines()]
                head = lines[0]
                rows += [dict(zip(head, r)) for r in lines[1:]]
        for b in blocks:
            if rows:
                for r in rows:
                    q = b
                    for k, v in r.items():
                        q = q.replace("<" + k + ">", v)
                    yield q
            else:
                yield b


CYPHER_START = re.compile(
    r"^\s*(MATCH|OPTIONAL|RETURN|CREATE|MERGE|UNWIND|WITH|CALL|EXPLAIN|PROFILE|DELETE|DETACH|SET|REMOVE|FOREACH|USE|SHOW|DROP)\b",
    re.I,
)


def test_queries():
    tests = os.path.join(ROOT, "tests")
    for name in sorted(os.listdir(tests)):
        if not name.endswith(".rs"):
            continue
        with open(os.path.join(tests, name), encoding="utf-8") as f:
            src = f.read()
        for lit in re.findall(r'"((?:[^"\\\n]|\\.)*)"', src):
            # Rust escapes the queries use: \' \" \\ \n and line continuations.
            s = re.sub(r"\\\n\s*", "", lit)
            s = s.replace('\\"', '"').replace("\\'", "'").replace("\\n", "\n").replace("\\\\", "\\")
            if CYPHER_START.match(s) and len(s) > 8:
                yield s


def bench_queries():
    with open(os.path.join(SHARED, "bench", "queries.json"), encoding="utf-8") as f:
        d = json.load(f)
    for q in d.get("queries", []):
        yield q["cypher"]
    for key in ("write_setup", "write_check"):
        v = d.get(key)
        items = v if isinstance(v, list) else [v] if v else []
        for item in items:
            if isinstance(item, str):
                yield item
            elif isinstance(item, dict):
                for x in item.values():
                    if isinstance(x, str) and CYPHER_START.match(x):
                        yield x


def csv_seeds():
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, os.path.join(SHARED, "bench", "gen.py"), "--scale", "XS", "--out", tmp],
            check=True, stdout=subprocess.DEVNULL,
        )
        with open(os.path.join(tmp, "nodes.csv"), "rb") as f:
            nodes = f.read().splitlines(keepends=True)
        with open(os.path.join(tmp, "relationships.csv"), "rb") as f:
            rels = f.read().splitlines(keepends=True)
    for n in (3, 20, 60):
        kept = nodes[: n + 1]
        ids = {l.split(b",", 1)[0] for l in kept[1:]}
        inner = [l for l in rels[1:] if l.split(b",", 2)[0] in ids and l.split(b",", 2)[1] in ids]
        # Relationships between kept nodes, and (the last) some that name a missing node.
        yield b"".join(kept) + b"\xff" + rels[0] + b"".join(inner[: 2 * n])
    yield b"".join(nodes[:5]) + b"\xff" + b"".join(rels[:5])


def main():
    seen = set()
    for q in list(tck_queries()) + list(test_queries()) + list(bench_queries()):
        if q not in seen:
            seen.add(q)
            put("query", q)
            put("parse_print_parse", q)
    print(f"{len(seen)} queries", file=sys.stderr)
    for s in csv_seeds():
        put("import_csv", s)
    subprocess.run(
        ["cargo", "run", "--quiet", "--example", "seeds", "--", CORPUS],
        cwd=os.path.join(ROOT, "fuzz"), check=True,
    )


if __name__ == "__main__":
    main()
