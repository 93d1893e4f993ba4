//! Pictures of query results (`kgraph::picture`, the `picture` feature): DOT and SVG hold
//! every returned node and relationship, the SVG is well-formed XML, hostile text is escaped
//! in all three forms, the same input gives the same bytes, large inputs stay bounded, and the
//! HTML page works in headless Chromium (`tests/verify/picture.py`: it draws the nodes, a
//! real click on a node shows its properties, the background pans, the wheel zooms).
//!
//! Chromium is `KGRAPH_CHROMIUM`, else `chromium` on the `PATH` (`.ci/run` installs Debian's,
//! with CJK fonts); without it the browser check is skipped with a message, and under
//! `CI=true` a skip fails.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use kgraph::picture::Picture;
use kgraph::{Graph, Node, NodeId, RelId, Relationship, Value};

/// The Lecheng pilot zone, its administration and who it signs with.
const LECHENG: &str = "MATCH (z:Place {name: 'Hainan Boao Lecheng International Medical Tourism Pilot Zone'})
      <-[a:ADMINISTERS]-(adm)-[s:SIGNS_WITH]-(p)
RETURN z, a, adm, s, p";

fn lecheng() -> (Graph, kgraph::QueryResult) {
    let g = Graph::ecosystem().unwrap();
    let r = g.query(LECHENG).run().unwrap();
    (g, r)
}

/// Every node element's and relationship element's id in an SVG, after checking that it is
/// well-formed XML.
fn svg_ids(svg: &str) -> (Vec<String>, Vec<String>) {
    let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("the SVG is not well-formed: {e}"));
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let ids = |class: &str| -> Vec<String> {
        doc.descendants()
            .filter(|n| n.has_tag_name("g") && n.attribute("class") == Some(class))
            .map(|n| n.attribute("id").unwrap().to_owned())
            .collect()
    };
    (ids("node"), ids("relationship"))
}

#[test]
fn dot_and_svg_hold_every_returned_node_and_relationship() {
    let (_, r) = lecheng();
    let p = Picture::from_result(&r).with_caption("name_zh");
    // The rows' distinct nodes and relationships, read independently of the picture.
    let mut nodes = std::collections::BTreeSet::new();
    let mut rels = std::collections::BTreeSet::new();
    for row in r.rows() {
        for v in row {
            match v {
                Value::Node(id) => {
                    nodes.insert(*id);
                }
                Value::Relationship(id) => {
                    rels.insert(*id);
                }
                _ => {}
            }
        }
    }
    assert!(
        nodes.len() > 10 && rels.len() > nodes.len(),
        "{} {}",
        nodes.len(),
        rels.len()
    );
    assert_eq!(
        p.nodes().iter().map(Node::id).collect::<Vec<_>>(),
        nodes.iter().copied().collect::<Vec<_>>()
    );
    assert_eq!(
        p.relationships().iter().map(Relationship::id).collect::<Vec<_>>(),
        rels.iter().copied().collect::<Vec<_>>()
    );

    let dot = p.to_dot();
    assert!(dot.starts_with("digraph result {\n") && dot.ends_with("}\n"));
    let svg = p.to_svg();
    let (svg_nodes, svg_rels) = svg_ids(&svg);
    assert_eq!(svg_nodes.len(), nodes.len());
    assert_eq!(svg_rels.len(), rels.len());
    for id in &nodes {
        assert!(
            dot.contains(&format!("\n  n{} [label=", id.index())),
            "node {id:?} not in the DOT"
        );
        assert!(
            svg_nodes.contains(&format!("n{}", id.index())),
            "node {id:?} not in the SVG"
        );
    }
    for id in &rels {
        let rel = r.records().relationship(*id).unwrap();
        assert!(
            dot.contains(&format!(
                "\n  n{} -> n{} [id=\"r{}\", label=\"{}\"",
                rel.start().index(),
                rel.end().index(),
                id.index(),
                rel.rel_type()
            )),
            "relationship {id:?} not in the DOT"
        );
        assert!(
            svg_rels.contains(&format!("r{}", id.index())),
            "relationship {id:?} not in the SVG"
        );
    }
    // Chinese captions, as UTF-8, whole in the DOT and in the SVG's hover titles.
    for caption in [
        "海南博鳌乐城国际医疗旅游先行区",
        "海南博鳌乐城国际医疗旅游先行区管理局",
        "辉瑞",
        "阿斯利康",
    ] {
        assert!(
            dot.contains(&format!("[label=\"{caption}\"")),
            "{caption} not in the DOT"
        );
        assert!(
            svg.contains(&format!("<title>{caption}\n")),
            "{caption} not in the SVG"
        );
    }
    // The SVG is self-contained, with CJK fonts first and arrows.
    for needed in [
        "Noto Sans CJK SC",
        "WenQuanYi Zen Hei",
        "sans-serif",
        "marker-end=\"url(#arrow)\"",
        "SIGNS_WITH",
    ] {
        assert!(svg.contains(needed), "the SVG has no {needed}");
    }
    assert!(!svg.contains("href") && !svg.contains("<image") && !svg.contains("@import"));
}

