//! The snapshot codec: the only module that touches bincode, and the only one that knows the
//! byte layout of a snapshot (documented in `docs/snapshot-format.md`). This file holds the
//! header, the version-1 decoder (serde and bincode) and the checks both versions share;
//! `codec/v2.rs` writes and reads the current payload.
//!
//! Architecture invariants:
//! - Every integer of the header has a fixed width and is little-endian; nothing in the file
//!   depends on the width of `usize`.
//! - `decode` trusts nothing: it checks the magic number, the version, the header checksum,
//!   the length and the payload checksum before decoding, decodes without letting a length
//!   read from the file reserve more than the payload justifies (version 1: bincode's
//!   allocation limit; version 2: every length checked against the bytes left), and validates
//!   the decoded graph (symbol ids in range, sorted unique labels and keys, live endpoints,
//!   increasing ids, string numbers in the table) before building it.
//! - Every version ever written stays readable (`tests/data/v*.kgs`).

use std::cell::RefCell;
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use bincode::config::{self, Config};
use bincode::error::DecodeError;
use serde::de::{self, DeserializeSeed, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor};
use serde::{Deserialize, Deserializer};
use xxhash_rust::xxh3::{xxh3_64, Xxh3};

use super::error::SnapshotError;
use super::strings::StringPool;
use crate::graph::bulk::{IndexedNodes, Items, RelBlock, RelHead};
use crate::graph::intern::Interner;
use crate::graph::{Graph, KeyId, LabelId, NodeData, Props, Symbols, TypeId, Value};
use crate::Date;

/// The first eight bytes of every snapshot, PNG-style: a high-bit byte (so a 7-bit channel
/// shows damage), the letters `KGS`, a DOS line end, a DOS end-of-file and a Unix line end
/// (so a text-mode transfer shows damage).
pub(crate) const MAGIC: [u8; 8] = *b"\x89KGS\r\n\x1a\n";
mod v2;

/// The newest format version this build writes and reads (it reads every older one too).
pub(crate) const FORMAT_VERSION: u32 = 2;
/// Flag bit 0 (version 2): the payload ends with the schema section (the property indexes and
/// the constraints' custom names). A graph without either is written without it, so that
/// such files stay byte for byte what earlier builds wrote and read.
pub(crate) const FLAG_SCHEMA: u32 = 1;
/// The length of the header (the same in every version so far).
pub(crate) const HEADER_LEN: usize = 40;
/// Header flag (version 2): names are unique graph-wide (`Graph::require_unique_names`). A
/// reader that does not know a flag refuses the file, so an older build cannot drop the rule.
const FLAG_UNIQUE_NAMES: u32 = 2;
/// Lists and maps nested deeper than this are refused on save and on open, so decoding a
/// crafted file cannot overflow the stack.
pub(crate) const MAX_VALUE_DEPTH: usize = 128;

/// A whole snapshot, ready to be written: the header, then the payload, in parts (written one
/// after the other; the payload is their concatenation, which is never built).
pub(crate) struct Encoded {
    pub(crate) header: [u8; HEADER_LEN],
    pub(crate) payload: Vec<Vec<u8>>,
}

/// Encodes the graph; the error says what the format cannot hold.
pub(crate) fn encode(graph: &Graph) -> Result<Encoded, String> {
    let schema = v2::has_schema_section(graph);
    let payload = v2::encode_payload(graph, schema)?;
    let len: usize = payload.iter().map(Vec::len).sum();
    let mut sum = Xxh3::with_seed(0);
    for part in &payload {
        sum.update(part);
    }
    let mut header = [0u8; HEADER_LEN];
    header[0..8].copy_from_slice(&MAGIC);
    header[8..12].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    let mut flags = if schema { FLAG_SCHEMA } else { 0 };
    if graph.unique_names() {
        flags |= FLAG_UNIQUE_NAMES;
    }
    header[12..16].copy_from_slice(&flags.to_le_bytes());
    header[16..24].copy_from_slice(&(len as u64).to_le_bytes());
    header[24..32].copy_from_slice(&sum.digest().to_le_bytes());
    let header_sum = xxh3_64(&header[0..32]);
    header[32..40].copy_from_slice(&header_sum.to_le_bytes());
    Ok(Encoded { header, payload })
}

