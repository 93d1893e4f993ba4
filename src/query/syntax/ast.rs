//! The syntax tree of a Cypher statement.
//!
//! It is syntax only: names are plain strings and nothing here knows about a
//! graph, a schema or scopes. Every node carries a [`Span`] into the query text;
//! spans never take part in equality (see [`Span`]). Every node implements
//! `Display` as canonical Cypher (see `print.rs`), and parsing the printed text
//! gives back an equal tree.
//!
//! Parentheses are not kept as nodes: `(a + b) * c` is a `Mul` whose left side
//! is an `Add`. The printer puts back the parentheses that precedence needs.

use crate::query::syntax::span::Span;

/// A name as written, unquoted and unescaped (`` `a``b` `` is `a`b`).
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct Ident {
    pub(crate) name: String,
    pub(crate) span: Span,
}

impl std::fmt::Debug for Ident {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?} @{:?}", self.name, self.span)
    }
}

/// A whole statement: `[EXPLAIN | PROFILE] query [;]`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Statement {
    /// `EXPLAIN`: the plan is the answer; the statement does not run.
    pub(crate) explain: bool,
    /// `PROFILE`: the statement runs and its result carries rows and time per operator.
    /// Never true together with `explain` (the parser refuses both).
    pub(crate) profile: bool,
    pub(crate) query: Query,
    pub(crate) span: Span,
}

/// Single queries joined by `UNION` or `UNION ALL`.
///
/// `union_all[i]` tells whether `parts[i]` and `parts[i + 1]` are joined by
/// `UNION ALL` (true) or `UNION` (false); it has one entry less than `parts`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Query {
    pub(crate) parts: Vec<SingleQuery>,
    pub(crate) union_all: Vec<bool>,
    pub(crate) span: Span,
}

/// A sequence of clauses (at least one).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SingleQuery {
    pub(crate) clauses: Vec<Clause>,
    pub(crate) span: Span,
}

/// A clause with its span.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Clause {
    pub(crate) kind: ClauseKind,
    pub(crate) span: Span,
}

/// The clauses the parser reads (the binder refuses the two `CALL` forms
/// for now).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ClauseKind {
    /// `[OPTIONAL] MATCH pattern, ... [WHERE expr]`
    Match {
        optional: bool,
        patterns: Vec<PatternPart>,
        where_: Option<Expr>,
    },
    /// `UNWIND expr AS var`
    Unwind { expr: Expr, var: Ident },
    /// `WITH ...` (the projection may have a `WHERE`).
    With(Projection),
    /// `RETURN ...` (the projection never has a `WHERE`).
    Return(Projection),
    /// `CREATE pattern, ...`
    Create { patterns: Vec<PatternPart> },
    /// `MERGE pattern [ON CREATE SET ...] [ON MATCH SET ...]`
    Merge {
        pattern: PatternPart,
        actions: Vec<MergeAction>,
    },
    /// `SET item, ...`
    Set { items: Vec<SetItem> },
    /// `REMOVE item, ...`
    Remove { items: Vec<RemoveItem> },
    /// `[DETACH] DELETE expr, ...`
    Delete { detach: bool, exprs: Vec<Expr> },
    /// `CALL ns.name(args) [YIELD ...]`
    Call(ProcedureCall),
    /// `FOREACH (var IN list | clause ...)`: the clauses are updates (`CREATE`, `MERGE`,
    /// `SET`, `REMOVE`, `DELETE`, `FOREACH`).
    Foreach {
        var: Ident,
        list: Expr,
        clauses: Vec<Clause>,
    },
    /// `CREATE INDEX ...`, `DROP INDEX ...`, `CREATE CONSTRAINT ...`, `DROP CONSTRAINT ...`:
    /// a whole statement of its own.
    Schema(SchemaCommand),
    /// `CALL { query } [IN TRANSACTIONS [OF rows ROWS]]`
    CallSubquery {
        query: Box<Query>,
        in_transactions: Option<InTransactions>,
    },
}