#[test]
fn lists_maps_and_paths_are_pictured_and_ends_come_along() {
    let g = Graph::ecosystem().unwrap();
    let r = g
        .query(
            "MATCH p = (a:Company {name: 'AstraZeneca'})-[:SIGNS_WITH]->(b)
             RETURN collect(p) AS paths, {first: a} AS m",
        )
        .run()
        .unwrap();
    let p = Picture::from_result(&r);
    let paths = r.rows()[0][0].as_list().unwrap();
    assert!(!paths.is_empty());
    assert_eq!(p.relationships().len(), paths.len());
    // AstraZeneca and every partner (some twice over).
    let partners: std::collections::BTreeSet<NodeId> = paths
        .iter()
        .map(|v| match v {
            Value::Path(path) => *path.nodes().last().unwrap(),
            other => panic!("not a path: {other:?}"),
        })
        .collect();
    assert_eq!(p.nodes().len(), partners.len() + 1);

    // Relationships alone: their ends come along, known by id from the result alone and with
    // their properties from the graph.
    let r = g
        .query("MATCH (:Company {name: 'Pfizer'})-[s:SIGNS_WITH]-() RETURN s")
        .run()
        .unwrap();
    let bare = Picture::from_result(&r);
    assert_eq!(bare.relationships().len(), r.len());
    assert!(bare.nodes().len() >= 2);
    assert!(bare.nodes().iter().all(|n| n.labels().is_empty()));
    let svg = bare.to_svg();
    for n in bare.nodes() {
        assert!(
            svg.contains(&format!(">#{}<", n.id().index())),
            "{:?} has no id caption",
            n.id()
        );
    }
    let full = Picture::from_result_in(&r, &g);
    assert_eq!(full.nodes().len(), bare.nodes().len());
    assert!(full.to_svg().contains(">Pfizer<"));
    assert!(full.nodes().iter().all(|n| !n.labels().is_empty()));

    // A result without entities is an empty picture, still well-formed.
    let empty = Picture::from_result(&g.query("RETURN 1 AS one").run().unwrap());
    assert!(empty.nodes().is_empty());
    assert_eq!(svg_ids(&empty.to_svg()), (vec![], vec![]));
    assert!(empty.to_dot().contains("digraph"));
    assert!(empty.to_html().contains("\"nodes\":[]"));
}

/// A graph whose text tries to break out of every format.
fn hostile() -> Picture {
    const EVIL: &str = "</script><script>alert(\"x\")</script> <b>&amp;</b> 'q' \\ \u{2028}end\nline";
    let a = Node::new(
        NodeId::from_index(0),
        vec!["Evil\"Label".into(), "</script>".into()],
        [
            ("name".to_owned(), Value::from(EVIL)),
            ("note".to_owned(), Value::from("a \"b\" <c> & d\r\n\\")),
            (
                "list".to_owned(),
                Value::List(vec![Value::from("<x>"), Value::Int(1)]),
            ),
        ]
        .into(),
    );
    let b = Node::new(
        NodeId::from_index(1),
        vec!["公司".into()],
        [("name".to_owned(), Value::from("辉瑞 \"中国\""))].into(),
    );
    let r = Relationship::new(
        RelId::from_index(0),
        "TYPE<&>\"'".into(),
        NodeId::from_index(0),
        NodeId::from_index(1),
        [("why".to_owned(), Value::from("</script>"))].into(),
    );
    let self_loop = Relationship::new(
        RelId::from_index(1),
        "SELF".into(),
        NodeId::from_index(1),
        NodeId::from_index(1),
        BTreeMap::new(),
    );
    Picture::new(vec![a, b], vec![r, self_loop]).with_title("<title> & \"quotes\"")
}

