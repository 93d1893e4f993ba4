//! Real questions asked of the embedded healthcare-ecosystem dataset in Cypher, through the
//! public API only.
//!
//! Every expected answer was read off `data/ecosystem/entities.jsonl` and
//! `data/ecosystem/relations/*.jsonl` (and, where the fact is stated there, checked against
//! the source documents in `shared/seeds/`): the tests hold the query engine to the facts as
//! the data files record them, not to whatever the engine happens to return.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::OnceLock;

use kgraph::{Date, Direction, Graph, NodeId, Params, QueryResult, Value};

const LECHENG: &str = "Hainan Boao Lecheng Pilot Zone Administration";
const ETOWN: &str = "Beijing Economic-Technological Development Area";
const INNOVATION_CENTER: &str = "National High-Performance Medical Device Innovation Center";

fn eco() -> &'static Graph {
    static G: OnceLock<Graph> = OnceLock::new();
    G.get_or_init(|| Graph::ecosystem().expect("the embedded dataset loads"))
}

fn run(q: &str) -> QueryResult {
    match eco().query(q).run() {
        Ok(r) => r,
        Err(e) => panic!("query failed: {q}\n{e}"),
    }
}

fn run_with(q: &str, params: Params) -> QueryResult {
    match eco().query(q).params(params).run() {
        Ok(r) => r,
        Err(e) => panic!("query failed: {q}\n{e}"),
    }
}

/// One string column, top to bottom (a null becomes `"<null>"`, anything else fails).
fn strings(r: &QueryResult, column: &str) -> Vec<String> {
    r.column(column)
        .map(|v| match v {
            Value::Null => "<null>".to_owned(),
            v => v
                .as_str()
                .unwrap_or_else(|| panic!("{column}: {v:?} is not a string"))
                .to_owned(),
        })
        .collect()
}

fn ints(r: &QueryResult, column: &str) -> Vec<i64> {
    r.column(column)
        .map(|v| {
            v.as_int()
                .unwrap_or_else(|| panic!("{column}: {v:?} is not an integer"))
        })
        .collect()
}

/// A list value of strings, sorted (for `collect`, whose order is not specified).
fn sorted_strings(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v
        .as_list()
        .unwrap_or_else(|| panic!("{v:?} is not a list"))
        .iter()
        .map(|x| {
            x.as_str()
                .unwrap_or_else(|| panic!("{x:?} is not a string"))
                .to_owned()
        })
        .collect();
    out.sort();
    out
}

