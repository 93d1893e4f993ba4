//! The one-shot subcommands, run as a script would: output and exit codes.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Output, Stdio};

use unicode_width::UnicodeWidthChar;

fn kgraph(args: &[&str]) -> Output {
    run(args, None)
}

fn run(args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kgraph"));
    cmd.args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(text) = stdin {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    }
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[track_caller]
fn ok(o: &Output) -> String {
    assert_eq!(
        o.status.code(),
        Some(0),
        "stdout: {}\nstderr: {}",
        stdout(o),
        stderr(o)
    );
    stdout(o)
}

#[track_caller]
fn code(o: &Output, expected: i32) -> String {
    assert_eq!(
        o.status.code(),
        Some(expected),
        "stdout: {}\nstderr: {}",
        stdout(o),
        stderr(o)
    );
    stderr(o)
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// The display columns of the `|` and `+` of each line.
fn separator_columns(table: &str) -> Vec<Vec<usize>> {
    table
        .lines()
        .filter(|l| l.starts_with('|') || l.starts_with('+'))
        .map(|l| {
            let mut at = 0;
            let mut cols = Vec::new();
            for c in l.chars() {
                if c == '|' || c == '+' {
                    cols.push(at);
                }
                at += c.width().unwrap_or(0);
            }
            cols
        })
        .collect()
}

#[test]
fn a_chinese_labelled_table_is_aligned_by_display_width() {
    let out = ok(&kgraph(&[
        "query",
        "--dataset",
        "MATCH (c:Company) WHERE c.name_zh IS NOT NULL \
         RETURN c.name_zh AS 公司, c.name AS name, c.country AS 国家 ORDER BY name LIMIT 8",
    ]));
    let cols = separator_columns(&out);
    assert_eq!(cols.len(), 8 + 4, "{out}");
    assert!(cols.windows(2).all(|w| w[0] == w[1]), "misaligned:\n{out}");
    assert_eq!(cols[0].len(), 4, "{out}");
    assert!(out.contains("| 公司 "), "{out}");
    assert!(out.contains("艾伯维"), "{out}");
    // The cells are padded by width, not by bytes or chars: a byte-padded table would put the
    // bars of a Chinese row to the right of the header's.
    assert!(
        out.lines()
            .any(|l| l.contains("艾伯维") && l.len() > l.chars().count()),
        "{out}"
    );
    assert!(out.lines().last().unwrap().starts_with("8 rows, "), "{out}");
}

#[test]
fn query_output_as_table_csv_and_json_lines() {
    let q = "MATCH (c:Company {name: $name}) RETURN c.name AS name, c.name_zh AS zh, c.country AS country";
    let table = ok(&kgraph(&["query", "--dataset", "--param", "name='Pfizer'", q]));
    assert!(table.starts_with("+-"), "{table}");
    assert!(table.contains("| Pfizer | 辉瑞 | US      |"), "{table}");
    assert!(table.contains("1 row, "), "{table}");

    let csv = ok(&kgraph(&[
        "query",
        "--dataset",
        "-p",
        "name=\"Pfizer\"",
        "--format",
        "csv",
        q,
    ]));
    assert_eq!(csv, "name,zh,country\nPfizer,辉瑞,US\n");

    let jsonl = ok(&kgraph(&[
        "query",
        "--dataset",
        "-p",
        "name=\"Pfizer\"",
        "--format",
        "jsonl",
        q,
    ]));
    assert_eq!(
        jsonl,
        "{\"name\":\"Pfizer\",\"zh\":\"辉瑞\",\"country\":\"US\"}\n"
    );

    // Nodes in JSON Lines carry their labels and properties.
    let jsonl = ok(&kgraph(&[
        "query",
        "--dataset",
        "--format",
        "jsonl",
        "MATCH (c:Company {name: 'Pfizer'}) RETURN c",
    ]));
    let v: serde_json::Value = serde_json::from_str(jsonl.trim()).unwrap();
    assert_eq!(v["c"]["~node"]["labels"][0], "Company");
    assert_eq!(v["c"]["~node"]["properties"]["name_zh"], "辉瑞");
}

#[test]
fn statements_from_a_file_and_from_stdin_run_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("q.cypher");
    std::fs::write(&file, "CREATE (:T {x: 1});\n// a comment; with a semicolon\nCREATE (:T {x: 2});\nMATCH (t:T) RETURN sum(t.x) AS s;\n").unwrap();
    let out = ok(&kgraph(&["query", "--format", "csv", "-f", p(&file)]));
    assert_eq!(out, "s\n3\n");
    let out = ok(&run(
        &["query", "--format", "csv"],
        Some("UNWIND [1, 2] AS x RETURN x * 10 AS y;"),
    ));
    assert_eq!(out, "y\n10\n20\n");
}

#[test]
fn import_then_query_in_a_snapshot_and_a_database_directory() {
    let dir = tempfile::tempdir().unwrap();
    let nodes = dir.path().join("nodes.csv");
    let rels = dir.path().join("rels.csv");
    std::fs::write(
        &nodes,
        "id:ID,label:LABEL,name:STRING,name_zh:STRING\n1,Company,Mindray,迈瑞医疗\n2,City,Shenzhen,深圳\n",
    )
    .unwrap();
    std::fs::write(&rels, "start:START_ID,end:END_ID,type:TYPE\n1,2,LOCATED_IN\n").unwrap();
    let snap = dir.path().join("g.kgs");
    let out = ok(&kgraph(&[
        "import",
        "--format",
        "csv",
        p(&nodes),
        p(&rels),
        "--snapshot",
        p(&snap),
    ]));
    assert!(
        out.contains("2 nodes created") && out.contains("1 relationships created"),
        "{out}"
    );
    let q = "MATCH (c:Company)-[:LOCATED_IN]->(p) RETURN c.name_zh AS c, p.name_zh AS p";
    assert_eq!(
        ok(&kgraph(&["query", "--snapshot", p(&snap), "--format", "csv", q])),
        "c,p\n迈瑞医疗,深圳\n"
    );

    // Again with merge_on: the company is matched, not created twice.
    let out = ok(&kgraph(&[
        "import",
        "--format",
        "csv",
        p(&nodes),
        p(&rels),
        "--snapshot",
        p(&snap),
        "--merge-on",
        "Company.name",
    ]));
    assert!(out.contains("1 matched"), "{out}");
    let count = "MATCH (c:Company) RETURN count(c) AS n";
    assert_eq!(
        ok(&kgraph(&[
            "query",
            "--snapshot",
            p(&snap),
            "--format",
            "csv",
            count
        ])),
        "n\n1\n"
    );

    // Into a database directory, then a write committed to it, then read back.
    let db = dir.path().join("db");
    ok(&kgraph(&[
        "import",
        "--format",
        "csv",
        p(&nodes),
        p(&rels),
        "--db",
        p(&db),
    ]));
    ok(&kgraph(&[
        "query",
        "--db",
        p(&db),
        "CREATE (:Company {name: 'BGI', name_zh: '华大'})",
    ]));
    assert_eq!(
        ok(&kgraph(&["query", "--db", p(&db), "--format", "csv", count])),
        "n\n2\n"
    );
    let out = ok(&kgraph(&["check", p(&db)]));
    assert!(
        out.contains("database directory") && out.contains("3 nodes, 1 relationships"),
        "{out}"
    );
}

#[test]
fn export_in_every_format_then_import_again() {
    let dir = tempfile::tempdir().unwrap();
    let expected = ok(&kgraph(&[
        "query",
        "--dataset",
        "--format",
        "csv",
        "MATCH (n) WITH count(n) AS n MATCH ()-[r]->() RETURN n, count(r) AS r",
    ]));
    for (format, target) in [
        ("jsonl", "eco.jsonl"),
        ("csv", "csv"),
        ("cypher", "eco.cypher"),
        ("kuzu", "kuzu"),
        ("neo4j", "neo4j"),
        ("graphml", "eco.graphml"),
    ] {
        let out = kgraph(&[
            "export",
            "--dataset",
            "--format",
            format,
            p(&dir.path().join(target)),
        ]);
        let err = code(&out, 0);
        // stderr is not a terminal here: no progress bar.
        assert_eq!(err, "", "{format}");
        assert!(dir.path().join(target).exists(), "{format}");
    }
    let counts = "MATCH (n) WITH count(n) AS n MATCH ()-[r]->() RETURN n, count(r) AS r";
    let snap = dir.path().join("from-jsonl.kgs");
    ok(&kgraph(&[
        "import",
        "--format",
        "jsonl",
        p(&dir.path().join("eco.jsonl")),
        "--snapshot",
        p(&snap),
    ]));
    assert_eq!(
        ok(&kgraph(&[
            "query",
            "--snapshot",
            p(&snap),
            "--format",
            "csv",
            counts
        ])),
        expected
    );
    let snap = dir.path().join("from-csv.kgs");
    let csv = dir.path().join("csv");
    ok(&kgraph(&[
        "import",
        "--format",
        "csv",
        p(&csv.join("nodes.csv")),
        p(&csv.join("relationships.csv")),
        "--snapshot",
        p(&snap),
    ]));
    assert_eq!(
        ok(&kgraph(&[
            "query",
            "--snapshot",
            p(&snap),
            "--format",
            "csv",
            counts
        ])),
        expected
    );
    // The Cypher script runs as a script of statements.
    let out = ok(&kgraph(&[
        "query",
        "-f",
        p(&dir.path().join("eco.cypher")),
        "--format",
        "csv",
    ]));
    assert_eq!(out, "");
}

#[test]
fn check_a_good_and_a_damaged_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("eco.kgs");
    ok(&kgraph(&["query", "--dataset", "RETURN 1"]));
    // A snapshot of the dataset through the shell's script mode.
    let script = format!(":dataset\n:save {}\n", p(&snap));
    ok(&run(&["shell"], Some(&script)));
    let out = ok(&kgraph(&["check", p(&snap)]));
    assert!(out.starts_with(&format!("snapshot {}: ok", p(&snap))), "{out}");
    assert!(out.contains("308 nodes, 446 relationships"), "{out}");

    let mut bytes = std::fs::read(&snap).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x40;
    let bad = dir.path().join("bad.kgs");
    std::fs::write(&bad, &bytes).unwrap();
    let err = code(&kgraph(&["check", p(&bad)]), 3);
    assert!(err.contains("checksum"), "{err}");
    let err = code(&kgraph(&["check", p(&dir.path().join("missing.kgs"))]), 3);
    assert!(err.contains("no such file"), "{err}");
    std::fs::write(dir.path().join("empty.kgs"), b"").unwrap();
    code(&kgraph(&["check", p(&dir.path().join("empty.kgs"))]), 3);
}

