//! What both engines share: client codes, enum spelling, error mapping.

use patchbay_core::error::{StoreError, StoreResult};
use patchbay_schema::DateTime;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The longest client code accepted.
pub const MAX_CODE_LEN: usize = 40;

/// Whether `code` is a valid client code: 1 to 40 of `a-z`, `0-9`, `_` and `-`.
pub fn valid_client_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= MAX_CODE_LEN
        && code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// The name of a client's database (`<name>.db` on SQLite, schema `client_<name>` on
/// PostgreSQL): the code with `-` mapped to `_`. Refuses an invalid code.
pub fn client_db_name(code: &str) -> StoreResult<String> {
    if !valid_client_code(code) {
        return Err(StoreError::Database(format!(
            "client code {code:?} is not valid: use 1 to {MAX_CODE_LEN} characters of a-z, 0-9, _ and -"
        )));
    }
    Ok(code.replace('-', "_"))
}

/// How a write transaction sends the statements it holds (`client_impl.rs`, `Tx::later`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Holding {
    /// One multi-statement text, run in order (SQLite: each statement is a step of the one
    /// connection's thread, the hand-off to it is what costs).
    Script,
    /// One statement: each held one a data-modifying `WITH` query of it (PostgreSQL, which
    /// takes one statement with parameters per round trip, and spends more on the round trip
    /// than on a small insert). Its parts run on one snapshot and cannot see each other's
    /// rows, so a statement on a table already held sends the held ones first.
    Ctes,
}

/// Maps a database error: a broken uniqueness rule is a [`StoreError::Conflict`].
pub fn db_err(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(d) = &e {
        if d.is_unique_violation() {
            return StoreError::Conflict(d.message().to_string());
        }
    }
    StoreError::Database(e.to_string())
}

/// Reads the column `name` of a row (by name, never by position, so a column list and its
/// reader cannot drift apart silently).
pub fn col<'r, T, R>(row: &'r R, name: &str) -> StoreResult<T>
where
    R: sqlx::Row,
    T: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'n> &'n str: sqlx::ColumnIndex<R>,
{
    row.try_get(name).map_err(db_err)
}

/// The wire spelling of a unit enum (`PENDING`, `Available_On_Signup_Flag`), as serde writes it.
pub fn enum_str<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        other => unreachable!("not a unit enum: {other:?}"),
    }
}

/// Reads an enum back from its stored spelling.
pub fn parse_enum<T: DeserializeOwned>(what: &str, s: String) -> StoreResult<T> {
    serde_json::from_value(serde_json::Value::String(s))
        .map_err(|e| StoreError::Database(format!("stored {what} is not valid: {e}")))
}

pub fn time(what: &str, secs: i64) -> StoreResult<DateTime> {
    DateTime::from_unix(secs).ok_or_else(|| StoreError::Database(format!("stored {what} {secs} is out of range")))
}

pub fn opt_time(what: &str, secs: Option<i64>) -> StoreResult<Option<DateTime>> {
    secs.map(|s| time(what, s)).transpose()
}

pub fn to_json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("serializing to a string cannot fail")
}

pub fn from_json<T: DeserializeOwned>(what: &str, s: &str) -> StoreResult<T> {
    serde_json::from_str(s).map_err(|e| StoreError::Database(format!("stored {what} is not valid JSON: {e}")))
}

/// Entity kinds whose counter `put_config` keeps at least at the largest id written, so
/// `next_id` never hands out an id taken by an explicit write.
pub mod kinds {
    pub const USER: &str = "user";
    pub const BILL_PROFILE: &str = "bill_profile";
    pub const PRODUCT_CATEGORY: &str = "product_category";
    pub const LINE_TYPE: &str = "line_type";
    pub const PRODUCT_TYPE: &str = "product_type";
    pub const PROVIDER: &str = "provider";
    pub const PROCESS: &str = "process";
    pub const PROCESS_ROUTE: &str = "process_route";
    pub const UNAVAILABLE_REASON: &str = "unavailable_reason";
    pub const CUSTOM_FIELD: &str = "custom_field";
    pub const PRODUCT: &str = "product";
    pub const PACKAGE: &str = "package";
    pub const CUSTOMER: &str = "customer";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_codes() {
        assert_eq!(client_db_name("acme").unwrap(), "acme");
        assert_eq!(client_db_name("acme-west_2").unwrap(), "acme_west_2");
        assert!(client_db_name(&"a".repeat(40)).is_ok());
        for bad in ["", "Acme", "a b", "a.b", "../x", "a/b", "é", &"a".repeat(41)] {
            assert!(client_db_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn enums_use_the_wire_spelling() {
        use patchbay_api::customers::CustomerProductStatus;
        assert_eq!(enum_str(&CustomerProductStatus::Pending), "PENDING");
        let s: CustomerProductStatus = parse_enum("status", "ACTIVE".into()).unwrap();
        assert_eq!(s, CustomerProductStatus::Active);
        assert!(parse_enum::<CustomerProductStatus>("status", "nope".into()).is_err());
    }
}
