//! Bulk requests, for any area: the items refused (with their position, identifier, field and
//! rule), how many are kept and listed, and the chunks writes go in.
//!
//! A bulk operation is all-or-nothing: every item is validated first, each failure recorded in
//! [`Failures`]; if any failed, [`BulkError::Items`] refuses the request, and its API answer
//! ([`BulkError::into_api`]) names the first [`MAX_LISTED_FAILURES`]. Only then is anything
//! written, [`WRITE_CHUNK`] items per store call.

use crate::error::{ApiError, ErrorCode, StoreError};
use std::fmt;

/// How many failing items a bulk refusal lists in its Message.
pub const MAX_LISTED_FAILURES: usize = 20;
/// Items per store call when writing in bulk (bounds each statement, lets progress move).
pub const WRITE_CHUNK: usize = 5_000;

/// One refused item of a bulk request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemFailure {
    /// 1-based position in the request (or data row of a file).
    pub position: usize,
    pub identifier: Option<String>,
    /// The field, relative to the item (`Identifier`, `Fields/Field[2]/Value`).
    pub field: String,
    pub rule: String,
}

impl fmt::Display for ItemFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "item {}", self.position)?;
        if let Some(id) = &self.identifier {
            write!(f, " ({id})")?;
        }
        write!(f, ": {}: {}", self.field, self.rule)
    }
}

impl ItemFailure {
    /// The failure named by its line in a file with a header row, as the import command and
    /// the console's import page show it: data row n is line n + 1.
    pub fn as_file_row(&self) -> String {
        format!(
            "line {} ({}): {}: {}",
            self.position + 1,
            self.identifier.as_deref().unwrap_or(""),
            self.field,
            self.rule
        )
    }
}

/// Why a bulk request was refused: some items, or the request as a whole.
#[derive(Clone, Debug)]
pub enum BulkError {
    /// Every failing item, in item order, and how many failed (the same number).
    Items {
        failures: Vec<ItemFailure>,
        total: usize,
    },
    Request(ApiError),
}

impl From<ApiError> for BulkError {
    fn from(e: ApiError) -> Self {
        BulkError::Request(e)
    }
}

impl From<StoreError> for BulkError {
    fn from(e: StoreError) -> Self {
        BulkError::Request(e.into())
    }
}

impl BulkError {
    /// The API's answer: S2010 naming every failing item, up to [`MAX_LISTED_FAILURES`].
    pub fn into_api(self, what: &str) -> ApiError {
        match self {
            BulkError::Request(e) => e,
            BulkError::Items { failures, total } => {
                let listed: Vec<String> = failures.iter().take(MAX_LISTED_FAILURES).map(|f| f.to_string()).collect();
                let more = total.saturating_sub(listed.len());
                let mut msg = format!("{what}: {total} item(s) refused, nothing was written. {}", listed.join("; "));
                if more > 0 {
                    msg.push_str(&format!("; and {more} more"));
                }
                ApiError { items: failures, ..ApiError::new(ErrorCode::InvalidInput, msg) }
            }
        }
    }

    /// The answer for a one-item request: the plain field and rule.
    pub fn into_single(self, prefix: &str) -> ApiError {
        match self {
            BulkError::Request(e) => e,
            BulkError::Items { failures, .. } => match failures.into_iter().next() {
                Some(f) => ApiError::invalid(&format!("{prefix}/{}", f.field), f.rule),
                None => ApiError::invalid(prefix, "is invalid"),
            },
        }
    }
}

/// The failures of a bulk request's items, collected while validating all of them.
pub struct Failures {
    kept: Vec<ItemFailure>,
    total: usize,
}

impl Failures {
    pub fn new() -> Self {
        Failures { kept: Vec::new(), total: 0 }
    }

    /// Records that the item at `position` breaks `rule` in `field`.
    pub fn push(
        &mut self,
        position: usize,
        identifier: Option<&str>,
        field: impl Into<String>,
        rule: impl Into<String>,
    ) {
        // Every one is kept: a request's failures are at most its items, which are held anyway.
        self.total += 1;
        self.kept.push(ItemFailure {
            position,
            identifier: identifier.map(str::to_string),
            field: field.into(),
            rule: rule.into(),
        });
    }

    /// Ok when no item failed; else every failure kept, in item order, and the count.
    pub fn check(self) -> Result<(), BulkError> {
        if self.total == 0 {
            Ok(())
        } else {
            let mut kept = self.kept;
            kept.sort_by_key(|f| f.position);
            Err(BulkError::Items { failures: kept, total: self.total })
        }
    }
}

/// A field and the rule it breaks, within one item.
pub type Rule = (String, String);

/// A [`Rule`].
pub fn rule(field: impl Into<String>, rule: impl Into<String>) -> Rule {
    (field.into(), rule.into())
}

impl Default for Failures {
    fn default() -> Self {
        Failures::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bulk_message_names_items_and_caps() {
        let failures: Vec<ItemFailure> = (1..=25)
            .map(|i| ItemFailure {
                position: i,
                identifier: Some(format!("id{i}")),
                field: "Identifier".into(),
                rule: "bad".into(),
            })
            .collect();
        let e = BulkError::Items { failures, total: 25 }.into_api("InventoryItems");
        assert_eq!(e.items.len(), 25, "every refused item is kept for a caller that shows them all");
        assert_eq!(e.items[24].identifier.as_deref(), Some("id25"));
        let m = e.message.unwrap();
        assert!(m.contains("item 1 (id1): Identifier: bad"), "{m}");
        assert!(m.contains("item 20 (id20)"));
        assert!(!m.contains("item 21 (id21)"));
        assert!(m.contains("and 5 more"));
    }

    #[test]
    fn failures_keep_item_order_and_count_all() {
        let mut f = Failures::new();
        assert!(Failures::new().check().is_ok());
        for position in (1..=2_005).rev() {
            f.push(position, None, "Identifier", "bad");
        }
        let Err(BulkError::Items { failures, total }) = f.check() else { panic!("items failed") };
        assert_eq!((failures.len(), total), (2_005, 2_005));
        assert!(failures.windows(2).all(|w| w[0].position < w[1].position));
        let single = BulkError::Items { failures, total }.into_single("Inventory");
        assert_eq!(single.message.as_deref(), Some("Inventory/Identifier: bad"));
    }
}
