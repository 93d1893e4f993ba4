//! The payload of format version 2: version 1's layout plus a table of the distinct string
//! values, which property strings refer to by number (see `docs/snapshot-format.md`).
//!
//! Bulk data repeats string values (a source document on thousands of relationships): the table
//! stores each once, so the file is smaller and an opened graph shares one `Arc<str>` per
//! distinct value, as an imported one does, with one allocation per distinct value instead of
//! one per occurrence.
//!
//! The primitives are bincode 2's standard encoding, as in version 1 (variable-length integers,
//! zig-zag for signed ones, length-prefixed strings and sequences); they are written and read
//! here by hand, in one pass over a byte slice and straight into the graph's own types, because
//! going through serde's visitors and intermediate structures was most of the time of an open.
//!
//! Architecture invariant: the decoder trusts nothing. Every length is checked against the
//! bytes left before anything is allocated for it (an element takes at least one byte), every
//! id and symbol number is checked as version 1's are, and any inconsistency is an error, never
//! a panic.

use std::collections::BTreeMap;
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use super::{assemble, check_slots, constraints, interner, too_deep, MAX_VALUE_DEPTH};
use crate::graph::bulk::{IndexedNodes, Items, RelBlock, RelHead};
use crate::graph::temporal::zone::Zone;
use crate::graph::{Graph, KeyId, LabelId, NodeData, Props, Symbols, TypeId, Value};
use crate::{Date, DateTime, Duration, LocalDateTime, LocalTime, Time};

type FastHash = foldhash::fast::RandomState;

// ---- encoding ----------------------------------------------------------------------------

/// Bytes in bincode 2's standard encoding.
#[derive(Default)]
struct Out {
    buf: Vec<u8>,
}

impl Out {
    fn uint(&mut self, n: u64) {
        if n < 251 {
            self.buf.push(n as u8);
        } else if let Ok(n) = u16::try_from(n) {
            self.buf.push(251);
            self.buf.extend_from_slice(&n.to_le_bytes());
        } else if let Ok(n) = u32::try_from(n) {
            self.buf.push(252);
            self.buf.extend_from_slice(&n.to_le_bytes());
        } else {
            self.buf.push(253);
            self.buf.extend_from_slice(&n.to_le_bytes());
        }
    }

    fn int(&mut self, n: i64) {
        self.uint(((n << 1) ^ (n >> 63)) as u64);
    }

    fn len(&mut self, n: usize) {
        self.uint(n as u64);
    }

    fn str(&mut self, s: &str) {
        self.len(s.len());
        self.buf.extend_from_slice(s.as_bytes());
    }
}

/// Slots of the string table's address cache (a power of two; 256 KiB).
const RECENT_SLOTS: usize = 1 << 14;

/// The string table being built: each distinct string gets the next number, in the order of
/// first use.
///
/// Most strings need no hashing. A string no other value holds (`Arc::strong_count` 1: a name,
/// say) is written as a new entry at once; repeated values from an import or an open are
/// shared `Arc`s, found by address in a small cache that stays in the processor's cache. Only
/// the rest hash the text. Equal strings in separate allocations (a graph built item by item)
/// are therefore stored once each when they are held once each, as in version 1.
struct Table<'g> {
    recent: Vec<(usize, u32)>,
    by_text: HashMap<&'g str, u32, FastHash>,
    /// Entries written to `out`.
    count: usize,
    out: Out,
}

impl<'g> Table<'g> {
    fn new() -> Table<'g> {
        Table {
            recent: vec![(0, 0); RECENT_SLOTS],
            by_text: HashMap::default(),
            count: 0,
            out: Out::default(),
        }
    }

    fn index(&mut self, s: &'g Arc<str>) -> Result<u32, String> {
        let next = u32::try_from(self.count).map_err(|_| "more than 2^32 distinct strings".to_owned())?;
        if Arc::strong_count(s) == 1 {
            self.out.str(s);
            self.count += 1;
            return Ok(next);
        }
        let addr = Arc::as_ptr(s) as *const u8 as usize;
        // Allocations are at least 16-byte aligned: the low bits say nothing.
        let slot = (addr >> 4) & (RECENT_SLOTS - 1);
        if let Some((a, i)) = self.recent.get(slot)
            && *a == addr
        {
            return Ok(*i);
        }
        let i = *self.by_text.entry(&**s).or_insert_with(|| {
            self.out.str(s);
            self.count += 1;
            next
        });
        if let Some(entry) = self.recent.get_mut(slot) {
            *entry = (addr, i);
        }
        Ok(i)
    }
}

