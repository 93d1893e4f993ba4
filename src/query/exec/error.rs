//! Errors raised while a plan runs, before the facade gives them a line and column.

use crate::graph::GraphError;
use crate::query::plan::Pos;

/// The openCypher error class of a runtime failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ExecKind {
    Type,
    Argument,
    Arithmetic,
    EntityNotFound,
    Constraint,
    ParameterMissing,
    /// A budget of the engine or of the caller: rows held, path expansions.
    LimitExceeded,
    /// An unbounded variable-length pattern reached the path cap with paths left to follow.
    PathLengthLimit,
    /// A cancel handle of the statement was cancelled.
    Cancelled,
    /// The statement ran past its deadline.
    Timeout,
    /// The values the statement holds would pass its memory budget.
    MemoryLimit,
    Semantic,
    /// A procedure's body failed or returned records that do not fit its signature.
    Procedure,
    /// `SKIP` or `LIMIT` below zero (openCypher's NegativeIntegerArgument).
    NegativeCount,
    /// `SKIP` or `LIMIT` that is not an integer (openCypher's InvalidArgumentType).
    NonIntegerCount,
}

/// An error of a running plan, boxed: every operator and expression returns an
/// `ExecResult`, and a boxed error keeps `ExecResult<bool>` and the pushed operators'
/// `ExecResult<Flow>` two words wide, returned in registers rather than through memory.
#[derive(Clone, Debug)]
pub(crate) struct ExecError(Box<ExecFault>);

/// What an [`ExecError`] holds.
#[derive(Clone, Debug)]
pub(crate) struct ExecFault {
    pub(crate) kind: ExecKind,
    pub(crate) message: String,
    pub(crate) pos: Option<Pos>,
}

impl std::ops::Deref for ExecError {
    type Target = ExecFault;
    fn deref(&self) -> &ExecFault {
        &self.0
    }
}

impl std::ops::DerefMut for ExecError {
    fn deref_mut(&mut self) -> &mut ExecFault {
        &mut self.0
    }
}

impl ExecError {
    #[cold]
    pub(crate) fn new(kind: ExecKind, message: impl Into<String>) -> ExecError {
        ExecError(Box::new(ExecFault {
            kind,
            message: message.into(),
            pos: None,
        }))
    }

    pub(crate) fn type_error(message: impl Into<String>) -> ExecError {
        ExecError::new(ExecKind::Type, message)
    }

    pub(crate) fn at(mut self, pos: Pos) -> ExecError {
        if self.pos.is_none() && pos != Pos::default() {
            self.pos = Some(pos);
        }
        self
    }
}

impl From<GraphError> for ExecError {
    fn from(e: GraphError) -> ExecError {
        let kind = match e {
            GraphError::ConstraintViolation { .. } | GraphError::NodeHasRelationships { .. } => {
                ExecKind::Constraint
            }
            GraphError::NodeNotFound { .. } | GraphError::RelationshipNotFound { .. } => {
                ExecKind::EntityNotFound
            }
            GraphError::InvalidPropertyValue { .. } | GraphError::MapValue { .. } => ExecKind::Type,
            _ => ExecKind::Argument,
        };
        ExecError::new(kind, e.to_string())
    }
}

pub(crate) type ExecResult<T> = Result<T, ExecError>;
