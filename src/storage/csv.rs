//! CSV import and export in the benchmark format (`../shared/bench/FORMAT.md`): a typed header
//! `name:TYPE`, structural columns `ID`/`LABEL` (nodes) and `START_ID`/`END_ID`/`TYPE`
//! (relationships), property types `STRING`, `INT`, `FLOAT`, `BOOL`, `DATE` and lists `T[]`
//! split on `;`, `IGNORE`d columns, an empty cell for an absent property, RFC 4180 quoting.
//! Beyond the benchmark format, the temporal types `LOCALTIME`, `TIME`, `LOCALDATETIME`,
//! `DATETIME` and `DURATION` hold the ISO 8601 text Neo4j prints (`2015-07-21T21:40+01:00`,
//! `P1Y2M`), which their parsers read back; and the extension of `docs/csv-format.md`: a
//! `LABEL` cell holds several labels separated by `;` (`\;` and `\\` escaped), and an `ANY`
//! column holds in each cell a value in the JSON encoding of `docs/jsonl-format.md`. The
//! exporter uses the extension only for what the benchmark format cannot hold.
//!
//! The importer is a bulk path: each file is streamed once (never held whole in memory),
//! petgraph's storage is filled directly, repeated string values share one allocation per
//! column (`StringPool`), and the label and name indexes are built once at the end
//! (`Graph::from_storage`).

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use csv::{ByteRecord, ReaderBuilder, WriterBuilder};

use super::error::{ExportError, ExportItem, ImportError, ImportErrorKind};
use super::file::AtomicFile;
use super::strings::StringPool;
use crate::graph::bulk::Storage;
use crate::graph::{Graph, KeyId, LabelId, NodeData, NodeId, Props, RelData, Symbols, TypeId, Value};
use crate::Date;

// ---- import ------------------------------------------------------------------------------

/// The scalar types of a property column.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Scalar {
    String,
    Int,
    Float,
    Bool,
    Date,
    LocalTime,
    Time,
    LocalDateTime,
    DateTime,
    Duration,
}

impl Scalar {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Scalar::String => "STRING",
            Scalar::Int => "INT",
            Scalar::Float => "FLOAT",
            Scalar::Bool => "BOOL",
            Scalar::Date => "DATE",
            Scalar::LocalTime => "LOCALTIME",
            Scalar::Time => "TIME",
            Scalar::LocalDateTime => "LOCALDATETIME",
            Scalar::DateTime => "DATETIME",
            Scalar::Duration => "DURATION",
        }
    }

    fn parse(name: &str) -> Option<Scalar> {
        Some(match name.to_ascii_uppercase().as_str() {
            "STRING" => Scalar::String,
            "INT" | "LONG" | "INTEGER" => Scalar::Int,
            "FLOAT" | "DOUBLE" => Scalar::Float,
            "BOOL" | "BOOLEAN" => Scalar::Bool,
            "DATE" => Scalar::Date,
            "LOCALTIME" => Scalar::LocalTime,
            "TIME" => Scalar::Time,
            "LOCALDATETIME" => Scalar::LocalDateTime,
            "DATETIME" => Scalar::DateTime,
            "DURATION" => Scalar::Duration,
            _ => return None,
        })
    }
}

/// The type of a property column: a scalar or a list of one scalar type.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct ColType {
    pub(crate) scalar: Scalar,
    pub(crate) list: bool,
}

impl ColType {
    pub(crate) fn name(self) -> String {
        if self.list {
            format!("{}[]", self.scalar.name())
        } else {
            self.scalar.name().to_owned()
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Structural {
    Id,
    Label,
    StartId,
    EndId,
    Type,
}

impl Structural {
    fn name(self) -> &'static str {
        match self {
            Structural::Id => "ID",
            Structural::Label => "LABEL",
            Structural::StartId => "START_ID",
            Structural::EndId => "END_ID",
            Structural::Type => "TYPE",
        }
    }
}

/// What a property column holds: values of one type, or (`ANY`) each cell a value in the JSON
/// encoding of `docs/jsonl-format.md`, which carries its own type.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum PropType {
    Typed(ColType),
    Any,
}

impl PropType {
    fn name(self) -> String {
        match self {
            PropType::Typed(t) => t.name(),
            PropType::Any => "ANY".to_owned(),
        }
    }
}

#[derive(Clone, Debug)]
enum Column {
    Structural,
    Ignore,
    Prop { key: KeyId, ty: PropType },
}

/// A parsed header: what each field is, the positions of the structural columns and the
/// property columns in key order (so each item's properties come out sorted by key).
struct Header {
    names: Vec<String>,
    columns: Vec<Column>,
    structural: HashMap<&'static str, usize>,
    props_by_key: Vec<usize>,
}

/// A CSV file being read: the bytes come in pieces, never the whole file at once.
type CsvReader = csv::Reader<Bounded<io::Chain<io::Cursor<Vec<u8>>, File>>>;

/// The error [`Bounded`] stops the CSV parser with.
#[derive(Debug)]
struct RecordTooLong;

impl std::fmt::Display for RecordTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a record longer than the import reads")
    }
}

impl std::error::Error for RecordTooLong {}

/// The bytes of a CSV file on their way to the parser, at most `limit + 1` of one record: the
/// parser asks for more only once it has consumed every byte it was given, so when it asks
/// with that many bytes of the current record consumed, the record is too long, and the read
/// fails (with [`RecordTooLong`]) instead of letting the record grow.
struct Bounded<R> {
    inner: R,
    limit: u64,
    /// Bytes handed to the parser so far.
    delivered: u64,
    /// Where the record being parsed starts (a byte offset), and on which line.
    record_start: u64,
    record_line: u64,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let used = self.delivered - self.record_start;
        let room = (self.limit + 1).saturating_sub(used);
        if room == 0 {
            return Err(io::Error::other(RecordTooLong));
        }
        let take = buf.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..take])?;
        self.delivered += n as u64;
        Ok(n)
    }
}