/// What an index or a constraint is on: `(var:Label)` and `var.key`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SchemaTarget {
    pub(crate) var: Ident,
    pub(crate) label: Ident,
    pub(crate) prop_var: Ident,
    pub(crate) key: Ident,
}

/// A schema command.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum SchemaCommand {
    /// `CREATE INDEX [name] [IF NOT EXISTS] FOR (n:Label) ON (n.key)`
    CreateIndex {
        name: Option<Ident>,
        if_not_exists: bool,
        target: SchemaTarget,
    },
    /// `CREATE CONSTRAINT [name] [IF NOT EXISTS] FOR (n:Label) REQUIRE n.key IS UNIQUE`
    CreateConstraint {
        name: Option<Ident>,
        if_not_exists: bool,
        target: SchemaTarget,
    },
    /// `DROP INDEX name [IF EXISTS]`
    DropIndex { name: Ident, if_exists: bool },
    /// `DROP CONSTRAINT name [IF EXISTS]`
    DropConstraint { name: Ident, if_exists: bool },
}

/// A procedure call: `CALL ns1.ns2.name(args) [YIELD ...]`. The name keeps
/// its case.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ProcedureCall {
    pub(crate) namespace: Vec<Ident>,
    pub(crate) name: Ident,
    /// `None` when the name has no parentheses (`CALL db.labels`): the
    /// arguments are implicit, taken from the parameters of the same names.
    pub(crate) args: Option<Vec<Expr>>,
    pub(crate) yield_: Option<Yield>,
}

/// `YIELD *` or `YIELD field [AS var], ... [WHERE expr]`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Yield {
    /// `*` was written; then there are no items and no `WHERE`. Only a
    /// standalone call (the whole query) may yield `*`.
    pub(crate) star: bool,
    pub(crate) items: Vec<YieldItem>,
    pub(crate) where_: Option<Expr>,
    pub(crate) span: Span,
}

/// `field [AS var]` of a `YIELD`. Without an alias the field names the
/// variable too.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct YieldItem {
    pub(crate) field: Ident,
    pub(crate) alias: Option<Ident>,
    pub(crate) span: Span,
}

/// `IN TRANSACTIONS [OF rows ROWS]` after `CALL { ... }`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct InTransactions {
    pub(crate) rows: Option<Expr>,
    pub(crate) span: Span,
}

/// Which subquery expression: `EXISTS { ... }`, `COUNT { ... }` or
/// `COLLECT { ... }`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SubqueryKind {
    Exists,
    Count,
    Collect,
}

/// What a subquery expression holds between its braces.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum SubqueryBody {
    /// Patterns with an optional `WHERE`, as after `MATCH`:
    /// `EXISTS { (a)-->(b), (c) WHERE a.x = c.x }`.
    Patterns {
        patterns: Vec<PatternPart>,
        where_: Option<Expr>,
    },
    /// A whole query: `EXISTS { MATCH (a)-->(b) RETURN b }`.
    Query(Query),
}

/// The body of `WITH` and `RETURN`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Projection {
    pub(crate) distinct: bool,
    /// `*` was written (always first).
    pub(crate) star: bool,
    pub(crate) items: Vec<ProjItem>,
    pub(crate) order_by: Vec<SortItem>,
    pub(crate) skip: Option<Expr>,
    pub(crate) limit: Option<Expr>,
    /// Only for `WITH`.
    pub(crate) where_: Option<Expr>,
    pub(crate) span: Span,
}

/// `expr [AS alias]`. Without an alias the column is named after the text
/// the expression's span covers.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ProjItem {
    pub(crate) expr: Expr,
    pub(crate) alias: Option<Ident>,
    pub(crate) span: Span,
}

/// `expr [ASC|ASCENDING|DESC|DESCENDING]`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SortItem {
    pub(crate) expr: Expr,
    pub(crate) descending: bool,
    pub(crate) span: Span,
}

