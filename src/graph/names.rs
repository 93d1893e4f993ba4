//! The name index: every spelling of a node's name -> the nodes that carry it.
//!
//! Architecture invariant: the index holds, for every live node, exactly the normalised forms
//! of its `name`, `name_zh` and `aliases` properties (strings, or strings inside a list), and
//! nothing else. Every mutation of those properties, of a node's existence, goes through
//! [`NameIndex::insert`] / [`NameIndex::remove`].

use indexmap::IndexMap;
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

use super::id::NodeId;
use super::value::Value;

/// The property keys whose values the name index covers.
pub(crate) const NAME_KEYS: [&str; 3] = ["name", "name_zh", "aliases"];

/// The normal form that the name index keys on: Unicode NFKC (which also maps full-width
/// Latin letters and digits to ASCII), Latin letters case-folded, white space removed.
///
/// ```
/// use kgraph::normalize_name;
/// assert_eq!(normalize_name("Ｐｆｉｚｅｒ  China"), "pfizerchina");
/// assert_eq!(normalize_name("辉瑞 中国"), "辉瑞中国");
/// ```
pub fn normalize_name(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    if text.is_ascii() {
        // ASCII is its own NFKC form; skip the normaliser's per-character table lookups.
        out.extend(
            text.bytes()
                .filter(|b| !matches!(b, b'\t'..=b'\r' | b' '))
                .map(|b| char::from(b.to_ascii_lowercase())),
        );
    } else if is_nfkc_quick(text.chars()) == IsNormalized::Yes {
        // Already normal (most CJK names): the normaliser would yield the same characters.
        fold_into(text.chars(), &mut out);
    } else {
        fold_into(text.nfkc(), &mut out);
    }
    out
}

/// Case-folds `chars` into `out`, dropping white space.
fn fold_into(chars: impl Iterator<Item = char>, out: &mut String) {
    for c in chars {
        if c.is_whitespace() {
            continue;
        }
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            out.extend(c.to_lowercase());
        }
    }
}

/// Normalised name -> the nodes carrying it (a short list; usually one node).
#[derive(Clone, Debug, Default)]
pub(crate) struct NameIndex {
    map: IndexMap<Box<str>, Vec<NodeId>>,
}

fn names_in(value: &Value) -> impl Iterator<Item = &str> {
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
            let nodes = self.map.entry(key.into_boxed_str()).or_default();
            if !nodes.contains(&node) {
                nodes.push(node);
            }
        }
    }

    /// Removes the names of one property value of `node`; a name the node still carries
    /// through another property is put back by the caller, which re-inserts the others.
    pub(crate) fn remove(&mut self, node: NodeId, value: &Value) {
        for name in names_in(value) {
            let key = normalize_name(name);
            if let Some(nodes) = self.map.get_mut(key.as_str()) {
                nodes.retain(|n| *n != node);
                if nodes.is_empty() {
                    self.map.swap_remove(key.as_str());
                }
            }
        }
    }

    /// Reserves room for `additional` more names (bulk loading).
    pub(crate) fn reserve(&mut self, additional: usize) {
        self.map.reserve(additional);
    }

    /// The nodes that carry a name normalising to the same key as `name`.
    pub(crate) fn get(&self, name: &str) -> &[NodeId] {
        self.get_normalized(&normalize_name(name))
    }

    pub(crate) fn get_normalized(&self, key: &str) -> &[NodeId] {
        self.map.get(key).map_or(&[], Vec::as_slice)
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

    /// The definition: NFKC, then white space dropped and letters lower-cased.
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