/// Reads the next record into `record`, refusing one longer than the reader's limit with
/// [`ImportError::LineTooLong`]; `Ok(false)` at the end of the file.
fn read_record(ctx: &Ctx<'_>, rdr: &mut CsvReader, record: &mut ByteRecord) -> Result<bool, ImportError> {
    match rdr.read_byte_record(record) {
        Ok(more) => {
            // The next record starts where this one ended.
            let next = rdr.position().clone();
            let bounded = rdr.get_mut();
            bounded.record_start = next.byte();
            bounded.record_line = next.line();
            Ok(more)
        }
        Err(e) => {
            let too_long = matches!(e.kind(), csv::ErrorKind::Io(io)
                if io.get_ref().is_some_and(|inner| inner.is::<RecordTooLong>()));
            if too_long {
                let bounded = rdr.get_ref();
                Err(ImportError::LineTooLong {
                    path: ctx.path.to_owned(),
                    line: bounded.record_line,
                    limit: bounded.limit,
                })
            } else {
                Err(ctx.csv_err(e))
            }
        }
    }
}

/// Opens a file for streaming, records bounded to `max_record` bytes; a leading UTF-8
/// byte-order mark is dropped. Also returns the file's length.
fn open_csv(path: &Path, max_record: usize) -> Result<(CsvReader, u64), ImportError> {
    let io_err = |source| ImportError::Io {
        path: path.to_owned(),
        source,
    };
    let mut file = File::open(path).map_err(io_err)?;
    let len = file.metadata().map_err(io_err)?.len();
    // The first three bytes, put back unless they are the byte-order mark.
    let mut head = Vec::with_capacity(3);
    (&mut file).take(3).read_to_end(&mut head).map_err(io_err)?;
    if head == b"\xEF\xBB\xBF" {
        head.clear();
    }
    let rdr = ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_reader(Bounded {
            inner: io::Cursor::new(head).chain(file),
            limit: max_record as u64,
            delivered: 0,
            record_start: 0,
            record_line: 1,
        });
    Ok((rdr, len))
}

struct Ctx<'a> {
    path: &'a Path,
}

impl Ctx<'_> {
    fn err(&self, line: u64, column: usize, kind: ImportErrorKind) -> ImportError {
        ImportError::Malformed {
            path: self.path.to_owned(),
            line,
            column: column as u64 + 1,
            kind,
        }
    }

    fn csv_err(&self, e: csv::Error) -> ImportError {
        let line = e.position().map_or(0, |p| p.line());
        match e.into_kind() {
            csv::ErrorKind::Io(source) => ImportError::Io {
                path: self.path.to_owned(),
                source,
            },
            other => self.err(
                line,
                0,
                ImportErrorKind::BadRecord {
                    message: format!("{other:?}"),
                },
            ),
        }
    }
}

fn field_str<'r>(ctx: &Ctx<'_>, record: &'r ByteRecord, line: u64, i: usize) -> Result<&'r str, ImportError> {
    let bytes = record.get(i).unwrap_or_default();
    std::str::from_utf8(bytes).map_err(|_| ctx.err(line, i, ImportErrorKind::BadUtf8))
}

fn parse_header(
    ctx: &Ctx<'_>,
    record: &ByteRecord,
    allowed: &[Structural],
    required: &[Structural],
    symbols: &mut Symbols,
) -> Result<Header, ImportError> {
    let mut header = Header {
        names: Vec::with_capacity(record.len()),
        columns: Vec::with_capacity(record.len()),
        structural: HashMap::new(),
        props_by_key: Vec::new(),
    };
    let mut seen_props: HashMap<String, usize> = HashMap::new();
    for i in 0..record.len() {
        let field = field_str(ctx, record, 1, i)?;
        let bad = |reason: &str| {
            ctx.err(
                1,
                i,
                ImportErrorKind::BadHeader {
                    field: field.to_owned(),
                    reason: reason.to_owned(),
                },
            )
        };
        let Some((name, ty)) = field.rsplit_once(':') else {
            return Err(bad("not of the form name:TYPE"));
        };
        let upper = ty.to_ascii_uppercase();
        let structural = [
            Structural::Id,
            Structural::Label,
            Structural::StartId,
            Structural::EndId,
            Structural::Type,
        ]
        .into_iter()
        .find(|s| s.name() == upper);
        let column = if let Some(s) = structural {
            if !allowed.contains(&s) {
                return Err(bad(&format!(
                    "a {} column does not belong in this file",
                    s.name()
                )));
            }
            if header.structural.insert(s.name(), i).is_some() {
                return Err(ctx.err(
                    1,
                    i,
                    ImportErrorKind::DuplicateColumn {
                        name: field.to_owned(),
                    },
                ));
            }
            Column::Structural
        } else if upper == "IGNORE" {
            Column::Ignore
        } else {
            let ty = if upper == "ANY" {
                PropType::Any
            } else {
                let (scalar, list) = match upper.strip_suffix("[]") {
                    Some(inner) => (inner, true),
                    None => (upper.as_str(), false),
                };
                let Some(scalar) = Scalar::parse(scalar) else {
                    return Err(bad(&format!("unknown type '{ty}'")));
                };
                PropType::Typed(ColType { scalar, list })
            };
            if name.is_empty() {
                return Err(bad("a property column needs a name"));
            }
            if seen_props.insert(name.to_owned(), i).is_some() {
                return Err(ctx.err(
                    1,
                    i,
                    ImportErrorKind::DuplicateColumn {
                        name: name.to_owned(),
                    },
                ));
            }
            Column::Prop {
                key: symbols.key(name),
                ty,
            }
        };
        header.names.push(name.to_owned());
        header.columns.push(column);
    }
    for r in required {
        if !header.structural.contains_key(r.name()) {
            return Err(ctx.err(
                1,
                record.len(),
                ImportErrorKind::MissingColumn { column: r.name() },
            ));
        }
    }
    let mut props: Vec<(KeyId, usize)> = header
        .columns
        .iter()
        .enumerate()
        .filter_map(|(i, c)| match c {
            Column::Prop { key, .. } => Some((*key, i)),
            _ => None,
        })
        .collect();
    props.sort_unstable();
    header.props_by_key = props.into_iter().map(|(_, i)| i).collect();
    Ok(header)
}