#[test]
fn hostile_text_is_escaped_in_svg_dot_and_html() {
    let p = hostile();
    let svg = p.to_svg();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    // The text reads back as it was: the hover title of node 0 holds the whole name.
    let title = doc
        .descendants()
        .find(|n| n.attribute("id") == Some("n0"))
        .and_then(|g| g.children().find(|c| c.has_tag_name("title")))
        .and_then(|t| t.text())
        .unwrap();
    assert!(title.contains("</script><script>alert(\"x\")</script> <b>&amp;</b> 'q' \\"));
    assert!(title.contains("note: a \"b\" <c> & d"));
    let rel = doc
        .descendants()
        .find(|n| n.attribute("id") == Some("r0"))
        .unwrap();
    assert_eq!(rel.attribute("data-type"), Some("TYPE<&>\"'"));
    assert!(doc.descendants().any(|n| n.attribute("id") == Some("r1")));
    assert!(svg.contains("辉瑞"));

    // DOT: every quoted string closed, quotes and backslashes escaped, no raw line break.
    let dot = p.to_dot();
    for line in dot.lines() {
        let mut quotes = 0;
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' => quotes += 1,
                _ => {}
            }
        }
        assert_eq!(quotes % 2, 0, "unbalanced quotes in {line}");
    }
    assert!(dot.contains(r#"label="</script><script>alert(\"x\")</script> <b>&amp;</b> 'q' \\"#));
    assert!(dot.contains(r#"label="TYPE<&>\"'""#));
    assert!(dot.contains(r#"\nline""#));
    assert_eq!(
        dot.lines()
            .filter(|l| l.starts_with("  n") && !l.starts_with("  node"))
            .count(),
        4
    );

    // HTML: the data cannot close its script element, and reads back exactly.
    let html = p.to_html();
    assert_eq!(
        html.matches("</script>").count(),
        2,
        "only the page's own two scripts end"
    );
    assert!(!html.contains("<script>alert"));
    let start = html
        .find(r#"<script type="application/json" id="kgraph-data">"#)
        .unwrap();
    let body = &html[start..];
    let body = &body[body.find('>').unwrap() + 1..body.find("</script>").unwrap()];
    let data: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(
        data["nodes"][0]["caption"].as_str().unwrap(),
        p.caption(&p.nodes()[0])
    );
    assert_eq!(data["nodes"][0]["labels"][1], "</script>");
    assert_eq!(data["rels"][0]["props"][0][1], "</script>");
    assert_eq!(data["title"], "<title> & \"quotes\"");
    assert!(html.contains("<title>&lt;title&gt; &amp; &quot;quotes&quot;</title>"));
}

#[test]
fn the_html_page_needs_no_network() {
    let (g, r) = lecheng();
    let html = Picture::from_result_in(&r, &g).to_html();
    assert!(html.starts_with("<!DOCTYPE html>"));
    for url in [
        "http://", "https://", "//cdn", "src=", "href=", "@import", "url(http",
    ] {
        assert!(!html.contains(url), "the page has {url}");
    }
    assert!(html.contains("Noto Sans CJK SC") && html.contains("博鳌"));
}

#[test]
fn the_same_result_gives_the_same_bytes() {
    let (_, r1) = lecheng();
    let (_, r2) = lecheng();
    let (a, b) = (Picture::from_result(&r1), Picture::from_result(&r2));
    assert_eq!(a, b);
    assert_eq!(a.to_svg(), b.to_svg());
    assert_eq!(a.to_dot(), b.to_dot());
    assert_eq!(a.to_html(), b.to_html());
    // In another process too (another hash seed): the SVG's digest is the same in a child.
    if let Ok(expected) = std::env::var("KGRAPH_PICTURE_DIGEST") {
        assert_eq!(expected, digest(&a.to_svg()));
        return;
    }
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "the_same_result_gives_the_same_bytes", "--nocapture"])
        .env("KGRAPH_PICTURE_DIGEST", digest(&a.to_svg()))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
}

fn digest(text: &str) -> String {
    // FNV-1a: enough to tell two texts apart here.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// A graph of `n` nodes in clusters of ten around a hub, hubs chained.
fn clustered(n: usize) -> Graph {
    let mut g = Graph::new();
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let label = if i % 10 == 0 { "Hub" } else { "Leaf" };
        ids.push(g.add_node(&[label], [("name", format!("节点 {i}"))]).unwrap());
    }
    for i in 0..n {
        let hub = i - i % 10;
        if i != hub {
            g.add_relationship(ids[i], ids[hub], "IN", std::iter::empty::<(&str, Value)>())
                .unwrap();
        } else if i >= 10 {
            g.add_relationship(ids[i], ids[i - 10], "NEXT", std::iter::empty::<(&str, Value)>())
                .unwrap();
        }
    }
    g
}

#[test]
fn large_pictures_stay_bounded() {
    // At the simulation's limit, and past it (a grid).
    for n in [
        kgraph::picture::FORCE_LAYOUT_LIMIT,
        3 * kgraph::picture::FORCE_LAYOUT_LIMIT,
    ] {
        let g = clustered(n);
        let p = Picture::from_graph_limited(&g, n);
        assert_eq!(p.nodes().len(), n);
        // The layout's work is bounded by construction (src/picture/layout.rs); this checks
        // that both paths finish and draw everything.
        let (nodes, rels) = svg_ids(&p.to_svg());
        assert_eq!((nodes.len(), rels.len()), (n, g.relationship_count()));
    }
    // A picture of a whole graph stops at its limit and says so.
    let g = clustered(2_000);
    let p = Picture::from_graph(&g);
    assert_eq!(p.nodes().len(), kgraph::picture::DEFAULT_GRAPH_LIMIT);
    assert_eq!(p.omitted_nodes(), 2_000 - kgraph::picture::DEFAULT_GRAPH_LIMIT);
    assert!(p.to_dot().contains("// 1500 more nodes not drawn"));
    let p = Picture::from_graph_limited(&g, 25);
    assert_eq!(p.relationships().len(), 24);
    assert!(p.to_svg().contains("1975 more nodes not drawn"));
}

/// `KGRAPH_CHROMIUM`, else `chromium` found on the `PATH`.
fn chromium() -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("KGRAPH_CHROMIUM").filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        return if p.is_file() {
            Ok(p)
        } else {
            Err(format!(
                "KGRAPH_CHROMIUM names {}, which does not exist",
                p.display()
            ))
        };
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join("chromium"))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            "no `chromium` on the PATH (`.ci/run` installs Debian's chromium; KGRAPH_CHROMIUM names another)"
                .to_owned()
        })
}