/// Relationships per block of the relationships field.
pub(super) const REL_BLOCK: usize = 1 << 16;

struct Encoder<'g> {
    body: Out,
    table: Table<'g>,
    /// Relationships written so far.
    rels_done: usize,
}

impl<'g> Encoder<'g> {
    /// Starts a byte string: what follows goes to `scratch` until `end_block`.
    fn begin_block(&mut self, scratch: &mut Out) {
        std::mem::swap(&mut self.body, scratch);
        self.body.buf.clear();
    }

    /// Ends a byte string: its length and bytes go to the body.
    fn end_block(&mut self, scratch: &mut Out) {
        std::mem::swap(&mut self.body, scratch);
        self.body.len(scratch.buf.len());
        self.body.buf.extend_from_slice(&scratch.buf);
    }

    fn props(&mut self, props: &'g Props) -> Result<(), String> {
        let pairs = props.as_slice();
        self.body.len(pairs.len());
        for (k, v) in pairs {
            self.body.uint(u64::from(k.0));
            self.value(v, 0)?;
        }
        Ok(())
    }

    /// A value and its nesting depth. Tags: 0 null, 1 bool, 2 int, 3 float, 4 string (its
    /// number in the table), 5 date, 6 list, 7 map, 8 local time, 9 time, 10 local date-time,
    /// 11 date-time, 12 duration (the temporal tags 8 to 12 since format 2 gained them; a
    /// file without temporal values is unchanged).
    fn value(&mut self, v: &'g Value, depth: usize) -> Result<(), String> {
        match v {
            Value::Null => self.body.uint(0),
            Value::Bool(b) => {
                self.body.uint(1);
                self.body.buf.push(u8::from(*b));
            }
            Value::Int(i) => {
                self.body.uint(2);
                self.body.int(*i);
            }
            Value::Float(x) => {
                self.body.uint(3);
                self.body.buf.extend_from_slice(&x.to_le_bytes());
            }
            Value::String(s) => {
                let i = self.table.index(s)?;
                self.body.uint(4);
                self.body.uint(u64::from(i));
            }
            Value::Date(d) => {
                self.body.uint(5);
                self.body.int(d.days());
            }
            Value::LocalTime(t) => {
                self.body.uint(8);
                self.body.uint(t.nano_of_day());
            }
            Value::Time(t) => {
                self.body.uint(9);
                self.body.uint(t.local().nano_of_day());
                self.body.int(i64::from(t.offset_seconds()));
            }
            Value::LocalDateTime(t) => {
                self.body.uint(10);
                self.body.int(t.date().days());
                self.body.uint(t.time().nano_of_day());
            }
            Value::DateTime(t) => {
                self.body.uint(11);
                self.body.int(t.local().date().days());
                self.body.uint(t.local().time().nano_of_day());
                self.body.int(i64::from(t.offset_seconds()));
                // The zone by name, not by its number in this build's zone database.
                match t.zone_name() {
                    Some(name) => {
                        self.body.uint(1);
                        self.body.str(name);
                    }
                    None => self.body.uint(0),
                }
            }
            Value::Duration(d) => {
                self.body.uint(12);
                self.body.int(d.months());
                self.body.int(d.days());
                self.body.int(d.seconds());
                self.body.uint(d.nanoseconds().unsigned_abs().into());
            }
            Value::List(items) => {
                if depth >= MAX_VALUE_DEPTH {
                    return Err(too_deep());
                }
                self.body.uint(6);
                self.body.len(items.len());
                for item in items {
                    self.value(item, depth + 1)?;
                }
            }
            Value::Map(m) => {
                if depth >= MAX_VALUE_DEPTH {
                    return Err(too_deep());
                }
                self.body.uint(7);
                self.body.len(m.len());
                for (k, item) in m.iter() {
                    self.body.str(k);
                    self.value(item, depth + 1)?;
                }
            }
            other => return Err(format!("a {} cannot be stored as a property", other.type_name())),
        }
        Ok(())
    }
}

fn bad_temporal(at: usize) -> String {
    format!("cannot decode the payload: the temporal value at offset {at} is out of range")
}

fn local_time(input: &mut In<'_>, at: usize) -> Res<LocalTime> {
    LocalTime::from_nano_of_day(input.uint()?).map_err(|_| bad_temporal(at))
}

fn offset(input: &mut In<'_>, at: usize) -> Res<i32> {
    i32::try_from(input.int()?).map_err(|_| bad_temporal(at))
}