fn parse_scalar(
    scalar: Scalar,
    text: &str,
    column: &str,
    pool: &mut StringPool,
) -> Result<Value, ImportErrorKind> {
    let bad = |make: fn(String, String) -> ImportErrorKind| make(column.to_owned(), text.to_owned());
    Ok(match scalar {
        Scalar::String => Value::String(pool.get(text)),
        Scalar::Int => Value::Int(
            text.parse::<i64>()
                .map_err(|_| bad(|column, text| ImportErrorKind::BadInteger { column, text }))?,
        ),
        Scalar::Float => Value::Float(
            text.parse::<f64>()
                .map_err(|_| bad(|column, text| ImportErrorKind::BadFloat { column, text }))?,
        ),
        Scalar::Bool => {
            if text.eq_ignore_ascii_case("true") {
                Value::Bool(true)
            } else if text.eq_ignore_ascii_case("false") {
                Value::Bool(false)
            } else {
                return Err(bad(|column, text| ImportErrorKind::BadBool { column, text }));
            }
        }
        Scalar::Date => Value::Date(
            text.parse::<Date>()
                .map_err(|_| bad(|column, text| ImportErrorKind::BadDate { column, text }))?,
        ),
        temporal => {
            let bad_temporal = || ImportErrorKind::BadTemporal {
                column: column.to_owned(),
                type_name: temporal.name(),
                text: text.to_owned(),
            };
            match temporal {
                Scalar::LocalTime => Value::LocalTime(text.parse().map_err(|_| bad_temporal())?),
                Scalar::Time => Value::Time(text.parse().map_err(|_| bad_temporal())?),
                Scalar::LocalDateTime => Value::LocalDateTime(text.parse().map_err(|_| bad_temporal())?),
                Scalar::DateTime => Value::DateTime(text.parse().map_err(|_| bad_temporal())?),
                _ => Value::from(text.parse::<crate::Duration>().map_err(|_| bad_temporal())?),
            }
        }
    })
}

fn parse_value(
    ty: ColType,
    text: &str,
    column: &str,
    pool: &mut StringPool,
) -> Result<Value, ImportErrorKind> {
    if !ty.list {
        return parse_scalar(ty.scalar, text, column, pool);
    }
    text.split(';')
        .map(|item| parse_scalar(ty.scalar, item, column, pool))
        .collect::<Result<Vec<_>, _>>()
        .map(Value::List)
}

/// The value of an `ANY` cell: JSON in the encoding of `docs/jsonl-format.md` (`"text"`, `42`,
/// `{"~date":"2024-01-31"}`, `[1,"a"]`); `null` is an absent property.
fn parse_any(text: &str, column: &str) -> Result<Value, ImportErrorKind> {
    let value: Value = serde_json::from_str(text).map_err(|e| ImportErrorKind::BadValue {
        column: column.to_owned(),
        message: e.to_string(),
    })?;
    super::check_imported(&value).map_err(|refusal| refusal.kind(column))?;
    Ok(value)
}

/// State reused from row to row.
struct Rows {
    pairs: Vec<(KeyId, Value)>,
    /// One pool per column (only string columns use theirs).
    pools: Vec<StringPool>,
}

impl Rows {
    fn new(header: &Header) -> Rows {
        Rows {
            pairs: Vec::with_capacity(header.columns.len()),
            pools: header.columns.iter().map(|_| StringPool::default()).collect(),
        }
    }
}

/// The properties of one row, sorted by key, in a slice of exactly their number.
fn row_props(
    ctx: &Ctx<'_>,
    header: &Header,
    rows: &mut Rows,
    record: &ByteRecord,
    line: u64,
) -> Result<Props, ImportError> {
    rows.pairs.clear();
    for &i in &header.props_by_key {
        let (Some(Column::Prop { key, ty }), Some(pool)) = (header.columns.get(i), rows.pools.get_mut(i))
        else {
            continue;
        };
        let raw = record.get(i).unwrap_or_default();
        if raw.is_empty() {
            continue;
        }
        let text = std::str::from_utf8(raw).map_err(|_| ctx.err(line, i, ImportErrorKind::BadUtf8))?;
        let column = header.names.get(i).map_or("", String::as_str);
        let value = match ty {
            PropType::Typed(ty) => parse_value(*ty, text, column, pool),
            PropType::Any => parse_any(text, column),
        }
        .map_err(|kind| ctx.err(line, i, kind))?;
        if !value.is_null() {
            rows.pairs.push((*key, value));
        }
    }
    Ok(Props::from_sorted(rows.pairs.drain(..).collect()))
}

/// Checks the row's field count against the header.
fn check_len(ctx: &Ctx<'_>, header: &Header, record: &ByteRecord, line: u64) -> Result<(), ImportError> {
    if record.len() == header.columns.len() {
        return Ok(());
    }
    Err(ctx.err(
        line,
        record.len().min(header.columns.len()),
        ImportErrorKind::WrongFieldCount {
            expected: header.columns.len() as u64,
            found: record.len() as u64,
        },
    ))
}

fn id_field(
    ctx: &Ctx<'_>,
    header: &Header,
    record: &ByteRecord,
    line: u64,
    i: usize,
) -> Result<u64, ImportError> {
    let raw = record.get(i).unwrap_or_default();
    if let Some(id) = digits(raw) {
        return Ok(id);
    }
    let text = field_str(ctx, record, line, i)?;
    let name = || header.names.get(i).cloned().unwrap_or_default();
    if text.is_empty() {
        return Err(ctx.err(line, i, ImportErrorKind::MissingValue { column: name() }));
    }
    text.parse::<u64>().map_err(|_| {
        ctx.err(
            line,
            i,
            ImportErrorKind::BadInteger {
                column: name(),
                text: text.to_owned(),
            },
        )
    })
}

