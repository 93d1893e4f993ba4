//! Aggregations that run on several threads give exactly what one thread gives: the same
//! groups, values and group order.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use kgraph::{Graph, NodeId, Value};

/// A graph large enough for the executor to share the work out: 3,000 companies, 300 places,
/// 40,000 SIGNS_WITH relationships with a few hubs, LOCATED_IN and INVESTS_IN.
fn big() -> Graph {
    let mut g = Graph::new();
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut rand = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let kinds = ["pharma", "device", "tech", "diagnostics"];
    let countries = ["CN", "US", "GB", "DE", "JP"];
    let places: Vec<NodeId> = (0..300)
        .map(|i| {
            g.add_node(&["Place"], [("name", Value::from(format!("place {i}")))])
                .unwrap()
        })
        .collect();
    let companies: Vec<NodeId> = (0..3000)
        .map(|i| {
            g.add_node(
                &["Company"],
                [
                    ("name", Value::from(format!("company {i}"))),
                    ("kind", Value::from(kinds[i % 4])),
                    ("country", Value::from(countries[(i * 7) % 5])),
                ],
            )
            .unwrap()
        })
        .collect();
    for &c in &companies {
        let p = places[rand(300) as usize];
        g.add_relationship(c, p, "LOCATED_IN", Vec::<(&str, Value)>::new())
            .unwrap();
        if rand(3) == 0 {
            let amount = (rand(1000) + 1) as f64 * 1e5;
            let currency = if rand(2) == 0 { "USD" } else { "CNY" };
            g.add_relationship(
                c,
                places[rand(300) as usize],
                "INVESTS_IN",
                [
                    ("amount", Value::Float(amount)),
                    ("currency", Value::from(currency)),
                ],
            )
            .unwrap();
        }
    }
    for _ in 0..40_000 {
        // A skewed choice: low numbers (the hubs) come up far more often.
        let a = companies[(rand(3000) * rand(3000) / 3000) as usize];
        let b = companies[rand(3000) as usize];
        g.add_relationship(a, b, "SIGNS_WITH", Vec::<(&str, Value)>::new())
            .unwrap();
    }
    g
}

#[test]
fn threads_do_not_change_answers_or_group_order() {
    let g = big();
    let queries = [
        "MATCH (c:Company)-[:LOCATED_IN]->(p:Place) WHERE c.kind = 'pharma' RETURN p.name AS place, count(*) AS n",
        "MATCH (c:Company)-[:LOCATED_IN]->(p:Place) WHERE c.kind = 'pharma' \
         RETURN p.name AS place, count(*) AS n ORDER BY n DESC, place ASC LIMIT 10",
        "MATCH (c:Company {name: 'company 0'})-[:SIGNS_WITH]-()-[:SIGNS_WITH]-(x) WHERE x <> c \
         RETURN count(DISTINCT x) AS n",
        "MATCH (c:Company)-[i:INVESTS_IN]->() WHERE i.currency = 'USD' \
         RETURN c.country AS country, sum(i.amount) AS total, avg(i.amount) AS mean, min(i.amount) AS lo, \
         max(i.amount) AS hi, count(DISTINCT c) AS firms ORDER BY total DESC, country ASC",
        "MATCH (c:Company)-[:SIGNS_WITH]->(d) RETURN c.kind AS kind, collect(DISTINCT d.country) AS countries, \
         count(*) AS n",
        "MATCH (c:Company) OPTIONAL MATCH (c)-[:INVESTS_IN]->(p) RETURN count(p) AS investing, count(*) AS total",
    ];
    for q in queries {
        let one = g.query(q).threads(1).run().unwrap();
        // A low threshold of work, so that this graph's scans and expansions are shared out.
        let many = g.query(q).threads(4).parallel_work(1024).run().unwrap();
        assert!(!one.is_empty(), "{q}");
        assert_eq!(one, many, "{q}");
    }
}

#[test]
fn a_failure_on_a_worker_thread_is_reported() {
    let g = big();
    let err = g
        .query("MATCH (c:Company)-[:SIGNS_WITH]->(d) RETURN sum(c.name) AS s")
        .threads(4)
        .parallel_work(1024)
        .run()
        .unwrap_err();
    assert_eq!(err.kind_name(), "TypeError");
}