fn le_u32(bytes: &[u8], at: usize) -> u32 {
    let mut b = [0u8; 4];
    if let Some(s) = bytes.get(at..at + 4) {
        b.copy_from_slice(s);
    }
    u32::from_le_bytes(b)
}

fn le_u64(bytes: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    if let Some(s) = bytes.get(at..at + 8) {
        b.copy_from_slice(s);
    }
    u64::from_le_bytes(b)
}

/// Checks and decodes a whole snapshot file's bytes.
pub(crate) fn decode(path: &Path, bytes: &[u8]) -> Result<Graph, SnapshotError> {
    super::progress::report(super::progress::ProgressStage::Decode, 0, 0);
    let actual = bytes.len() as u64;
    if bytes.is_empty() {
        return Err(SnapshotError::Empty {
            path: path.to_owned(),
        });
    }
    let prefix = &bytes[..bytes.len().min(MAGIC.len())];
    if prefix != &MAGIC[..prefix.len()] {
        return Err(SnapshotError::NotASnapshot {
            path: path.to_owned(),
        });
    }
    // The magic number and the version are the only fields every future version keeps.
    if bytes.len() < 12 {
        return Err(SnapshotError::Truncated {
            path: path.to_owned(),
            expected: HEADER_LEN as u64,
            actual,
        });
    }
    let version = le_u32(bytes, 8);
    if version > FORMAT_VERSION {
        return Err(SnapshotError::FutureVersion {
            path: path.to_owned(),
            version,
            supported: FORMAT_VERSION,
        });
    }
    if version == 0 {
        return Err(SnapshotError::corrupt(path, "format version 0 does not exist"));
    }
    if bytes.len() < HEADER_LEN {
        return Err(SnapshotError::Truncated {
            path: path.to_owned(),
            expected: HEADER_LEN as u64,
            actual,
        });
    }
    let header_sum = xxh3_64(&bytes[0..32]);
    let stored_header_sum = le_u64(bytes, 32);
    if header_sum != stored_header_sum {
        return Err(SnapshotError::ChecksumMismatch {
            path: path.to_owned(),
            region: "header",
            expected: stored_header_sum,
            actual: header_sum,
        });
    }
    let flags = le_u32(bytes, 12);
    if flags != 0 && !(version == 2 && flags & !(FLAG_SCHEMA | FLAG_UNIQUE_NAMES) == 0) {
        return Err(SnapshotError::UnknownFlags {
            path: path.to_owned(),
            flags,
        });
    }
    let payload_len = le_u64(bytes, 16);
    let expected = payload_len
        .checked_add(HEADER_LEN as u64)
        .ok_or_else(|| SnapshotError::corrupt(path, "the payload length overflows"))?;
    if actual < expected {
        return Err(SnapshotError::Truncated {
            path: path.to_owned(),
            expected,
            actual,
        });
    }
    if actual > expected {
        return Err(SnapshotError::LengthMismatch {
            path: path.to_owned(),
            expected,
            actual,
        });
    }
    let payload = &bytes[HEADER_LEN..];
    let stored_sum = le_u64(bytes, 24);
    let sum = xxh3_64(payload);
    if sum != stored_sum {
        return Err(SnapshotError::ChecksumMismatch {
            path: path.to_owned(),
            region: "payload",
            expected: stored_sum,
            actual: sum,
        });
    }
    if version >= 2 {
        let mut graph = v2::decode_payload(payload, flags & FLAG_SCHEMA != 0)
            .map_err(|reason| SnapshotError::corrupt(path, reason))?;
        if flags & FLAG_UNIQUE_NAMES != 0 {
            // Checked when the flag was set and kept by every change since; the name index is
            // rebuilt from the nodes, so check again rather than trust the file.
            graph
                .require_unique_names()
                .map_err(|e| SnapshotError::corrupt(path, format!("names are not unique: {e}")))?;
        }
        return Ok(graph);
    }
    let decoded = decode_payload(payload)
        .map_err(|e| SnapshotError::corrupt(path, format!("cannot decode the payload: {e}")))?;
    build(decoded).map_err(|reason| SnapshotError::corrupt(path, reason))
}