/// The value of 1 to 19 ASCII digits (which cannot overflow a `u64`); `None` for anything
/// else, which then takes `str::parse` and its errors.
fn digits(raw: &[u8]) -> Option<u64> {
    if raw.is_empty() || raw.len() > 19 {
        return None;
    }
    let mut n = 0u64;
    for &b in raw {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        n = n * 10 + u64::from(d);
    }
    Some(n)
}

/// File id -> node id: a dense table for small ids (the usual `0..N`), a hash map beyond.
struct IdMap {
    dense: Vec<u32>,
    /// Ids below this go in the dense table: its size stays proportional to the file's.
    dense_limit: u64,
    sparse: HashMap<u64, u32>,
}

const NO_NODE: u32 = u32::MAX;

impl IdMap {
    /// A map for a nodes file of `file_len` bytes: a record takes at least four bytes
    /// (`0,L` and a line end), so a dense table of up to half the file's length in ids costs
    /// at most twice the file's size, and holds `0..N` whatever the order of the records.
    fn new(file_len: u64) -> IdMap {
        IdMap {
            dense: Vec::new(),
            dense_limit: (file_len / 2).max(1 << 16),
            sparse: HashMap::new(),
        }
    }

    /// Records `id -> node`; returns the node already recorded for `id`, if any.
    fn insert(&mut self, id: u64, node: u32) -> Option<u32> {
        if id < self.dense_limit {
            let i = id as usize;
            if i >= self.dense.len() {
                self.dense.resize(i + 1, NO_NODE);
            }
            let slot = &mut self.dense[i];
            if *slot != NO_NODE {
                return Some(*slot);
            }
            *slot = node;
            None
        } else {
            match self.sparse.insert(id, node) {
                Some(old) => {
                    self.sparse.insert(id, old);
                    Some(old)
                }
                None => None,
            }
        }
    }

    fn get(&self, id: u64) -> Option<u32> {
        match usize::try_from(id).ok().and_then(|i| self.dense.get(i)) {
            Some(&n) if n != NO_NODE => Some(n),
            Some(_) => None,
            None => self.sparse.get(&id).copied(),
        }
    }
}

/// Interned labels or types by their bytes, so a repeated one costs a hash lookup and no
/// UTF-8 check.
type SymbolCache<T> = HashMap<Box<[u8]>, T, foldhash::fast::RandomState>;

/// Rows parsed ahead by the reading thread, per message.
const BATCH: usize = 4096;
/// Messages the reading thread may be ahead by (bounds the memory in flight).
const QUEUE: usize = 4;

/// Runs `next` on a second thread, which reads and parses rows and sends them in batches,
/// while this thread hands each row to `take` in file order. The first error in file order
/// wins: `next` stops at its first error, which arrives after every row before it, and an
/// error of `take` stops the reader (its channel closes).
fn pipeline<R: Send>(
    path: &Path,
    mut next: impl FnMut() -> Result<Option<R>, ImportError> + Send,
    mut take: impl FnMut(R) -> Result<(), ImportError>,
) -> Result<(), ImportError> {
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Vec<R>, ImportError>>(QUEUE);
        let reader = move || {
            let mut batch = Vec::with_capacity(BATCH);
            loop {
                match next() {
                    Ok(Some(row)) => {
                        batch.push(row);
                        if batch.len() == BATCH {
                            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                            if tx.send(Ok(full)).is_err() {
                                return;
                            }
                        }
                    }
                    Ok(None) => {
                        let _ = tx.send(Ok(batch));
                        return;
                    }
                    Err(e) => {
                        if tx.send(Ok(batch)).is_ok() {
                            let _ = tx.send(Err(e));
                        }
                        return;
                    }
                }
            }
        };
        let handle = std::thread::Builder::new()
            .name("kgraph-csv".into())
            .spawn_scoped(scope, reader)
            .map_err(|source| ImportError::Io {
                path: path.to_owned(),
                source,
            })?;
        for batch in rx.iter() {
            for row in batch? {
                take(row)?;
            }
        }
        if let Err(panic) = handle.join() {
            std::panic::resume_unwind(panic);
        }
        Ok(())
    })
}

/// A parsed node row: its id in the file, line, labels and properties.
pub(crate) struct NodeRow {
    pub(crate) file_id: u64,
    pub(crate) line: u64,
    pub(crate) data: NodeData,
}

/// A parsed relationship row: the file ids of its endpoints, its line and data.
pub(crate) struct RelRow {
    pub(crate) start: u64,
    pub(crate) end: u64,
    pub(crate) line: u64,
    pub(crate) data: RelData,
}

/// The labels of a `LABEL` cell: labels separated by `;`, in which `\;` stands for a `;` and
/// `\\` for a `\` (any other `\` is itself); an empty cell is no label. Sorted and unique.
fn parse_labels(text: &str, symbols: &mut Symbols) -> Result<Vec<LabelId>, &'static str> {
    let mut labels = Vec::new();
    if text.is_empty() {
        return Ok(labels);
    }
    if !text.contains([';', '\\']) {
        labels.push(symbols.label(text));
        return Ok(labels);
    }
    let mut current = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if matches!(chars.peek(), Some(';' | '\\')) => {
                if let Some(escaped) = chars.next() {
                    current.push(escaped);
                }
            }
            ';' => {
                if current.is_empty() {
                    return Err("an empty label");
                }
                labels.push(symbols.label(&current));
                current.clear();
            }
            other => current.push(other),
        }
    }
    if current.is_empty() {
        return Err("an empty label");
    }
    labels.push(symbols.label(&current));
    labels.sort_unstable();
    labels.dedup();
    Ok(labels)
}