/// `ON CREATE SET ...` or `ON MATCH SET ...`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct MergeAction {
    pub(crate) on_create: bool,
    pub(crate) items: Vec<SetItem>,
    pub(crate) span: Span,
}

/// One item of `SET`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum SetItem {
    /// `base.key = value`, where `base` is an atom with property lookups,
    /// e.g. `n.address.city = 'x'` or `(n).name = 'x'`.
    Property {
        base: Expr,
        key: Ident,
        value: Expr,
        span: Span,
    },
    /// `var = map` (replaces all properties).
    Replace { var: Ident, value: Expr, span: Span },
    /// `var += map` (adds and overwrites properties).
    Merge { var: Ident, value: Expr, span: Span },
    /// `var:Label:Label2`
    Labels {
        var: Ident,
        labels: Vec<Ident>,
        span: Span,
    },
}

/// One item of `REMOVE`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum RemoveItem {
    /// `base.key`
    Property { base: Expr, key: Ident, span: Span },
    /// `var:Label:Label2`
    Labels {
        var: Ident,
        labels: Vec<Ident>,
        span: Span,
    },
}

/// `[var =] element`, `[var =] shortestPath(element)` or
/// `[var =] allShortestPaths(element)`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PatternPart {
    pub(crate) var: Option<Ident>,
    pub(crate) kind: PathKind,
    pub(crate) element: PatternElement,
    pub(crate) span: Span,
}

/// Whether a pattern part is a plain pattern or a shortest-path function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PathKind {
    Plain,
    /// `shortestPath(...)`
    Shortest,
    /// `allShortestPaths(...)`
    AllShortest,
}

/// A node followed by relationship-node steps.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PatternElement {
    pub(crate) start: NodePattern,
    pub(crate) chain: Vec<(RelPattern, NodePattern)>,
    pub(crate) span: Span,
}

/// `(var:Label1:Label2 {props})` or `(var $param)`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct NodePattern {
    pub(crate) var: Option<Ident>,
    pub(crate) labels: Vec<Ident>,
    /// A map literal or a parameter.
    pub(crate) props: Option<Box<Expr>>,
    pub(crate) span: Span,
}

/// Direction of a relationship pattern, read left to right.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    /// `-[]->`
    Outgoing,
    /// `<-[]-`
    Incoming,
    /// `-[]-` (and `<-[]->`, which means the same).
    Both,
}

/// Which shortest-path search a Kùzu/GQL-style range asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ShortestKind {
    /// `* SHORTEST`
    Shortest,
    /// `* ALL SHORTEST`
    AllShortest,
}

/// A variable-length range: `*` is `{None, None}`, `*3` is `{3, 3}`,
/// `*1..3`, `*..6` is `{None, 6}`, `*2..` is `{2, None}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Range {
    pub(crate) min: Option<u64>,
    pub(crate) max: Option<u64>,
}

/// `-[var:T1|T2 *range {props}]->` and its short forms.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RelPattern {
    pub(crate) var: Option<Ident>,
    pub(crate) types: Vec<Ident>,
    pub(crate) direction: Direction,
    pub(crate) length: Option<Range>,
    /// Kùzu/GQL spelling `-[* SHORTEST 1..6]-` (`length` holds the range).
    pub(crate) shortest: Option<ShortestKind>,
    /// A map literal or a parameter.
    pub(crate) props: Option<Box<Expr>>,
    pub(crate) span: Span,
}

/// An expression with its span.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Expr {
    pub(crate) kind: ExprKind,
    pub(crate) span: Span,
}

/// Literal values.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Literal {
    Null,
    Bool(bool),
    /// `-5` is read as one negative literal, so `i64::MIN` can be written.
    Integer(i64),
    /// Always finite.
    Float(f64),
    String(String),
}

/// Prefix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UnaryOp {
    Not,
    Neg,
    Plus,
}

/// Binary operators other than comparisons and predicates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinaryOp {
    Or,
    Xor,
    And,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
}

