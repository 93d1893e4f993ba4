//! Resolution of names as people type them, measured on every name of the embedded dataset:
//! the OpenCC `s2t`, `s2tw` and `s2hk` spellings of each Chinese name, and near misses (one
//! letter dropped from a Latin name of six letters or more, " Inc." after a company's name,
//! "中国" after a company's Chinese name). At least 95% of each must put the right node first.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use ferrous_opencc::config::BuiltinConfig;
use ferrous_opencc::OpenCC;
use kgraph::{Graph, NodeId, Value};

fn eco() -> Graph {
    Graph::ecosystem().expect("the embedded dataset loads")
}

fn has_han(s: &str) -> bool {
    s.chars().any(|c| matches!(c, '\u{3400}'..='\u{9FFF}'))
}

/// Every node with its spellings: name, name_zh and aliases.
fn spellings(g: &Graph) -> Vec<(NodeId, Vec<String>)> {
    g.nodes()
        .map(|id| {
            let n = g.node(id).expect("live");
            let mut all = Vec::new();
            for key in ["name", "name_zh"] {
                if let Some(s) = n.property(key).and_then(Value::as_str) {
                    all.push(s.to_owned());
                }
            }
            if let Some(list) = n.property("aliases").and_then(Value::as_list) {
                all.extend(list.iter().filter_map(Value::as_str).map(str::to_owned));
            }
            (id, all)
        })
        .collect()
}

fn labels_of(g: &Graph, id: NodeId) -> Vec<String> {
    g.node(id).expect("live").labels().map(str::to_owned).collect()
}

/// Resolves each (expected node, text); returns the share put first and the misses.
fn measure(g: &Graph, cases: &[(NodeId, String)]) -> (f64, Vec<String>) {
    let mut misses = Vec::new();
    for (want, text) in cases {
        let got = g.resolve_ranked(text, 1);
        if got.first().map(|m| m.0) != Some(*want) {
            misses.push(format!("{text:?} -> {got:?}, wanted {want}"));
        }
    }
    let share = 1.0 - misses.len() as f64 / cases.len().max(1) as f64;
    (share, misses)
}

fn check(what: &str, g: &Graph, cases: &[(NodeId, String)]) {
    let (share, misses) = measure(g, cases);
    eprintln!("{what}: {:.1}% of {} first", share * 100.0, cases.len());
    assert!(cases.len() >= 20, "{what}: only {} cases", cases.len());
    assert!(
        share >= 0.95,
        "{what}: {:.1}% of {} first; misses:\n{}",
        share * 100.0,
        cases.len(),
        misses.join("\n")
    );
}

#[test]
fn opencc_traditional_spellings_of_every_chinese_name_resolve() {
    let g = eco();
    let names = spellings(&g);
    for config in [BuiltinConfig::S2t, BuiltinConfig::S2tw, BuiltinConfig::S2hk] {
        let cc = OpenCC::from_config(config).expect("OpenCC config");
        let mut cases = Vec::new();
        for (id, all) in &names {
            for s in all.iter().filter(|s| has_han(s)) {
                let converted = cc.convert(s);
                cases.push((*id, converted));
            }
        }
        check(&format!("{config:?}"), &g, &cases);
    }
}

#[test]
fn hub_names_resolve_in_traditional_script_the_dataset_does_not_list() {
    let g = eco();
    for (typed, canonical) in [
        (
            "國創中心",
            "National High-Performance Medical Device Innovation Center",
        ),
        (
            "國家高性能醫療器械創新中心",
            "National High-Performance Medical Device Innovation Center",
        ),
        ("進博會", "China International Import Expo"),
        ("第五屆進博會", "5th China International Import Expo"),
        (
            "樂城先行區管理局",
            "Hainan Boao Lecheng Pilot Zone Administration",
        ),
        (
            "樂城先行區",
            "Hainan Boao Lecheng International Medical Tourism Pilot Zone",
        ),
        ("邁瑞醫療", "Mindray"),
        ("輝瑞中國", "Pfizer"),
        ("阿斯利康中國", "AstraZeneca"),
        ("聯影醫療", "United Imaging Healthcare"),
        ("深圳市龍華區人民政府", "Longhua District People's Government"),
    ] {
        let id = g.resolve(typed).unwrap_or_else(|e| panic!("{typed}: {e}"));
        let name = g
            .node(id)
            .unwrap()
            .property("name")
            .and_then(Value::as_str)
            .map(str::to_owned);
        assert_eq!(name.as_deref(), Some(canonical), "{typed}");
    }
}

#[test]
fn near_misses_resolve() {
    let g = eco();
    let names = spellings(&g);
    // One letter dropped from the middle of every Latin name of six letters or more.
    let mut dropped = Vec::new();
    for (id, all) in &names {
        for s in all.iter().filter(|s| s.is_ascii()) {
            let letters: Vec<usize> = s
                .char_indices()
                .filter(|(_, c)| c.is_ascii_alphabetic())
                .map(|(i, _)| i)
                .collect();
            if letters.len() < 6 {
                continue;
            }
            let at = letters[letters.len() / 2];
            let mut typo = s.clone();
            typo.remove(at);
            dropped.push((*id, typo));
        }
    }
    check("one letter dropped", &g, &dropped);
    // " Inc." after a company's name, "中国" after its Chinese name.
    let companies: Vec<&(NodeId, Vec<String>)> = names
        .iter()
        .filter(|(id, _)| labels_of(&g, *id).iter().any(|l| l == "Company"))
        .collect();
    let inc: Vec<(NodeId, String)> = companies
        .iter()
        .map(|(id, all)| (*id, format!("{} Inc.", all[0])))
        .collect();
    check("Inc.", &g, &inc);
    let zh: Vec<(NodeId, String)> = companies
        .iter()
        .filter_map(|(id, _)| {
            let n = g.node(*id).unwrap();
            n.property("name_zh")
                .and_then(Value::as_str)
                .filter(|s| !s.ends_with("中国"))
                .map(|s| (*id, format!("{s}中国")))
        })
        .collect();
    check("中国", &g, &zh);
}

