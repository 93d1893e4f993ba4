//! The main job: load the embedded healthcare-industry ecosystem and show what is in it.
//!
//! Run with `cargo run --release --example ecosystem`.

use std::collections::BTreeMap;
use std::time::Instant;

use kgraph::{Direction, Graph, NodeId, Value};

fn name(g: &Graph, id: NodeId) -> &str {
    g.node(id)
        .ok()
        .and_then(|n| n.property("name"))
        .and_then(Value::as_str)
        .unwrap_or("?")
}

fn text<'g>(g: &'g Graph, rel: kgraph::RelId, key: &str) -> Option<&'g str> {
    g.relationship(rel).ok()?.property(key).and_then(Value::as_str)
}

fn main() -> Result<(), kgraph::Error> {
    let started = Instant::now();
    let g = Graph::ecosystem()?;
    let loaded = started.elapsed();

    println!("The healthcare-industry ecosystem");
    println!("=================================");
    println!(
        "{} entities, {} relationships (loaded and validated in {:.1} ms)\n",
        g.node_count(),
        g.relationship_count(),
        loaded.as_secs_f64() * 1e3
    );

    let mut labels = g.label_counts();
    labels.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut types = g.relationship_type_counts();
    types.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    println!(
        "{:<14} {:>5}    {:<16} {:>5}",
        "label", "nodes", "relationship", "count"
    );
    println!("{:-<14} {:->5}    {:-<16} {:->5}", "", "", "", "");
    for i in 0..labels.len().max(types.len()) {
        let (l, n) = labels
            .get(i)
            .map_or(("", String::new()), |(l, n)| (*l, n.to_string()));
        let (t, m) = types
            .get(i)
            .map_or(("", String::new()), |(t, m)| (*t, m.to_string()));
        println!("{l:<14} {n:>5}    {t:<16} {m:>5}");
    }

    println!("\nThe biggest hubs (relationships in either direction)");
    let mut degrees: Vec<(usize, NodeId)> = g
        .nodes()
        .map(|n| {
            (
                g.relationships_of(n, Direction::Both, None)
                    .map_or(0, Iterator::count),
                n,
            )
        })
        .collect();
    degrees.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (degree, id) in degrees.iter().take(10) {
        let label = g.node(*id)?.labels().next().unwrap_or("");
        println!("  {degree:>4}  {:<62} {label}", name(&g, *id));
    }

    println!("\nWho signed with the Lecheng pilot zone administration, by expo edition");
    let admin = g.resolve("乐城先行区管理局")?;
    let mut by_event: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for rel in g.relationships_of(admin, Direction::Both, Some("SIGNS_WITH"))? {
        let r = g.relationship(rel)?;
        let other = if r.start() == admin { r.end() } else { r.start() };
        let event = text(&g, rel, "event").unwrap_or("(no event)").to_owned();
        let title = text(&g, rel, "title")
            .map(|t| format!(" ({t})"))
            .unwrap_or_default();
        by_event
            .entry(event)
            .or_default()
            .push(format!("{}{title}", name(&g, other)));
    }
    for (event, partners) in &by_event {
        println!("  {event}:");
        for p in partners {
            println!("    - {p}");
        }
    }

    println!("\nWhere AstraZeneca invested");
    let az = g.resolve("AstraZeneca")?;
    for rel in g.relationships_of(az, Direction::Outgoing, Some("INVESTS_IN"))? {
        let r = g.relationship(rel)?;
        let amount = r.property("amount").and_then(Value::as_float);
        let currency = text(&g, rel, "currency").unwrap_or("");
        let amount = amount.map_or("amount not stated".to_owned(), |a| {
            format!("{:.2} billion {currency}", a / 1e9)
        });
        println!("  {:<50} {amount}", name(&g, r.end()));
    }

    println!("\nWhat sits in Beijing E-Town (and in the places inside it)");
    let etown = g.resolve("Beijing E-Town")?;
    let mut frontier = vec![(etown, 1usize)];
    while let Some((place, depth)) = frontier.pop() {
        let mut inside: Vec<NodeId> = g
            .relationships_of(place, Direction::Incoming, Some("LOCATED_IN"))?
            .filter_map(|r| g.relationship(r).ok().map(|r| r.start()))
            .collect();
        inside.sort_by(|a, b| name(&g, *a).cmp(name(&g, *b)));
        for id in inside.into_iter().rev() {
            frontier.push((id, depth + 1));
        }
        if place != etown {
            let label = g.node(place)?.labels().next().unwrap_or("");
            println!(
                "  {:indent$}{} [{label}]",
                "",
                name(&g, place),
                indent = 2 * (depth - 2)
            );
        }
    }

    // A temporal question in Cypher: each expo's first dated signing, and how many months and
    // days passed since the expo before it (duration.between counts months on the calendar).
    println!("\nExpos by their first dated signing, and the time since the one before");
    let gaps = g
        .query(
            "MATCH ()-[s:SIGNS_WITH]->()
             WHERE s.date IS NOT NULL AND s.event IS NOT NULL
             WITH s.event AS event, min(s.date) AS first
             ORDER BY first
             WITH collect({event: event, first: first}) AS expos
             UNWIND range(0, size(expos) - 1) AS i
             RETURN expos[i].event AS event, expos[i].first AS first,
                    CASE WHEN i = 0 THEN null
                         ELSE duration.between(expos[i - 1].first, expos[i].first) END AS since,
                    CASE WHEN i = 0 THEN null
                         ELSE duration.inMonths(expos[i - 1].first, expos[i].first).months END AS months",
        )
        .run()?;
    for row in gaps.rows() {
        let since = match (&row[2], &row[3]) {
            (Value::Duration(d), Value::Int(m)) => format!("{d} after the one before ({m} whole months)"),
            _ => "the first".to_owned(),
        };
        println!(
            "  {}  {:<45} {since}",
            row[1].as_date().map(|d| d.to_string()).unwrap_or_default(),
            row[0].as_str().unwrap_or("?")
        );
    }

    println!("\nWho the Lecheng zone signed with at the 3rd CIIE, and what the text says of each deal");
    let r = g
        .query(
            "MATCH (:Place {name: 'Hainan Boao Lecheng International Medical Tourism Pilot Zone'}) \
                   <-[:ADMINISTERS]-(a)-[r:SIGNS_WITH]-(p) \
             WHERE r.event = '3rd China International Import Expo' \
             RETURN p.name AS firm, r.status AS status ORDER BY firm",
        )
        .run()?;
    for row in r.rows() {
        println!("  {:<30} {}", row[0], row[1]);
    }

    println!("\nTraditional script: 國創中心, 樂城先行區管理局, 輝瑞中國");
    for typed in ["國創中心", "樂城先行區管理局", "輝瑞中國"] {
        println!("  {typed:<12} -> {}", name(&g, g.resolve(typed)?));
    }

    println!("\nNear misses, ranked (kg.resolve in Cypher, resolve_ranked in Rust)");
    for typed in ["pfzer", "Pfizer Inc.", "迈瑞医疗中国", "Astrazeneka"] {
        let r = g
            .query("UNWIND kg.resolve($t, 2) AS m RETURN m.node.name AS n, m.score AS s")
            .param("t", typed)
            .run()?;
        let found: Vec<String> = r
            .rows()
            .iter()
            .map(|row| format!("{} ({})", row[0], row[1]))
            .collect();
        println!("  {typed:<14} -> {}", found.join(", "));
    }

    println!("\nThe evidence of an answer: AstraZeneca's deals with the Lecheng administration");
    let r = g
        .query(
            "MATCH (:Company {name: 'AstraZeneca'})-[r:SIGNS_WITH]-(:Government {name: 'Hainan Boao Lecheng Pilot Zone Administration'}) \
             RETURN r.event AS event, r.status AS status, r.source AS source, r.basis AS basis, r.evidence AS evidence \
             ORDER BY event, status",
        )
        .run()?;
    for row in r.rows() {
        println!("  {} | {} | {} ({}): {}", row[0], row[1], row[2], row[3], row[4]);
    }

    println!("\nDone in {:.1} ms.", started.elapsed().as_secs_f64() * 1e3);
    Ok(())
}
