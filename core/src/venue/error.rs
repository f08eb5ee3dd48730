//! Errors of the venue domain that stop reading a file (a problem *in* a row is not an
//! error: validation reports it as a [`Problem`](super::validate::Problem)).

/// A file that cannot be read as venues.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VenueError {
    /// The file's structure is broken (not CSV or JSON, mismatched columns, nesting).
    #[error("row {row}: {rule}")]
    Malformed {
        /// The row (0: the file as a whole).
        row: usize,
        /// What is wrong.
        rule: String,
    },
    /// An opening-hours string that is not valid OpenStreetMap `opening_hours` syntax.
    #[error("horaires: {value:?} is not valid opening_hours syntax ({rule})")]
    InvalidOpeningHours {
        /// The value.
        value: String,
        /// The parser's message.
        rule: String,
    },
    /// A data table (migration mapping, label rule set) that cannot be read.
    #[error("{table} line {line}: {rule}")]
    Table {
        /// Which table.
        table: &'static str,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        rule: String,
    },
    /// An argument outside its domain (a week that does not start on a Monday, k = 0…).
    #[error("{field}: {rule}")]
    InvalidArgument {
        /// The argument.
        field: &'static str,
        /// The rule.
        rule: String,
    },
}

impl VenueError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            VenueError::Malformed { .. } => "malformed_file",
            VenueError::InvalidOpeningHours { .. } => "invalid_opening_hours",
            VenueError::Table { .. } => "table",
            VenueError::InvalidArgument { .. } => "invalid_argument",
        }
    }
}
