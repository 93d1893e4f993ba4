//! The write-ahead log's bytes (`docs/wal-format.md`): a header, then records; a commit is one
//! or more records of changes closed by a commit record. This module only turns commits into
//! bytes and bytes back into commits, and decides what of a damaged log can be kept; the file
//! handling is `log_file.rs`.
//!
//! Architecture invariants:
//! - Every record carries a checksum over its header and payload; a commit record names the
//!   bytes and the number of change records it closes, and its sequence number, which grows by
//!   exactly one from commit to commit within a file.
//! - Reading never trusts a length before the checksum of its record is checked, and never
//!   allocates more than the bytes it was given justify.
//! - Damage at the tail (what a crash leaves: a torn last commit) is cut off and reported as
//!   such; damage before the last commit is an error naming its offset. "Before the last
//!   commit" means: a valid commit record after the damage closes a commit that does not
//!   contain the damage, or more than one valid commit record follows it.

use xxhash_rust::xxh3::xxh3_64;

use crate::graph::journal::{Change, Redo};
use crate::graph::temporal::zone::Zone;
use crate::graph::{KeyId, LabelId, NodeData, NodeId, Props, RelData, RelId, TypeId, Value};
use crate::{Date, DateTime, Duration, LocalDateTime, LocalTime, Time};

/// The first bytes of a log file.
pub(crate) const MAGIC: [u8; 8] = *b"\x89KGLOG\r\n";
/// The format version this build writes and reads.
pub(crate) const VERSION: u32 = 1;
/// The file header: magic, version, flags, generation, header checksum.
pub(crate) const HEADER_LEN: usize = 32;
/// The first bytes of every record.
const RECORD_MARK: [u8; 4] = *b"KGR\x01";
/// A record's header: mark, kind, three zero bytes, payload length, checksum.
const RECORD_HEADER: usize = 20;
const KIND_CHANGES: u8 = 1;
const KIND_COMMIT: u8 = 2;
/// A commit record's payload: sequence, change records, their bytes.
const COMMIT_PAYLOAD: usize = 20;
/// Change records are cut at about this many payload bytes (a single change may exceed it).
const RECORD_TARGET: usize = 1 << 20;
/// The longest record payload a reader accepts.
const MAX_PAYLOAD: usize = 1 << 30;
/// Lists and maps nest at most this deep in a logged value (as in snapshots).
const MAX_DEPTH: usize = crate::storage::codec::MAX_VALUE_DEPTH;

/// The file header for a log of `generation`.
pub(crate) fn header(generation: u64) -> [u8; HEADER_LEN] {
    let mut h = [0u8; HEADER_LEN];
    h[..8].copy_from_slice(&MAGIC);
    h[8..12].copy_from_slice(&VERSION.to_le_bytes());
    // 12..16: flags, zero.
    h[16..24].copy_from_slice(&generation.to_le_bytes());
    let sum = xxh3_64(&h[..24]);
    h[24..32].copy_from_slice(&sum.to_le_bytes());
    h
}

/// What a commit adds: the names it interned (per table, in order) and its changes.
pub(crate) struct CommitView<'a> {
    pub(crate) labels: Vec<&'a str>,
    pub(crate) types: Vec<&'a str>,
    pub(crate) keys: Vec<&'a str>,
    pub(crate) changes: &'a [Change],
}

/// The records of one commit, ready to append: change records, then the commit record.
#[cfg(test)]
pub(crate) fn encode_commit(sequence: u64, commit: &CommitView<'_>) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    encode_commit_into(sequence, commit, &mut out, &mut Vec::new())?;
    Ok(out)
}

/// [`encode_commit`], appended to `out` (which may hold earlier commits), with `scratch` as the
/// buffer a record is built in: a commit that reuses both allocates nothing. On an error `out`
/// is as it was.
pub(crate) fn encode_commit_into(
    sequence: u64,
    commit: &CommitView<'_>,
    out: &mut Vec<u8>,
    scratch: &mut Vec<u8>,
) -> Result<(), String> {
    let start = out.len();
    scratch.clear();
    let mut body = Out {
        buf: std::mem::take(scratch),
    };
    let result = encode_changes(commit, out, &mut body);
    *scratch = body.buf;
    let records = match result {
        Ok(records) => records,
        Err(e) => {
            out.truncate(start);
            return Err(e);
        }
    };
    let bytes = (out.len() - start) as u64;
    let mut commit_payload = [0u8; COMMIT_PAYLOAD];
    commit_payload[..8].copy_from_slice(&sequence.to_le_bytes());
    commit_payload[8..12].copy_from_slice(&records.to_le_bytes());
    commit_payload[12..20].copy_from_slice(&bytes.to_le_bytes());
    record(out, KIND_COMMIT, &commit_payload);
    Ok(())
}

