//! Parses every query of the openCypher TCK feature files.
//!
//! The features folder is `$KGRAPH_TCK_DIR`, or `../shared/tck/features`
//! relative to the crate root. A missing folder fails the test.
//!
//! Every query after "When executing query:" and "having executed:" must
//! parse, except the "When" query of a scenario that expects a compile-time
//! SyntaxError. Of those, the ones whose detail is purely syntactic (see
//! [`SYNTACTIC`]) must fail to parse; the others (`VariableAlreadyBound`,
//! `UndefinedVariable`, ...) are the planner's business and may parse.
//! Every query that parses must also print canonically: printing, parsing
//! the print and printing again gives the same text and an equal tree.

use std::fs;
use std::path::{Path, PathBuf};

use kgraph::Query;

/// SyntaxError details that are about the text, not its meaning.
const SYNTACTIC: &[&str] = &[
    "UnexpectedSyntax",
    "InvalidNumberLiteral",
    "InvalidUnicodeLiteral",
    "InvalidUnicodeCharacter",
    "IntegerOverflow",
    "FloatingPointOverflow",
    "InvalidRelationshipPattern",
];

#[derive(Debug, Clone)]
struct Step {
    text: String,
    doc: Option<String>,
}

#[derive(Debug)]
struct Scenario {
    id: String,
    steps: Vec<Step>,
}

fn split_cells(line: &str) -> Vec<String> {
    let body = line.trim();
    let inner = body
        .strip_prefix('|')
        .and_then(|b| b.strip_suffix('|'))
        .unwrap_or(body);
    let mut cells = Vec::new();
    let mut cur = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if matches!(chars.peek(), Some('|') | Some('\\') | Some('n')) => {
                let n = chars.next().unwrap_or('\\');
                cur.push(if n == 'n' { '\n' } else { n });
            }
            '|' => cells.push(std::mem::take(&mut cur).trim().to_string()),
            c => cur.push(c),
        }
    }
    cells.push(cur.trim().to_string());
    cells
}

fn substitute(text: &str, header: &[String], row: &[String]) -> String {
    let mut out = text.to_string();
    for (h, v) in header.iter().zip(row) {
        out = out.replace(&format!("<{h}>"), v);
    }
    out
}

/// Reads one feature file into scenarios, with outlines expanded and the
/// background prepended (the same rules as the TCK runner).
fn read_feature(text: &str, rel: &str) -> Vec<Scenario> {
    struct Block {
        name: String,
        outline: bool,
        steps: Vec<Step>,
        examples: Vec<Vec<Vec<String>>>,
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut background: Vec<Step> = Vec::new();
    let mut blocks: Vec<Block> = Vec::new();
    // 0 = none, 1 = background, 2 = last block
    let mut target = 0;
    let mut in_examples = false;
    let mut i = 0;
    while i < lines.len() {
        let raw = lines.get(i).copied().unwrap_or("");
        let s = raw.trim();
        i += 1;
        if s.is_empty() || s.starts_with('#') || s.starts_with('@') || s.starts_with("Feature:") {
            continue;
        }
        if s.starts_with("Background:") {
            target = 1;
            in_examples = false;
        } else if let Some(rest) = ["Scenario Outline:", "Scenario Template:", "Scenario:", "Example:"]
            .iter()
            .find_map(|h| s.strip_prefix(h).map(|r| (h, r)))
        {
            blocks.push(Block {
                name: rest.1.trim().to_string(),
                outline: rest.0.contains("Outline") || rest.0.contains("Template"),
                steps: Vec::new(),
                examples: Vec::new(),
            });
            target = 2;
            in_examples = false;
        } else if s.starts_with("Examples:") || s.starts_with("Scenarios:") {
            if let Some(b) = blocks.last_mut() {
                b.examples.push(Vec::new());
            }
            in_examples = true;
        } else if s.starts_with("\"\"\"") || s.starts_with("```") {
            let indent = raw.len() - raw.trim_start().len();
            let fence = s.get(..3).unwrap_or("\"\"\"");
            let mut body = Vec::new();
            while i < lines.len() && lines.get(i).map(|l| l.trim()) != Some(fence) {
                let line = lines.get(i).copied().unwrap_or("");
                let lead = line.len() - line.trim_start_matches(' ').len();
                let strip = indent.min(lead);
                body.push(line.get(strip..).unwrap_or("").replace("\\\"\\\"\\\"", "\"\"\""));
                i += 1;
            }
            i += 1;
            let steps = if target == 1 {
                Some(&mut background)
            } else {
                blocks.last_mut().map(|b| &mut b.steps)
            };
            if let Some(step) = steps.and_then(|s| s.last_mut()) {
                step.doc = Some(body.join("\n"));
            }
        } else if s.starts_with('|') {
            if in_examples && let Some(table) = blocks.last_mut().and_then(|b| b.examples.last_mut()) {
                table.push(split_cells(s));
            }
        } else if ["Given ", "When ", "Then ", "And ", "But ", "* "]
            .iter()
            .any(|w| s.starts_with(w))
        {
            let text = s.split_once(' ').map_or("", |(_, t)| t).trim().to_string();
            let step = Step { text, doc: None };
            if target == 1 {
                background.push(step);
            } else if let Some(b) = blocks.last_mut() {
                b.steps.push(step);
            }
        }
    }
    let mut out = Vec::new();
    for b in blocks {
        let base = format!("{rel}:{}", b.name);
        let mut steps = background.clone();
        steps.extend(b.steps.iter().cloned());
        if !b.outline {
            out.push(Scenario { id: base, steps });
            continue;
        }
        let mut n = 0;
        for table in &b.examples {
            let Some((header, rows)) = table.split_first() else {
                continue;
            };
            for row in rows {
                n += 1;
                let steps = steps
                    .iter()
                    .map(|st| Step {
                        text: substitute(&st.text, header, row),
                        doc: st.doc.as_ref().map(|d| substitute(d, header, row)),
                    })
                    .collect();
                out.push(Scenario {
                    id: format!("{base}:{n}"),
                    steps,
                });
            }
        }
    }
    out
}

fn feature_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            feature_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "feature") {
            out.push(p);
        }
    }
}