#[test]
fn resolution_ranks_exact_before_near_and_scores_in_range() {
    let g = eco();
    let pfizer = g.resolve("Pfizer").unwrap();
    assert_eq!(g.resolve_ranked("辉瑞", 5), [(pfizer, 1.0)]);
    let near = g.resolve_ranked("pfzer", 5);
    assert_eq!(near[0].0, pfizer);
    assert!(near[0].1 < 1.0 && near[0].1 > 0.5, "{near:?}");
    assert!(near.windows(2).all(|w| w[0].1 >= w[1].1));
    assert_eq!(g.resolve_ranked("Pfizer Inc.", 1), [(pfizer, 0.95)]);
    assert!(g.resolve_ranked("qqqqqqqqqqqq", 5).is_empty());
    assert!(g.resolve_ranked("", 5).is_empty());
}

#[test]
fn the_cypher_function_returns_nodes_with_scores() {
    let g = eco();
    let r = g
        .query("UNWIND kg.resolve($t) AS m RETURN m.node.name AS name, m.score AS score")
        .param("t", "輝瑞")
        .run()
        .unwrap();
    assert_eq!(r.rows(), [[Value::from("Pfizer"), Value::Float(1.0)]]);
    let r = g
        .query("RETURN kg.resolve('Medtronc', 1)[0].node.name AS name")
        .run()
        .unwrap();
    assert_eq!(r.rows(), [[Value::from("Medtronic")]]);
    let err = g.query("RETURN kg.resolve(1)").run().unwrap_err();
    assert_eq!(err.kind_name(), "TypeError");
}

#[test]
fn names_are_unique_graph_wide_in_the_dataset() {
    let mut g = eco();
    assert!(g.unique_names());
    // MATCH keeps Cypher's exact equality: the Chinese name is not the canonical one.
    let r = g.query("MATCH (c {name: '辉瑞'}) RETURN c").run().unwrap();
    assert!(r.rows().is_empty());
    for stmt in [
        "MERGE (c:Company {name: '辉瑞'})",
        "CREATE (:Company {name: 'Pfizer'})",
        "CREATE (:Institution {name: 'x', aliases: ['輝瑞中國']})",
    ] {
        let err = g.execute(stmt).run().unwrap_err();
        assert_eq!(err.kind_name(), "ConstraintVerificationFailed", "{stmt}");
    }
    let err = g
        .execute("MATCH (c {name: 'Mindray'}) SET c.name_zh = '辉瑞'")
        .run()
        .unwrap_err();
    assert_eq!(err.kind_name(), "ConstraintVerificationFailed");
    // A node may keep its own names under another spelling.
    g.execute("MATCH (c {name: 'Pfizer'}) SET c.name_zh = '輝瑞'")
        .run()
        .unwrap();
    assert_eq!(g.resolve_ranked("Pfizer", 1).len(), 1);
}

#[test]
fn a_users_graph_opts_in() {
    let mut g = Graph::new();
    g.add_node(&["Company"], [("name", "Pfizer"), ("name_zh", "辉瑞")])
        .unwrap();
    g.add_node(&["Company"], [("name", "輝瑞")]).unwrap();
    assert!(g.require_unique_names().is_err(), "already broken: refused");
    assert!(!g.unique_names());
    let mut g = Graph::new();
    g.add_node(&["Company"], [("name", "Pfizer"), ("name_zh", "辉瑞")])
        .unwrap();
    g.require_unique_names().unwrap();
    let err = g.execute("CREATE (:Place {name: ' PFIZER '})").run().unwrap_err();
    assert_eq!(err.kind_name(), "ConstraintVerificationFailed");
}

#[test]
fn resolution_is_a_procedure_too() {
    let g = eco();
    let r = g
        .query("CALL kg.resolve($t, 3) YIELD node, score RETURN node.name AS name, score")
        .param("t", "pfzer")
        .run()
        .unwrap();
    assert_eq!(r.get(0, "name").and_then(|v| v.as_str()), Some("Pfizer"));
    let score = r.get(0, "score").and_then(|v| v.as_float()).unwrap();
    assert!(score > 0.5 && score < 1.0, "{score}");
    assert!(r.len() <= 3);
    let r = g
        .query("CALL kg.resolve('輝瑞中國', 1) YIELD node RETURN labels(node) AS l, node.name AS n")
        .run()
        .unwrap();
    assert_eq!(r.len(), 1);
    assert_eq!(r.get(0, "n").and_then(|v| v.as_str()), Some("Pfizer"));
    // Wrong arguments are the procedure's own errors.
    let err = g.query("CALL kg.resolve('x')").run().unwrap_err();
    assert_eq!(err.kind_name(), "SyntaxError", "{err}");
}
