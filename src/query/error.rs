//! The errors of a query: syntax, semantic (found before any data is read) and runtime.

use super::syntax::ParseError;

/// What a semantic check found wrong (openCypher's detail names where one exists).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SemanticKind {
    /// A clause in a place where it cannot stand (RETURN not last, a query without RETURN).
    InvalidClause,
    /// The parts of a UNION return different columns.
    DifferentColumnsInUnion,
    /// A write clause in a read-only query (`Graph::query`).
    ReadOnly,
    /// A variable is defined twice.
    VariableAlreadyBound,
    /// A relationship variable used twice in one MATCH.
    RelationshipUniquenessViolation,
    /// DELETE of something that is not a node, relationship or path (`DELETE n:Label`).
    InvalidDelete,
    /// An aggregating item reads, outside its aggregates, something that is not a grouping key.
    AmbiguousAggregationExpression,
    /// A variable is used but never defined.
    UndefinedVariable,
    /// A variable is used as a node and as a relationship, say.
    VariableTypeConflict,
    /// An aggregate where none is allowed (WHERE, ORDER BY of an unprojected aggregate).
    InvalidAggregation,
    /// An aggregate inside an aggregate.
    NestedAggregation,
    /// A relationship to create or merge has no type or several.
    NoSingleRelationshipType,
    /// A variable-length relationship in CREATE or MERGE.
    CreatingVarLength,
    /// An undirected relationship in CREATE.
    RequiresDirectedRelationship,
    /// MERGE on a null property.
    MergeReadOwnWrites,
    /// `RETURN *` with no variable in scope.
    NoVariablesInScope,
    /// An expression in WITH without an alias.
    NoExpressionAlias,
    /// Two result columns with the same name.
    ColumnNameConflict,
    /// SKIP or LIMIT that reads a variable.
    NonConstantExpression,
    /// SKIP or LIMIT below zero.
    NegativeIntegerArgument,
    /// An argument of the wrong type, known before running.
    InvalidArgumentType,
    /// A function argument that is not allowed (exists() of a non-property).
    InvalidArgumentExpression,
    /// A pattern that cannot be matched as written.
    InvalidArgument,
    /// A parameter the query uses was not given.
    ParameterMissing,
    /// A function called with too few or too many arguments.
    InvalidNumberOfArguments,
    /// A function name nobody knows.
    UnknownFunction,
    /// `CALL` of a procedure nobody registered (class `ProcedureError`).
    ProcedureNotFound,
    /// A procedure with inputs called inside a query without parentheses (its arguments
    /// would be taken from the parameters, which only a standalone `CALL` may do).
    InvalidArgumentPassingMode,
    /// A parameter used for the properties of a pattern to match (`MATCH (n $map)`); only
    /// `CREATE` takes a map parameter there.
    InvalidParameterUse,
    /// A construct in a place the grammar of Cypher does not allow it (`YIELD *` inside a
    /// query).
    UnexpectedSyntax,
}

/// A construct the parser reads but the engine does not run yet.
///
/// ```
/// use kgraph::{Graph, QueryError, UnsupportedKind};
/// let mut g = Graph::new();
/// let err = g.execute("UNWIND [1] AS x\nCALL { CREATE (:A) } IN TRANSACTIONS").run().unwrap_err();
/// assert!(matches!(err, QueryError::Unsupported { kind: UnsupportedKind::CallSubquery, .. }));
/// assert_eq!((err.kind_name(), err.line(), err.column()), ("Unsupported", Some(2), Some(1)));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnsupportedKind {
    /// `CALL proc(args) [YIELD ...]`: a procedure call (runs now; kept for callers that match
    /// on it).
    ProcedureCall,
    /// `CALL { ... } IN TRANSACTIONS`: a subquery clause in transactions of its own.
    CallSubquery,
    /// `EXISTS { ... }` (runs now; kept for callers that match on it).
    ExistsSubquery,
    /// `COUNT { ... }` (runs now; kept for callers that match on it).
    CountSubquery,
    /// `COLLECT { ... }` (runs now; kept for callers that match on it).
    CollectSubquery,
}

