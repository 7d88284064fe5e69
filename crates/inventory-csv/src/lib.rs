//! The inventory import file, shared by `patchbay inventory import` and the console's import
//! page: a CSV whose header names the columns. `Identifier` is required; `Status`, `Note`,
//! `MSID`, `MSL`, `MDN` and `UnavailableReasonID` are optional; any other column is an item
//! custom field of the inventory type, by label. Cells are trimmed, and an empty one is "not
//! given". The items are then created by the same core function as Inventory_Bulk_Create,
//! which checks everything else.

use patchbay_api::common::CustomField;
use patchbay_api::inventory::{Inventory, InventoryItemStatus, InventoryWireless};
use std::io::Read;

/// Why a file cannot be read as items: the header, or every row that cannot be read, each
/// `line N (identifier): field: rule`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreadable {
    Header(String),
    Rows(Vec<String>),
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unreadable::Header(why) => f.write_str(why),
            Unreadable::Rows(rows) => write!(f, "{} row(s) could not be read", rows.len()),
        }
    }
}

/// Reads the CSV into items of inventory type `type_id`; every unreadable row is reported with
/// its line number (the header is line 1).
pub fn read_items(input: impl Read, type_id: i32) -> Result<Vec<Inventory>, Unreadable> {
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(input);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| Unreadable::Header(format!("the header line cannot be read: {e}")))?
        .iter()
        .map(str::to_string)
        .collect();
    let col = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let identifier =
        col("Identifier").ok_or_else(|| Unreadable::Header("the header has no Identifier column".into()))?;
    let known = ["Identifier", "Status", "Note", "MSID", "MSL", "MDN", "UnavailableReasonID"];
    let (status, note, msid, msl, mdn, reason) =
        (col("Status"), col("Note"), col("MSID"), col("MSL"), col("MDN"), col("UnavailableReasonID"));
    let custom: Vec<(usize, String)> = headers
        .iter()
        .enumerate()
        .filter(|(_, h)| !known.iter().any(|k| k.eq_ignore_ascii_case(h)))
        .map(|(i, h)| (i, h.clone()))
        .collect();
    let mut items = Vec::new();
    let mut errors = Vec::new();
    for (row, record) in reader.records().enumerate() {
        let line = row + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(format!("line {line}: {e}"));
                continue;
            }
        };
        let cell = |i: Option<usize>| i.and_then(|i| record.get(i)).filter(|v| !v.is_empty()).map(str::to_string);
        let id = cell(Some(identifier));
        // As through the API: no text may carry U+0000 (PostgreSQL cannot store it).
        if let Some(column) = record.iter().position(|v| v.contains('\0')) {
            errors.push(format!(
                "line {line} ({}): {}: must not contain the NUL character (U+0000)",
                id.as_deref().unwrap_or("").replace('\0', ""),
                headers.get(column).map(String::as_str).unwrap_or("?")
            ));
            continue;
        }
        let status = match cell(status) {
            None => None,
            Some(s) => match InventoryItemStatus::from_wire(&s.to_ascii_uppercase()) {
                Some(st) => Some(st),
                None => {
                    errors.push(format!(
                        "line {line} ({}): Status: {s:?} is not AVAILABLE, UNAVAILABLE or ASSIGNED",
                        id.as_deref().unwrap_or("")
                    ));
                    continue;
                }
            },
        };
        let unavailable_reason_id = match cell(reason) {
            None => None,
            Some(s) => match s.parse::<i32>() {
                Ok(v) => Some(v),
                Err(_) => {
                    errors.push(format!(
                        "line {line} ({}): UnavailableReasonID: {s:?} is not a whole number",
                        id.as_deref().unwrap_or("")
                    ));
                    continue;
                }
            },
        };
        let fields: Vec<CustomField> = custom
            .iter()
            .filter_map(|(i, label)| {
                record.get(*i).filter(|v| !v.is_empty()).map(|v| CustomField {
                    field_id: None,
                    label: Some(label.clone()),
                    value: Some(v.to_string()),
                })
            })
            .collect();
        let (msid, msl, mdn) = (cell(msid), cell(msl), cell(mdn));
        items.push(Inventory {
            identifier: id,
            inventory_type_id: Some(type_id),
            status,
            unavailable_reason_id,
            note: cell(note),
            fields: (!fields.is_empty()).then_some(fields),
            wireless: (msid.is_some() || msl.is_some() || mdn.is_some()).then_some(InventoryWireless {
                msid,
                msl,
                mdn,
            }),
            ..Inventory::default()
        });
    }
    if !errors.is_empty() {
        return Err(Unreadable::Rows(errors));
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_items_and_unreadable_rows_are_all_named() {
        let csv = "Identifier,Status,MDN,Color\n 8901 , AVAILABLE ,5125550100,Black\n8902,,,\n";
        let items = read_items(csv.as_bytes(), 3).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!((items[0].identifier.as_deref(), items[0].inventory_type_id), (Some("8901"), Some(3)));
        assert_eq!(items[0].wireless.as_ref().and_then(|w| w.mdn.as_deref()), Some("5125550100"));
        assert_eq!(items[0].fields.as_ref().unwrap()[0].label.as_deref(), Some("Color"));
        assert_eq!((items[1].status, items[1].fields.is_none()), (None, true));

        let bad = "Identifier,Status,UnavailableReasonID\na,LOST,\nb,,x\nc,,\n";
        match read_items(bad.as_bytes(), 3) {
            Err(Unreadable::Rows(rows)) => {
                assert_eq!(rows.len(), 2, "{rows:?}");
                assert!(rows[0].starts_with("line 2 (a): Status"), "{rows:?}");
                assert!(rows[1].starts_with("line 3 (b): UnavailableReasonID"), "{rows:?}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            read_items("Serial\n1\n".as_bytes(), 3),
            Err(Unreadable::Header("the header has no Identifier column".into()))
        );
    }
}