/// True if the graph has a schema beyond its constraints' (label, key) pairs: property
/// indexes, or constraints with names of their own.
pub(super) fn has_schema_section(g: &Graph) -> bool {
    !g.index_defs().is_empty()
        || (0..g.constraint_pairs().len()).any(|i| g.custom_constraint_name(i).is_some())
}

/// The payload of version 2: labels, types, keys, strings, nodes, relationships, constraints,
/// and with `schema` the schema section; in three parts to be written one after the other (the
/// table is complete only at the end).
pub(super) fn encode_payload(g: &Graph, schema: bool) -> Result<Vec<Vec<u8>>, String> {
    let inner = &g.inner;
    let mut enc = Encoder {
        // About 40 bytes per relationship in the benchmark data; growing is fine too.
        body: Out {
            buf: Vec::with_capacity(inner.edge_count() * 40 + inner.node_count() * 64),
        },
        table: Table::new(),
        rels_done: 0,
    };
    // Nodes: one byte string, so a reader can find what follows without decoding them.
    let mut scratch = Out::default();
    enc.begin_block(&mut scratch);
    enc.body.len(inner.node_count());
    for ix in inner.node_indices() {
        if let Some(data) = inner.node_weight(ix) {
            enc.body.uint(ix.index() as u64);
            enc.body.len(data.labels.len());
            for l in &data.labels {
                enc.body.uint(u64::from(l.0));
            }
            enc.props(&data.props)?;
        }
    }
    enc.end_block(&mut scratch);
    // Relationships: blocks of REL_BLOCK, each a byte string, which a reader decodes in
    // parallel.
    enc.body.len(inner.edge_count().div_ceil(REL_BLOCK));
    let mut in_block = 0;
    for ix in inner.edge_indices() {
        if let (Some(data), Some((a, b))) = (inner.edge_weight(ix), inner.edge_endpoints(ix)) {
            if in_block == 0 {
                enc.begin_block(&mut scratch);
                enc.body.len((inner.edge_count() - enc.rels_done).min(REL_BLOCK));
            }
            for n in [ix.index(), a.index(), b.index(), data.ty.index()] {
                enc.body.uint(n as u64);
            }
            enc.props(&data.props)?;
            enc.rels_done += 1;
            in_block += 1;
            if in_block == REL_BLOCK || enc.rels_done == inner.edge_count() {
                enc.end_block(&mut scratch);
                in_block = 0;
            }
        }
    }
    let constraints = g.constraint_pairs();
    enc.body.len(constraints.len());
    for (l, k) in &constraints {
        enc.body.uint(u64::from(l.0));
        enc.body.uint(u64::from(k.0));
    }
    if schema {
        // The schema section: the indexes, then the constraints' custom names by position.
        let indexes = g.index_defs();
        enc.body.len(indexes.len());
        for (name, l, k) in indexes {
            enc.body.str(name);
            enc.body.uint(u64::from(l.0));
            enc.body.uint(u64::from(k.0));
        }
        let named: Vec<(usize, &str)> = (0..constraints.len())
            .filter_map(|i| g.custom_constraint_name(i).map(|n| (i, n)))
            .collect();
        enc.body.len(named.len());
        for (i, name) in named {
            enc.body.uint(i as u64);
            enc.body.str(name);
        }
    }

    let mut head = Out::default();
    for names in [&g.symbols.labels, &g.symbols.types, &g.symbols.keys] {
        head.len(names.len());
        for name in names.iter() {
            head.str(name);
        }
    }
    head.len(enc.table.count);
    Ok(vec![head.buf, enc.table.out.buf, enc.body.buf])
}

// ---- decoding ----------------------------------------------------------------------------

/// A cursor over the payload; every read checks the bytes left.
struct In<'a> {
    bytes: &'a [u8],
    pos: usize,
}

/// A decoding error: what was wrong, with the payload offset where it was found.
type Res<T> = Result<T, String>;

impl<'a> In<'a> {
    fn left(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }

    fn take(&mut self, n: usize) -> Res<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|end| *end <= self.bytes.len())
            .ok_or_else(|| {
                format!(
                    "cannot decode the payload: {n} bytes wanted at offset {}, {} left",
                    self.pos,
                    self.left()
                )
            })?;
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn byte(&mut self) -> Res<u8> {
        match self.bytes.get(self.pos) {
            Some(b) => {
                self.pos += 1;
                Ok(*b)
            }
            None => Err(format!(
                "cannot decode the payload: it ends at offset {}",
                self.pos
            )),
        }
    }

    fn array<const N: usize>(&mut self) -> Res<[u8; N]> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    fn uint(&mut self) -> Res<u64> {
        Ok(match self.byte()? {
            b @ 0..=250 => u64::from(b),
            251 => u64::from(u16::from_le_bytes(self.array()?)),
            252 => u64::from(u32::from_le_bytes(self.array()?)),
            253 => u64::from_le_bytes(self.array()?),
            b => {
                return Err(format!(
                    "cannot decode the payload: integer tag {b} at offset {}",
                    self.pos - 1
                ))
            }
        })
    }

    fn u32(&mut self) -> Res<u32> {
        let at = self.pos;
        let n = self.uint()?;
        u32::try_from(n).map_err(|_| format!("cannot decode the payload: {n} at offset {at} exceeds u32"))
    }

    fn int(&mut self) -> Res<i64> {
        let n = self.uint()?;
        Ok((n >> 1) as i64 ^ -((n & 1) as i64))
    }

    /// A length of a sequence whose elements take at least `min_bytes` each: never more than
    /// the bytes left allow, so it can size an allocation.
    fn len(&mut self, min_bytes: usize) -> Res<usize> {
        let at = self.pos;
        let n = self.uint()?;
        match usize::try_from(n) {
            // n * min <= left, without a division (this runs for every item).
            Ok(n) if n.checked_mul(min_bytes.max(1)).is_some_and(|b| b <= self.left()) => Ok(n),
            _ => Err(format!(
                "cannot decode the payload: a length of {n} at offset {at} exceeds the {} bytes left",
                self.left()
            )),
        }
    }

    fn str(&mut self) -> Res<&'a str> {
        let n = self.len(1)?;
        let at = self.pos;
        std::str::from_utf8(self.take(n)?)
            .map_err(|_| format!("cannot decode the payload: invalid UTF-8 at offset {at}"))
    }

    /// A byte string (a length, then that many bytes).
    fn bytes(&mut self) -> Res<&'a [u8]> {
        let n = self.len(1)?;
        self.take(n)
    }

    fn names(&mut self) -> Res<Vec<String>> {
        let n = self.len(1)?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(self.str()?.to_owned());
        }
        Ok(out)
    }
}

struct Named(&'static str, u32);

impl fmt::Display for Named {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.0, self.1)
    }
}

/// What decoding an item needs besides its bytes; shared by the decoding threads.
struct Decoder {
    strings: Vec<Arc<str>>,
    n_labels: usize,
    n_types: usize,
    n_keys: usize,
}

impl Decoder {
    fn props(&self, input: &mut In<'_>, item: &Named) -> Res<Props> {
        // A property takes at least two bytes: a key and a tag.
        let n = input.len(2)?;
        let mut pairs = Vec::with_capacity(n);
        let mut last: Option<u32> = None;
        for _ in 0..n {
            let k = input.u32()?;
            if k as usize >= self.n_keys {
                return Err(format!(
                    "{item} has property key {k}, but only {} keys are interned",
                    self.n_keys
                ));
            }
            if last.is_some_and(|l| l >= k) {
                return Err(format!("the property keys of {item} are not sorted and unique"));
            }
            last = Some(k);
            let v = self.value(input, 0)?;
            if v.is_null() {
                return Err(format!("{item} has a null property"));
            }
            pairs.push((KeyId(k), v));
        }
        Ok(Props::from_sorted(pairs))
    }