/// Writes labels into a `LABEL` cell (see [`parse_labels`]).
fn labels_text<'a>(labels: impl Iterator<Item = &'a str>, out: &mut String) {
    out.clear();
    for (i, l) in labels.enumerate() {
        if i > 0 {
            out.push(';');
        }
        for c in l.chars() {
            if c == ';' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
    }
}

/// A nodes file being read row by row.
pub(crate) struct NodeReader {
    path: PathBuf,
    rdr: CsvReader,
    record: ByteRecord,
    header: Header,
    id_col: usize,
    label_col: usize,
    labels_seen: SymbolCache<Vec<LabelId>>,
    rows: Rows,
    len: u64,
}

impl NodeReader {
    /// The file.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Opens a nodes file and reads its header, interning its keys into `symbols`.
    pub(crate) fn open(
        path: &Path,
        symbols: &mut Symbols,
        max_record: usize,
    ) -> Result<NodeReader, ImportError> {
        let ctx = Ctx { path };
        let (mut rdr, len) = open_csv(path, max_record)?;
        let mut record = ByteRecord::new();
        if !read_record(&ctx, &mut rdr, &mut record)? {
            return Err(ctx.err(1, 0, ImportErrorKind::MissingColumn { column: "ID" }));
        }
        let header = parse_header(
            &ctx,
            &record,
            &[Structural::Id, Structural::Label],
            &[Structural::Id, Structural::Label],
            symbols,
        )?;
        Ok(NodeReader {
            path: path.to_owned(),
            rdr,
            record,
            id_col: header.structural.get("ID").copied().unwrap_or(0),
            label_col: header.structural.get("LABEL").copied().unwrap_or(0),
            labels_seen: SymbolCache::default(),
            rows: Rows::new(&header),
            header,
            len,
        })
    }

    /// The file's length in bytes.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// The bytes read so far.
    pub(crate) fn position(&self) -> u64 {
        self.rdr.position().byte()
    }

    /// The column (from 1) of the `ID` field, for errors about it.
    pub(crate) fn id_column(&self) -> u64 {
        self.id_col as u64 + 1
    }

    /// The next row; `None` at the end of the file.
    pub(crate) fn next(&mut self, symbols: &mut Symbols) -> Result<Option<NodeRow>, ImportError> {
        let ctx = Ctx { path: &self.path };
        let record = &mut self.record;
        if !read_record(&ctx, &mut self.rdr, record)? {
            return Ok(None);
        }
        let header = &self.header;
        let line = record.position().map_or(0, |p| p.line());
        check_len(&ctx, header, record, line)?;
        let file_id = id_field(&ctx, header, record, line, self.id_col)?;
        let raw_label = record.get(self.label_col).unwrap_or_default();
        let labels = if let Some(l) = self.labels_seen.get(raw_label) {
            l.clone()
        } else {
            let text = field_str(&ctx, record, line, self.label_col)?;
            let labels = parse_labels(text, symbols).map_err(|message| {
                ctx.err(
                    line,
                    self.label_col,
                    ImportErrorKind::BadRecord {
                        message: message.into(),
                    },
                )
            })?;
            self.labels_seen.insert(raw_label.into(), labels.clone());
            labels
        };
        let props = row_props(&ctx, header, &mut self.rows, record, line)?;
        Ok(Some(NodeRow {
            file_id,
            line,
            data: NodeData { labels, props },
        }))
    }
}

/// A relationships file being read row by row.
pub(crate) struct RelReader {
    path: PathBuf,
    rdr: CsvReader,
    record: ByteRecord,
    header: Header,
    start_col: usize,
    end_col: usize,
    type_col: usize,
    types_seen: SymbolCache<TypeId>,
    rows: Rows,
}

impl RelReader {
    /// The file.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Opens a relationships file and reads its header, interning its keys into `symbols`.
    pub(crate) fn open(
        path: &Path,
        symbols: &mut Symbols,
        max_record: usize,
    ) -> Result<RelReader, ImportError> {
        let ctx = Ctx { path };
        let (mut rdr, _) = open_csv(path, max_record)?;
        let mut record = ByteRecord::new();
        if !read_record(&ctx, &mut rdr, &mut record)? {
            return Err(ctx.err(1, 0, ImportErrorKind::MissingColumn { column: "START_ID" }));
        }
        let header = parse_header(
            &ctx,
            &record,
            &[Structural::StartId, Structural::EndId, Structural::Type],
            &[Structural::StartId, Structural::EndId, Structural::Type],
            symbols,
        )?;
        Ok(RelReader {
            path: path.to_owned(),
            rdr,
            record,
            start_col: header.structural.get("START_ID").copied().unwrap_or(0),
            end_col: header.structural.get("END_ID").copied().unwrap_or(0),
            type_col: header.structural.get("TYPE").copied().unwrap_or(0),
            types_seen: SymbolCache::default(),
            rows: Rows::new(&header),
            header,
        })
    }

    /// The bytes read so far.
    pub(crate) fn position(&self) -> u64 {
        self.rdr.position().byte()
    }

    /// The columns (from 1) of the `START_ID` and `END_ID` fields, for errors about them.
    pub(crate) fn end_columns(&self) -> [u64; 2] {
        [self.start_col as u64 + 1, self.end_col as u64 + 1]
    }

    /// The next row; `None` at the end of the file.
    pub(crate) fn next(&mut self, symbols: &mut Symbols) -> Result<Option<RelRow>, ImportError> {
        let ctx = Ctx { path: &self.path };
        let record = &mut self.record;
        if !read_record(&ctx, &mut self.rdr, record)? {
            return Ok(None);
        }
        let header = &self.header;
        let line = record.position().map_or(0, |p| p.line());
        check_len(&ctx, header, record, line)?;
        let start = id_field(&ctx, header, record, line, self.start_col)?;
        let end = id_field(&ctx, header, record, line, self.end_col)?;
        let raw_type = record.get(self.type_col).unwrap_or_default();
        let ty = if let Some(t) = self.types_seen.get(raw_type) {
            *t
        } else {
            let type_text = field_str(&ctx, record, line, self.type_col)?;
            if type_text.is_empty() {
                let column = header.names.get(self.type_col).cloned().unwrap_or_default();
                return Err(ctx.err(line, self.type_col, ImportErrorKind::MissingValue { column }));
            }
            let t = symbols.rel_type(type_text);
            self.types_seen.insert(raw_type.into(), t);
            t
        };
        let props = row_props(&ctx, header, &mut self.rows, record, line)?;
        Ok(Some(RelRow {
            start,
            end,
            line,
            data: RelData { ty, props },
        }))
    }
}

/// Imports the two files; a record longer than `max_record` bytes is
/// [`ImportError::LineTooLong`].
pub(crate) fn import(nodes_path: &Path, rels_path: &Path, max_record: usize) -> Result<Graph, ImportError> {
    let mut symbols = Symbols::default();
    let mut storage = Storage::default();
    let ids = import_nodes(nodes_path, &mut symbols, &mut storage, max_record)?;
    import_rels(rels_path, &mut symbols, &ids, &mut storage, max_record)?;
    Graph::from_storage(storage, symbols, &[]).map_err(|e| {
        Ctx { path: rels_path }.err(
            0,
            0,
            ImportErrorKind::BadRecord {
                message: e.to_string(),
            },
        )
    })
}

/// Reads the nodes file into `storage`: a second thread parses, this one inserts and checks
/// that ids are unique. Returns the map from file ids to node ids.
fn import_nodes(
    path: &Path,
    symbols: &mut Symbols,
    storage: &mut Storage,
    max_record: usize,
) -> Result<IdMap, ImportError> {
    let ctx = Ctx { path };
    let mut reader = NodeReader::open(path, symbols, max_record)?;
    let id_col = reader.id_col;
    let mut ids = IdMap::new(reader.len());
    let mut lines: Vec<u64> = Vec::new();
    pipeline(
        path,
        move || reader.next(symbols),
        |row| {
            let node = storage
                .try_add_node(row.data)
                .map_err(|_| ctx.err(row.line, id_col, too_many()))?;
            if let Some(first) = ids.insert(row.file_id, node.index() as u32) {
                return Err(ctx.err(
                    row.line,
                    id_col,
                    ImportErrorKind::DuplicateNodeId {
                        id: row.file_id.to_string(),
                        first_line: lines.get(first as usize).copied().unwrap_or(0),
                    },
                ));
            }
            lines.push(row.line);
            Ok(())
        },
    )?;
    Ok(ids)
}

/// Reads the relationships file into `storage`: a second thread parses and resolves the
/// endpoints, this one links the relationships into petgraph's adjacency lists.
fn import_rels(
    path: &Path,
    symbols: &mut Symbols,
    ids: &IdMap,
    storage: &mut Storage,
    max_record: usize,
) -> Result<(), ImportError> {
    let ctx = Ctx { path };
    let mut reader = RelReader::open(path, symbols, max_record)?;
    let (start_col, end_col) = (reader.start_col, reader.end_col);
    let ctx = &ctx;
    let next = move || -> Result<Option<(NodeId, NodeId, RelRow)>, ImportError> {
        let Some(row) = reader.next(symbols)? else {
            return Ok(None);
        };
        let mut ends = [NodeId::from_index(0); 2];
        for ((slot, col), file_id) in ends
            .iter_mut()
            .zip([start_col, end_col])
            .zip([row.start, row.end])
        {
            let node = ids.get(file_id).ok_or_else(|| {
                ctx.err(
                    row.line,
                    col,
                    ImportErrorKind::UnknownNodeId {
                        id: file_id.to_string(),
                    },
                )
            })?;
            *slot = NodeId::from_index(node);
        }
        Ok(Some((ends[0], ends[1], row)))
    };
    pipeline(path, next, |(start, end, row)| {
        storage
            .try_add_edge(start.ix(), end.ix(), row.data)
            .map_err(|_| ctx.err(row.line, start_col, too_many()))?;
        Ok(())
    })
}

fn too_many() -> ImportErrorKind {
    ImportErrorKind::BadRecord {
        message: "more items than node and relationship ids (2^32 - 1)".into(),
    }
}

// ---- export ------------------------------------------------------------------------------

/// The CSV column type of one value, or why it has none.
pub(crate) fn value_type(v: &Value) -> Result<ColType, &'static str> {
    fn scalar(v: &Value) -> Result<Scalar, &'static str> {
        Ok(match v {
            Value::String(s) if s.is_empty() => return Err("an empty string reads back as absent"),
            Value::String(_) => Scalar::String,
            Value::Int(_) => Scalar::Int,
            Value::Float(_) => Scalar::Float,
            Value::Bool(_) => Scalar::Bool,
            Value::Date(_) => Scalar::Date,
            Value::LocalTime(_) => Scalar::LocalTime,
            Value::Time(_) => Scalar::Time,
            Value::LocalDateTime(_) => Scalar::LocalDateTime,
            Value::DateTime(_) => Scalar::DateTime,
            Value::Duration(_) => Scalar::Duration,
            Value::List(_) => return Err("a list of lists"),
            Value::Null => return Err("a list holding null"),
            _ => return Err("not a property value"),
        })
    }
    match v {
        Value::List(items) => {
            let Some(first) = items.first() else {
                return Err("an empty list reads back as absent");
            };
            let s = scalar(first)?;
            for item in items {
                if scalar(item)? != s {
                    return Err("a list of mixed types");
                }
                if let Value::String(t) = item
                    && t.contains(';')
                {
                    return Err("a list element holding ';', the list separator");
                }
            }
            Ok(ColType {
                scalar: s,
                list: true,
            })
        }
        other => scalar(other).map(|scalar| ColType { scalar, list: false }),
    }
}