/// Decodes under an allocation limit of at least eight times the payload length (bincode
/// claims at most eight bytes per byte read: a one-byte varint claims the width of its type),
/// rounded up to a power of sixteen so that only a few limits are compiled in.
fn decode_payload(payload: &[u8]) -> Result<PayloadIn, DecodeError> {
    let need = (payload.len() as u64).saturating_mul(8).saturating_add(4096);
    macro_rules! limited {
        ($($bits:literal)*) => {
            $(
                if need <= (1u64 << $bits) {
                    return decode_limited::<{ 1usize << $bits }>(payload);
                }
            )*
        };
    }
    limited!(16 20 24 28);
    #[cfg(target_pointer_width = "64")]
    limited!(32 36 40 44);
    Err(DecodeError::LimitExceeded)
}

fn decode_limited<const LIMIT: usize>(payload: &[u8]) -> Result<PayloadIn, DecodeError> {
    let cfg = config::standard().with_limit::<LIMIT>();
    decode_with(payload, cfg)
}

fn decode_with<C: Config>(payload: &[u8], cfg: C) -> Result<PayloadIn, DecodeError> {
    RECENT.with(|r| r.borrow_mut().clear());
    let _clear = ClearRecent;
    let (decoded, used) = bincode::serde::borrow_decode_from_slice::<PayloadIn, C>(payload, cfg)?;
    if used != payload.len() {
        return Err(DecodeError::OtherString(format!(
            "{} bytes left over after the payload",
            payload.len() - used
        )));
    }
    Ok(decoded)
}

// ---- the version-1 decoder -----------------------------------------------------------------
//
// Version 1 is no longer written; its files are decoded through serde and bincode, into
// intermediate structures checked by `build`.

/// The enum of a version-1 value. Tags: 0 null, 1 bool, 2 int, 3 float, 4 string, 5 date,
/// 6 list, 7 map.
const VALUE: &str = "Value";
const VARIANTS: &[&str] = &["Null", "Bool", "Int", "Float", "String", "Date", "List", "Map"];

fn too_deep() -> String {
    format!("a list or map is nested more than {MAX_VALUE_DEPTH} levels deep")
}

#[derive(Deserialize)]
struct PayloadIn {
    labels: Vec<String>,
    types: Vec<String>,
    keys: Vec<String>,
    nodes: Vec<NodeIn>,
    rels: Vec<RelIn>,
    constraints: Vec<(u32, u32)>,
}

#[derive(Deserialize)]
struct NodeIn {
    id: u32,
    labels: Vec<u32>,
    props: Vec<PropIn>,
}

#[derive(Deserialize)]
struct RelIn {
    id: u32,
    start: u32,
    end: u32,
    ty: u32,
    props: Vec<PropIn>,
}

/// One property: key id, value.
struct PropIn(u32, Value);

impl<'de> Deserialize<'de> for PropIn {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<PropIn, D::Error> {
        d.deserialize_tuple(2, PropVisitor)
    }
}

struct PropVisitor;

impl<'de> Visitor<'de> for PropVisitor {
    type Value = PropIn;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a property: key id and value")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<PropIn, A::Error> {
        let key: u32 = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        let seed = ValueSeed {
            depth: 0,
            key: Some(key),
        };
        let value = seq
            .next_element_seed(seed)?
            .ok_or_else(|| de::Error::invalid_length(1, &self))?;
        Ok(PropIn(key, value))
    }
}

/// Property strings are shared per key for the first this many keys (see `RECENT`).
const SHARED_KEYS: usize = 1024;