#[test]
fn check_reports_a_torn_log_and_leaves_the_directory_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    for name in ["A", "B"] {
        ok(&kgraph(&[
            "query",
            "--db",
            p(&db),
            &format!("CREATE (:Company {{name: '{name}'}})"),
        ]));
    }
    let log = std::fs::read_dir(&db)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|f| f.extension().is_some_and(|e| e == "kgl"))
        .unwrap();
    // A crash in the middle of the second commit.
    let len = std::fs::metadata(&log).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&log)
        .unwrap()
        .set_len(len - 3)
        .unwrap();
    let files = |d: &std::path::Path| -> Vec<(std::path::PathBuf, Vec<u8>)> {
        let mut v: Vec<_> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| {
                let f = e.unwrap().path();
                let b = std::fs::read(&f).unwrap();
                (f, b)
            })
            .collect();
        v.sort();
        v
    };
    let before = files(&db);
    let out = ok(&kgraph(&["check", p(&db)]));
    assert!(
        out.starts_with(&format!("database directory {}: ok", p(&db))),
        "{out}"
    );
    assert!(
        out.contains("1 nodes") && out.contains("the 1 commit of"),
        "{out}"
    );
    assert!(out.contains("bytes of a commit that was not finished"), "{out}");
    assert_eq!(files(&db), before, "check changed the directory");
    // A plain directory is no database: an error, and nothing is created in it.
    let plain = dir.path().join("plain");
    std::fs::create_dir(&plain).unwrap();
    let err = code(&kgraph(&["check", p(&plain)]), 3);
    assert!(err.contains("not a database directory"), "{err}");
    assert!(files(&plain).is_empty());
}