#[test]
fn the_html_page_works_in_headless_chromium() {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let chromium = match chromium() {
        Ok(c) => c,
        Err(why) => {
            assert!(!ci, "the browser check cannot be skipped under CI=true: {why}");
            eprintln!("skipped: the HTML page in headless Chromium: {why}");
            return;
        }
    };
    let (g, r) = lecheng();
    let p = Picture::from_result_in(&r, &g).with_caption("name_zh");
    let pfizer = p
        .nodes()
        .iter()
        .find(|n| n.property("name") == Some(&Value::from("Pfizer")))
        .unwrap();
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("picture");
    std::fs::create_dir_all(&out).unwrap();
    let page = out.join("lecheng.html");
    std::fs::write(&page, p.to_html()).unwrap();
    let expect = out.join("expect.json");
    std::fs::write(
        &expect,
        serde_json::json!({
            "nodes": p.nodes().len(),
            "relationships": p.relationships().len(),
            // The panel shows the English name, which the caption (name_zh) does not.
            "click": {"id": pfizer.id().index(), "text": "Pfizer"},
        })
        .to_string(),
    )
    .unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/verify/picture.py");
    let run = Command::new("python3")
        .arg(&script)
        .arg(&page)
        .arg(&out)
        .arg(&expect)
        .env("KGRAPH_CHROMIUM", &chromium)
        .output()
        .unwrap_or_else(|e| panic!("python3 {}: {e}", script.display()));
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    if run.status.code() == Some(3) {
        assert!(
            !ci,
            "the browser check cannot be skipped under CI=true: {stdout}{stderr}"
        );
        eprintln!("skipped: the HTML page in headless Chromium: {stdout}{stderr}");
        return;
    }
    assert!(
        run.status.success(),
        "the page failed in Chromium:\n{stdout}\n{stderr}"
    );
    let seen: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(seen["nodes_drawn"], p.nodes().len());
    assert_eq!(seen["panel_open"], true);
    assert!(seen["panel_text"].as_str().unwrap().contains("辉瑞"));
    assert!(seen["screenshot_colours"].as_u64().unwrap() > 8);
    let png = std::fs::read(out.join("picture.png")).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    eprintln!("screenshots in {}", out.display());
}