/// Appends a commit's change records to `out`; returns how many.
fn encode_changes(commit: &CommitView<'_>, out: &mut Vec<u8>, body: &mut Out) -> Result<u32, String> {
    let mut records = 0u32;
    for names in [&commit.labels, &commit.types, &commit.keys] {
        body.len(names.len());
        for n in names {
            body.str(n);
        }
    }
    let mut in_record = 0usize;
    let count_at = body.buf.len();
    body.buf.extend_from_slice(&[0; 4]);
    for change in commit.changes {
        change_bytes(body, change)?;
        in_record += 1;
        if body.buf.len() >= RECORD_TARGET {
            seal_changes(out, body, if records == 0 { count_at } else { 3 }, in_record)?;
            records += 1;
            in_record = 0;
            // Later records carry no names: three empty lists.
            body.buf.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0]);
        }
    }
    if in_record > 0 || records == 0 {
        seal_changes(out, body, if records == 0 { count_at } else { 3 }, in_record)?;
        records += 1;
    }
    Ok(records)
}

/// Writes `body` (whose change count sits at `at`) as a change record and empties it.
fn seal_changes(out: &mut Vec<u8>, body: &mut Out, at: usize, count: usize) -> Result<(), String> {
    let n = u32::try_from(count).map_err(|_| "too many changes in one record".to_owned())?;
    if let Some(slot) = body.buf.get_mut(at..at + 4) {
        slot.copy_from_slice(&n.to_le_bytes());
    }
    if body.buf.len() > MAX_PAYLOAD {
        return Err(format!(
            "a change of {} bytes is too large to log",
            body.buf.len()
        ));
    }
    record(out, KIND_CHANGES, &body.buf);
    body.buf.clear();
    Ok(())
}

fn record(out: &mut Vec<u8>, kind: u8, payload: &[u8]) {
    let mut head = [0u8; RECORD_HEADER];
    head[..4].copy_from_slice(&RECORD_MARK);
    head[4] = kind;
    head[8..12].copy_from_slice(&(payload.len() as u32).to_le_bytes());
    let sum = checksum(&head[..12], payload);
    head[12..20].copy_from_slice(&sum.to_le_bytes());
    out.extend_from_slice(&head);
    out.extend_from_slice(payload);
}

fn checksum(head: &[u8], payload: &[u8]) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(head);
    h.update(payload);
    h.digest()
}

/// Change tags.
const NODE_ADDED: u8 = 1;
const NODE_REMOVED: u8 = 2;
const NODE_PROP: u8 = 3;
const LABEL_ADDED: u8 = 4;
const LABEL_REMOVED: u8 = 5;
const REL_ADDED: u8 = 6;
const REL_REMOVED: u8 = 7;
const REL_PROP: u8 = 8;
const CONSTRAINT_ADDED: u8 = 9;
const CONSTRAINT_REMOVED: u8 = 10;
const INDEX_ADDED: u8 = 11;
const INDEX_REMOVED: u8 = 12;
const CONSTRAINT_NAMED: u8 = 13;
const UNIQUE_NAMES: u8 = 14;

fn change_bytes(out: &mut Out, change: &Change) -> Result<(), String> {
    match change {
        Change::NodeAdded { id, labels, props } => {
            out.buf.push(NODE_ADDED);
            out.uint(u64::from(id.index()));
            out.len(labels.len());
            for l in labels {
                out.uint(u64::from(l.0));
            }
            props_bytes(out, props)?;
        }
        Change::NodeRemoved { id, .. } => {
            out.buf.push(NODE_REMOVED);
            out.uint(u64::from(id.index()));
        }
        Change::NodePropSet { id, key, new, .. } => {
            out.buf.push(NODE_PROP);
            out.uint(u64::from(id.index()));
            out.uint(u64::from(key.0));
            value_bytes(out, new, 0)?;
        }
        Change::LabelAdded { id, label } | Change::LabelRemoved { id, label, .. } => {
            out.buf.push(if matches!(change, Change::LabelAdded { .. }) {
                LABEL_ADDED
            } else {
                LABEL_REMOVED
            });
            out.uint(u64::from(id.index()));
            out.uint(u64::from(label.0));
        }
        Change::RelAdded {
            id,
            start,
            end,
            ty,
            props,
        } => {
            out.buf.push(REL_ADDED);
            out.uint(u64::from(id.index()));
            out.uint(u64::from(start.index()));
            out.uint(u64::from(end.index()));
            out.uint(u64::from(ty.0));
            props_bytes(out, props)?;
        }
        Change::RelRemoved { id, .. } => {
            out.buf.push(REL_REMOVED);
            out.uint(u64::from(id.index()));
        }
        Change::RelPropSet { id, key, new, .. } => {
            out.buf.push(REL_PROP);
            out.uint(u64::from(id.index()));
            out.uint(u64::from(key.0));
            value_bytes(out, new, 0)?;
        }
        Change::ConstraintAdded { label, key, name } => {
            match name {
                None => out.buf.push(CONSTRAINT_ADDED),
                Some(n) => {
                    out.buf.push(CONSTRAINT_NAMED);
                    out.str(n);
                }
            }
            out.uint(u64::from(label.0));
            out.uint(u64::from(key.0));
        }
        Change::UniqueNamesRequired => out.buf.push(UNIQUE_NAMES),
        Change::ConstraintRemoved { label, key, .. } => {
            out.buf.push(CONSTRAINT_REMOVED);
            out.uint(u64::from(label.0));
            out.uint(u64::from(key.0));
        }
        Change::IndexAdded { name, label, key } => {
            out.buf.push(INDEX_ADDED);
            out.str(name);
            out.uint(u64::from(label.0));
            out.uint(u64::from(key.0));
        }
        Change::IndexRemoved { name, .. } => {
            out.buf.push(INDEX_REMOVED);
            out.str(name);
        }
    }
    Ok(())
}