    fn value(&self, input: &mut In<'_>, depth: usize) -> Res<Value> {
        let nested = || {
            if depth >= MAX_VALUE_DEPTH {
                Err(too_deep())
            } else {
                Ok(depth + 1)
            }
        };
        let at = input.pos;
        Ok(match input.uint()? {
            0 => Value::Null,
            1 => match input.byte()? {
                0 => Value::Bool(false),
                1 => Value::Bool(true),
                b => {
                    return Err(format!(
                        "cannot decode the payload: boolean {b} at offset {}",
                        input.pos - 1
                    ))
                }
            },
            2 => Value::Int(input.int()?),
            3 => Value::Float(f64::from_le_bytes(input.array()?)),
            4 => {
                let i = input.u32()?;
                match self.strings.get(i as usize) {
                    Some(s) => Value::String(Arc::clone(s)),
                    None => {
                        return Err(format!(
                            "string {i} at offset {at} is not in the table of {}",
                            self.strings.len()
                        ))
                    }
                }
            }
            5 => Value::Date(Date::from_days(input.int()?).map_err(|_| bad_temporal(at))?),
            8 => Value::LocalTime(local_time(input, at)?),
            9 => {
                let t = local_time(input, at)?;
                let offset = offset(input, at)?;
                Value::Time(Time::new(t, offset).map_err(|_| bad_temporal(at))?)
            }
            10 => {
                let d = Date::from_days(input.int()?).map_err(|_| bad_temporal(at))?;
                Value::LocalDateTime(LocalDateTime::new(d, local_time(input, at)?))
            }
            11 => {
                let d = Date::from_days(input.int()?).map_err(|_| bad_temporal(at))?;
                let t = local_time(input, at)?;
                let offset = offset(input, at)?;
                let zone = match input.uint()? {
                    0 => None,
                    1 => {
                        let name = input.str()?;
                        Some(Zone::parse(name).ok_or_else(|| {
                            format!("cannot decode the payload: unknown time zone '{name}' at offset {at}")
                        })?)
                    }
                    _ => return Err(bad_temporal(at)),
                };
                Value::DateTime(DateTime::from_parts(d, t, offset, zone).ok_or_else(|| bad_temporal(at))?)
            }
            12 => {
                let (months, days, seconds) = (input.int()?, input.int()?, input.int()?);
                let nanos = input.uint()?;
                if nanos >= 1_000_000_000 {
                    return Err(bad_temporal(at));
                }
                Value::from(Duration::new(months, days, seconds, nanos as i64).map_err(|_| bad_temporal(at))?)
            }
            6 => {
                let depth = nested()?;
                let n = input.len(1)?;
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(self.value(input, depth)?);
                }
                Value::List(items)
            }
            7 => {
                let depth = nested()?;
                // An entry takes at least two bytes: an empty key and a null.
                let n = input.len(2)?;
                let mut map = BTreeMap::new();
                for _ in 0..n {
                    let key = input.str()?;
                    if map
                        .last_key_value()
                        .is_some_and(|(last, _): (&String, _)| last.as_str() >= key)
                    {
                        return Err(format!(
                            "map keys are not in increasing order at offset {}",
                            input.pos
                        ));
                    }
                    let v = self.value(input, depth)?;
                    map.insert(key.to_owned(), v);
                }
                Value::from(map)
            }
            other => return Err(format!("unknown value tag {other} at offset {at}")),
        })
    }

    /// The nodes field's bytes: nodes in increasing id order.
    fn nodes(&self, bytes: &[u8]) -> Res<Vec<(u32, NodeData)>> {
        let mut input = In { bytes, pos: 0 };
        // An id, labels and properties take at least three bytes.
        let n = input.len(3)?;
        let mut nodes: Vec<(u32, NodeData)> = Vec::with_capacity(n);
        let mut last: Option<u32> = None;
        for _ in 0..n {
            let id = input.u32()?;
            if last.is_some_and(|l| l >= id) {
                return Err(format!(
                    "node ids are not increasing at node {id} (duplicate or out of order)"
                ));
            }
            last = Some(id);
            let item = Named("node", id);
            let count = input.len(1)?;
            let mut labels = Vec::with_capacity(count);
            for _ in 0..count {
                let l = input.u32()?;
                if l as usize >= self.n_labels {
                    return Err(format!(
                        "{item} has label {l}, but only {} labels are interned",
                        self.n_labels
                    ));
                }
                if labels.last().is_some_and(|p: &LabelId| p.0 >= l) {
                    return Err(format!("the labels of {item} are not sorted and unique"));
                }
                labels.push(LabelId(l));
            }
            let props = self.props(&mut input, &item)?;
            nodes.push((id, NodeData { labels, props }));
        }
        left_over(&input, "the nodes")?;
        Ok(nodes)
    }

    /// One block of the relationships field: relationships in increasing id order (endpoints
    /// are checked by the caller, which has the nodes).
    fn rel_block(&self, bytes: &[u8]) -> Res<RelBlock> {
        let mut input = In { bytes, pos: 0 };
        // Id, start, end, type and properties take at least five bytes.
        let n = input.len(5)?;
        let mut block = RelBlock {
            heads: Vec::with_capacity(n),
            props: Vec::with_capacity(n),
        };
        let mut last: Option<u32> = None;
        for _ in 0..n {
            let id = input.u32()?;
            if last.is_some_and(|l| l >= id) {
                return Err(not_increasing(id));
            }
            last = Some(id);
            let item = Named("relationship", id);
            let (start, end, ty) = (input.u32()?, input.u32()?, input.u32()?);
            if ty as usize >= self.n_types {
                return Err(format!(
                    "{item} has type {ty}, but only {} types are interned",
                    self.n_types
                ));
            }
            block.props.push(self.props(&mut input, &item)?);
            block.heads.push(RelHead {
                id,
                start,
                end,
                ty: TypeId(ty),
            });
        }
        left_over(&input, "a block of relationships")?;
        Ok(block)
    }

    /// Decodes blocks, each time the next one no thread has taken, until none is left or a
    /// block fails; returns them with their numbers.
    fn take_blocks(&self, work: &Work<'_>) -> Vec<(usize, Res<RelBlock>)> {
        let mut done = Vec::new();
        while !work.failed.load(Ordering::Relaxed) {
            let i = work.next.fetch_add(1, Ordering::Relaxed);
            let Some(bytes) = work.blocks.get(i) else {
                break;
            };
            let block = self.rel_block(bytes);
            if block.is_err() {
                work.failed.store(true, Ordering::Relaxed);
            }
            done.push((i, block));
        }
        done
    }

    /// Decodes the nodes and the relationship blocks on two threads. This one decodes and
    /// indexes the nodes while the other starts on the blocks; then both take the next block
    /// no thread has taken, so a thread that the machine slows down decodes fewer. The first
    /// decoding error in payload order wins (blocks are taken in order, so every block before
    /// a failed one is decoded before the threads stop); a broken unique constraint comes
    /// after those.
    fn items(
        &self,
        node_bytes: &[u8],
        blocks: &[&[u8]],
        symbols: &Symbols,
        constraints: Vec<(LabelId, KeyId)>,
    ) -> Res<(IndexedNodes, Vec<RelBlock>)> {
        let work = Work {
            blocks,
            next: AtomicUsize::new(0),
            failed: AtomicBool::new(false),
        };
        let (nodes, mut decoded) = std::thread::scope(|scope| {
            let other = std::thread::Builder::new()
                .name("kgraph-open".into())
                .spawn_scoped(scope, || self.take_blocks(&work))
                .ok();
            // The slots are checked before indexing: a label set is a bitset as wide as the
            // largest id.
            let nodes = self.nodes(node_bytes).and_then(|nodes| {
                check_slots(nodes.last().map_or(0, |(id, _)| *id as usize + 1), 0)?;
                Ok(nodes)
            });
            let nodes = match nodes {
                Ok(nodes) => Ok(IndexedNodes::new(nodes, symbols, constraints)),
                Err(e) => {
                    work.failed.store(true, Ordering::Relaxed);
                    Err(e)
                }
            };
            let mut decoded = self.take_blocks(&work);
            if let Some(handle) = other {
                match handle.join() {
                    Ok(theirs) => decoded.extend(theirs),
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
            (nodes, decoded)
        });
        let nodes = nodes?;
        let rels = in_order(&mut decoded, blocks.len())?;
        Ok((nodes.map_err(|e| e.to_string())?, rels))
    }
}

/// The decoded blocks in payload order, or the error of the first failed one.
fn in_order(decoded: &mut Vec<(usize, Res<RelBlock>)>, count: usize) -> Res<Vec<RelBlock>> {
    decoded.sort_unstable_by_key(|(i, _)| *i);
    let mut rels = Vec::with_capacity(count);
    for (_, block) in decoded.drain(..) {
        rels.push(block?);
    }
    if rels.len() != count {
        return Err("cannot decode the payload: a block of relationships was not decoded".into());
    }
    Ok(rels)
}

/// The relationship blocks shared by the decoding threads, and how far they got.
struct Work<'a> {
    blocks: &'a [&'a [u8]],
    /// The number of the next block no thread has taken.
    next: AtomicUsize,
    /// Set when a thread's item failed: no thread takes another block.
    failed: AtomicBool,
}