fn owned(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn date(y: i32, m: u32, d: u32) -> Value {
    Value::from(Date::from_ymd(y, m, d).expect("a valid date"))
}

fn name_of(id: NodeId) -> String {
    eco()
        .node(id)
        .expect("a live node")
        .property("name")
        .and_then(Value::as_str)
        .expect("every node has a name")
        .to_owned()
}

/// The number of relationships on a shortest undirected path, computed with the Rust API
/// alone (breadth-first search over `relationships_of(.., Both, ..)`).
fn bfs_hops(g: &Graph, from: NodeId, to: NodeId) -> Option<usize> {
    let mut dist: HashMap<NodeId, usize> = HashMap::from([(from, 0)]);
    let mut queue = VecDeque::from([from]);
    while let Some(n) = queue.pop_front() {
        let d = dist[&n];
        if n == to {
            return Some(d);
        }
        for r in g.relationships_of(n, Direction::Both, None).expect("live node") {
            let rel = g.relationship(r).expect("live relationship");
            let other = if rel.start() == n { rel.end() } else { rel.start() };
            dist.entry(other).or_insert_with(|| {
                queue.push_back(other);
                d + 1
            });
        }
    }
    None
}

// ---------------------------------------------------------------------------------------
// Signings (SIGNS_WITH is symmetric in meaning: queried undirected)
// ---------------------------------------------------------------------------------------

#[test]
fn lecheng_signings_per_expo_edition() {
    let r = run(
        "MATCH (l:Government {name: 'Hainan Boao Lecheng Pilot Zone Administration'})\
                   -[r:SIGNS_WITH]-(p) \
                 RETURN r.event AS event, count(*) AS n, collect(DISTINCT p.name) AS partners \
                 ORDER BY event",
    );
    assert_eq!(r.columns(), ["event", "n", "partners"]);
    assert_eq!(
        strings(&r, "event"),
        [
            "2nd China International Import Expo",
            "3rd China International Import Expo",
            "4th China International Import Expo",
            "5th China International Import Expo"
        ]
    );
    // The 2nd CIIE: four pavilion signings; the 3rd: twelve firms the zone deepened
    // cooperation with; the 4th: the seven firms named of the fourteen it "signed or
    // negotiated" with (document 000) and AstraZeneca's three agreements (document 001); the
    // 5th: ten firms (document 000).
    assert_eq!(ints(&r, "n"), [4, 12, 10, 10]);
    let partners: Vec<Vec<String>> = r.column("partners").map(sorted_strings).collect();
    assert_eq!(
        partners,
        [
            owned(&["B. Braun", "Johnson & Johnson", "Pfizer", "Roche"]),
            owned(&[
                "AbbVie",
                "AstraZeneca",
                "BD",
                "Bristol Myers Squibb",
                "Danaher",
                "GE HealthCare",
                "Johnson & Johnson",
                "Merck & Co.",
                "Novartis",
                "Sanofi",
                "Takeda",
                "Zai Lab"
            ]),
            owned(&[
                "AstraZeneca",
                "Bayer",
                "Danaher",
                "Danone",
                "GE HealthCare",
                "Novartis",
                "Novo Nordisk"
            ]),
            owned(&[
                "Alcon",
                "Carl Zeiss",
                "Danaher",
                "GE HealthCare",
                "Johnson & Johnson",
                "Medtronic",
                "Novo Nordisk",
                "Pfizer",
                "Sanofi",
                "Varian"
            ]),
        ]
    );
}

#[test]
fn lecheng_pavilion_signings_at_the_2nd_ciie_were_witnessed_by_shen_xiaoming() {
    let r = run(
        "MATCH (l {name: 'Hainan Boao Lecheng Pilot Zone Administration'})-[r:SIGNS_WITH]-(p) \
                 WHERE r.event = '2nd China International Import Expo' \
                 RETURN p.name AS firm, r.title AS title, r.witness AS witness, r.date AS date, \
                        r.date_precision AS precision \
                 ORDER BY firm",
    );
    assert_eq!(
        strings(&r, "firm"),
        ["B. Braun", "Johnson & Johnson", "Pfizer", "Roche"]
    );
    assert_eq!(strings(&r, "title"), ["战略合作协议"; 4]);
    assert_eq!(strings(&r, "witness"), ["沈晓明"; 4]);
    assert!(r.column("date").all(|d| *d == date(2019, 11, 1)));
    assert_eq!(strings(&r, "precision"), ["month"; 4]);
}

#[test]
fn astrazeneca_signed_three_titled_agreements_with_lecheng_at_the_4th_ciie() {
    let r = run_with(
        "MATCH (:Company {name: 'AstraZeneca'})-[r:SIGNS_WITH]-(:Government {name: $l}) \
         WHERE r.status = 'signed' RETURN r.title AS title, r.date AS date, r.event AS event ORDER BY title",
        Params::new().with("l", LECHENG),
    );
    assert_eq!(
        strings(&r, "title"),
        [
            "海南创新药品先行先试医院合作",
            "海南抗体偶联药物领域创新战略合作协议",
            "罕见病创新药品先行先试战略合作协议"
        ]
    );
    assert!(r.column("date").all(|d| *d == date(2021, 11, 7)));
    assert_eq!(strings(&r, "event"), ["4th China International Import Expo"; 3]);
    // The antibody-drug-conjugate agreement was three-party: Daiichi Sankyo has the same title.
    let r = run(
        "MATCH (:Company {name: 'AstraZeneca'})-[r:SIGNS_WITH]-(p:Company) \
                 WHERE r.title = '海南抗体偶联药物领域创新战略合作协议' RETURN p.name AS p",
    );
    assert_eq!(strings(&r, "p"), ["Daiichi Sankyo"]);
}

#[test]
fn undirected_signings_are_seen_from_both_ends() {
    // 65 SIGNS_WITH relationships; an undirected pattern with two free ends sees each twice.
    let r = run("MATCH (a)-[:SIGNS_WITH]-(b) RETURN count(*) AS n");
    assert_eq!(ints(&r, "n"), [130]);
    let r = run("MATCH (a)-[:SIGNS_WITH]->(b) RETURN count(*) AS n");
    assert_eq!(ints(&r, "n"), [65]);
}

#[test]
fn signings_dated_in_2021_are_the_4th_ciie_wave() {
    let r = run("MATCH (a)-[r:SIGNS_WITH]->(b) WHERE r.date.year = 2021 \
                 RETURN count(*) AS n, collect(DISTINCT r.event) AS events, \
                        collect(DISTINCT toString(r.date)) AS dates");
    // 18 signings and the announced Guangzhou Bio Island park.
    assert_eq!(ints(&r, "n"), [19]);
    assert_eq!(
        sorted_strings(&r.rows()[0][1]),
        ["4th China International Import Expo"]
    );
    assert_eq!(sorted_strings(&r.rows()[0][2]), ["2021-11-07"]);
}

#[test]
fn the_most_connected_signers_by_order_by_and_limit() {
    let r = run(
        "MATCH (a)-[r:SIGNS_WITH]-() RETURN a.name AS name, count(r) AS deals \
                 ORDER BY deals DESC, name LIMIT 3",
    );
    assert_eq!(strings(&r, "name"), [LECHENG, "AstraZeneca", "Johnson & Johnson"]);
    assert_eq!(ints(&r, "deals"), [36, 19, 5]);
}

// ---------------------------------------------------------------------------------------
// Beijing E-Town
// ---------------------------------------------------------------------------------------

#[test]
fn the_parks_of_beijing_etown() {
    let r = run_with(
        "MATCH (park:Place {kind: 'park'})-[:LOCATED_IN]->(:Place {name: $etown}) \
         RETURN park.name AS park ORDER BY park",
        Params::new().with("etown", ETOWN),
    );
    assert_eq!(
        strings(&r, "park"),
        [
            "国际医药创新公园",
            "天空之境产业广场",
            "新药研发生产基地",
            "细胞治疗研发中试基地",
            "经海产业园",
            "北京亦庄生物医药园",
        ]
        .iter()
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect::<Vec<_>>()
    );
    assert_eq!(r.len(), 6);
}

#[test]
fn firms_in_each_park_of_beijing_etown() {
    let r = run("MATCH (c:Company)-[:LOCATED_IN]->(park:Place)-[:LOCATED_IN]->\
                   (e:Place {name: 'Beijing Economic-Technological Development Area'}) \
                 RETURN park.name AS park, c.name AS firm ORDER BY park, firm");
    // Every firm the data places in a park is in the biomedical park (document 003); strings
    // sort by code point, so Latin names come before Chinese ones.
    assert_eq!(strings(&r, "park"), ["北京亦庄生物医药园"; 4]);
    assert_eq!(
        strings(&r, "firm"),
        [
            "Annoroad Gene Technology",
            "FibroGen",
            "北京亦庄国际生物医药投资管理有限公司",
            "博奥晶典"
        ]
    );
    let r = run(
        "MATCH (op:Company)-[l:LOCATED_IN]->(park:Place) WHERE l.facility IS NOT NULL \
                 AND park.name = '北京亦庄生物医药园' RETURN op.name AS op, l.facility AS what",
    );
    assert_eq!(strings(&r, "op"), ["北京亦庄国际生物医药投资管理有限公司"]);
    assert_eq!(strings(&r, "what"), ["park operator"]);
}

#[test]
fn firms_within_two_hops_of_beijing_etown() {
    let r = run(
        "MATCH (e:Place {name: 'Beijing Economic-Technological Development Area'})-[*1..2]-(c:Company) \
                 RETURN DISTINCT c.name AS firm ORDER BY firm",
    );
    assert_eq!(
        strings(&r, "firm"),
        [
            "AnchorDx",
            "Annoroad Gene Technology",
            "AstraZeneca",
            "Baidu Health",
            "Bayer",
            "Daiichi Sankyo",
            "FibroGen",
            "Kowa",
            "LinkDoc",
            "Medtronic",
            "Pfizer",
            "Ping An Health",
            "Siemens Healthineers",
            "佰辰医疗",
            "北京亦庄国际生物医药投资管理有限公司",
            "博奥晶典",
            "大艾机器人",
            "广州国际生物岛公司",
            "无锡智康弘义",
            "腾讯智慧医药",
            "衡道病理",
            "金橡医学",
        ]
    );
    // One hop: the two firms the data ties to E-Town directly (AstraZeneca twice: it both
    // invests there and is located there).
    let r = run(
        "MATCH (e:Place {name: 'Beijing Economic-Technological Development Area'})--(c:Company) \
                 RETURN c.name AS firm, count(*) AS ties ORDER BY firm",
    );
    assert_eq!(strings(&r, "firm"), ["AstraZeneca", "大艾机器人"]);
    assert_eq!(ints(&r, "ties"), [2, 1]);
}

// ---------------------------------------------------------------------------------------
// Founding, investment, location chains
// ---------------------------------------------------------------------------------------

#[test]
fn founders_of_the_innovation_center_with_their_roles() {
    let r = run("MATCH (f)-[r:FOUNDS]->(c:Institution {name: 'National High-Performance Medical Device Innovation Center'}) \
                 RETURN f.name AS founder, labels(f)[0] AS label, r.role AS role, r.date AS date, \
                        r.date_precision AS precision \
                 ORDER BY founder");
    assert_eq!(
        strings(&r, "founder"),
        [
            "Harbin Institute of Technology",
            "Lifetech Scientific",
            "Mindray",
            "Shenzhen Institutes of Advanced Technology",
            "United Imaging Healthcare",
            "深圳市盈通汇创投资合伙企业",
        ]
    );
    assert_eq!(
        strings(&r, "label"),
        [
            "Institution",
            "Company",
            "Company",
            "Institution",
            "Company",
            "Company"
        ]
    );
    assert_eq!(
        strings(&r, "role"),
        [
            "co-founder",
            "co-founder",
            "co-founder",
            "lead founder",
            "co-founder",
            "co-founder"
        ]
    );
    assert!(r.column("date").all(|d| *d == date(2020, 4, 1)));
    assert_eq!(strings(&r, "precision"), ["month"; 6]);
}

#[test]
fn the_lead_founder_through_a_relationship_property_filter() {
    let r = run("MATCH (f)-[r:FOUNDS {role: 'lead founder'}]->(c {name: 'National High-Performance Medical Device Innovation Center'}) \
                 RETURN f.name AS f");
    assert_eq!(strings(&r, "f"), ["Shenzhen Institutes of Advanced Technology"]);
}

#[test]
fn where_astrazeneca_invested_and_how_much() {
    let r = run("MATCH (a:Company {name: 'AstraZeneca'})-[i:INVESTS_IN]->(p) \
                 RETURN p.name AS place, i.amount AS amount, i.currency AS currency, \
                        i.date AS date, i.date.year AS year, i.date_precision AS precision");
    assert_eq!(r.len(), 1);
    assert_eq!(strings(&r, "place"), [ETOWN]);
    assert_eq!(r.get(0, "amount"), Some(&Value::Float(2.5e9)));
    assert_eq!(strings(&r, "currency"), ["USD"]);
    assert_eq!(r.get(0, "date"), Some(&date(2025, 1, 1)));
    assert_eq!(ints(&r, "year"), [2025]);
    assert_eq!(strings(&r, "precision"), ["year"]);
    // The whole graph holds this one investment.
    let r = run("MATCH ()-[i:INVESTS_IN]->() RETURN count(i) AS n, sum(i.amount) AS total");
    assert_eq!(ints(&r, "n"), [1]);
    assert_eq!(r.get(0, "total"), Some(&Value::Float(2_500_000_000.0)));
}

#[test]
fn places_up_the_located_in_chain_are_bounded_by_the_range() {
    let q = "MATCH (c:Institution {name: $name})-[rs:LOCATED_IN*1..3]->(p) \
             RETURN p.name AS place, size(rs) AS depth ORDER BY depth";
    let r = run_with(q, Params::new().with("name", INNOVATION_CENTER));
    // China is four levels up, so `*1..3` stops at Guangdong.
    assert_eq!(
        strings(&r, "place"),
        ["Longhua District", "Shenzhen", "Guangdong"]
    );
    assert_eq!(ints(&r, "depth"), [1, 2, 3]);
    let r = run_with(
        "MATCH (c:Institution {name: $name})-[:LOCATED_IN*1..4]->(p) RETURN collect(p.name) AS ps",
        Params::new().with("name", INNOVATION_CENTER),
    );
    assert_eq!(
        sorted_strings(&r.rows()[0][0]),
        ["China", "Guangdong", "Longhua District", "Shenzhen"]
    );
    let r = run_with(q, Params::new().with("name", "Pfizer Beijing R&D Center"));
    assert_eq!(strings(&r, "place"), [ETOWN, "Beijing", "China"]);
}

#[test]
fn shortest_chain_between_astrazeneca_and_medtronic_matches_a_bfs() {
    let g = eco();
    let az = g.resolve("AstraZeneca").unwrap();
    let mdt = g.resolve("Medtronic").unwrap();
    let expected = bfs_hops(g, az, mdt).expect("connected");
    let r = run(
        "MATCH p = shortestPath((a:Company {name: 'AstraZeneca'})-[*..10]-(b:Company {name: 'Medtronic'})) \
                 RETURN length(p) AS hops, nodes(p) AS ns, [n IN nodes(p) | n.name] AS names",
    );
    assert_eq!(r.len(), 1);
    assert_eq!(ints(&r, "hops"), [expected as i64]);
    assert_eq!(expected, 2);
    let ns = r.get(0, "ns").and_then(Value::as_list).expect("a list of nodes");
    assert_eq!(ns.first().and_then(Value::as_node), Some(az));
    assert_eq!(ns.last().and_then(Value::as_node), Some(mdt));
    // The only middle node at distance 2: both signed with the Lecheng administration.
    let names = r.get(0, "names").and_then(Value::as_list).unwrap();
    assert_eq!(names[1], Value::from(LECHENG));
}

#[test]
fn shortest_path_lengths_agree_with_bfs_for_several_pairs() {
    let g = eco();
    let pairs = [
        ("Mindray", "Pfizer"),
        ("Pascal Soriot", "Roxadustat"),
        ("沈晓明", "Selumetinib"),
        ("FibroGen", "Harbin Institute of Technology"),
        ("吕小蕾", "Shanghai"),
    ];
    for (a, b) in pairs {
        let (ia, ib) = (g.resolve(a).unwrap(), g.resolve(b).unwrap());
        let expected = bfs_hops(g, ia, ib);
        let r = g
            .query("MATCH (a {name: $a}), (b {name: $b}) MATCH p = shortestPath((a)-[*..15]-(b)) RETURN length(p) AS n")
            .param("a", name_of(ia))
            .param("b", name_of(ib))
            .run()
            .unwrap();
        let got = r.column("n").next().and_then(Value::as_int).map(|n| n as usize);
        assert_eq!(got, expected, "{a} -> {b}");
    }
}

// ---------------------------------------------------------------------------------------
// Counting and grouping
// ---------------------------------------------------------------------------------------

#[test]
fn counts_per_label() {
    let r = run("MATCH (n) RETURN labels(n)[0] AS l, count(*) ORDER BY l");
    assert_eq!(r.columns(), ["l", "count(*)"]);
    assert_eq!(
        strings(&r, "l"),
        [
            "Company",
            "Event",
            "Government",
            "Institution",
            "Person",
            "Place",
            "Policy",
            "Product",
            "Project"
        ]
    );
    assert_eq!(ints(&r, "count(*)"), [77, 12, 33, 58, 22, 47, 27, 10, 22]);
    // The same as the Rust API says.
    let api: BTreeMap<String, i64> = eco()
        .label_counts()
        .into_iter()
        .map(|(l, n)| (l.to_owned(), n as i64))
        .collect();
    let q: BTreeMap<String, i64> = strings(&r, "l").into_iter().zip(ints(&r, "count(*)")).collect();
    assert_eq!(q, api);
}

#[test]
fn counts_per_relationship_type_agree_with_the_rust_api() {
    let r = run("MATCH ()-[r]->() RETURN type(r) AS t, count(*) AS n ORDER BY n DESC, t");
    assert_eq!(
        strings(&r, "t"),
        [
            "LOCATED_IN",
            "SIGNS_WITH",
            "PART_OF",
            "FOUNDS",
            "APPLIES_TO",
            "PARTICIPATES_IN",
            "WORKS_FOR",
            "ORGANIZES",
            "ISSUES",
            "HELD_IN",
            "MEMBER_OF",
            "DEVELOPS",
            "LISTED_IN",
            "RECEIVES",
            "ADMINISTERS",
            "INVESTS_IN"
        ]
    );
    assert_eq!(
        ints(&r, "n"),
        [129, 65, 45, 43, 37, 34, 25, 24, 12, 10, 9, 7, 2, 2, 1, 1]
    );
    let api: BTreeMap<String, i64> = eco()
        .relationship_type_counts()
        .into_iter()
        .map(|(t, n)| (t.to_owned(), n as i64))
        .collect();
    let q: BTreeMap<String, i64> = strings(&r, "t").into_iter().zip(ints(&r, "n")).collect();
    assert_eq!(q, api);
    assert_eq!(api.values().sum::<i64>(), 446);
}

#[test]
fn collect_distinct_roles_in_astrazeneca_foundings() {
    let r = run("MATCH (:Company {name: 'AstraZeneca'})-[f:FOUNDS]->(x) \
                 RETURN collect(DISTINCT f.role) AS roles, count(DISTINCT x) AS n");
    assert_eq!(
        sorted_strings(&r.rows()[0][0]),
        [
            "co-builder",
            "co-founder",
            "co-launcher",
            "co-publisher",
            "owner (internal talent programme)"
        ]
    );
    assert_eq!(ints(&r, "n"), [6]);
}

#[test]
fn products_developed_by_each_company() {
    let r = run("MATCH (c:Company)-[:DEVELOPS]->(p:Product) \
                 RETURN c.name AS c, collect(p.name) AS ps ORDER BY c");
    assert_eq!(
        strings(&r, "c"),
        [
            "AstraZeneca",
            "Daiichi Sankyo",
            "FibroGen",
            "Kowa",
            "博奥晶典",
            "大艾机器人"
        ]
    );
    let ps: Vec<Vec<String>> = r.column("ps").map(sorted_strings).collect();
    assert_eq!(
        ps,
        [
            owned(&["Selumetinib", "Trastuzumab deruxtecan"]),
            owned(&["Trastuzumab deruxtecan"]),
            owned(&["Roxadustat"]),
            owned(&["可利美特"]),
            owned(&["耳聋基因检测芯片"]),
            owned(&["下肢康复外骨骼机器人"]),
        ]
    );
}

// ---------------------------------------------------------------------------------------
// Names: Chinese, traditional, aliases
// ---------------------------------------------------------------------------------------

#[test]
fn lookup_by_chinese_name_property_and_alias_list() {
    let r = run("MATCH (c:Company {name_zh: '阿斯利康'}) RETURN c.name AS n, c.country AS cc");
    assert_eq!(strings(&r, "n"), ["AstraZeneca"]);
    assert_eq!(strings(&r, "cc"), ["GB"]);
    // The traditional form is an alias: found with IN over the `aliases` list.
    let r = run("MATCH (p:Place) WHERE '北京亦莊' IN p.aliases RETURN p.name AS n");
    assert_eq!(strings(&r, "n"), [ETOWN]);
    let r = run("MATCH (c:Company) WHERE '輝瑞' IN c.aliases RETURN c.name AS n, c.name_zh AS zh");
    assert_eq!(strings(&r, "n"), ["Pfizer"]);
    assert_eq!(strings(&r, "zh"), ["辉瑞"]);
}

#[test]
fn a_name_property_map_is_exact_equality_not_alias_resolution() {
    // `{name: ...}` compares the `name` property; an alias or another case finds nothing,
    // with the optimiser's index seek (which goes through the normalised name index) and
    // without it alike.
    for q in [
        "MATCH (c {name: '阿斯利康'}) RETURN c.name AS n",
        "MATCH (c {name: 'astrazeneca'}) RETURN c.name AS n",
        "MATCH (c {name: 'Beijing E-Town'}) RETURN c.name AS n",
    ] {
        assert!(run(q).is_empty(), "{q}");
        assert!(
            eco().query(q).without_optimizer().run().unwrap().is_empty(),
            "{q}"
        );
    }
    let r = run("MATCH (c {name: 'AstraZeneca'}) RETURN c.name AS n");
    assert_eq!(strings(&r, "n"), ["AstraZeneca"]);
}

#[test]
fn resolve_chinese_and_traditional_aliases_then_query_by_canonical_name() {
    let g = eco();
    for (typed, canonical) in [
        ("北京亦莊", ETOWN),
        ("亦庄", ETOWN),
        ("Beijing E-Town", ETOWN),
        ("国创中心", INNOVATION_CENTER),
        ("乐城先行区管理局", LECHENG),
        ("輝瑞", "Pfizer"),
        ("阿斯利康", "AstraZeneca"),
        ("阿斯利康(中国)", "AstraZeneca"),
        ("第五届进博会", "5th China International Import Expo"),
        ("博鰲健康論壇", "Boao Forum for Asia Global Health Forum"),
        ("T-DXd", "Trastuzumab deruxtecan"),
    ] {
        let id = g.resolve(typed).unwrap_or_else(|e| panic!("{typed}: {e}"));
        assert_eq!(name_of(id), canonical, "{typed}");
        let r = g
            .query("MATCH (n {name: $name}) RETURN id(n) AS id, n.name AS name")
            .param("name", canonical)
            .run()
            .unwrap();
        assert_eq!(
            r.get(0, "id"),
            Some(&Value::Int(i64::from(id.index()))),
            "{typed}"
        );
        assert_eq!(r.len(), 1);
    }
}

#[test]
fn query_by_node_id_found_through_resolve() {
    let g = eco();
    let id = g.resolve("國創中心").or_else(|_| g.resolve("国创中心")).unwrap();
    let r = g
        .query("MATCH (c)-[:LOCATED_IN]->(p) WHERE id(c) = $id RETURN p.name AS p")
        .param("id", i64::from(id.index()))
        .run()
        .unwrap();
    assert_eq!(strings(&r, "p"), ["Longhua District"]);
}

// ---------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------

#[test]
fn events_since_2021_by_date_comparison() {
    let r = run("MATCH (e:Event) WHERE e.date >= date('2021-01-01') \
                 RETURN e.name AS name, e.date AS date, e.date.year AS y, e.date.month AS m \
                 ORDER BY date, name");
    assert_eq!(
        strings(&r, "name"),
        [
            "生物医药产业推介交流会",
            "4th China International Import Expo",
            "数字化医疗合作生态圈启动会",
            "中国医疗器械行业40年功勋人物奖",
            "国家高性能医疗器械创新生态峰会暨重大项目启动活动",
            "5th China International Import Expo",
            "博鳌亚洲论坛全球健康论坛2025年北京会议",
        ]
    );
    assert_eq!(ints(&r, "y"), [2021, 2021, 2021, 2022, 2022, 2022, 2025]);
    assert_eq!(ints(&r, "m"), [11, 11, 11, 7, 7, 11, 7]);
    assert_eq!(r.get(0, "date"), Some(&date(2021, 11, 1)));
    // Events without a date compare as null and are left out; 12 events, 10 dated.
    let r = run("MATCH (e:Event) RETURN count(e) AS total, count(e.date) AS dated");
    assert_eq!(ints(&r, "total"), [12]);
    assert_eq!(ints(&r, "dated"), [10]);
}

#[test]
fn ciie_editions_by_year_and_edition() {
    let r = run(
        "MATCH (e:Event)-[:PART_OF]->(:Event {name: 'China International Import Expo'}) \
                 WHERE e.edition IS NOT NULL \
                 RETURN e.edition AS ed, e.date.year AS year, e.date.day AS day ORDER BY ed DESC",
    );
    assert_eq!(ints(&r, "ed"), [5, 4, 3, 2]);
    assert_eq!(ints(&r, "year"), [2022, 2021, 2020, 2019]);
    assert_eq!(ints(&r, "day"), [5, 5, 4, 5]);
    let r = run("MATCH (e:Event) WHERE e.date < date('2020-01-01') AND e.kind = 'expo' RETURN e.name AS n");
    assert_eq!(strings(&r, "n"), ["2nd China International Import Expo"]);
}

#[test]
fn date_parameters_from_serialize() {
    let p = Params::from_serialize(&serde_json::json!({
        "from": {"~date": "2022-01-01"},
        "to": {"~date": "2022-12-31"},
    }))
    .unwrap();
    let r = run_with(
        "MATCH (e:Event) WHERE $from <= e.date <= $to RETURN e.name AS n ORDER BY e.date, n",
        p,
    );
    assert_eq!(
        strings(&r, "n"),
        [
            "中国医疗器械行业40年功勋人物奖",
            "国家高性能医疗器械创新生态峰会暨重大项目启动活动",
            "5th China International Import Expo",
        ]
    );
}

// ---------------------------------------------------------------------------------------
// OPTIONAL MATCH, parameters, deserialisation
// ---------------------------------------------------------------------------------------

#[test]
fn optional_match_gives_nulls_for_events_outside_a_series() {
    let r = run("MATCH (e:Event) OPTIONAL MATCH (e)-[:PART_OF]->(s) \
                 RETURN e.name AS event, s.name AS series ORDER BY event");
    assert_eq!(r.len(), 12);
    let pairs: Vec<(String, String)> = strings(&r, "event")
        .into_iter()
        .zip(strings(&r, "series"))
        .collect();
    let ciie = "China International Import Expo";
    let fourth = "4th China International Import Expo";
    let expected = [
        ("2016年国家专利金奖", "<null>"),
        ("2nd China International Import Expo", ciie),
        ("3rd China International Import Expo", ciie),
        ("4th China International Import Expo", ciie),
        ("5th China International Import Expo", ciie),
        ("Boao Forum for Asia Global Health Forum", "<null>"),
        (ciie, "<null>"),
        ("中国医疗器械行业40年功勋人物奖", "<null>"),
        (
            "博鳌亚洲论坛全球健康论坛2025年北京会议",
            "Boao Forum for Asia Global Health Forum",
        ),
        ("国家高性能医疗器械创新生态峰会暨重大项目启动活动", "<null>"),
        ("数字化医疗合作生态圈启动会", fourth),
        ("生物医药产业推介交流会", fourth),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect();
    assert_eq!(pairs, expected);
}

#[test]
fn optional_match_who_took_part_in_the_2nd_ciie_and_whether_they_signed_with_lecheng() {
    let r = run(
        "MATCH (x)-[:PARTICIPATES_IN]->(:Event {name: '2nd China International Import Expo'}) \
                 OPTIONAL MATCH (x)-[s:SIGNS_WITH {event: '2nd China International Import Expo'}]-\
                   (:Government {name: 'Hainan Boao Lecheng Pilot Zone Administration'}) \
                 RETURN x.name AS who, s.title AS title ORDER BY who",
    );
    assert_eq!(
        strings(&r, "who"),
        [
            "B. Braun",
            "Boao Super Hospital",
            LECHENG,
            "Johnson & Johnson",
            "Medtronic",
            "Pfizer",
            "Roche",
            "海南启研医院"
        ]
    );
    assert_eq!(
        strings(&r, "title"),
        [
            "战略合作协议",
            "<null>",
            "<null>",
            "战略合作协议",
            "<null>",
            "战略合作协议",
            "战略合作协议",
            "<null>"
        ]
    );
    // The administration's own participation carries the figures the text gives.
    let r = run(
        "MATCH (:Government {name: 'Hainan Boao Lecheng Pilot Zone Administration'})-[p:PARTICIPATES_IN]->\
                   (:Event {edition: 2}) \
                 RETURN p.agreements_signed AS n, p.procurement_amount AS amount, p.currency AS cur",
    );
    assert_eq!(ints(&r, "n"), [10]);
    assert_eq!(r.get(0, "amount"), Some(&Value::Float(2.0e8)));
    assert_eq!(strings(&r, "cur"), ["CNY"]);
}

#[test]
fn parameters_through_the_builder() {
    let r = eco()
        .query("MATCH (p:Person)-[w:WORKS_FOR]->(c:Company {name: $company}) RETURN p.name AS p ORDER BY p")
        .param("company", "AstraZeneca")
        .run()
        .unwrap();
    assert_eq!(strings(&r, "p"), ["Pascal Soriot", "王磊", "赖明隆"]);
    let r = eco()
        .query("MATCH (c:Company) WHERE c.country = $cc AND c.kind IN $kinds RETURN c.name AS n ORDER BY n")
        .params(
            Params::new()
                .with("cc", "GB")
                .with("kinds", vec!["pharma", "device"]),
        )
        .run()
        .unwrap();
    assert_eq!(strings(&r, "n"), ["AstraZeneca", "GSK"]);
}

#[test]
fn parameters_from_a_serde_struct() {
    #[derive(serde::Serialize)]
    struct Args<'a> {
        name: &'a str,
        min_depth: i64,
    }
    let p = Params::from_serialize(&Args {
        name: "Pfizer Beijing R&D Center",
        min_depth: 2,
    })
    .unwrap();
    let r = run_with(
        "MATCH (:Institution {name: $name})-[rs:LOCATED_IN*1..5]->(p) WHERE size(rs) >= $min_depth \
         RETURN p.name AS p ORDER BY size(rs)",
        p,
    );
    assert_eq!(strings(&r, "p"), ["Beijing", "China"]);
}

#[test]
fn deserialize_rows_into_a_struct() {
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Founder {
        name: String,
        role: String,
        country: Option<String>,
    }
    let founders: Vec<Founder> = run("MATCH (f)-[r:FOUNDS]->(:Institution {name: 'National High-Performance Medical Device Innovation Center'}) \
             WHERE f:Company \
             RETURN f.name AS name, r.role AS role, f.country AS country ORDER BY name")
    .deserialize()
    .unwrap();
    let cn = |name: &str, role: &str| Founder {
        name: name.to_owned(),
        role: role.to_owned(),
        country: Some("CN".to_owned()),
    };
    assert_eq!(
        founders,
        [
            cn("Lifetech Scientific", "co-founder"),
            cn("Mindray", "co-founder"),
            cn("United Imaging Healthcare", "co-founder"),
            cn("深圳市盈通汇创投资合伙企业", "co-founder"),
        ]
    );
    // A missing property arrives as `None`.
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Person {
        name: String,
        country: Option<String>,
    }
    let people: Vec<Person> =
        run("MATCH (p:Person {name: '沈晓明'}) RETURN p.name AS name, p.country AS country")
            .deserialize()
            .unwrap();
    assert_eq!(
        people,
        [Person {
            name: "沈晓明".to_owned(),
            country: None
        }]
    );
}