fn props_bytes(out: &mut Out, props: &Props) -> Result<(), String> {
    let pairs = props.as_slice();
    out.len(pairs.len());
    for (k, v) in pairs {
        out.uint(u64::from(k.0));
        value_bytes(out, v, 0)?;
    }
    Ok(())
}

/// Value tags: 0 null, 1 bool, 2 int, 3 float, 4 string, 5 date, 6 list, 7 map, 8 local time,
/// 9 time, 10 local date-time, 11 date-time, 12 duration (the snapshot's tags).
fn value_bytes(out: &mut Out, v: &Value, depth: usize) -> Result<(), String> {
    match v {
        Value::Null => out.buf.push(0),
        Value::Bool(b) => {
            out.buf.push(1);
            out.buf.push(u8::from(*b));
        }
        Value::Int(i) => {
            out.buf.push(2);
            out.int(*i);
        }
        Value::Float(x) => {
            out.buf.push(3);
            out.buf.extend_from_slice(&x.to_le_bytes());
        }
        Value::String(s) => {
            out.buf.push(4);
            out.str(s);
        }
        Value::Date(d) => {
            out.buf.push(5);
            out.int(d.days());
        }
        Value::LocalTime(t) => {
            out.buf.push(8);
            out.uint(t.nano_of_day());
        }
        Value::Time(t) => {
            out.buf.push(9);
            out.uint(t.local().nano_of_day());
            out.int(i64::from(t.offset_seconds()));
        }
        Value::LocalDateTime(t) => {
            out.buf.push(10);
            out.int(t.date().days());
            out.uint(t.time().nano_of_day());
        }
        Value::DateTime(t) => {
            out.buf.push(11);
            out.int(t.local().date().days());
            out.uint(t.local().time().nano_of_day());
            out.int(i64::from(t.offset_seconds()));
            // The zone by name, not by its number in this build's zone database.
            match t.zone_name() {
                Some(name) => {
                    out.buf.push(1);
                    out.str(name);
                }
                None => out.buf.push(0),
            }
        }
        Value::Duration(d) => {
            out.buf.push(12);
            out.int(d.months());
            out.int(d.days());
            out.int(d.seconds());
            out.int(i64::from(d.nanoseconds()));
        }
        Value::List(items) => {
            if depth >= MAX_DEPTH {
                return Err(format!("a list is nested more than {MAX_DEPTH} levels deep"));
            }
            out.buf.push(6);
            out.len(items.len());
            for item in items {
                value_bytes(out, item, depth + 1)?;
            }
        }
        Value::Map(m) => {
            if depth >= MAX_DEPTH {
                return Err(format!("a map is nested more than {MAX_DEPTH} levels deep"));
            }
            out.buf.push(7);
            out.len(m.len());
            for (k, item) in m.iter() {
                out.str(k);
                value_bytes(out, item, depth + 1)?;
            }
        }
        other => return Err(format!("a {} cannot be logged as a property", other.type_name())),
    }
    Ok(())
}

#[derive(Default)]
struct Out {
    buf: Vec<u8>,
}

impl Out {
    /// LEB128.
    fn uint(&mut self, mut n: u64) {
        loop {
            let byte = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                self.buf.push(byte);
                return;
            }
            self.buf.push(byte | 0x80);
        }
    }
    /// Zigzag, then LEB128.
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

// ---- reading -------------------------------------------------------------------------------

/// What a log holds.
#[derive(Debug, Default)]
pub(crate) struct LogContents {
    /// The complete commits, in order: sequence number, offset of its first record, records.
    pub(crate) commits: Vec<(u64, u64, Redo)>,
    /// The length of the prefix that holds them (the header and every complete commit).
    pub(crate) end: u64,
    /// Where a torn or damaged last commit starts, if the log has one (at `end`).
    pub(crate) torn_at: Option<u64>,
    /// Damage before the last commit: its offset and what is wrong. `commits` and `end` then
    /// describe what precedes it.
    pub(crate) damage: Option<(u64, String)>,
}

