//! The program's errors and the exit codes a script can rely on.

use std::fmt;

/// The exit codes (also in `kgraph --help` and the README).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// A query or the data failed: a syntax, semantic or runtime error of a query, a
    /// malformed row of an import, a graph an export format cannot hold.
    Data = 1,
    /// The command line was wrong: an unknown option, a missing argument, a bad parameter.
    Usage = 2,
    /// A file could not be read or written: missing, unreadable, damaged, locked.
    Io = 3,
    /// The output's reader closed it (`kgraph query ... | head`): the program stops at once,
    /// quietly and with success, as Unix filters do.
    Closed = 0,
}

/// An error the program reports on stderr before it exits with the error's code.
#[derive(Debug)]
pub struct CliError {
    /// The exit code.
    pub exit: Exit,
    /// What to print.
    pub message: String,
}

impl CliError {
    /// A usage error.
    pub fn usage(message: impl Into<String>) -> CliError {
        CliError {
            exit: Exit::Usage,
            message: message.into(),
        }
    }

    /// An I/O error.
    pub fn io(message: impl Into<String>) -> CliError {
        CliError {
            exit: Exit::Io,
            message: message.into(),
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}

/// The exit code of a library error: damaged or unreadable files are I/O (3), everything
/// about the query or the data is 1.
pub fn exit_of(e: &kgraph::Error) -> Exit {
    use kgraph::{DbError, Error, ExportError, ImportError, SnapshotError};
    match e {
        Error::Snapshot(SnapshotError::Unencodable { .. }) => Exit::Data,
        Error::Snapshot(_) => Exit::Io,
        Error::Import(ImportError::Io { .. }) => Exit::Io,
        Error::Export(ExportError::Io { .. }) => Exit::Io,
        Error::Database(
            DbError::Io { .. } | DbError::Locked { .. } | DbError::Snapshot(_) | DbError::Corrupt { .. },
        ) => Exit::Io,
        _ => Exit::Data,
    }
}

impl From<kgraph::Error> for CliError {
    fn from(e: kgraph::Error) -> CliError {
        let message = match &e {
            kgraph::Error::Query(q @ kgraph::QueryError::Syntax(_)) => q.to_string(),
            kgraph::Error::Query(q) => format!("{}: {q}", q.kind_name()),
            _ => e.to_string(),
        };
        CliError {
            exit: exit_of(&e),
            message,
        }
    }
}

impl From<kgraph::QueryError> for CliError {
    fn from(e: kgraph::QueryError) -> CliError {
        kgraph::Error::from(e).into()
    }
}

impl From<kgraph::SnapshotError> for CliError {
    fn from(e: kgraph::SnapshotError) -> CliError {
        kgraph::Error::from(e).into()
    }
}

impl From<kgraph::DbError> for CliError {
    fn from(e: kgraph::DbError) -> CliError {
        kgraph::Error::from(e).into()
    }
}

impl From<kgraph::ExportError> for CliError {
    fn from(e: kgraph::ExportError) -> CliError {
        kgraph::Error::from(e).into()
    }
}

impl From<kgraph::ImportError> for CliError {
    fn from(e: kgraph::ImportError) -> CliError {
        kgraph::Error::from(e).into()
    }
}

impl From<kgraph::DatasetError> for CliError {
    fn from(e: kgraph::DatasetError) -> CliError {
        kgraph::Error::from(e).into()
    }
}

impl From<kgraph::ImportFailure> for CliError {
    fn from(f: kgraph::ImportFailure) -> CliError {
        let exit = exit_of(&f.error);
        CliError {
            exit,
            message: f.to_string(),
        }
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> CliError {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return CliError {
                exit: Exit::Closed,
                message: String::new(),
            };
        }
        CliError::io(e.to_string())
    }
}