fn not_increasing(id: u32) -> String {
    format!("relationship ids are not increasing at relationship {id} (duplicate or out of order)")
}

fn left_over(input: &In<'_>, what: &str) -> Res<()> {
    match input.left() {
        0 => Ok(()),
        n => Err(format!(
            "cannot decode the payload: {n} bytes left over after {what}"
        )),
    }
}

/// Decodes and validates a version-2 payload and builds the graph, on two threads (see
/// `Decoder::items` and `Graph::from_items`).
pub(super) fn decode_payload(payload: &[u8], schema: bool) -> Result<Graph, String> {
    let mut input = In {
        bytes: payload,
        pos: 0,
    };
    let symbols = Symbols::new(
        interner(input.names()?, "label")?,
        interner(input.names()?, "relationship type")?,
        interner(input.names()?, "property key")?,
    );
    let (n_labels, n_keys) = (symbols.labels.len(), symbols.keys.len());
    let n = input.len(1)?;
    let mut strings: Vec<Arc<str>> = Vec::with_capacity(n);
    for _ in 0..n {
        strings.push(Arc::from(input.str()?));
    }
    let node_bytes = input.bytes()?;
    let n = input.len(1)?;
    let mut blocks: Vec<&[u8]> = Vec::with_capacity(n);
    for _ in 0..n {
        blocks.push(input.bytes()?);
    }
    let n = input.len(2)?;
    let mut raw = Vec::with_capacity(n);
    for _ in 0..n {
        raw.push((input.u32()?, input.u32()?));
    }
    let mut indexes: Vec<(Box<str>, LabelId, KeyId)> = Vec::new();
    let mut names: Vec<Option<Box<str>>> = Vec::new();
    if schema {
        let n = input.len(3)?;
        for _ in 0..n {
            let name: Box<str> = input.str()?.into();
            let (l, k) = (input.u32()?, input.u32()?);
            if l as usize >= n_labels || k as usize >= n_keys {
                return Err(format!("index '{name}' is on a label or key out of range"));
            }
            if name.is_empty() || indexes.iter().any(|(x, _, _)| *x == name) {
                return Err(format!("index name '{name}' is empty or repeated"));
            }
            indexes.push((name, LabelId(l), KeyId(k)));
        }
        let n = input.len(2)?;
        names = vec![None; raw.len()];
        for _ in 0..n {
            let at = input.uint()? as usize;
            let name: Box<str> = input.str()?.into();
            match names.get_mut(at) {
                Some(slot @ None) if !name.is_empty() => *slot = Some(name),
                _ => return Err(format!("constraint name '{name}' at a bad position {at}")),
            }
        }
    }
    if input.left() > 0 {
        return Err(format!(
            "cannot decode the payload: {} bytes left over after the payload",
            input.left()
        ));
    }
    let constraints = constraints(raw, n_labels, n_keys)?;

    let d = Decoder {
        strings,
        n_labels,
        n_types: symbols.types.len(),
        n_keys,
    };
    let (nodes, rels) = d.items(node_bytes, &blocks, &symbols, constraints)?;
    drop(d);
    let node_slots = nodes.slots();
    let mut live = vec![false; node_slots];
    for id in nodes.ids() {
        if let Some(slot) = live.get_mut(id as usize) {
            *slot = true;
        }
    }
    // Ids increase across blocks too, and every endpoint is a live node.
    let mut last: Option<u32> = None;
    for h in rels.iter().flat_map(|b| &b.heads) {
        if last.is_some_and(|l| l >= h.id) {
            return Err(not_increasing(h.id));
        }
        last = Some(h.id);
        for e in [h.start, h.end] {
            if !live.get(e as usize).copied().unwrap_or(false) {
                return Err(format!(
                    "relationship {} has endpoint {e}, which is not a node",
                    h.id
                ));
            }
        }
    }
    let rel_slots = last.map_or(0, |l| l as usize + 1);
    check_slots(node_slots, rel_slots)?;
    let items = Items {
        nodes,
        rels,
        rel_slots,
    };
    let mut g = assemble(symbols, items)?;
    if schema {
        g.restore_schema(names, indexes);
    }
    Ok(g)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A payload by hand: label `A`, type `T`, no keys or strings, `nodes` node ids, and the
    /// relationship ids of each block (loops on node 0).
    fn payload(nodes: &[u32], blocks: &[&[u32]]) -> Vec<u8> {
        let mut out = Out::default();
        for names in [&["A"][..], &["T"], &[], &[]] {
            out.len(names.len());
            for n in names {
                out.str(n);
            }
        }
        let mut part = Out::default();
        part.len(nodes.len());
        for id in nodes {
            part.uint(u64::from(*id));
            part.len(0);
            part.len(0);
        }
        out.len(part.buf.len());
        out.buf.extend_from_slice(&part.buf);
        out.len(blocks.len());
        for block in blocks {
            let mut part = Out::default();
            part.len(block.len());
            for id in *block {
                for n in [u64::from(*id), 0, 0, 0, 0] {
                    part.uint(n);
                }
            }
            out.len(part.buf.len());
            out.buf.extend_from_slice(&part.buf);
        }
        out.len(0);
        out.buf
    }

    #[test]
    fn blocks_are_checked_across_their_boundaries() {
        let ok = decode_payload(&payload(&[0], &[&[0, 1], &[5], &[7, 9]]), false);
        let g = ok.unwrap_or_else(|e| panic!("{e}"));
        let ids: Vec<u32> = g.inner.edge_indices().map(|e| e.index() as u32).collect();
        assert_eq!(ids, [0, 1, 5, 7, 9]);
        let err = decode_payload(&payload(&[0], &[&[0, 4], &[4]]), false)
            .err()
            .unwrap_or_default();
        assert!(err.contains("not increasing at relationship 4"), "{err}");
        let err = decode_payload(&payload(&[1], &[&[0], &[1]]), false)
            .err()
            .unwrap_or_default();
        assert!(err.contains("endpoint 0"), "{err}");
    }

    #[test]
    fn many_blocks_round_trip_with_gaps() {
        let mut g = Graph::new();
        let shared = Value::from("doc");
        let mut nodes = Vec::new();
        for i in 0..50 {
            nodes.push(g.add_node(&["N"], [("name", Value::from(format!("n{i}")))]));
        }
        let nodes: Vec<_> = nodes.into_iter().flatten().collect();
        let mut rels = Vec::new();
        for i in 0..(2 * REL_BLOCK + 100) {
            let (a, b) = (nodes[i % 50], nodes[(i * 7) % 50]);
            let props = [("source", shared.clone()), ("i", Value::Int(i as i64))];
            rels.extend(g.add_relationship(a, b, "T", props));
        }
        assert_eq!(rels.len(), 2 * REL_BLOCK + 100);
        for r in rels.iter().step_by(1000) {
            assert!(g.remove_relationship(*r).is_ok());
        }
        let parts = encode_payload(&g, false).unwrap_or_else(|e| panic!("{e}"));
        let back = decode_payload(&parts.concat(), false).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back.relationship_count(), g.relationship_count());
        for ix in g.inner.edge_indices() {
            let (a, b) = (&g.inner[ix], &back.inner[ix]);
            assert_eq!((a.ty, &a.props), (b.ty, &b.props));
            assert_eq!(g.inner.edge_endpoints(ix), back.inner.edge_endpoints(ix));
        }
        assert!(back.inner.edge_weight(rels[1000].ix()).is_none());
        assert_eq!(back.check_invariants(), Ok(()));
    }

    #[test]
    fn blocks_are_put_in_payload_order_and_the_first_error_wins() {
        let ok = |id: u32| {
            Ok(RelBlock {
                heads: vec![RelHead {
                    id,
                    start: 0,
                    end: 0,
                    ty: TypeId(0),
                }],
                props: vec![Props::default()],
            })
        };
        let mut decoded = vec![(2, ok(20)), (0, ok(0)), (1, ok(10))];
        let rels = in_order(&mut decoded, 3).unwrap_or_else(|e| panic!("{e}"));
        let ids: Vec<u32> = rels.iter().map(|b| b.heads[0].id).collect();
        assert_eq!(ids, [0, 10, 20]);
        // The second thread finished block 3 before the first failed on block 1.
        let mut decoded = vec![(3, Err("three".to_owned())), (0, ok(0)), (1, Err("one".into()))];
        assert_eq!(in_order(&mut decoded, 4).err().as_deref(), Some("one"));
        let mut decoded = vec![(0, ok(0))];
        let err = in_order(&mut decoded, 2).err().unwrap_or_default();
        assert!(err.contains("was not decoded"), "{err}");
    }

    #[test]
    fn the_first_bad_block_in_payload_order_is_reported() {
        // Blocks are decoded by two threads in whatever order they take them; the error must
        // still be the first one in the file, every time.
        let blocks: Vec<Vec<u32>> = (0..12u32)
            .map(|b| match b {
                3 | 7 | 11 => vec![b * 10 + 1, b * 10],
                _ => vec![b * 10, b * 10 + 1],
            })
            .collect();
        let refs: Vec<&[u32]> = blocks.iter().map(Vec::as_slice).collect();
        let bytes = payload(&[0], &refs);
        for _ in 0..50 {
            let err = decode_payload(&bytes, false).err().unwrap_or_default();
            assert!(err.contains("not increasing at relationship 30 "), "{err}");
        }
    }
}