thread_local! {
    /// The recent string values of each property key during one decode: a snapshot repeats
    /// values as import data does, and sharing them keeps an opened graph as small as the
    /// imported one (and saves the allocations). Cleared before and after every decode.
    static RECENT: RefCell<Vec<StringPool>> = const { RefCell::new(Vec::new()) };
}

/// Clears `RECENT` when dropped, so no string outlives its decode in the cache.
struct ClearRecent;

impl Drop for ClearRecent {
    fn drop(&mut self) {
        RECENT.with(|r| r.borrow_mut().clear());
    }
}

#[derive(Clone, Copy)]
struct ValueSeed {
    depth: usize,
    /// The property key, for a top-level property value.
    key: Option<u32>,
}

impl<'de> DeserializeSeed<'de> for ValueSeed {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_enum(VALUE, VARIANTS, self)
    }
}

impl<'de> Visitor<'de> for ValueSeed {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a stored property value")
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        let (tag, variant) = data.variant::<u32>()?;
        let nested = || {
            if self.depth >= MAX_VALUE_DEPTH {
                Err(de::Error::custom(too_deep()))
            } else {
                Ok(self.depth + 1)
            }
        };
        Ok(match tag {
            0 => {
                variant.unit_variant()?;
                Value::Null
            }
            1 => Value::Bool(variant.newtype_variant()?),
            2 => Value::Int(variant.newtype_variant()?),
            3 => Value::Float(variant.newtype_variant()?),
            4 => Value::String(variant.newtype_variant_seed(StrSeed { key: self.key })?),
            5 => {
                // Version 1 was written when dates ran from -9999 to 9999.
                let days: i32 = variant.newtype_variant()?;
                let lo = Date::from_ymd(-9999, 1, 1).map_or(i64::MIN, Date::days);
                let hi = Date::from_ymd(9999, 12, 31).map_or(i64::MAX, Date::days);
                match Date::from_days(i64::from(days)) {
                    Ok(d) if (lo..=hi).contains(&d.days()) => Value::Date(d),
                    _ => {
                        return Err(de::Error::custom(format!(
                            "date {days} days from 1970 is out of range"
                        )))
                    }
                }
            }
            6 => Value::List(variant.newtype_variant_seed(ListSeed { depth: nested()? })?),
            7 => Value::from(variant.newtype_variant_seed(MapSeed { depth: nested()? })?),
            other => return Err(de::Error::custom(format!("unknown value tag {other}"))),
        })
    }
}

struct StrSeed {
    key: Option<u32>,
}