#[test]
fn each_error_has_its_exit_code() {
    // 1: syntax, semantic and runtime errors, with the position.
    let err = code(&kgraph(&["query", "MATCH (n RETURN n"]), 1);
    assert!(err.contains("syntax error at line 1, column 10"), "{err}");
    let err = code(&kgraph(&["query", "MATCH (n) RETURN m"]), 1);
    assert!(err.contains("SyntaxError") && err.contains("m"), "{err}");
    let err = code(&kgraph(&["query", "RETURN 1 / 0 AS x"]), 1);
    assert!(err.starts_with("kgraph: ArithmeticError"), "{err}");
    let err = code(&kgraph(&["query", "RETURN 1; RETURN $missing"]), 1);
    assert!(err.contains("statement 2 of 2"), "{err}");
    // 1: a malformed import row, named by file, line and column; nothing imported.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(
        &bad,
        "{\"node\":{\"id\":1,\"labels\":[\"A\"]}}\n{\"node\": oops}\n",
    )
    .unwrap();
    let snap = dir.path().join("g.kgs");
    let err = code(
        &kgraph(&["import", "--format", "jsonl", p(&bad), "--snapshot", p(&snap)]),
        1,
    );
    assert!(err.contains("bad.jsonl:2:"), "{err}");
    // 2: usage: an unknown option, a missing argument, a bad parameter, a bad format.
    code(&kgraph(&["query", "--bogus", "RETURN 1"]), 2);
    code(&kgraph(&["import", "--format", "csv"]), 2);
    let err = code(&kgraph(&["query", "--param", "x", "RETURN $x"]), 2);
    assert!(err.contains("name=value"), "{err}");
    code(&kgraph(&["query", "--format", "xml", "RETURN 1"]), 2);
    code(&kgraph(&["frobnicate"]), 2);
    code(
        &kgraph(&["import", "--format", "csv", p(&bad), "--snapshot", p(&snap)]),
        2,
    );
    // 3: I/O: a missing file, a missing query file, an unwritable target.
    code(
        &kgraph(&["query", "--snapshot", p(&dir.path().join("nope.kgs")), "RETURN 1"]),
        3,
    );
    code(&kgraph(&["query", "-f", p(&dir.path().join("nope.cypher"))]), 3);
    let err = code(
        &kgraph(&[
            "import",
            "--format",
            "jsonl",
            p(&dir.path().join("nope.jsonl")),
            "--snapshot",
            p(&snap),
        ]),
        3,
    );
    assert!(err.contains("nope.jsonl"), "{err}");
    let err = code(
        &run(
            &["shell"],
            Some(&format!(":open {}\n", p(&dir.path().join("typo.kgs")))),
        ),
        3,
    );
    assert!(err.contains("no such snapshot file"), "{err}");
    assert!(!dir.path().join("typo.kgs").exists());
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "x").unwrap();
    code(
        &kgraph(&[
            "export",
            "--dataset",
            "--format",
            "jsonl",
            p(&blocker.join("sub/eco.jsonl")),
        ]),
        3,
    );
    // --help and --version succeed, and the help documents the codes.
    let help = ok(&kgraph(&["--help"]));
    assert!(
        help.contains("Exit codes:") && help.contains("3  I/O error"),
        "{help}"
    );
    ok(&kgraph(&["--version"]));
}

