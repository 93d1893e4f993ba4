//! Pictures of a query's result on the embedded dataset: DOT, SVG and HTML, by the files'
//! extensions.
//!
//! ```sh
//! cargo run --release --example picture -- docs/lecheng-partners.svg target/lecheng.html
//! cargo run --release --example picture -- --query "MATCH p = (:Company {name: 'Pfizer'})-[*1..2]-() RETURN p LIMIT 30" \
//!     --caption name_zh --title Pfizer pfizer.svg pfizer.dot
//! ```
//!
//! Without `--query` it draws the Lecheng pilot zone, its administration and everyone the
//! administration signs with, captioned in Chinese: the README's `docs/lecheng-partners.svg`.

use kgraph::picture::Picture;
use kgraph::Graph;

/// The Lecheng pilot zone, the administration that runs it, and who it signs with.
const LECHENG: &str = "MATCH (z:Place {name: 'Hainan Boao Lecheng International Medical Tourism Pilot Zone'})
      <-[a:ADMINISTERS]-(adm)-[s:SIGNS_WITH]-(p)
RETURN z, a, adm, s, p";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut query = None;
    let mut caption = None;
    let mut title = None;
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--query" => query = Some(args.next().ok_or("--query needs a query")?),
            "--caption" => caption = Some(args.next().ok_or("--caption needs a property key")?),
            "--title" => title = Some(args.next().ok_or("--title needs a title")?),
            _ => files.push(a),
        }
    }
    if files.is_empty() {
        return Err(
            "usage: picture [--query CYPHER] [--caption KEY] [--title TEXT] FILE.{svg,dot,html}...".into(),
        );
    }
    let lecheng = query.is_none();
    let g = Graph::ecosystem()?;
    let result = g.query(query.as_deref().unwrap_or(LECHENG)).run()?;
    let mut picture = Picture::from_result_in(&result, &g);
    match (caption, lecheng) {
        (Some(key), _) => picture = picture.with_caption(key),
        (None, true) => picture = picture.with_caption("name_zh"),
        (None, false) => {}
    }
    match (title, lecheng) {
        (Some(t), _) => picture = picture.with_title(t),
        (None, true) => {
            picture =
                picture.with_title("博鳌乐城先行区管理局的签约伙伴 · Who the Lecheng pilot zone signs with")
        }
        (None, false) => {}
    }
    for file in &files {
        let text = match std::path::Path::new(file).extension().and_then(|e| e.to_str()) {
            Some("svg") => picture.to_svg(),
            Some("dot" | "gv") => picture.to_dot(),
            Some("html" | "htm") => picture.to_html(),
            _ => return Err(format!("{file}: the extension must be .svg, .dot or .html").into()),
        };
        std::fs::write(file, text)?;
        println!(
            "{file}: {} nodes, {} relationships",
            picture.nodes().len(),
            picture.relationships().len()
        );
    }
    Ok(())
}
