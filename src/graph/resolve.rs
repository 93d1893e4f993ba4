//! Resolution: the nodes a text names, best first, with a score.
//!
//! Exact matches after normalisation (the name index's key: NFKC, case, white space, script)
//! score 1.0. Then the same with company suffixes taken off both sides ("Inc.", "Ltd",
//! "Corporation", "集团", "有限公司", "中国", ...) score 0.95. Then near misses: the edit
//! similarity (normalised Damerau-Levenshtein, `strsim`) of Latin names, and for Chinese names
//! the better of the similarity of the characters and of their pinyin (`pinyin`), so that a
//! homophone typed by a pinyin input method is found; a Latin text is also compared with the
//! pinyin of Chinese names. A near miss scores 0.9 × its similarity, and only similarities of
//! at least 0.7 count. A node's score is its best over all its names.

use std::collections::HashMap;

use pinyin::ToPinyin;

use super::id::NodeId;
use super::names::normalize_name;
use super::Graph;

/// Score of a match once suffixes such as "Inc." or "中国" are dropped from both sides.
const AFFIX_SCORE: f64 = 0.95;
/// Near misses score this times their similarity.
const NEAR_FACTOR: f64 = 0.9;
/// The least similarity that counts as a near miss.
const MIN_SIMILARITY: f64 = 0.7;

/// Suffixes dropped before comparing, on normalised keys (lower case, no white space).
const SUFFIXES: &[&str] = &[
    ",inc.",
    "inc.",
    ",inc",
    "inc",
    "co.,ltd.",
    "co.,ltd",
    "ltd.",
    "ltd",
    "limited",
    "corporation",
    "corp.",
    "corp",
    "company",
    "co.",
    "plc",
    "llc",
    "gmbh",
    "holdings",
    "group",
    "(china)",
    "china",
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "公司",
    "集团",
    "(中国)",
    "中国",
];

/// `key` without trailing suffixes of [`SUFFIXES`] (repeatedly), keeping at least two
/// characters.
fn strip_suffixes(key: &str) -> &str {
    let mut k = key.trim_end_matches(['.', ',']);
    'again: loop {
        for s in SUFFIXES {
            if let Some(rest) = k.strip_suffix(s) {
                let rest = rest.trim_end_matches(['.', ',', '-', '&']);
                if rest.chars().count() >= 2 {
                    k = rest;
                    continue 'again;
                }
            }
        }
        return k;
    }
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{20000}'..='\u{2FFFF}')
}

/// The pinyin of `text` without tones, other characters kept as they are.
fn pinyin_of(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for (c, p) in text.chars().zip(text.to_pinyin()) {
        match p {
            Some(p) => out.push_str(p.plain()),
            None => out.push(c),
        }
    }
    out
}

/// `strsim::normalized_damerau_levenshtein(a, b)` where it can reach [`MIN_SIMILARITY`], else
/// 0.0. The distance is at least the difference of the lengths, so texts whose lengths differ
/// by more than 30% of the longer one cannot be near misses: they are not compared, which keeps
/// a long text (the comparison's time and memory grow with the product of the lengths) as
/// cheap as the look-up of its normalised key.
fn similar(a: &str, b: &str) -> f64 {
    let (m, n) = (a.chars().count(), b.chars().count());
    if (m.abs_diff(n) as f64) > (1.0 - MIN_SIMILARITY) * m.max(n) as f64 {
        return 0.0;
    }
    strsim::normalized_damerau_levenshtein(a, b)
}

/// A text prepared for comparison.
struct Probe<'a> {
    core: &'a str,
    han: bool,
    pinyin: String,
}