impl<'de> DeserializeSeed<'de> for StrSeed {
    type Value = Arc<str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Arc<str>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for StrSeed {
    type Value = Arc<str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Arc<str>, E> {
        match self.key.map(|k| k as usize) {
            Some(k) if k < SHARED_KEYS => Ok(RECENT.with(|r| {
                let mut recent = r.borrow_mut();
                if recent.len() <= k {
                    recent.resize_with(k + 1, StringPool::default);
                }
                match recent.get_mut(k) {
                    Some(cache) => cache.get(v),
                    None => Arc::from(v),
                }
            })),
            _ => Ok(Arc::from(v)),
        }
    }
}

/// At most this many elements are reserved ahead from a length read from the file; longer
/// lists grow as their elements arrive, so a damaged length cannot reserve gigabytes.
const RESERVE_CAP: usize = 4096;

struct ListSeed {
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for ListSeed {
    type Value = Vec<Value>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<Value>, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ListSeed {
    type Value = Vec<Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of values")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Value>, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(RESERVE_CAP));
        while let Some(v) = seq.next_element_seed(ValueSeed {
            depth: self.depth,
            key: None,
        })? {
            out.push(v);
        }
        Ok(out)
    }
}

struct MapSeed {
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for MapSeed {
    type Value = std::collections::BTreeMap<String, Value>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for MapSeed {
    type Value = std::collections::BTreeMap<String, Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map of values")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = std::collections::BTreeMap::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.last_key_value().is_some_and(|(last, _)| *last >= key) {
                return Err(de::Error::custom("map keys are not in increasing order"));
            }
            let v = map.next_value_seed(ValueSeed {
                depth: self.depth,
                key: None,
            })?;
            out.insert(key, v);
        }
        Ok(out)
    }
}

// ---- building ----------------------------------------------------------------------------

pub(super) fn interner(names: Vec<String>, what: &str) -> Result<Interner, String> {
    let mut interner = Interner::default();
    for (i, name) in names.iter().enumerate() {
        if name.is_empty() {
            return Err(format!("{what} {i} is empty"));
        }
        if interner.intern(name) as usize != i {
            return Err(format!("{what} '{name}' is listed twice"));
        }
    }
    Ok(interner)
}

fn props(raw: Vec<PropIn>, keys: usize, item: &dyn fmt::Display) -> Result<Props, String> {
    let mut last: Option<u32> = None;
    for PropIn(k, v) in &raw {
        if *k as usize >= keys {
            return Err(format!(
                "{item} has property key {k}, but only {keys} keys are interned"
            ));
        }
        if last.is_some_and(|l| l >= *k) {
            return Err(format!("the property keys of {item} are not sorted and unique"));
        }
        if v.is_null() {
            return Err(format!("{item} has a null property"));
        }
        last = Some(*k);
    }
    Ok(Props::from_sorted(
        raw.into_iter().map(|PropIn(k, v)| (KeyId(k), v)).collect(),
    ))
}

struct Named(&'static str, u32);

impl fmt::Display for Named {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.0, self.1)
    }
}

/// Checks the decoded payload and builds the graph, with the ids of the file.
fn build(p: PayloadIn) -> Result<Graph, String> {
    let symbols = Symbols::new(
        interner(p.labels, "label")?,
        interner(p.types, "relationship type")?,
        interner(p.keys, "property key")?,
    );
    let (n_labels, n_types, n_keys) = (symbols.labels.len(), symbols.types.len(), symbols.keys.len());

    // Ids must increase strictly: that rules out duplicates, and gives the slot count.
    let mut last: Option<u32> = None;
    for n in &p.nodes {
        if last.is_some_and(|l| l >= n.id) {
            return Err(format!(
                "node ids are not increasing at node {} (duplicate or out of order)",
                n.id
            ));
        }
        last = Some(n.id);
    }
    let node_slots = last.map_or(0, |l| l as usize + 1);
    let mut last: Option<u32> = None;
    for r in &p.rels {
        if last.is_some_and(|l| l >= r.id) {
            return Err(format!(
                "relationship ids are not increasing at relationship {} (duplicate or out of order)",
                r.id
            ));
        }
        last = Some(r.id);
    }
    let rel_slots = last.map_or(0, |l| l as usize + 1);
    check_slots(node_slots, rel_slots)?;
    let mut live = vec![false; node_slots];

    let mut nodes = Vec::with_capacity(p.nodes.len());
    for n in p.nodes {
        let item = Named("node", n.id);
        let mut prev: Option<u32> = None;
        for l in &n.labels {
            if *l as usize >= n_labels {
                return Err(format!(
                    "{item} has label {l}, but only {n_labels} labels are interned"
                ));
            }
            if prev.is_some_and(|p| p >= *l) {
                return Err(format!("the labels of {item} are not sorted and unique"));
            }
            prev = Some(*l);
        }
        if let Some(slot) = live.get_mut(n.id as usize) {
            *slot = true;
        }
        let labels = n.labels.into_iter().map(LabelId).collect();
        let props = props(n.props, n_keys, &item)?;
        nodes.push((n.id, NodeData { labels, props }));
    }
    let mut rels = RelBlock {
        heads: Vec::with_capacity(p.rels.len()),
        props: Vec::with_capacity(p.rels.len()),
    };
    for r in p.rels {
        let item = Named("relationship", r.id);
        if r.ty as usize >= n_types {
            return Err(format!(
                "{item} has type {}, but only {n_types} types are interned",
                r.ty
            ));
        }
        for end in [r.start, r.end] {
            if !live.get(end as usize).copied().unwrap_or(false) {
                return Err(format!("{item} has endpoint {end}, which is not a node"));
            }
        }
        rels.props.push(props(r.props, n_keys, &item)?);
        rels.heads.push(RelHead {
            id: r.id,
            start: r.start,
            end: r.end,
            ty: TypeId(r.ty),
        });
    }
    let constraints = constraints(p.constraints, n_labels, n_keys)?;
    let nodes = IndexedNodes::new(nodes, &symbols, constraints).map_err(|e| e.to_string())?;
    let items = Items {
        nodes,
        rels: vec![rels],
        rel_slots,
    };
    assemble(symbols, items)
}