fn tck_dir() -> PathBuf {
    match std::env::var_os("KGRAPH_TCK_DIR") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/tck/features"),
    }
}

/// Checks that the canonical text is a fixed point and reads back equal.
fn roundtrip_problem(q: &Query) -> Option<String> {
    let printed = q.to_string();
    match Query::parse(&printed) {
        Ok(again) if again == *q && again.to_string() == printed => None,
        Ok(again) => Some(format!(
            "printed text reads back differently:\n    printed: {printed}\n    again:   {again}"
        )),
        Err(e) => Some(format!("printed text does not parse:\n    {printed}\n{e}")),
    }
}

#[test]
fn every_tck_query_parses_unless_it_is_a_syntax_error() {
    let dir = tck_dir();
    assert!(
        dir.is_dir(),
        "TCK features folder not found at {} (set KGRAPH_TCK_DIR to the features folder)",
        dir.display()
    );
    let mut files = Vec::new();
    feature_files(&dir, &mut files);
    assert!(!files.is_empty(), "no .feature files under {}", dir.display());

    let mut ok_queries = 0;
    let mut syntactic_rejected = 0;
    let mut semantic_parsed = 0;
    let mut semantic_rejected = 0;
    let mut semantic_rejected_list: Vec<String> = Vec::new();
    let mut failures: Vec<String> = Vec::new();
    let mut scenarios = 0;
    for path in &files {
        let text = fs::read_to_string(path).unwrap_or_default();
        let rel = path.strip_prefix(&dir).unwrap_or(path).display().to_string();
        for sc in read_feature(&text, &rel) {
            scenarios += 1;
            let expected_error = sc.steps.iter().find_map(|s| {
                s.text
                    .strip_prefix("a SyntaxError should be raised at compile time: ")
                    .map(str::trim)
                    .map(str::to_string)
            });
            for step in &sc.steps {
                let Some(doc) = &step.doc else { continue };
                let is_when = step.text.ends_with("executing query:");
                if !(is_when || step.text.ends_with("having executed:")) {
                    continue;
                }
                let result = Query::parse(doc);
                match (&expected_error, is_when, result) {
                    (Some(detail), true, result) => {
                        let syntactic = SYNTACTIC.contains(&detail.as_str());
                        match (syntactic, result) {
                            (true, Err(_)) => syntactic_rejected += 1,
                            (true, Ok(q)) => failures.push(format!(
                                "{}: expected a SyntaxError ({detail}) but it parsed as: {q}",
                                sc.id
                            )),
                            (false, Ok(_)) => semantic_parsed += 1,
                            (false, Err(e)) => {
                                semantic_rejected += 1;
                                semantic_rejected_list.push(format!("{} ({detail}): {}", sc.id, e.message()));
                            }
                        }
                    }
                    (_, _, Ok(q)) => {
                        ok_queries += 1;
                        if let Some(problem) = roundtrip_problem(&q) {
                            failures.push(format!("{}: {problem}", sc.id));
                        }
                    }
                    (_, _, Err(e)) => failures.push(format!("{}: does not parse:\n{doc}\n{e}", sc.id)),
                }
            }
        }
    }
    println!(
        "TCK corpus: {} files, {scenarios} scenarios; {ok_queries} queries parse and round-trip; \
         {syntactic_rejected} syntactic SyntaxError queries rejected; of the semantic SyntaxError \
         queries {semantic_parsed} parse (left to the planner) and {semantic_rejected} are rejected",
        files.len()
    );
    for r in &semantic_rejected_list {
        println!("  semantic SyntaxError already rejected by the parser: {r}");
    }
    for f in &failures {
        println!("FAIL {f}");
    }
    assert!(ok_queries > 500, "suspiciously few queries: {ok_queries}");
    assert!(
        failures.is_empty(),
        "{} TCK failures (listed above)",
        failures.len()
    );
}

#[test]
fn feature_reader_expands_outlines() {
    let text = "Feature: F\n  Background:\n    Given any graph\n  Scenario Outline: [1] S\n    When executing query:\n      \"\"\"\n      RETURN <x> AS v\n      \"\"\"\n    Then the result should be, in any order:\n      | v |\n    Examples:\n      | x |\n      | 1 |\n      | 'a\\|b' |\n";
    let scs = read_feature(text, "f.feature");
    let docs: Vec<String> = scs
        .iter()
        .flat_map(|s| s.steps.iter().filter_map(|st| st.doc.clone()))
        .collect();
    assert_eq!(docs, vec!["RETURN 1 AS v", "RETURN 'a|b' AS v"]);
    assert_eq!(scs.first().map(|s| s.steps.len()), Some(3));
    assert_eq!(scs.get(1).map(|s| s.id.as_str()), Some("f.feature:[1] S:2"));
}
