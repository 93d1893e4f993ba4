//! The name index: every spelling of a node's name -> the nodes that carry it.
//!
//! Architecture invariant: the index holds, for every live node, exactly the normalised forms
//! of its `name`, `name_zh` and `aliases` properties (strings, or strings inside a list), and
//! nothing else. Every mutation of those properties, of a node's existence, goes through
//! [`NameIndex::insert`] / [`NameIndex::remove`].

use indexmap::IndexMap;
use unicode_normalization::{IsNormalized, UnicodeNormalization};

use super::id::NodeId;
use super::value::Value;

/// The property keys whose values the name index covers.
pub(crate) const NAME_KEYS: [&str; 3] = ["name", "name_zh", "aliases"];

/// The normal form that the name index keys on: Unicode NFKC (which also maps full-width
/// Latin letters and digits to ASCII), Latin letters case-folded, white space removed, and
/// Chinese characters folded to one script: a traditional character, or a Taiwan or Hong Kong
/// variant, becomes the simplified character OpenCC's `t2s`, `tw2s` or `hk2s` tables convert
/// it to on its own (character by character, no phrase rules). So `輝瑞中國`, `辉瑞中国` and
/// `辉瑞 中国` are one key.
///
/// ```
/// use kgraph::normalize_name;
/// assert_eq!(normalize_name("Ｐｆｉｚｅｒ  China"), "pfizerchina");
/// assert_eq!(normalize_name("辉瑞 中国"), "辉瑞中国");
/// assert_eq!(normalize_name("輝瑞中國"), "辉瑞中国");
/// ```
pub fn normalize_name(text: &str) -> String {
    normalized(text).into_owned()
}

/// `normalize_name`, borrowing `text` when it is already normal: lower-case ASCII without
/// white space, CJK ideographs that fold to no other character, and Hangul, as most names are.
/// A name seek then allocates nothing and touches no table but a bit per ideograph.
pub(crate) fn normalized(text: &str) -> std::borrow::Cow<'_, str> {
    if text.is_ascii() {
        // ASCII is its own NFKC form: lower-cased and without white space (as
        // `char::is_whitespace` has it, vertical tab included), a byte at a time.
        let bytes = text.as_bytes();
        if !bytes.iter().any(|&b| b.is_ascii_uppercase() || ascii_space(b)) {
            return std::borrow::Cow::Borrowed(text);
        }
        let mut out = bytes.to_vec();
        out.retain(|&b| !ascii_space(b));
        out.make_ascii_lowercase();
        // ASCII in, ASCII out: this cannot fail, and checking ASCII is a word at a time.
        return std::borrow::Cow::Owned(String::from_utf8(out).unwrap_or_default());
    }
    if text.chars().all(|c| {
        if c.is_ascii() {
            !c.is_ascii_uppercase() && !ascii_space(c as u8)
        } else {
            is_stable_cjk(c) && !script::folds(c)
        }
    }) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    if text.chars().all(|c| c.is_ascii() || is_stable_cjk(c))
        || unicode_normalization::is_nfkc_quick(text.chars()) == IsNormalized::Yes
    {
        fold_into(text.chars(), &mut out);
    } else {
        fold_into(text.nfkc(), &mut out);
    }
    std::borrow::Cow::Owned(out)
}

/// `normalized`, folded into `buf` when `text` is ASCII that needs folding and fits: a name
/// seek then allocates nothing for the usual `Kacor Clinical Research` either.
pub(crate) fn normalized_in<'a>(text: &'a str, buf: &'a mut [u8; 64]) -> std::borrow::Cow<'a, str> {
    if text.is_ascii() && text.len() <= buf.len() {
        let mut n = 0;
        for &b in text.as_bytes() {
            if !ascii_space(b) {
                if let Some(slot) = buf.get_mut(n) {
                    *slot = b.to_ascii_lowercase();
                }
                n += 1;
            }
        }
        // ASCII in, ASCII out: this cannot fail.
        if let Ok(folded) = std::str::from_utf8(buf.get(..n).unwrap_or_default()) {
            return std::borrow::Cow::Borrowed(folded);
        }
    }
    normalized(text)
}

/// True for the ASCII bytes `char::is_whitespace` calls white space (vertical tab included,
/// which `u8::is_ascii_whitespace` leaves out).
fn ascii_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r')
}

/// Appends `chars` to `out`, case-folded, without white space.
fn fold_into(chars: impl Iterator<Item = char>, out: &mut String) {
    for c in chars {
        if c.is_ascii() {
            if !c.is_whitespace() {
                out.push(c.to_ascii_lowercase());
            }
        } else if is_caseless_cjk(c) {
            // Kana, CJK ideographs and Hangul have no case: only the script fold applies.
            out.push(script::fold(c));
        } else if !c.is_whitespace() {
            out.extend(c.to_lowercase());
        }
    }
}

