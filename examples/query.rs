//! Cypher on the embedded ecosystem: parameters, rows read by column, rows deserialised with
//! serde, a write, and what a syntax error looks like.
//!
//! Run with `cargo run --release --example query`.

use kgraph::{Graph, Params, Value};

#[derive(Debug, serde::Deserialize)]
struct Signing {
    partner: String,
    title: Option<String>,
}

fn main() -> Result<(), kgraph::Error> {
    let mut g = Graph::ecosystem()?;

    // Who signed with the Lecheng pilot zone administration at the 5th CIIE?
    let signings: Vec<Signing> = g
        .query(
            "MATCH (a {name: $admin})-[s:SIGNS_WITH]-(p)
             WHERE s.event = $event
             RETURN p.name AS partner, s.title AS title
             ORDER BY partner",
        )
        .params(
            Params::new()
                .with("admin", "Hainan Boao Lecheng Pilot Zone Administration")
                .with("event", "5th China International Import Expo"),
        )
        .run()?
        .deserialize()?;
    println!("Signed with the Lecheng administration at the 5th CIIE:");
    for s in &signings {
        println!("  {:<20} {}", s.partner, s.title.as_deref().unwrap_or("-"));
    }

    // The busiest places, by what is located in them.
    let r = g
        .query(
            "MATCH (x)-[:LOCATED_IN]->(p:Place)
             RETURN p.name AS place, count(*) AS n
             ORDER BY n DESC, place LIMIT 5",
        )
        .run()?;
    println!("\nPlaces with the most entities directly inside:");
    for row in r.rows() {
        println!("  {:>3}  {}", row[1], row[0].as_str().unwrap_or("?"));
    }

    // Up the LOCATED_IN chain from a park.
    let r = g
        .query("MATCH (p:Place {name: '北京亦庄生物医药园'})-[:LOCATED_IN*1..3]->(up) RETURN up.name AS up")
        .run()?;
    let chain: Vec<&str> = r.column("up").filter_map(Value::as_str).collect();
    println!("\n北京亦庄生物医药园 sits in: {}", chain.join(" > "));

    // A shortest chain of relationships between two companies.
    let r = g
        .query(
            "MATCH p = shortestPath((a:Company {name: 'AstraZeneca'})-[*..10]-(b:Company {name: 'Medtronic'}))
             RETURN [n IN nodes(p) | n.name] AS chain",
        )
        .run()?;
    if let Some(Value::List(chain)) = r.get(0, "chain") {
        let names: Vec<&str> = chain.iter().filter_map(Value::as_str).collect();
        println!("\nAstraZeneca to Medtronic: {}", names.join(" - "));
    }

    // A write: it runs as one statement and reports what changed.
    let r = g
        .execute("MERGE (c:Company {name: $name}) ON CREATE SET c.kind = 'device' RETURN c.name AS name")
        .param("name", "Example Devices Ltd")
        .run()?;
    println!(
        "\nMERGE created {} node(s), set {} properties",
        r.stats().nodes_created,
        r.stats().properties_set
    );

    // Errors name the line and column, counted in characters.
    if let Err(e) = g
        .query("MATCH (c:Company {name: '阿斯利康'})\nRETURN c.name AS name,")
        .run()
    {
        println!("\nA query with a mistake:\n{e}");
    }
    Ok(())
}