/// Why a log cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LogDamage {
    /// The file header is not a log header of this generation and version.
    Header(String),
}

/// Reads a log of `generation`. A file shorter than a header (a log whose creation was torn)
/// holds nothing.
pub(crate) fn read(bytes: &[u8], generation: u64) -> Result<LogContents, LogDamage> {
    if bytes.len() < HEADER_LEN {
        return Ok(LogContents {
            commits: Vec::new(),
            end: 0,
            torn_at: (!bytes.is_empty()).then_some(0),
            damage: None,
        });
    }
    check_header(bytes, generation)?;
    let mut contents = LogContents {
        end: HEADER_LEN as u64,
        ..LogContents::default()
    };
    let mut pending: Vec<Redo> = Vec::new();
    let mut pending_bytes = 0u64;
    let mut commit_start = HEADER_LEN as u64;
    let mut last_sequence: Option<u64> = None;
    let mut pos = HEADER_LEN;
    while pos < bytes.len() {
        let rec = match parse_record(bytes, pos) {
            Ok(r) => r,
            Err(reason) => return tail_or_damage(bytes, pos, reason, contents),
        };
        let next = pos + RECORD_HEADER + rec.payload.len();
        match rec.kind {
            KIND_CHANGES => match decode_changes(rec.payload) {
                Ok(redo) => {
                    if pending.is_empty() {
                        commit_start = pos as u64;
                    }
                    pending.push(redo);
                    pending_bytes += (next - pos) as u64;
                }
                Err(reason) => return tail_or_damage(bytes, pos, reason, contents),
            },
            KIND_COMMIT => {
                let c = commit_fields(rec.payload);
                let problem = if c.records as usize != pending.len() || c.bytes != pending_bytes {
                    Some(format!(
                        "commit {} closes {} records ({} bytes), but {} ({} bytes) precede it",
                        c.sequence,
                        c.records,
                        c.bytes,
                        pending.len(),
                        pending_bytes
                    ))
                } else if last_sequence.is_some_and(|l| l.checked_add(1) != Some(c.sequence)) {
                    Some(format!(
                        "commit {} follows commit {}",
                        c.sequence,
                        last_sequence.unwrap_or_default()
                    ))
                } else {
                    None
                };
                if let Some(reason) = problem {
                    return tail_or_damage(bytes, pos, reason, contents);
                }
                last_sequence = Some(c.sequence);
                contents
                    .commits
                    .push((c.sequence, commit_start, merge(std::mem::take(&mut pending))));
                pending_bytes = 0;
                contents.end = next as u64;
            }
            other => {
                return tail_or_damage(bytes, pos, format!("unknown record kind {other}"), contents);
            }
        }
        pos = next;
    }
    if !pending.is_empty() {
        // Change records with no commit record: a commit cut short at the end.
        contents.torn_at = Some(contents.end);
    }
    Ok(contents)
}

fn check_header(bytes: &[u8], generation: u64) -> Result<(), LogDamage> {
    let h = bytes.get(..HEADER_LEN).unwrap_or_default();
    if h.get(..8) != Some(&MAGIC[..]) {
        return Err(LogDamage::Header("not a kgraph log (wrong magic number)".into()));
    }
    let word = |r: std::ops::Range<usize>| {
        h.get(r)
            .map_or(0, |b| b.iter().rev().fold(0u64, |a, x| a << 8 | u64::from(*x)))
    };
    let sum = word(24..32);
    if sum != xxh3_64(h.get(..24).unwrap_or_default()) {
        return Err(LogDamage::Header(
            "the log header's checksum does not match".into(),
        ));
    }
    let version = word(8..12) as u32;
    if version != VERSION {
        return Err(LogDamage::Header(format!(
            "log format version {version}; this build reads version {VERSION}"
        )));
    }
    let g = word(16..24);
    if g != generation {
        return Err(LogDamage::Header(format!(
            "the log is of generation {g}, not {generation}"
        )));
    }
    Ok(())
}

struct Record<'a> {
    kind: u8,
    payload: &'a [u8],
}

struct CommitFields {
    sequence: u64,
    records: u32,
    bytes: u64,
}

fn commit_fields(p: &[u8]) -> CommitFields {
    let word = |r: std::ops::Range<usize>| {
        p.get(r)
            .map_or(0, |b| b.iter().rev().fold(0u64, |a, x| a << 8 | u64::from(*x)))
    };
    CommitFields {
        sequence: word(0..8),
        records: word(8..12) as u32,
        bytes: word(12..20),
    }
}