/// What went wrong while a query ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RuntimeKind {
    /// A value of the wrong type (adding a map to a number, a property of a list).
    Type,
    /// An argument out of its domain (a negative substring length, a bad date).
    Argument,
    /// Division by zero or integer overflow.
    Arithmetic,
    /// A deleted node or relationship.
    EntityNotFound,
    /// A constraint would be broken (deleting a node that still has relationships, a
    /// unique constraint).
    Constraint,
    /// A limit of the engine was reached (rows an operator holds, path expansions).
    LimitExceeded,
    /// An unbounded variable-length pattern (`*`, `*2..`) reached the path cap (100
    /// relationships unless set with `max_path_length`) with paths still to follow, or its
    /// lower bound is above the cap; class `LimitExceeded`. Bound the pattern (`*..200`)
    /// or raise the cap.
    ///
    /// ```
    /// let mut g = kgraph::Graph::new();
    /// g.execute("UNWIND range(0, 200) AS i CREATE (:N {i: i})").run()?;
    /// g.execute("MATCH (a:N), (b:N) WHERE b.i = a.i + 1 CREATE (a)-[:NEXT]->(b)").run()?;
    /// let q = "MATCH (:N {i: 0})-[*]->(b) RETURN count(b) AS n";
    /// let err = g.query(q).run().unwrap_err();
    /// assert!(matches!(err, kgraph::QueryError::Runtime { kind: kgraph::RuntimeKind::PathLengthLimit, .. }));
    /// assert_eq!(err.kind_name(), "LimitExceeded");
    /// let r = g.query(q).max_path_length(500).run()?;
    /// assert_eq!(r.get(0, "n"), Some(&kgraph::Value::Int(200)));
    /// # Ok::<_, kgraph::QueryError>(())
    /// ```
    PathLengthLimit,
    /// The query's cancel handle, or its transaction's, was cancelled; class `LimitExceeded`.
    Cancelled,
    /// The query ran past its deadline, or its transaction's; class `LimitExceeded`.
    Timeout,
    /// The values the query holds would pass its memory budget; class `LimitExceeded`.
    MemoryLimit,
    /// A procedure's body failed, or returned records that do not fit its signature
    /// (class `ProcedureError`).
    Procedure,
    /// A bug in the engine was caught (a panic while running); what the statement wrote was
    /// undone.
    Internal,
}

/// Any error of a query; the variants say at which stage it failed and where in the text.
///
/// ```
/// use kgraph::{Graph, Params, QueryError};
/// let g = Graph::new();
/// let err = g.query("MATCH (n RETURN n").run().unwrap_err();
/// assert!(matches!(err, QueryError::Syntax(_)));
/// assert_eq!((err.kind_name(), err.line(), err.column()), ("SyntaxError", Some(1), Some(10)));
/// let err = g.query("MATCH (n) RETURN m").run().unwrap_err();
/// assert!(matches!(err, QueryError::Semantic { kind: kgraph::SemanticKind::UndefinedVariable, .. }));
/// # let _ = Params::new();
/// ```
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    /// The text is not a query of the supported language.
    #[error(transparent)]
    Syntax(#[from] ParseError),
    /// The query is well-formed but means nothing (an unknown variable, say).
    #[error("{message} (line {line}, column {column})")]
    Semantic {
        /// What is wrong.
        kind: SemanticKind,
        /// The explanation.
        message: String,
        /// 1-based line of the expression at fault.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
    },
    /// The query is well-formed but uses a construct the engine does not run yet
    /// (`CALL { ... } IN TRANSACTIONS`); nothing was read or written.
    #[error("{message} (line {line}, column {column})")]
    Unsupported {
        /// The construct.
        kind: UnsupportedKind,
        /// The explanation.
        message: String,
        /// 1-based line of the construct.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
    },
    /// The query failed while running; the graph is left as it was before the query.
    #[error("{message}{}", position(*line, *column))]
    Runtime {
        /// The class of failure.
        kind: RuntimeKind,
        /// The explanation.
        message: String,
        /// 1-based line of the expression at fault, when known.
        line: Option<usize>,
        /// 1-based column, in characters, when known.
        column: Option<usize>,
    },
}

fn position(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(" (line {l}, column {c})"),
        _ => String::new(),
    }
}