/// The property columns of a set of items: every key in use, in key order, with the one type
/// its values have.
pub(crate) fn columns<'a>(
    graph: &Graph,
    items: impl Iterator<Item = (ExportItem, &'a Props)>,
    scope: &str,
) -> Result<Vec<(KeyId, ColType)>, ExportError> {
    let mut types: Vec<Option<ColType>> = vec![None; graph.symbols.keys.len()];
    for (item, props) in items {
        for (k, v) in props.iter() {
            let key = || graph.symbols.key_name(k).to_owned();
            let ty = value_type(v).map_err(|reason| ExportError::Unrepresentable {
                item,
                key: key(),
                reason,
            })?;
            match types.get_mut(k.index()) {
                Some(Some(have)) if *have != ty => {
                    return Err(ExportError::MixedColumnType {
                        key: key(),
                        scope: scope.to_owned(),
                        first: have.name(),
                        second: ty.name(),
                    })
                }
                Some(slot) => *slot = Some(ty),
                None => {}
            }
        }
    }
    Ok(types
        .into_iter()
        .enumerate()
        .filter_map(|(k, t)| t.map(|t| (KeyId(k as u32), t)))
        .collect())
}

/// Writes a float so that Rust's parser reads the same bits back (`NaN`, `inf`, `1e300`).
pub(crate) fn float_text(x: f64) -> String {
    format!("{x:?}")
}