/// The script fold: traditional and regional variant ideographs to simplified ones, from the
/// table `build.rs` generates out of OpenCC's character tables.
pub(crate) mod script {
    include!(concat!(env!("OUT_DIR"), "/script_fold.rs"));

    /// Whether `c` folds to another character: one bit test.
    #[inline]
    pub(crate) fn folds(c: char) -> bool {
        let u = c as u32;
        if !(FOLD_FIRST..=FOLD_LAST).contains(&u) {
            return false;
        }
        let i = (u - FOLD_FIRST) as usize;
        FOLDS.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    /// The character `c` folds to (itself when it is simplified, or not Chinese).
    #[inline]
    pub(crate) fn fold(c: char) -> char {
        if !folds(c) {
            return c;
        }
        FOLD_TABLE
            .binary_search_by_key(&c, |&(from, _)| from)
            .map_or(c, |i| FOLD_TABLE[i].1)
    }
}

/// CJK unified ideographs and Hangul syllables: characters that NFKC leaves alone and that
/// compose with nothing ASCII or in these blocks, so text made only of them and ASCII is
/// already in NFKC. Checked by range, the usual Chinese name never reaches the normalisation
/// tables, whose lookups are most of the cost of a name seek on a cold cache.
fn is_stable_cjk(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{AC00}'..='\u{D7A3}')
}

/// Hiragana, katakana, CJK ideographs and Hangul syllables: blocks with no case mapping and
/// no white space.
fn is_caseless_cjk(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30FF}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{AC00}'..='\u{D7AF}')
}

/// Normalised name -> the nodes carrying it (a short list; usually one node).
///
/// Hashed with foldhash, seeded per map: a seek hashes one short name, and SipHash was most
/// of the index's share of a point lookup.
#[derive(Clone, Debug, Default)]
pub(crate) struct NameIndex {
    map: IndexMap<Box<str>, Holders, foldhash::quality::RandomState>,
}

/// The nodes that carry one name: one, inline, or several.
#[derive(Clone, Debug)]
enum Holders {
    One(NodeId),
    Many(Vec<NodeId>),
}

impl Holders {
    fn as_slice(&self) -> &[NodeId] {
        match self {
            Holders::One(n) => std::slice::from_ref(n),
            Holders::Many(nodes) => nodes,
        }
    }

    /// Adds `node`, keeping the holders sorted by id: the order of a look-up is then a
    /// function of who holds the name, not of the order of past changes (a rolled-back
    /// transaction puts holders back in whatever order it undoes them).
    fn add(&mut self, node: NodeId) {
        match self {
            Holders::One(n) if *n == node => {}
            Holders::One(n) => *self = Holders::Many(if *n < node { vec![*n, node] } else { vec![node, *n] }),
            Holders::Many(nodes) => {
                if let Err(i) = nodes.binary_search(&node) {
                    nodes.insert(i, node);
                }
            }
        }
    }

    /// Takes `node` out; true if no node is left.
    fn remove(&mut self, node: NodeId) -> bool {
        match self {
            Holders::One(n) => *n == node,
            Holders::Many(nodes) => {
                nodes.retain(|n| *n != node);
                match nodes.as_slice() {
                    [] => true,
                    [one] => {
                        *self = Holders::One(*one);
                        false
                    }
                    _ => false,
                }
            }
        }
    }
}

pub(crate) fn names_in(value: &Value) -> impl Iterator<Item = &str> {
    let (one, list) = match value {
        Value::String(s) => (Some(&**s), &[][..]),
        Value::List(items) => (None, items.as_slice()),
        _ => (None, &[][..]),
    };
    one.into_iter().chain(list.iter().filter_map(Value::as_str))
}

impl NameIndex {
    /// Adds the names of one property value of `node`.
    pub(crate) fn insert(&mut self, node: NodeId, value: &Value) {
        for name in names_in(value) {
            let key = normalize_name(name);
            if key.is_empty() {
                continue;
            }
            match self.map.entry(key.into_boxed_str()) {
                indexmap::map::Entry::Occupied(mut e) => e.get_mut().add(node),
                indexmap::map::Entry::Vacant(e) => {
                    e.insert(Holders::One(node));
                }
            }
        }
    }

    /// Removes the names of one property value of `node`; a name the node still carries
    /// through another property is put back by the caller, which re-inserts the others.
    pub(crate) fn remove(&mut self, node: NodeId, value: &Value) {
        for name in names_in(value) {
            let key = normalize_name(name);
            if self
                .map
                .get_mut(key.as_str())
                .is_some_and(|nodes| nodes.remove(node))
            {
                self.map.swap_remove(key.as_str());
            }
        }
    }

    /// Reserves room for `additional` more names (bulk loading).
    pub(crate) fn reserve(&mut self, additional: usize) {
        self.map.reserve(additional);
    }

    /// The nodes that carry a name normalising to the same key as `name`.
    pub(crate) fn get(&self, name: &str) -> &[NodeId] {
        let mut buf = [0; 64];
        self.get_normalized(&normalized_in(name, &mut buf))
    }