/// Comparison operators (they chain: `a < b < c`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// `STARTS WITH`, `ENDS WITH`, `CONTAINS`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StringOp {
    StartsWith,
    EndsWith,
    Contains,
}

/// `all`, `any`, `none`, `single`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum QuantifierKind {
    All,
    Any,
    None,
    Single,
}

/// One item of a map projection `n{...}`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum MapProjItem {
    /// `.key`
    Property(Ident),
    /// `key: expr`
    Literal(Ident, Expr),
    /// `var` (the variable's value under its own name)
    Var(Ident),
    /// `.*`
    AllProps,
}

/// The kinds of expressions.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ExprKind {
    Literal(Literal),
    /// `$name` or `$0` (without the `$`).
    Param(String),
    Var(Ident),
    /// `base.key`
    Property {
        base: Box<Expr>,
        key: Ident,
    },
    /// `base[index]`
    Index {
        base: Box<Expr>,
        index: Box<Expr>,
    },
    /// `base[from..to]`, either bound optional.
    Slice {
        base: Box<Expr>,
        from: Option<Box<Expr>>,
        to: Option<Box<Expr>>,
    },
    /// `base:Label:Label2`
    HasLabels {
        base: Box<Expr>,
        labels: Vec<Ident>,
    },
    /// `ns1.ns2.name([DISTINCT] args)`; the name keeps its case.
    FnCall {
        namespace: Vec<Ident>,
        name: Ident,
        distinct: bool,
        args: Vec<Expr>,
    },
    /// `count(*)`
    CountStar,
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `first op1 e1 op2 e2 ...`, e.g. `a < b <= c`; never desugared here.
    Compare {
        first: Box<Expr>,
        rest: Vec<(CmpOp, Expr)>,
    },
    /// `expr IS [NOT] NULL`
    IsNull {
        expr: Box<Expr>,
        negated: bool,
    },
    /// `lhs IN rhs`
    In {
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    StringOp {
        op: StringOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `lhs =~ rhs`
    Regex {
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    List(Vec<Expr>),
    /// `{key: value, ...}`
    Map(Vec<(Ident, Expr)>),
    /// `CASE [operand] WHEN w THEN t ... [ELSE e] END`
    Case {
        operand: Option<Box<Expr>>,
        whens: Vec<(Expr, Expr)>,
        else_: Option<Box<Expr>>,
    },
    /// `[var IN list [WHERE pred] [| map]]`
    ListComp {
        var: Ident,
        list: Box<Expr>,
        where_: Option<Box<Expr>>,
        map: Option<Box<Expr>>,
    },
    /// `[[var =] pattern [WHERE pred] | map]`
    PatternComp {
        var: Option<Ident>,
        pattern: Box<PatternElement>,
        where_: Option<Box<Expr>>,
        map: Box<Expr>,
    },
    /// `any(var IN list [WHERE pred])` and friends.
    Quantifier {
        kind: QuantifierKind,
        var: Ident,
        list: Box<Expr>,
        where_: Option<Box<Expr>>,
    },
    /// `reduce(acc = init, var IN list | expr)`
    Reduce {
        acc: Ident,
        init: Box<Expr>,
        var: Ident,
        list: Box<Expr>,
        expr: Box<Expr>,
    },
    /// A pattern used as a predicate: `WHERE (a)-[:T]->(b)`. It always has at
    /// least one relationship. Only allowed where a boolean is expected.
    Pattern(Box<PatternElement>),
    /// `var{.key, key: expr, var2, .*}`
    MapProjection {
        var: Ident,
        items: Vec<MapProjItem>,
    },
    /// `EXISTS { ... }`, `COUNT { ... }` or `COLLECT { ... }`.
    Subquery {
        kind: SubqueryKind,
        body: Box<SubqueryBody>,
    },
}

impl Expr {
    /// A new expression node.
    pub(crate) fn new(kind: ExprKind, span: Span) -> Expr {
        Expr { kind, span }
    }
}