/// The record at `pos`, if its header and checksum are whole and right.
fn parse_record(bytes: &[u8], pos: usize) -> Result<Record<'_>, String> {
    let head = bytes
        .get(pos..pos + RECORD_HEADER)
        .ok_or_else(|| "the record header is cut short".to_owned())?;
    if head.get(..4) != Some(&RECORD_MARK[..]) {
        return Err("no record starts here".into());
    }
    let kind = head[4];
    let len = u32::from_le_bytes([head[8], head[9], head[10], head[11]]) as usize;
    if len > MAX_PAYLOAD {
        return Err(format!(
            "a record of {len} bytes is longer than any record written"
        ));
    }
    let payload = bytes
        .get(pos + RECORD_HEADER..pos + RECORD_HEADER + len)
        .ok_or_else(|| "the record is cut short".to_owned())?;
    let want = u64::from_le_bytes([
        head[12], head[13], head[14], head[15], head[16], head[17], head[18], head[19],
    ]);
    if checksum(&head[..12], payload) != want || head[5..8] != [0, 0, 0] {
        return Err("the record's checksum does not match".into());
    }
    if kind == KIND_COMMIT && payload.len() != COMMIT_PAYLOAD {
        return Err("a commit record of the wrong length".into());
    }
    Ok(Record { kind, payload })
}

/// Decides whether damage at `pos` is the tail (cut it off) or earlier (an error).
fn tail_or_damage(
    bytes: &[u8],
    pos: usize,
    reason: String,
    mut contents: LogContents,
) -> Result<LogContents, LogDamage> {
    // Every whole record after the damage.
    let mut commits_after = Vec::new();
    let mut other_after = false;
    let mut at = pos + 1;
    while at + RECORD_HEADER <= bytes.len() {
        let Some(found) = find_mark(bytes, at) else { break };
        match parse_record(bytes, found) {
            Ok(rec) => {
                let next = found + RECORD_HEADER + rec.payload.len();
                if rec.kind == KIND_COMMIT {
                    let c = commit_fields(rec.payload);
                    commits_after.push((found, c.bytes));
                } else {
                    other_after = true;
                    if !commits_after.is_empty() {
                        // A record after a later commit: more than the last commit follows.
                        commits_after.push((found, 0));
                    }
                }
                at = next;
            }
            Err(_) => at = found + 1,
        }
    }
    let _ = other_after;
    let is_tail = match commits_after.as_slice() {
        [] => true,
        // One commit record after the damage, whose commit spans the damage: the damaged
        // commit is the last one.
        [(marker, span)] => (*marker as u64).saturating_sub(*span) <= pos as u64,
        _ => false,
    };
    if is_tail {
        contents.torn_at = Some(contents.end);
    } else {
        contents.damage = Some((pos as u64, reason));
    }
    Ok(contents)
}

fn find_mark(bytes: &[u8], from: usize) -> Option<usize> {
    let rest = bytes.get(from..)?;
    rest.windows(RECORD_MARK.len())
        .position(|w| w == RECORD_MARK)
        .map(|i| from + i)
}

fn merge(parts: Vec<Redo>) -> Redo {
    let mut out = Redo::default();
    for p in parts {
        out.labels.extend(p.labels);
        out.types.extend(p.types);
        out.keys.extend(p.keys);
        out.changes.extend(p.changes);
    }
    out
}

fn decode_changes(payload: &[u8]) -> Result<Redo, String> {
    let mut input = In {
        bytes: payload,
        pos: 0,
    };
    let mut redo = Redo::default();
    for list in [&mut redo.labels, &mut redo.types, &mut redo.keys] {
        let n = input.len(1)?;
        for _ in 0..n {
            list.push(Box::from(input.str()?));
        }
    }
    let n = u32::from_le_bytes(input.array()?) as usize;
    if n > input.left() {
        return Err(format!("{n} changes announced in {} bytes", input.left()));
    }
    redo.changes.reserve(n);
    for _ in 0..n {
        redo.changes.push(decode_change(&mut input)?);
    }
    if input.left() != 0 {
        return Err(format!("{} bytes left after the changes", input.left()));
    }
    Ok(redo)
}