#[test]
fn the_shell_reads_a_script_from_stdin() {
    let script = ":dataset\n:param who 'Pfizer'\n:format csv\nMATCH (c:Company {name: $who})\nRETURN c.name_zh AS zh;\n:schema\n";
    let out = ok(&run(&["shell"], Some(script)));
    assert!(out.contains("zh\n辉瑞\n"), "{out}");
    assert!(out.contains("labels (") && out.contains("Company"), "{out}");
    assert!(out.contains("node property keys"), "{out}");
    // The first error stops the script with its exit code.
    let out = run(&["shell"], Some("RETURN 1 / 0;\nRETURN 'not reached';\n"));
    code(&out, 1);
    assert!(!stdout(&out).contains("not reached"));
    code(&run(&["shell"], Some(":nonsense\n")), 2);
}

#[test]
fn explain_prints_the_plan() {
    let out = ok(&kgraph(&[
        "query",
        "--dataset",
        "EXPLAIN MATCH (c:Company) RETURN c.name",
    ]));
    assert!(out.contains("| plan"), "{out}");
    assert!(out.to_lowercase().contains("scan"), "{out}");
}

#[test]
fn profile_prints_the_result_then_rows_and_time_per_operator() {
    let out = ok(&kgraph(&[
        "query",
        "--dataset",
        "PROFILE MATCH (c:Company)-[:LOCATED_IN]->(p {name: 'Shanghai'}) RETURN c.name AS company LIMIT 3",
    ]));
    let result = out.find("| company").unwrap();
    let summary = out.find("3 rows, ").unwrap();
    let profile = out.find("Operator").unwrap();
    assert!(result < summary && summary < profile, "{out}");
    assert!(
        out.contains("ProduceResults") && out.contains("Rows") && out.contains("Time (ms)"),
        "{out}"
    );
    // With CSV the profile goes to stderr and stdout stays data.
    let o = kgraph(&["query", "--dataset", "--format", "csv", "PROFILE RETURN 1 AS x"]);
    assert_eq!(ok(&o), "x\n1\n");
    assert!(stderr(&o).contains("ProduceResults"), "{}", stderr(&o));
}