    pub(crate) fn get_normalized(&self, key: &str) -> &[NodeId] {
        self.map.get(key).map_or(&[], Holders::as_slice)
    }

    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }

    pub(crate) fn entries(&self) -> impl Iterator<Item = (&str, &[NodeId])> {
        self.map.iter().map(|(k, v)| (&**k, v.as_slice()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_folds_width_case_and_space() {
        assert_eq!(normalize_name(" AstraZeneca "), "astrazeneca");
        assert_eq!(normalize_name("ＡＳＴＲＡ　ＺＥＮＥＣＡ"), "astrazeneca");
        assert_eq!(normalize_name("阿斯利康（中国）"), "阿斯利康(中国)");
        assert_eq!(normalize_name("ÉCOLE"), "école");
    }

    /// The definition: NFKC, then white space dropped, letters lower-cased and ideographs folded.
    fn reference(text: &str) -> String {
        let mut out = String::new();
        fold_into(text.nfkc(), &mut out);
        out
    }

    #[test]
    fn the_fast_paths_agree_with_the_definition() {
        let samples = [
            "AstraZeneca",
            " Pfizer\tChina\n",
            "a\u{b}b\u{1c}c",
            "阿斯利康 （中国）",
            "北京经开区",
            "ＡＳＴＲＡ　ＺＥＮＥＣＡ",
            "ﬁnance",
            "e\u{301}cole",
            "École",
            "x\u{85}y\u{a0}z",
            "Σίσυφος",
            "İstanbul",
            "",
        ];
        for s in samples {
            assert_eq!(normalize_name(s), reference(s), "{s:?}");
        }
        assert_eq!(normalize_name("a\u{b}b\u{1c}c"), "ab\u{1c}c");
    }

    #[test]
    fn the_fast_paths_agree_with_the_full_normalisation() {
        let slow = |t: &str| -> String {
            t.nfkc()
                .filter(|c| !c.is_whitespace())
                .flat_map(char::to_lowercase)
                .map(script::fold)
                .collect()
        };
        for t in [
            "Pfizer China",
            " AstraZeneca\t\u{0B}",
            "bench w4 node 3-417",
            "already-normal",
            "a\u{0C}b\rc\nD\u{1F}",
            "正医有限公司11673",
            "阿斯利康 （中国）",
            "ＡＢＣ　ｄｅｆ",
            "Ärzte Ωmega ÉCOLE",
            "ｶﾀｶﾅ かな 한국어",
            "か\u{3099}",
            "한\u{11A8}",
            "\u{F900}豈",
            "ﬁ ㍿ ①",
            "\u{3000}北京\u{00A0}亦庄",
        ] {
            assert_eq!(normalize_name(t), slow(t), "{t:?}");
            assert_eq!(normalized_in(t, &mut [0; 64]), slow(t), "{t:?}");
        }
    }

    #[test]
    fn traditional_and_regional_variants_fold_to_simplified() {
        assert_eq!(
            normalize_name("國家高性能醫療器械創新中心"),
            "国家高性能医疗器械创新中心"
        );
        assert_eq!(normalize_name("樂城先行區管理局"), "乐城先行区管理局");
        assert_eq!(normalize_name("邁瑞醫療"), "迈瑞医疗");
        assert_eq!(normalize_name("進博會"), "进博会");
        // Taiwan and Hong Kong variants (OpenCC's s2tw / s2hk spellings).
        assert_eq!(normalize_name("台灣"), normalize_name("臺灣"));
        assert_eq!(normalize_name("着"), normalize_name("著"));
        // Already simplified: borrowed, not copied.
        assert!(matches!(normalized("阿斯利康"), std::borrow::Cow::Borrowed(_)));
        assert!(matches!(normalized("輝瑞"), std::borrow::Cow::Owned(_)));
    }

    #[test]
    fn the_fold_is_idempotent_and_maps_into_non_folding_characters() {
        for &(from, to) in script::FOLD_TABLE.iter() {
            assert_ne!(from, to);
            assert!(!script::folds(to), "{from} -> {to} folds again");
            assert_eq!(script::fold(from), to);
        }
        assert!(script::FOLD_TABLE.len() > 2000, "{}", script::FOLD_TABLE.len());
    }

    #[test]
    fn insert_and_remove_keep_one_entry_per_node() {
        let mut idx = NameIndex::default();
        let n = NodeId::from_index(1);
        idx.insert(n, &Value::from("Pfizer"));
        idx.insert(n, &Value::from(vec!["辉瑞中国", "PFIZER"]));
        assert_eq!(idx.get("pfizer"), &[n]);
        assert_eq!(idx.get("辉瑞 中国"), &[n]);
        idx.remove(n, &Value::from("Pfizer"));
        assert!(idx.get("pfizer").is_empty());
        assert_eq!(idx.len(), 1);
    }
}