/// The cell text of a scalar (nothing for other values).
pub(crate) fn scalar_text(v: &Value, out: &mut String) {
    use std::fmt::Write as _;
    match v {
        Value::String(s) => out.push_str(s),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(x) => out.push_str(&float_text(*x)),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Date(d) => {
            let _ = write!(out, "{d}");
        }
        Value::LocalTime(t) => {
            let _ = write!(out, "{t}");
        }
        Value::Time(t) => {
            let _ = write!(out, "{t}");
        }
        Value::LocalDateTime(t) => {
            let _ = write!(out, "{t}");
        }
        Value::DateTime(t) => {
            let _ = write!(out, "{t}");
        }
        Value::Duration(d) => {
            let _ = write!(out, "{d}");
        }
        _ => {}
    }
}

/// The cell text of a value whose type `value_type` accepted; list elements are joined with
/// `sep` (`;` in the benchmark format).
pub(crate) fn cell_text(v: &Value, sep: char, out: &mut String) {
    out.clear();
    match v {
        Value::List(items) => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(sep);
                }
                scalar_text(item, out);
            }
        }
        other => scalar_text(other, out),
    }
}

pub(crate) fn io_err(path: &Path) -> impl Fn(io::Error) -> ExportError + '_ {
    move |source| ExportError::Io {
        path: path.to_owned(),
        source,
    }
}

pub(crate) fn csv_io_err(path: &Path) -> impl Fn(csv::Error) -> ExportError + '_ {
    move |e| ExportError::Io {
        path: path.to_owned(),
        source: match e.into_kind() {
            csv::ErrorKind::Io(source) => source,
            other => io::Error::other(format!("{other:?}")),
        },
    }
}

/// A CSV writer of `path`, writing a temporary file beside it: [`finish_csv`] makes it the
/// file; dropped before that (an error), it leaves nothing.
pub(crate) fn csv_writer(path: &Path) -> Result<csv::Writer<AtomicFile>, ExportError> {
    let file = AtomicFile::create(path).map_err(io_err(path))?;
    Ok(WriterBuilder::new().from_writer(file))
}

/// Flushes a writer of [`csv_writer`]; the returned file still has to be committed.
pub(crate) fn finish_csv(w: csv::Writer<AtomicFile>, path: &Path) -> Result<AtomicFile, ExportError> {
    w.into_inner().map_err(|e| ExportError::Io {
        path: path.to_owned(),
        source: io::Error::new(e.error().kind(), e.error().to_string()),
    })
}

/// Writes the property cells of one item into `row` (after its structural cells).
pub(crate) fn push_props(
    row: &mut Vec<String>,
    cols: &[(KeyId, ColType)],
    props: &Props,
    seps: &[char],
    buf: &mut String,
) {
    for (i, (k, _)) in cols.iter().enumerate() {
        match props.get(*k) {
            Some(v) => {
                cell_text(v, seps.get(i).copied().unwrap_or(';'), buf);
                row.push(buf.clone());
            }
            None => row.push(String::new()),
        }
    }
}

/// The property columns of the extended format for a set of items: every key in use, in key
/// order, typed when every value of it fits one column type of the benchmark format (so a
/// graph within that format exports as it always did), `ANY` otherwise. A map is refused.
fn export_columns<'a>(
    graph: &Graph,
    items: impl Iterator<Item = (ExportItem, &'a Props)>,
) -> Result<Vec<(KeyId, PropType)>, ExportError> {
    let mut types: Vec<Option<PropType>> = vec![None; graph.symbols.keys.len()];
    for (item, props) in items {
        for (k, v) in props.iter() {
            if v.contains_map() || !v.is_storable() {
                return Err(ExportError::Unrepresentable {
                    item,
                    key: graph.symbols.key_name(k).to_owned(),
                    reason: "a map or another value that is not a property value",
                });
            }
            let ty = value_type(v).map_or(PropType::Any, PropType::Typed);
            if let Some(slot) = types.get_mut(k.index()) {
                *slot = match *slot {
                    None => Some(ty),
                    Some(have) if have == ty => Some(have),
                    Some(_) => Some(PropType::Any),
                };
            }
        }
    }
    Ok(types
        .into_iter()
        .enumerate()
        .filter_map(|(k, t)| t.map(|t| (KeyId(k as u32), t)))
        .collect())
}