/// Checks that the slots for the ids fit the index range and can be allocated.
pub(super) fn check_slots(node_slots: usize, rel_slots: usize) -> Result<(), String> {
    // u32::MAX is petgraph's "no index"; a real graph never reaches it.
    if node_slots > u32::MAX as usize || rel_slots > u32::MAX as usize {
        return Err("an id is out of the index range".into());
    }
    // The live graph held these slots, so a genuine file's slots fit in memory; a damaged or
    // crafted id must not abort the process on allocation.
    let mut probe: Vec<[u64; 4]> = Vec::new();
    if probe
        .try_reserve_exact(node_slots.saturating_add(rel_slots))
        .is_err()
    {
        return Err(format!(
            "{node_slots} node slots and {rel_slots} relationship slots cannot be allocated"
        ));
    }
    Ok(())
}

/// Checks the unique constraints (label, key) against the symbol counts.
pub(super) fn constraints(
    raw: Vec<(u32, u32)>,
    n_labels: usize,
    n_keys: usize,
) -> Result<Vec<(LabelId, KeyId)>, String> {
    let mut constraints = Vec::with_capacity(raw.len().min(RESERVE_CAP));
    for (l, k) in raw {
        if l as usize >= n_labels || k as usize >= n_keys {
            return Err(format!(
                "a unique constraint names label {l} and key {k}, out of range"
            ));
        }
        let pair = (LabelId(l), KeyId(k));
        if constraints.contains(&pair) {
            return Err(format!(
                "the unique constraint on label {l} and key {k} is listed twice"
            ));
        }
        constraints.push(pair);
    }
    Ok(constraints)
}

/// Builds the graph from validated items (ids increasing, symbols in range, endpoints live).
pub(super) fn assemble(symbols: Symbols, items: Items) -> Result<Graph, String> {
    Graph::from_items(items, symbols).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_is_forty_bytes_of_fixed_width_fields() {
        let g = Graph::new();
        let enc = encode(&g).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(&enc.header[0..8], &MAGIC);
        assert_eq!(le_u32(&enc.header, 8), FORMAT_VERSION);
        assert_eq!(le_u32(&enc.header, 12), 0);
        let payload = enc.payload.concat();
        assert_eq!(le_u64(&enc.header, 16), payload.len() as u64);
        assert_eq!(le_u64(&enc.header, 24), xxh3_64(&payload));
        let mut bytes = enc.header.to_vec();
        bytes.extend_from_slice(&payload);
        let back = decode(Path::new("x"), &bytes).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back.node_count(), 0);
    }

    #[test]
    fn deep_values_are_refused_on_save() {
        let mut v = Value::Int(1);
        for _ in 0..=MAX_VALUE_DEPTH {
            v = Value::List(vec![v]);
        }
        let mut g = Graph::new();
        // The graph API refuses such a value (`GraphError::ValueTooDeep`); set it past the
        // check, as a bug could, to see the encoder refuse it too.
        let n = g.add_node(&["A"], [("x", 1)]).unwrap_or_else(|e| panic!("{e}"));
        let key = g.symbols.key("deep");
        assert!(g.set_node_prop_by_key(n, key, v).is_ok());
        assert!(encode(&g).is_err());
    }
}