fn decode_change(input: &mut In<'_>) -> Result<Change, String> {
    let tag = input.byte()?;
    let node = |i: &mut In<'_>| i.u32().map(NodeId::from_index);
    let rel = |i: &mut In<'_>| i.u32().map(RelId::from_index);
    Ok(match tag {
        NODE_ADDED => {
            let id = node(input)?;
            let n = input.len(1)?;
            let mut labels = Vec::with_capacity(n);
            for _ in 0..n {
                labels.push(LabelId(input.u32()?));
            }
            let props = decode_props(input)?;
            Change::NodeAdded { id, labels, props }
        }
        NODE_REMOVED => Change::NodeRemoved {
            id: node(input)?,
            data: NodeData {
                labels: Vec::new(),
                props: Props::default(),
            },
            label_pos: Vec::new(),
        },
        NODE_PROP => Change::NodePropSet {
            id: node(input)?,
            key: KeyId(input.u32()?),
            old: Value::Null,
            new: decode_value(input, 0)?,
        },
        LABEL_ADDED => Change::LabelAdded {
            id: node(input)?,
            label: LabelId(input.u32()?),
        },
        LABEL_REMOVED => Change::LabelRemoved {
            id: node(input)?,
            label: LabelId(input.u32()?),
            pos: 0,
        },
        REL_ADDED => Change::RelAdded {
            id: rel(input)?,
            start: node(input)?,
            end: node(input)?,
            ty: TypeId(input.u32()?),
            props: decode_props(input)?,
        },
        REL_REMOVED => Change::RelRemoved {
            id: rel(input)?,
            start: NodeId::from_index(0),
            end: NodeId::from_index(0),
            data: RelData {
                ty: TypeId(0),
                props: Props::default(),
            },
            at: (0, 0),
        },
        REL_PROP => Change::RelPropSet {
            id: rel(input)?,
            key: KeyId(input.u32()?),
            old: Value::Null,
            new: decode_value(input, 0)?,
        },
        CONSTRAINT_ADDED => Change::ConstraintAdded {
            label: LabelId(input.u32()?),
            key: KeyId(input.u32()?),
            name: None,
        },
        CONSTRAINT_NAMED => Change::ConstraintAdded {
            name: Some(input.str()?.into()),
            label: LabelId(input.u32()?),
            key: KeyId(input.u32()?),
        },
        CONSTRAINT_REMOVED => Change::ConstraintRemoved {
            pos: 0,
            name: None,
            label: LabelId(input.u32()?),
            key: KeyId(input.u32()?),
        },
        INDEX_ADDED => Change::IndexAdded {
            name: input.str()?.into(),
            label: LabelId(input.u32()?),
            key: KeyId(input.u32()?),
        },
        INDEX_REMOVED => Change::IndexRemoved {
            pos: 0,
            name: input.str()?.into(),
            label: LabelId(0),
            key: KeyId(0),
        },
        UNIQUE_NAMES => Change::UniqueNamesRequired,
        other => return Err(format!("unknown change tag {other}")),
    })
}

fn decode_props(input: &mut In<'_>) -> Result<Props, String> {
    let n = input.len(2)?;
    let mut pairs: Vec<(KeyId, Value)> = Vec::with_capacity(n);
    for _ in 0..n {
        let k = KeyId(input.u32()?);
        if pairs.last().is_some_and(|(last, _)| *last >= k) {
            return Err("property keys are not sorted and unique".into());
        }
        let v = decode_value(input, 0)?;
        if v.is_null() {
            return Err("a null property".into());
        }
        pairs.push((k, v));
    }
    Ok(Props::from_sorted(pairs))
}

fn decode_value(input: &mut In<'_>, depth: usize) -> Result<Value, String> {
    if depth > MAX_DEPTH {
        return Err(format!("a value nested more than {MAX_DEPTH} levels deep"));
    }
    Ok(match input.byte()? {
        0 => Value::Null,
        1 => match input.byte()? {
            0 => Value::Bool(false),
            1 => Value::Bool(true),
            b => return Err(format!("boolean {b}")),
        },
        2 => Value::Int(input.int()?),
        3 => Value::Float(f64::from_le_bytes(input.array()?)),
        4 => Value::from(input.str()?),
        5 => Value::Date(date(input)?),
        8 => Value::LocalTime(local_time(input)?),
        9 => {
            let t = local_time(input)?;
            let offset = offset(input)?;
            Value::Time(Time::new(t, offset).map_err(|_| BAD_TEMPORAL.to_owned())?)
        }
        10 => {
            let d = date(input)?;
            Value::LocalDateTime(LocalDateTime::new(d, local_time(input)?))
        }
        11 => {
            let d = date(input)?;
            let t = local_time(input)?;
            let offset = offset(input)?;
            let zone = match input.byte()? {
                0 => None,
                1 => {
                    let name = input.str()?;
                    Some(Zone::parse(name).ok_or_else(|| format!("unknown time zone '{name}'"))?)
                }
                _ => return Err(BAD_TEMPORAL.into()),
            };
            Value::DateTime(DateTime::from_parts(d, t, offset, zone).ok_or(BAD_TEMPORAL)?)
        }
        12 => {
            let (months, days, seconds, nanos) = (input.int()?, input.int()?, input.int()?, input.int()?);
            Value::from(Duration::new(months, days, seconds, nanos).map_err(|_| BAD_TEMPORAL.to_owned())?)
        }
        6 => {
            let n = input.len(1)?;
            let mut items = Vec::with_capacity(n);
            for _ in 0..n {
                items.push(decode_value(input, depth + 1)?);
            }
            Value::List(items)
        }
        7 => {
            let n = input.len(2)?;
            let mut map = std::collections::BTreeMap::new();
            for _ in 0..n {
                let k = input.str()?.to_owned();
                let v = decode_value(input, depth + 1)?;
                map.insert(k, v);
            }
            Value::from(map)
        }
        t => return Err(format!("unknown value tag {t}")),
    })
}

