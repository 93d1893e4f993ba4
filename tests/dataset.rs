//! The embedded dataset: it loads, it is validated, and the validator catches what it must.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use kgraph::{DatasetError, DatasetFile, Direction, Graph, Value};

fn eco() -> Graph {
    Graph::ecosystem().expect("the embedded dataset loads")
}

fn name_of(g: &Graph, id: kgraph::NodeId) -> String {
    g.node(id)
        .ok()
        .and_then(|n| n.property("name").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_default()
}

#[test]
fn dataset_is_big_enough_and_covers_the_ontology() {
    let g = eco();
    assert!(g.node_count() >= 250, "{} entities", g.node_count());
    assert!(
        g.relationship_count() >= 280,
        "{} relationships",
        g.relationship_count()
    );
    let labels: Vec<&str> = g.label_counts().into_iter().map(|(l, _)| l).collect();
    for l in [
        "Company",
        "Government",
        "Institution",
        "Place",
        "Event",
        "Product",
        "Person",
        "Project",
        "Policy",
    ] {
        assert!(labels.contains(&l), "label {l} missing");
    }
    let types: Vec<&str> = g.relationship_type_counts().into_iter().map(|(t, _)| t).collect();
    for t in [
        "SIGNS_WITH",
        "INVESTS_IN",
        "LOCATED_IN",
        "PARTICIPATES_IN",
        "ORGANIZES",
        "HELD_IN",
        "FOUNDS",
        "DEVELOPS",
        "WORKS_FOR",
        "PART_OF",
        "ISSUES",
        "MEMBER_OF",
        "ADMINISTERS",
        "APPLIES_TO",
        "RECEIVES",
        "LISTED_IN",
    ] {
        assert!(types.contains(&t), "type {t} missing");
    }
    g.check_invariants().expect("indexes agree with storage");
}

#[test]
fn every_relationship_has_a_known_source() {
    let g = eco();
    for r in g.relationships() {
        let rel = g.relationship(r).expect("live");
        let source = rel.property("source").and_then(Value::as_str).unwrap_or("");
        assert!(
            (source.len() == 20 && source.as_bytes()[3] == b'_') || source == "gazetteer",
            "relationship {r} has source {source:?}"
        );
        let basis = rel.property("basis").and_then(Value::as_str).unwrap_or("");
        assert!(
            ["stated", "name", "context", "world"].contains(&basis),
            "relationship {r} has basis {basis:?}"
        );
        assert_eq!(
            rel.property("evidence").is_some(),
            source != "gazetteer",
            "relationship {r}: evidence on every document fact, none on a gazetteer one"
        );
    }
}

#[test]
fn hubs_have_their_canonical_names() {
    let g = eco();
    for (typed, canonical) in [
        (
            "乐城先行区管理局",
            "Hainan Boao Lecheng Pilot Zone Administration",
        ),
        (
            "乐城先行区",
            "Hainan Boao Lecheng International Medical Tourism Pilot Zone",
        ),
        ("阿斯利康", "AstraZeneca"),
        (
            "国创中心",
            "National High-Performance Medical Device Innovation Center",
        ),
        ("北京亦庄", "Beijing Economic-Technological Development Area"),
        (
            "Beijing E-Town",
            "Beijing Economic-Technological Development Area",
        ),
        ("深圳市", "Shenzhen"),
        ("上海市", "Shanghai"),
        ("北京市", "Beijing"),
        ("海南省", "Hainan"),
        ("第五届进博会", "5th China International Import Expo"),
        ("5th CIIE", "5th China International Import Expo"),
        ("进博会", "China International Import Expo"),
    ] {
        let id = g.resolve(typed).unwrap_or_else(|e| panic!("{typed}: {e}"));
        assert_eq!(name_of(&g, id), canonical, "{typed}");
    }
}

#[test]
fn resolve_accepts_simplified_traditional_fullwidth_case_and_abbreviations() {
    let g = eco();
    let pfizer = g.resolve("Pfizer").expect("Pfizer");
    for typed in [
        "辉瑞",
        "輝瑞",
        "辉瑞中国",
        "pfizer",
        "PFIZER",
        "Ｐｆｉｚｅｒ",
        " Pfi zer ",
    ] {
        assert_eq!(g.resolve(typed).ok(), Some(pfizer), "{typed}");
    }
    let etown = g
        .resolve("北京經濟技術開發區")
        .expect("traditional form of E-Town");
    assert_eq!(
        name_of(&g, etown),
        "Beijing Economic-Technological Development Area"
    );
    assert!(matches!(
        g.resolve("No Such Company"),
        Err(kgraph::GraphError::NameNotFound { .. })
    ));
}

#[test]
fn astrazeneca_invests_in_beijing_etown() {
    let g = eco();
    let az = g.resolve("AstraZeneca").expect("AZ");
    let etown = g.resolve("Beijing E-Town").expect("E-Town");
    let inv: Vec<_> = g
        .relationships_of(az, Direction::Outgoing, Some("INVESTS_IN"))
        .expect("live")
        .filter_map(|r| g.relationship(r).ok())
        .filter(|r| r.end() == etown)
        .collect();
    assert_eq!(inv.len(), 1);
    assert_eq!(inv[0].property("amount"), Some(&Value::Float(2.5e9)));
    assert_eq!(inv[0].property("currency").and_then(Value::as_str), Some("USD"));
}

#[test]
fn lecheng_signed_with_multinationals_at_the_5th_ciie() {
    let g = eco();
    let admin = g.resolve("乐城先行区管理局").expect("admin");
    let partners: Vec<String> = g
        .relationships_of(admin, Direction::Both, Some("SIGNS_WITH"))
        .expect("live")
        .filter_map(|r| g.relationship(r).ok())
        .filter(|r| {
            r.property("event").and_then(Value::as_str) == Some("5th China International Import Expo")
        })
        .map(|r| name_of(&g, if r.start() == admin { r.end() } else { r.start() }))
        .collect();
    for firm in [
        "Pfizer",
        "Novo Nordisk",
        "Sanofi",
        "Medtronic",
        "Johnson & Johnson",
    ] {
        assert!(
            partners.iter().any(|p| p == firm),
            "{firm} not among {partners:?}"
        );
    }
}

#[test]
fn mindray_founded_the_innovation_center() {
    let g = eco();
    let center = g.resolve("国创中心").expect("center");
    let founders: Vec<String> = g
        .relationships_of(center, Direction::Incoming, Some("FOUNDS"))
        .expect("live")
        .filter_map(|r| g.relationship(r).ok())
        .map(|r| name_of(&g, r.start()))
        .collect();
    assert!(founders.iter().any(|f| f == "Mindray"), "{founders:?}");
}

const PLACES: &str = "{\"label\":\"Place\",\"name\":\"Shanghai\",\"name_zh\":\"上海市\",\"kind\":\"city\"}\n\
                      {\"label\":\"Place\",\"name\":\"China\",\"kind\":\"country\"}";
const DOC: &str = "relations/000_829221f228b32901.jsonl";

fn load(entities: &str, relations: &str) -> Result<Graph, DatasetError> {
    Graph::from_dataset(
        DatasetFile {
            name: "entities.jsonl",
            text: entities,
        },
        &[DatasetFile {
            name: DOC,
            text: relations,
        }],
    )
}

#[test]
fn validation_accepts_a_good_file() {
    let g = load(
        PLACES,
        r#"{"type":"LOCATED_IN","from":"Shanghai","to":"China","source":"000_829221f228b32901","basis":"stated","evidence":"上海"}"#,
    )
    .expect("valid");
    assert_eq!(g.relationship_count(), 1);
}

#[test]
fn validation_refuses_a_dangling_endpoint() {
    let err = load(
        PLACES,
        r#"{"type":"LOCATED_IN","from":"Shanghai","to":"Atlantis","source":"000_829221f228b32901","basis":"stated","evidence":"上海"}"#,
    )
    .unwrap_err();
    assert!(
        matches!(&err, DatasetError::DanglingEndpoint { name, line: 1, .. } if name == "Atlantis"),
        "{err}"
    );
}

#[test]
fn validation_refuses_a_duplicate_alias() {
    let entities = format!(
        "{PLACES}\n{{\"label\":\"Place\",\"name\":\"Hu\",\"aliases\":[\"上海市\"],\"kind\":\"city\"}}"
    );
    let err = load(
        &entities,
        r#"{"type":"LOCATED_IN","from":"Shanghai","to":"China","source":"000_829221f228b32901","basis":"stated","evidence":"上海"}
{"type":"LOCATED_IN","from":"Hu","to":"China","source":"000_829221f228b32901","basis":"stated","evidence":"上海"}"#,
    )
    .unwrap_err();
    assert!(
        matches!(&err, DatasetError::DuplicateName { line: 3, other, .. } if other == "Shanghai"),
        "{err}"
    );
}

#[test]
fn validation_refuses_a_missing_or_wrong_source() {
    let err = load(PLACES, r#"{"type":"LOCATED_IN","from":"Shanghai","to":"China"}"#).unwrap_err();
    assert!(
        matches!(err, DatasetError::MissingKey { key: "source", .. }),
        "{err}"
    );
    let err = load(
        PLACES,
        r#"{"type":"LOCATED_IN","from":"Shanghai","to":"China","source":"001_e0d1812e1d7dabb9","basis":"stated","evidence":"上海"}"#,
    )
    .unwrap_err();
    assert!(matches!(err, DatasetError::BadSource { .. }), "{err}");
}

#[test]
fn validation_refuses_what_the_ontology_lacks() {
    let err = load(
        PLACES,
        r#"{"type":"NEIGHBOUR_OF","from":"Shanghai","to":"China","source":"000_829221f228b32901","basis":"stated","evidence":"上海"}"#,
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            DatasetError::NotInOntology {
                what: "relationship type",
                ..
            }
        ),
        "{err}"
    );
    let err = load("{\"label\":\"Planet\",\"name\":\"Mars\"}", "").unwrap_err();
    assert!(
        matches!(err, DatasetError::NotInOntology { what: "label", .. }),
        "{err}"
    );
    let err = load(
        PLACES,
        r#"{"type":"LOCATED_IN","from":"Shanghai","to":"China","source":"000_829221f228b32901","basis":"stated","evidence":"上海","amount":3}"#,
    )
    .unwrap_err();
    assert!(matches!(err, DatasetError::UnknownKey { .. }), "{err}");
    let err = load(
        "{\"label\":\"Event\",\"name\":\"E\",\"date\":\"2022-13-01\",\"date_precision\":\"day\"}",
        "",
    )
    .unwrap_err();
    assert!(matches!(err, DatasetError::BadValue { .. }), "{err}");
}

#[test]
fn validation_refuses_duplicates_isolated_entities_and_bad_json() {
    let line = r#"{"type":"LOCATED_IN","from":"Shanghai","to":"China","source":"000_829221f228b32901","basis":"stated","evidence":"上海"}"#;
    let err = load(PLACES, &format!("{line}\n{line}")).unwrap_err();
    assert!(
        matches!(err, DatasetError::DuplicateRelationship { line: 2, .. }),
        "{err}"
    );
    let entities = format!("{PLACES}\n{{\"label\":\"Place\",\"name\":\"Lonely\",\"kind\":\"city\"}}");
    let err = load(&entities, line).unwrap_err();
    assert!(matches!(err, DatasetError::Isolated { .. }), "{err}");
    let err = load("{not json", "").unwrap_err();
    assert!(matches!(err, DatasetError::Json { line: 1, .. }), "{err}");
}

#[test]
fn validation_refuses_missing_provenance() {
    let err = load(
        PLACES,
        r#"{"type":"LOCATED_IN","from":"Shanghai","to":"China","source":"000_829221f228b32901","evidence":"上海"}"#,
    )
    .unwrap_err();
    assert!(
        matches!(err, DatasetError::MissingKey { key: "basis", .. }),
        "{err}"
    );
    let err = load(
        PLACES,
        r#"{"type":"LOCATED_IN","from":"Shanghai","to":"China","source":"000_829221f228b32901","basis":"stated"}"#,
    )
    .unwrap_err();
    assert!(
        matches!(err, DatasetError::MissingKey { key: "evidence", .. }),
        "{err}"
    );
    let err = load(
        PLACES,
        r#"{"type":"LOCATED_IN","from":"Shanghai","to":"China","source":"000_829221f228b32901","basis":"stated","evidence":"一二三四五六七八九十一二三四五六七八九十一"}"#,
    )
    .unwrap_err();
    assert!(matches!(err, DatasetError::BadValue { .. }), "{err}");
    let err = load(
        PLACES,
        r#"{"type":"SIGNS_WITH","from":"Shanghai","to":"China","source":"000_829221f228b32901","basis":"stated","evidence":"上海","status":"maybe"}"#,
    )
    .unwrap_err();
    assert!(matches!(err, DatasetError::BadValue { .. }), "{err}");
}

#[test]
fn gazetteer_facts_are_world_knowledge_without_evidence() {
    let gaz = |text: &str| {
        Graph::from_dataset(
            DatasetFile {
                name: "entities.jsonl",
                text: PLACES,
            },
            &[DatasetFile {
                name: "relations/gazetteer.jsonl",
                text,
            }],
        )
    };
    gaz(r#"{"type":"LOCATED_IN","from":"Shanghai","to":"China","source":"gazetteer","basis":"world"}"#)
        .expect("a gazetteer fact");
    let err =
        gaz(r#"{"type":"LOCATED_IN","from":"Shanghai","to":"China","source":"gazetteer","basis":"stated"}"#)
            .unwrap_err();
    assert!(matches!(err, DatasetError::BadValue { .. }), "{err}");
}