impl<'a> Probe<'a> {
    fn new(core: &'a str) -> Probe<'a> {
        let han = core.chars().any(is_han);
        let pinyin = if han { pinyin_of(core) } else { String::new() };
        Probe { core, han, pinyin }
    }

    /// How alike the probe and a name's stripped key are, from 0 to 1.
    fn similarity(&self, key: &str) -> f64 {
        let key_han = key.chars().any(is_han);
        let (a, b) = (self.core.chars().count(), key.chars().count());
        match (self.han, key_han) {
            (true, true) => {
                let chars = if a.abs_diff(b) * 3 > a.max(b) {
                    0.0
                } else {
                    similar(self.core, key)
                };
                let sound = similar(&self.pinyin, &pinyin_of(key));
                chars.max(sound)
            }
            (false, false) => {
                if a.abs_diff(b) * 4 > a.max(b) {
                    return 0.0;
                }
                similar(self.core, key)
            }
            (false, true) => similar(self.core, &pinyin_of(key)),
            (true, false) => 0.0,
        }
    }
}

impl Graph {
    /// The nodes that `text` names, best first, at most `limit`, each with a score in (0, 1]:
    /// 1.0 for a name, Chinese name or alias equal to `text` once normalised (case, width,
    /// white space and script do not matter: see [`normalize_name`](crate::normalize_name)),
    /// 0.95 when they are equal once suffixes such as "Inc." or "中国" are dropped, and less
    /// for near misses (a letter dropped or swapped, a Chinese name that sounds the same).
    /// Equal scores come in node-id order. `MATCH (n {name: ...})` stays exact: this is the way
    /// in for a name as a person types it.
    ///
    /// ```
    /// let g = kgraph::Graph::ecosystem()?;
    /// let pfizer = g.resolve("Pfizer")?;
    /// for typed in ["輝瑞", "Pfizer Inc.", "pfzer"] {
    ///     assert_eq!(g.resolve_ranked(typed, 3).first().map(|m| m.0), Some(pfizer), "{typed}");
    /// }
    /// # Ok::<_, kgraph::Error>(())
    /// ```
    pub fn resolve_ranked(&self, text: &str, limit: usize) -> Vec<(NodeId, f64)> {
        let key = normalize_name(text);
        if key.is_empty() || limit == 0 {
            return Vec::new();
        }
        let mut best: HashMap<NodeId, f64> = HashMap::new();
        let mut bump = |holders: &[NodeId], score: f64| {
            for &n in holders {
                let s = best.entry(n).or_insert(0.0);
                if score > *s {
                    *s = score;
                }
            }
        };
        let exact = self.names.get_normalized(&key);
        if exact.len() >= limit {
            // Nothing can outrank an exact match: the near misses need not be scored.
            return exact.iter().take(limit).map(|&n| (n, 1.0)).collect();
        }
        bump(exact, 1.0);
        let probe = Probe::new(strip_suffixes(&key));
        for (name, holders) in self.names.entries() {
            if name == key {
                continue;
            }
            let core = strip_suffixes(name);
            let score = if core == probe.core {
                AFFIX_SCORE
            } else {
                let sim = probe.similarity(core);
                if sim < MIN_SIMILARITY {
                    continue;
                }
                NEAR_FACTOR * sim
            };
            bump(holders, score);
        }
        let mut ranked: Vec<(NodeId, f64)> = best.into_iter().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.truncate(limit);
        ranked
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes_come_off_repeatedly_but_never_the_whole_name() {
        assert_eq!(strip_suffixes("pfizerinc."), "pfizer");
        assert_eq!(strip_suffixes("danahercorporation"), "danaher");
        assert_eq!(strip_suffixes("迈瑞医疗中国"), "迈瑞医疗");
        assert_eq!(strip_suffixes("国药控股股份有限公司"), "国药控股");
        assert_eq!(strip_suffixes("sinopharmgroupco.,ltd."), "sinopharm");
        assert_eq!(strip_suffixes("中国"), "中国");
        assert_eq!(strip_suffixes("inc"), "inc");
    }

    #[test]
    fn texts_of_far_apart_lengths_are_not_compared() {
        let long = "x".repeat(10_000);
        assert!(strsim::normalized_damerau_levenshtein(&long, "exxon") > 0.0);
        assert_eq!(similar(&long, "exxon"), 0.0);
        // Within reach, the similarity is strsim's.
        assert_eq!(
            similar("pfzer", "pfizer"),
            strsim::normalized_damerau_levenshtein("pfzer", "pfizer")
        );
        // 7 of 10 characters equal is the least a near miss needs: still compared.
        assert_eq!(similar("abcdefg", "abcdefghij"), 0.7);
    }

    #[test]
    fn pinyin_and_similarity() {
        assert_eq!(pinyin_of("辉瑞"), "huirui");
        let p = Probe::new("惠瑞");
        assert!(p.similarity("辉瑞") >= 0.99);
        let p = Probe::new("pfzer");
        assert!(p.similarity("pfizer") > 0.8);
        assert_eq!(
            Probe::new("pfizer").similarity("辉瑞"),
            strsim::normalized_damerau_levenshtein("pfizer", "huirui")
        );
    }
}
