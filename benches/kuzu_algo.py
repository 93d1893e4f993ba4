#!/usr/bin/env python3
"""Kùzu's algo extension on the benchmark kit's scale-M graph, timed the way
`cargo bench --bench algorithms` times ours: PageRank (20 iterations, damping 0.85) and weakly
connected components over the whole graph (100,000 nodes, 1,000,000 relationships).

    python3 -m venv target/kuzu-venv && target/kuzu-venv/bin/pip install kuzu==0.11.3
    target/kuzu-venv/bin/python benches/kuzu_algo.py     # from the repository root

Run it beside `cargo bench --bench algorithms` in the same session (the README's table of the
graph algorithms was measured so). The data is the kit's scale M, which the Rust bench makes
in target/bench-data/M (`--data DIR` for another place; `../shared/bench/gen.py --scale M
--out DIR` makes it).

The graph is loaded as one node table `N(id INT64 PRIMARY KEY)` and one relationship table
`R(FROM N TO N)`: the same nodes and relationships as ours, without the labels, types and
properties, which neither PageRank nor the components read. Kùzu's algo extension is linked
into the 0.11.3 wheel (`INSTALL algo; LOAD algo;` answer that it is already there), so it needs
no download. The algorithms run on a projected graph (`project_graph`), made once and untimed;
each timed call is one query that runs the algorithm and aggregates its rows
(`sum(rank)`, `count(DISTINCT group_id)`), so that every score is computed and none is
copied into Python. Kùzu runs them on all its threads (the machine's cores); ours run on one.
`tolerance := 0.0` makes PageRank run all 20 iterations, as ours with a tolerance of 0.

Prints, per algorithm, the median, mean, minimum and maximum of `--repeat` timed runs after
`--warmup` untimed ones, and the answer's aggregate as a check.
"""

import argparse
import csv
import os
import shutil
import statistics
import sys
import tempfile
import time

import kuzu

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def split(data, out):
    """Writes the node ids and the relationships' ends of the kit's CSVs (FORMAT.md) as two
    headerless CSVs; returns their paths and counts."""
    nodes_path = os.path.join(out, "n.csv")
    rels_path = os.path.join(out, "r.csv")
    n = m = 0
    with open(os.path.join(data, "nodes.csv"), newline="", encoding="utf-8") as f, open(
        nodes_path, "w", newline="", encoding="utf-8"
    ) as w:
        rows = csv.reader(f)
        header = next(rows)
        assert header[0].startswith("id:"), header
        for row in rows:
            w.write(row[0] + "\n")
            n += 1
    with open(os.path.join(data, "relationships.csv"), newline="", encoding="utf-8") as f, open(
        rels_path, "w", newline="", encoding="utf-8"
    ) as w:
        rows = csv.reader(f)
        header = next(rows)
        assert header[0].startswith("start:") and header[1].startswith("end:"), header
        for row in rows:
            w.write(row[0] + "," + row[1] + "\n")
            m += 1
    return nodes_path, rels_path, n, m


def timed(conn, query, warmup, repeat):
    """The seconds of each of `repeat` runs of `query` after `warmup` runs, and its answer."""
    answer = None
    for _ in range(warmup):
        answer = conn.execute(query).get_all()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        answer = conn.execute(query).get_all()
        times.append(time.perf_counter() - t)
    return times, answer


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=os.path.join(ROOT, "target", "bench-data", "M"))
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=10)
    args = ap.parse_args()
    if not os.path.exists(os.path.join(args.data, "relationships.csv")):
        sys.exit("%s has no relationships.csv: run `cargo bench --bench algorithms` first, or "
                 "../shared/bench/gen.py --scale M --out DIR and --data DIR" % args.data)

    tmp = tempfile.mkdtemp(prefix="kuzu-algo-")
    try:
        nodes, rels, n, m = split(args.data, tmp)
        db = kuzu.Database(os.path.join(tmp, "db"))
        conn = kuzu.Connection(db)
        for q in ("INSTALL algo", "LOAD algo"):
            print("%s: %s" % (q, conn.execute(q).get_all()[0][0]))
        t = time.perf_counter()
        conn.execute("CREATE NODE TABLE N(id INT64 PRIMARY KEY)")
        conn.execute("CREATE REL TABLE R(FROM N TO N)")
        conn.execute("COPY N FROM '%s' (header=false)" % nodes)
        conn.execute("COPY R FROM '%s' (header=false)" % rels)
        load = time.perf_counter() - t
        got_n = conn.execute("MATCH (a:N) RETURN count(*)").get_all()[0][0]
        got_m = conn.execute("MATCH ()-[r:R]->() RETURN count(*)").get_all()[0][0]
        assert (got_n, got_m) == (n, m), ((got_n, got_m), (n, m))
        conn.execute("CALL project_graph('G', ['N'], ['R'])")
        print("kuzu %s: %d nodes, %d relationships (loaded in %.1f s); %d warm-up and %d timed runs each"
              % (kuzu.__version__, n, m, load, args.warmup, args.repeat))
        for name, query in [
            ("pagerank, 20 iterations",
             "CALL page_rank('G', dampingFactor := 0.85, maxIterations := 20, tolerance := 0.0) "
             "RETURN sum(rank) AS total, count(*) AS nodes"),
            ("weakly connected components",
             "CALL weakly_connected_components('G') "
             "RETURN count(DISTINCT group_id) AS components, count(*) AS nodes"),
        ]:
            times, answer = timed(conn, query, args.warmup, args.repeat)
            ms = [1000 * x for x in times]
            print("%-28s median %7.1f ms  mean %7.1f ms  min %7.1f ms  max %7.1f ms   answer %s"
                  % (name, statistics.median(ms), statistics.mean(ms), min(ms), max(ms), answer[0]))
        conn.close()
        db.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