/// Writes the property cells of one item of the extended format into `row`.
fn push_export_props(
    row: &mut Vec<String>,
    cols: &[(KeyId, PropType)],
    props: &Props,
    buf: &mut String,
) -> Result<(), serde_json::Error> {
    for (k, ty) in cols {
        match (props.get(*k), ty) {
            (Some(v), PropType::Typed(_)) => {
                cell_text(v, ';', buf);
                row.push(buf.clone());
            }
            (Some(v), PropType::Any) => row.push(serde_json::to_string(v)?),
            (None, _) => row.push(String::new()),
        }
    }
    Ok(())
}

pub(crate) fn export(graph: &Graph, dir: &Path) -> Result<(), ExportError> {
    super::progress::export_begin((graph.node_count() + graph.relationship_count()) as u64);
    let inner = &graph.inner;
    let node_cols = export_columns(
        graph,
        inner.node_indices().filter_map(|ix| {
            inner
                .node_weight(ix)
                .map(|d| (ExportItem::Node(NodeId::from_ix(ix)), &d.props))
        }),
    )?;
    let rel_cols = export_columns(
        graph,
        inner.edge_indices().filter_map(|ix| {
            inner.edge_weight(ix).map(|d| {
                (
                    ExportItem::Relationship(crate::graph::RelId::from_ix(ix)),
                    &d.props,
                )
            })
        }),
    )?;
    fs::create_dir_all(dir).map_err(io_err(dir))?;
    let header = |structural: &[&str], cols: &[(KeyId, PropType)]| -> Vec<String> {
        structural
            .iter()
            .map(|s| (*s).to_owned())
            .chain(
                cols.iter()
                    .map(|(k, t)| format!("{}:{}", graph.symbols.key_name(*k), t.name())),
            )
            .collect()
    };
    let json_err = |path: &Path| {
        let path = path.to_owned();
        move |e: serde_json::Error| ExportError::Io {
            path: path.clone(),
            source: e.into(),
        }
    };

    let path: PathBuf = dir.join("nodes.csv");
    let mut w = csv_writer(&path)?;
    w.write_record(header(&["id:ID", "label:LABEL"], &node_cols))
        .map_err(csv_io_err(&path))?;
    let mut row = Vec::new();
    let mut buf = String::new();
    for ix in inner.node_indices() {
        let Some(data) = inner.node_weight(ix) else {
            continue;
        };
        row.clear();
        row.push(ix.index().to_string());
        labels_text(data.labels.iter().map(|l| graph.symbols.label_name(*l)), &mut buf);
        row.push(buf.clone());
        push_export_props(&mut row, &node_cols, &data.props, &mut buf).map_err(json_err(&path))?;
        w.write_record(&row).map_err(csv_io_err(&path))?;
        super::progress::export_item();
    }
    // Renamed into place once the relationships are written too: a failure leaves both files
    // as they were.
    let nodes = (finish_csv(w, &path)?, path);

    let path: PathBuf = dir.join("relationships.csv");
    let mut w = csv_writer(&path)?;
    w.write_record(header(&["start:START_ID", "end:END_ID", "type:TYPE"], &rel_cols))
        .map_err(csv_io_err(&path))?;
    for ix in inner.edge_indices() {
        let (Some(data), Some((a, b))) = (inner.edge_weight(ix), inner.edge_endpoints(ix)) else {
            continue;
        };
        row.clear();
        row.push(a.index().to_string());
        row.push(b.index().to_string());
        row.push(graph.symbols.type_name(data.ty).to_owned());
        push_export_props(&mut row, &rel_cols, &data.props, &mut buf).map_err(json_err(&path))?;
        w.write_record(&row).map_err(csv_io_err(&path))?;
        super::progress::export_item();
    }
    let rels = finish_csv(w, &path)?;
    nodes.0.commit().map_err(io_err(&nodes.1))?;
    rels.commit().map_err(io_err(&path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write(text: &str) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap_or_else(|e| panic!("{e}"));
        f.write_all(text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        f
    }

    fn too_long_line(result: Result<Graph, ImportError>) -> Option<(u64, u64)> {
        match result {
            Err(ImportError::LineTooLong { line, limit, .. }) => Some((line, limit)),
            _ => None,
        }
    }

    #[test]
    fn a_record_longer_than_the_limit_is_refused_with_its_line() {
        let rels = write("start:START_ID,end:END_ID,type:TYPE\n1,2,T\n");
        let long = "y".repeat(2000);
        let nodes = |rows: &str| write(&format!("id:ID,label:LABEL,name:STRING\n1,A,a\n2,A,b\n{rows}"));
        // Within the limit, it imports.
        let ok = nodes(&format!("3,A,{}\n", &long[..80]));
        assert!(import(ok.path(), rels.path(), 100).is_ok());
        // A long record, starting on line 4; a quoted one spanning lines, starting on line 5.
        let f = nodes(&format!("3,A,{long}\n"));
        assert_eq!(too_long_line(import(f.path(), rels.path(), 100)), Some((4, 100)));
        let f = nodes(&format!("3,A,c\n4,A,\"{}\n{}\"\n", &long[..60], &long[..60]));
        assert_eq!(too_long_line(import(f.path(), rels.path(), 100)), Some((5, 100)));
        // Far past the parser's buffer, and without a line break at all.
        let f = nodes(&"z".repeat(300_000));
        assert_eq!(too_long_line(import(f.path(), rels.path(), 100)), Some((4, 100)));
        // A header, and a record of the relationships file.
        let f = write(&format!("id:ID,label:LABEL,{long}:STRING\n"));
        assert_eq!(too_long_line(import(f.path(), rels.path(), 100)), Some((1, 100)));
        let ok = nodes("");
        let r = write(&format!(
            "start:START_ID,end:END_ID,type:TYPE\n1,2,T\n1,2,{long}\n"
        ));
        assert_eq!(too_long_line(import(ok.path(), r.path(), 100)), Some((3, 100)));
    }
}