#[test]
fn the_shell_commands_open_save_import_and_export() {
    let dir = tempfile::tempdir().unwrap();
    let d = |name: &str| p(&dir.path().join(name)).to_owned();
    let script = format!(
        ":dataset\n:export jsonl {jsonl}\n:export cypher {cypher} --dialect falkordb\n:new\n\
         :import jsonl {jsonl}\n:format csv\nMATCH (n) RETURN count(n) AS n;\n:save {snap}\n\
         :open {db}\nCREATE (:Note {{text: '笔记'}});\n:save\n:open {snap}\n\
         MATCH (c:Company {{name: 'Pfizer'}}) RETURN c.name_zh AS zh;\n:param x [1, 2]\n:params\n\
         :params clear\n:params\n:format jsonl\nRETURN 'a' AS a;\n",
        jsonl = d("eco.jsonl"),
        cypher = d("eco.cypher"),
        snap = d("eco.kgs"),
        db = d("db"),
    );
    let out = ok(&run(&["shell"], Some(&script)));
    assert!(out.contains("imported 754 rows: 308 nodes created"), "{out}");
    assert!(out.contains("n\n308\n"), "{out}");
    assert!(out.contains("checkpointed"), "{out}");
    assert!(out.contains("zh\n辉瑞\n"), "{out}");
    assert!(
        out.contains("$x = [1, 2]\n") && out.contains("no parameters"),
        "{out}"
    );
    assert!(out.ends_with("{\"a\":\"a\"}\n"), "{out}");
    assert!(std::fs::read_to_string(d("eco.cypher"))
        .unwrap()
        .contains("DROP INDEX ON"));
    // The database directory kept its write.
    let notes = ok(&kgraph(&[
        "query",
        "--db",
        &d("db"),
        "--format",
        "csv",
        "MATCH (n:Note) RETURN n.text AS t",
    ]));
    assert_eq!(notes, "t\n笔记\n");
}

#[test]
fn render_writes_dot_svg_and_html_of_the_last_result() {
    let dir = tempfile::tempdir().unwrap();
    let d = |name: &str| p(&dir.path().join(name)).to_owned();
    // :render before any query is a usage error.
    code(
        &run(
            &["shell"],
            Some(&format!(":dataset\n:render svg {}\n", d("p.svg"))),
        ),
        2,
    );
    let script = format!(
        ":dataset\nMATCH (c:Company {{name: 'Pfizer'}})-[s:SIGNS_WITH]-(x) RETURN c, s, x;\n\
         :render dot {dot}\n:render svg {svg}\n:render html {html}\n",
        dot = d("p.dot"),
        svg = d("p.svg"),
        html = d("p.html"),
    );
    let out = ok(&run(&["shell"], Some(&script)));
    assert_eq!(out.matches("wrote ").count(), 3, "{out}");
    let dot = std::fs::read_to_string(d("p.dot")).unwrap();
    assert!(dot.contains("digraph") && dot.contains("SIGNS_WITH"), "{dot}");
    let svg = std::fs::read_to_string(d("p.svg")).unwrap();
    assert!(svg.contains("<svg") && svg.contains("Pfizer"), "{svg}");
    let html = std::fs::read_to_string(d("p.html")).unwrap();
    assert!(
        html.to_lowercase().contains("<html"),
        "{}",
        &html[..200.min(html.len())]
    );
    code(
        &run(&["shell"], Some(":dataset\nRETURN 1;\n:render png x.png\n")),
        2,
    );
}

/// `kgraph query ... | head`: the reader closes the output early; the program stops quietly
/// with success, as a Unix filter does, instead of reporting a broken pipe.
#[test]
fn a_closed_output_ends_the_program_quietly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kgraph"))
        .args([
            "query",
            "--format",
            "csv",
            "UNWIND range(1, 200000) AS i RETURN i",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Far more than a pipe holds (about 1.3 MB against 64 KB): the program writes after the
    // reader is gone, whenever the reader goes.
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    assert_eq!(stderr(&o), "");
}