const BAD_TEMPORAL: &str = "a temporal value out of range";

fn date(input: &mut In<'_>) -> Result<Date, String> {
    Date::from_days(input.int()?).map_err(|_| BAD_TEMPORAL.to_owned())
}

fn local_time(input: &mut In<'_>) -> Result<LocalTime, String> {
    LocalTime::from_nano_of_day(input.uint()?).map_err(|_| BAD_TEMPORAL.to_owned())
}

fn offset(input: &mut In<'_>) -> Result<i32, String> {
    i32::try_from(input.int()?).map_err(|_| BAD_TEMPORAL.to_owned())
}

struct In<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> In<'a> {
    fn left(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let s = self
            .bytes
            .get(self.pos..self.pos.saturating_add(n))
            .ok_or_else(|| "the record ends inside a change".to_owned())?;
        self.pos += n;
        Ok(s)
    }
    fn byte(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }
    fn uint(&mut self) -> Result<u64, String> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            n |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(n);
            }
        }
        Err("an integer longer than 10 bytes".into())
    }
    fn u32(&mut self) -> Result<u32, String> {
        u32::try_from(self.uint()?).map_err(|_| "an id out of range".to_owned())
    }
    fn int(&mut self) -> Result<i64, String> {
        let z = self.uint()?;
        Ok((z >> 1) as i64 ^ -((z & 1) as i64))
    }
    /// A count of items that take at least `min_bytes` each.
    fn len(&mut self, min_bytes: usize) -> Result<usize, String> {
        let n = usize::try_from(self.uint()?).map_err(|_| "a length out of range".to_owned())?;
        if n.saturating_mul(min_bytes) > self.left() {
            return Err(format!("{n} items announced in {} bytes", self.left()));
        }
        Ok(n)
    }
    fn str(&mut self) -> Result<&'a str, String> {
        let n = self.len(1)?;
        std::str::from_utf8(self.take(n)?).map_err(|_| "a string that is not UTF-8".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_changes() -> Vec<Change> {
        let props = Props::from_sorted(vec![
            (KeyId(0), Value::from("Pfizer")),
            (
                KeyId(1),
                Value::List(vec![Value::Int(-3), Value::Float(2.5), Value::Bool(true)]),
            ),
        ]);
        vec![
            Change::NodeAdded {
                id: NodeId::from_index(7),
                labels: vec![LabelId(0), LabelId(2)],
                props: props.clone(),
            },
            Change::RelAdded {
                id: RelId::from_index(3),
                start: NodeId::from_index(7),
                end: NodeId::from_index(1),
                ty: TypeId(1),
                props,
            },
            Change::NodePropSet {
                id: NodeId::from_index(7),
                key: KeyId(3),
                old: Value::Null,
                new: Value::from("辉瑞"),
            },
            Change::ConstraintAdded {
                label: LabelId(0),
                key: KeyId(0),
                name: None,
            },
            Change::ConstraintAdded {
                label: LabelId(0),
                key: KeyId(1),
                name: Some("one_name".into()),
            },
            Change::IndexAdded {
                name: "by_ticker".into(),
                label: LabelId(0),
                key: KeyId(2),
            },
            Change::IndexRemoved {
                pos: 0,
                name: "by_ticker".into(),
                label: LabelId(0),
                key: KeyId(0),
            },
            Change::ConstraintRemoved {
                pos: 0,
                name: None,
                label: LabelId(0),
                key: KeyId(1),
            },
        ]
    }

    fn log_of(commits: &[Vec<Change>]) -> Vec<u8> {
        let mut bytes = header(5).to_vec();
        for (i, changes) in commits.iter().enumerate() {
            let names = if i == 0 { vec!["Company"] } else { vec![] };
            let view = CommitView {
                labels: names,
                types: vec![],
                keys: vec!["name"],
                changes,
            };
            bytes.extend(encode_commit(10 + i as u64, &view).unwrap_or_default());
        }
        bytes
    }

    #[test]
    fn commits_round_trip() {
        let bytes = log_of(&[sample_changes(), sample_changes()[2..].to_vec()]);
        let log = read(&bytes, 5).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(log.commits.len(), 2);
        assert_eq!(log.end, bytes.len() as u64);
        assert_eq!(log.torn_at, None);
        let (seq, _, redo) = &log.commits[0];
        assert_eq!(*seq, 10);
        assert_eq!(redo.labels, vec![Box::from("Company")]);
        assert_eq!(redo.changes.len(), sample_changes().len());
        // Every change comes back as it was written (the schema changes' positions and the
        // removed index's ids are not written: the samples hold what decoding gives).
        for (got, want) in redo.changes.iter().zip(sample_changes()).skip(3) {
            assert_eq!(format!("{got:?}"), format!("{want:?}"));
        }
        assert_eq!(
            format!("{:?}", redo.changes[0]),
            format!("{:?}", sample_changes()[0])
        );
        assert!(matches!(read(&bytes, 6), Err(LogDamage::Header(_))));
    }

    #[test]
    fn every_truncation_keeps_exactly_the_whole_commits() {
        let commits = [sample_changes(), sample_changes(), sample_changes()];
        let bytes = log_of(&commits);
        let ends: Vec<u64> = (0..=commits.len())
            .map(|n| log_of(&commits[..n]).len() as u64)
            .collect();
        for cut in 0..=bytes.len() {
            let log = read(&bytes[..cut], 5).unwrap_or_else(|e| panic!("cut {cut}: {e:?}"));
            let whole = ends
                .iter()
                .filter(|e| **e <= cut as u64)
                .count()
                .saturating_sub(1);
            let whole = if cut < HEADER_LEN { 0 } else { whole };
            assert_eq!(log.commits.len(), whole, "cut at {cut}");
            let clean = cut == 0 || ends.contains(&(cut as u64));
            assert_eq!(log.torn_at.is_none(), clean, "cut at {cut}");
        }
    }

    #[test]
    fn a_flipped_bit_is_cut_off_in_the_last_commit_and_an_error_before_it() {
        let commits = [sample_changes(), sample_changes(), sample_changes()];
        let bytes = log_of(&commits);
        let last_start = log_of(&commits[..2]).len();
        for at in HEADER_LEN..bytes.len() {
            for bit in [0, 3, 7] {
                let mut b = bytes.clone();
                b[at] ^= 1 << bit;
                let log = read(&b, 5).unwrap_or_else(|e| panic!("flip at {at}: {e:?}"));
                match log.damage {
                    None => {
                        assert!(at >= last_start, "a flip at {at} before the last commit was kept");
                        assert_eq!(log.commits.len(), 2, "flip at {at}");
                        assert_eq!(log.end, last_start as u64);
                        assert_eq!(log.torn_at, Some(last_start as u64));
                    }
                    Some((offset, _)) => {
                        assert!(at < last_start, "a flip at {at} in the last commit is an error");
                        assert!(offset as usize <= at, "offset {offset} after the flip at {at}");
                        // What precedes the damage is whole.
                        assert!(log.end <= offset);
                        let first = log_of(&commits[..1]).len() as u64;
                        assert_eq!(log.commits.len(), usize::from(at as u64 >= first));
                    }
                }
            }
        }
    }

    #[test]
    fn every_value_type_round_trips() {
        let g = crate::Graph::new();
        let values: Vec<Value> = [
            "RETURN date('2019-02-28') AS v",
            "RETURN localtime('12:31:14.645876123') AS v",
            "RETURN time('12:31:14.645+01:00') AS v",
            "RETURN localdatetime('+999999999-12-31T23:59:59.999999999') AS v",
            "RETURN datetime('2017-08-08T12:31:14.645876123+02:00[Europe/Stockholm]') AS v",
            "RETURN datetime('-999999999-01-01T00:00Z') AS v",
            "RETURN duration('P12Y5M-14DT16H-0.000000001S') AS v",
            "RETURN [1, 2.5, 'x', true, null, [date('2020-01-01')]] AS v",
        ]
        .iter()
        .map(|q| {
            g.query(q)
                .run()
                .ok()
                .and_then(|r| r.get(0, "v").cloned())
                .unwrap_or(Value::Null)
        })
        .collect();
        for v in values {
            assert!(!v.is_null());
            let change = Change::NodePropSet {
                id: NodeId::from_index(1),
                key: KeyId(0),
                old: Value::Null,
                new: v.clone(),
            };
            let bytes = log_of(&[vec![change]]);
            let log = read(&bytes, 5).unwrap_or_else(|e| panic!("{e:?}"));
            match &log.commits[0].2.changes[0] {
                Change::NodePropSet { new, .. } => assert_eq!(format!("{new:?}"), format!("{v:?}")),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn large_commits_span_several_records() {
        let big = Value::from("x".repeat(300_000));
        let changes: Vec<Change> = (0..8)
            .map(|i| Change::NodePropSet {
                id: NodeId::from_index(i),
                key: KeyId(0),
                old: Value::Null,
                new: big.clone(),
            })
            .collect();
        let bytes = log_of(&[changes.clone(), changes]);
        let log = read(&bytes, 5).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(log.commits.len(), 2);
        assert_eq!(log.commits[1].2.changes.len(), 8);
        assert_eq!(log.commits[0].2.labels.len(), 1);
    }
}
