//! Input rules several operations share: addresses, custom fields, states, money.

use super::countries;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::model::{AddressRecord, CustomFieldDef, FieldValue};
use patchbay_api::common::{Address, CustomField};
use rust_decimal::Decimal;

/// The most decimal places a rate or cost keeps; more would be silently rounded by billing.
const MONEY_SCALE: u32 = 4;
const MONEY_MAX: i64 = 1_000_000_000;

pub fn money(field: &str, value: Decimal) -> ApiResult<Decimal> {
    if value.scale() > MONEY_SCALE {
        return Err(ApiError::invalid(field, format!("has more than {MONEY_SCALE} decimal places")));
    }
    if value.abs() >= Decimal::from(MONEY_MAX) {
        return Err(ApiError::invalid(field, format!("must be less than {MONEY_MAX} in size")));
    }
    Ok(value)
}

/// An amount as written on the wire: at least two decimal places (`0.00`, `35.00`), more when
/// stored with more (`1.005`).
pub fn money_out(value: Decimal) -> Decimal {
    let mut v = value;
    if v.scale() < 2 {
        v.rescale(2);
    }
    v
}

pub fn non_negative(field: &str, value: Option<i32>) -> ApiResult<Option<i32>> {
    match value {
        Some(v) if v < 0 => Err(ApiError::invalid(field, "must not be negative")),
        other => Ok(other),
    }
}

/// A two-letter US state code, upper-cased.
pub fn us_state(field: &str, value: &str) -> ApiResult<String> {
    let st = value.trim().to_ascii_uppercase();
    if st.len() != 2 || !patchbay_zip::is_us_state(&st) {
        return Err(ApiError::invalid(field, format!("{value:?} is not a two-letter US state code")));
    }
    Ok(st)
}

/// A five-digit ZIP code that exists; returns its state. Malformed is S2010, unknown S2015.
pub fn zip(field: &str, value: &str) -> ApiResult<&'static str> {
    let z = value.trim();
    if z.len() != 5 || !z.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::invalid(field, "must be 5 digits"));
    }
    patchbay_zip::state_of(z)
        .ok_or_else(|| ApiError::new(ErrorCode::UnknownZip, format!("{field}: {z} is not a known US ZIP code.")))
}

fn required<'a>(field: &str, value: &'a Option<String>) -> ApiResult<&'a str> {
    match value.as_deref().map(str::trim) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(ApiError::invalid(field, "is required")),
    }
}

/// The Address rules of the orders seed: ID prohibited; FirstName, LastName, Address1, City
/// required; State 2 letters; Country an assigned ISO 3166-1 alpha-3 code (default USA); Zip 5
/// digits and a real US ZIP whatever the Country, and for USA in the given State; Zip4 4 digits.
pub fn address(path: &str, a: &Address) -> ApiResult<AddressRecord> {
    let f = |name: &str| format!("{path}/{name}");
    if a.id.is_some() {
        return Err(ApiError::invalid(&f("ID"), "is prohibited on input"));
    }
    let first_name = required(&f("FirstName"), &a.first_name)?.to_string();
    let last_name = required(&f("LastName"), &a.last_name)?.to_string();
    let address1 = required(&f("Address1"), &a.address1)?.to_string();
    let city = required(&f("City"), &a.city)?.to_string();
    let state_in = required(&f("State"), &a.state)?;
    if state_in.len() != 2 || !state_in.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(ApiError::invalid(&f("State"), "must be 2 letters"));
    }
    let state = state_in.to_ascii_uppercase();
    // Country: an assigned ISO 3166-1 alpha-3 code, any case (stored upper-case, like State).
    let country = match a.country.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        None => "USA".to_string(),
        Some(c) => {
            let upper = c.to_ascii_uppercase();
            if !countries::is_iso_3166_alpha3(&upper) {
                return Err(ApiError::invalid(
                    &f("Country"),
                    format!("{c:?} is not an ISO 3166-1 alpha-3 country code (such as USA)"),
                ));
            }
            upper
        }
    };
    // Zip: 5 digits and a real US ZIP whatever the Country (the seed's rule); for USA the State
    // must also be the ZIP's state.
    let zip_in = required(&f("Zip"), &a.zip)?;
    let zip_state = zip(&f("Zip"), zip_in)?;
    if country == "USA" && zip_state != state {
        return Err(ApiError::invalid(
            &f("State"),
            format!("{state} does not match ZIP {zip_in}, which is in {zip_state}"),
        ));
    }
    let zip = zip_in.to_string();
    let zip4 = match a.zip4.as_deref().map(str::trim).filter(|z| !z.is_empty()) {
        None => None,
        Some(z) if z.len() == 4 && z.bytes().all(|b| b.is_ascii_digit()) => Some(z.to_string()),
        Some(_) => return Err(ApiError::invalid(&f("Zip4"), "must be 4 digits")),
    };
    Ok(AddressRecord {
        first_name,
        last_name,
        address1,
        address2: a.address2.clone().filter(|s| !s.trim().is_empty()),
        city,
        state,
        zip,
        zip4,
        country,
    })
}

pub fn address_out(id: i32, a: &AddressRecord) -> Address {
    Address {
        id: Some(id),
        first_name: Some(a.first_name.clone()),
        last_name: Some(a.last_name.clone()),
        address1: Some(a.address1.clone()),
        address2: a.address2.clone(),
        city: Some(a.city.clone()),
        state: Some(a.state.clone()),
        zip: Some(a.zip.clone()),
        zip4: a.zip4.clone(),
        country: Some(a.country.clone()),
    }
}

/// Resolves custom field values against their definitions: each names its field by FieldID
/// or Label, and when both are given they must agree.
pub fn fields(path: &str, given: &[CustomField], defs: &[CustomFieldDef]) -> ApiResult<Vec<FieldValue>> {
    let mut out: Vec<FieldValue> = Vec::with_capacity(given.len());
    for (i, f) in given.iter().enumerate() {
        let at = format!("{path}/Field[{}]", i + 1);
        let def = match (f.field_id, f.label.as_deref().filter(|l| !l.is_empty())) {
            (None, None) => return Err(ApiError::invalid(&at, "needs FieldID or Label")),
            (Some(id), label) => {
                let def = defs.iter().find(|d| d.id == id).ok_or_else(|| {
                    ApiError::invalid(&format!("{at}/FieldID"), format!("no custom field has id {id}"))
                })?;
                if let Some(label) = label {
                    if label != def.label {
                        return Err(ApiError::invalid(
                            &format!("{at}/Label"),
                            format!("{label:?} does not match the label of field {id}, {:?}", def.label),
                        ));
                    }
                }
                def
            }
            (None, Some(label)) => defs.iter().find(|d| d.label == label).ok_or_else(|| {
                ApiError::invalid(&format!("{at}/Label"), format!("no custom field is labelled {label:?}"))
            })?,
        };
        if out.iter().any(|v| v.field_id == def.id) {
            return Err(ApiError::invalid(&at, format!("field {} is given twice", def.id)));
        }
        out.push(FieldValue { field_id: def.id, value: f.value.clone().unwrap_or_default() });
    }
    Ok(out)
}

pub fn fields_out(values: &[FieldValue], defs: &[CustomFieldDef]) -> Vec<CustomField> {
    values
        .iter()
        .map(|v| CustomField {
            field_id: Some(v.field_id),
            label: defs.iter().find(|d| d.id == v.field_id).map(|d| d.label.clone()),
            value: Some(v.value.clone()),
        })
        .collect()
}