impl QueryError {
    /// The openCypher error class: `SyntaxError` (for semantic errors too, as openCypher
    /// classifies them), `SemanticError`, `ParameterMissing`,
    /// `TypeError`, `ArgumentError`, `ArithmeticError`, `EntityNotFound`,
    /// `ConstraintVerificationFailed`, `LimitExceeded` or `Unsupported` (a construct the engine
    /// parses but does not run yet, such as `CALL { ... } IN TRANSACTIONS`).
    ///
    /// ```
    /// let g = kgraph::Graph::new();
    /// let err = g.query("RETURN 1 / 0").run().unwrap_err();
    /// assert_eq!(err.kind_name(), "ArithmeticError");
    /// ```
    pub fn kind_name(&self) -> &'static str {
        match self {
            QueryError::Syntax(_) => "SyntaxError",
            QueryError::Semantic {
                kind: SemanticKind::ParameterMissing,
                ..
            } => "ParameterMissing",
            QueryError::Semantic {
                kind: SemanticKind::MergeReadOwnWrites,
                ..
            } => "SemanticError",
            // openCypher reports what its compiler finds, semantic checks included, as
            // SyntaxError; the variant and `SemanticKind` keep the distinction for Rust callers.
            QueryError::Semantic {
                kind: SemanticKind::ProcedureNotFound,
                ..
            } => "ProcedureError",
            QueryError::Semantic { .. } => "SyntaxError",
            QueryError::Unsupported { .. } => "Unsupported",
            QueryError::Runtime { kind, .. } => match kind {
                RuntimeKind::Type => "TypeError",
                RuntimeKind::Argument => "ArgumentError",
                RuntimeKind::Arithmetic => "ArithmeticError",
                RuntimeKind::EntityNotFound => "EntityNotFound",
                RuntimeKind::Constraint => "ConstraintVerificationFailed",
                // A stopped query is a limit reached, for openCypher and the TCK adapter;
                // the kind tells Rust callers which one.
                RuntimeKind::LimitExceeded
                | RuntimeKind::PathLengthLimit
                | RuntimeKind::Cancelled
                | RuntimeKind::Timeout
                | RuntimeKind::MemoryLimit => "LimitExceeded",
                RuntimeKind::Procedure => "ProcedureError",
                RuntimeKind::Internal => "InternalError",
            },
        }
    }

    /// The same error for a statement whose text starts at byte `offset` of `script`: the
    /// line and column are given in the script.
    pub(crate) fn shifted(self, script: &str, offset: usize) -> QueryError {
        let (l0, c0) = crate::query::syntax::span::line_col(script, offset);
        let shift = |line: usize, column: usize| {
            if line <= 1 {
                (l0, c0 + column.saturating_sub(1))
            } else {
                (l0 + line - 1, column)
            }
        };
        match self {
            QueryError::Syntax(e) => QueryError::Syntax(e.shifted(script, offset)),
            QueryError::Semantic {
                kind,
                message,
                line,
                column,
            } => {
                let (line, column) = shift(line, column);
                QueryError::Semantic {
                    kind,
                    message,
                    line,
                    column,
                }
            }
            QueryError::Unsupported {
                kind,
                message,
                line,
                column,
            } => {
                let (line, column) = shift(line, column);
                QueryError::Unsupported {
                    kind,
                    message,
                    line,
                    column,
                }
            }
            QueryError::Runtime {
                kind,
                message,
                line,
                column,
            } => {
                let (line, column) = match (line, column) {
                    (Some(l), Some(c)) => {
                        let (l, c) = shift(l, c);
                        (Some(l), Some(c))
                    }
                    _ => (line, column),
                };
                QueryError::Runtime {
                    kind,
                    message,
                    line,
                    column,
                }
            }
        }
    }

    /// `compile` for errors found before any data was read or written, `runtime` otherwise.
    ///
    /// ```
    /// let g = kgraph::Graph::new();
    /// assert_eq!(g.query("RETURN x").run().unwrap_err().phase(), "compile");
    /// ```
    pub fn phase(&self) -> &'static str {
        match self {
            QueryError::Runtime { .. } => "runtime",
            _ => "compile",
        }
    }

    /// The 1-based line of the error, where it has a place in the text.
    ///
    /// ```
    /// let g = kgraph::Graph::new();
    /// assert_eq!(g.query("RETURN\n  x").run().unwrap_err().line(), Some(2));
    /// ```
    pub fn line(&self) -> Option<usize> {
        match self {
            QueryError::Syntax(e) => Some(e.line()),
            QueryError::Semantic { line, .. } | QueryError::Unsupported { line, .. } => Some(*line),
            QueryError::Runtime { line, .. } => *line,
        }
    }

    /// The 1-based column, in characters, where the error has a place in the text.
    ///
    /// ```
    /// let g = kgraph::Graph::new();
    /// assert_eq!(g.query("RETURN 辉瑞").run().unwrap_err().column(), Some(8));
    /// ```
    pub fn column(&self) -> Option<usize> {
        match self {
            QueryError::Syntax(e) => Some(e.column()),
            QueryError::Semantic { column, .. } | QueryError::Unsupported { column, .. } => Some(*column),
            QueryError::Runtime { column, .. } => *column,
        }
    }
}
