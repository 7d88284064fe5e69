//! Inventory identifier formats: ESN and MEID in decimal, ICCID.
//!
//! - ESN decimal: 11 digits, a 3-digit manufacturer code (0–255) then an 8-digit serial number
//!   (0–16777215): the decimal form of a 32-bit ESN (8-bit manufacturer, 24-bit serial).
//! - MEID decimal: 18 digits, a 10-digit manufacturer code (0–4294967295) then an 8-digit serial
//!   number (0–16777215): the decimal form of a 56-bit MEID (32-bit code, 24-bit serial).
//! - ICCID: 19 or 20 digits (ITU-T E.118), beginning with the telecom industry prefix 89, whose
//!   last digit is the Luhn check digit of the others.

use patchbay_api::inventory::InventoryTypeFormat;

const SERIAL_MAX: u64 = 16_777_215;

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

pub fn check_esn(s: &str) -> Result<(), String> {
    if s.len() != 11 || !all_digits(s) {
        return Err("must be an ESN in decimal: 11 digits".into());
    }
    let manufacturer: u64 = s[..3].parse().expect("digits");
    let serial: u64 = s[3..].parse().expect("digits");
    if manufacturer > 255 {
        return Err(format!("is not a valid decimal ESN: manufacturer code {manufacturer} is above 255"));
    }
    if serial > SERIAL_MAX {
        return Err(format!("is not a valid decimal ESN: serial number {serial} is above {SERIAL_MAX}"));
    }
    Ok(())
}

pub fn check_meid(s: &str) -> Result<(), String> {
    if s.len() != 18 || !all_digits(s) {
        return Err("must be an MEID in decimal: 18 digits".into());
    }
    let manufacturer: u64 = s[..10].parse().expect("digits");
    let serial: u64 = s[10..].parse().expect("digits");
    if manufacturer > u64::from(u32::MAX) {
        return Err(format!("is not a valid decimal MEID: manufacturer code {manufacturer} is above 4294967295"));
    }
    if serial > SERIAL_MAX {
        return Err(format!("is not a valid decimal MEID: serial number {serial} is above {SERIAL_MAX}"));
    }
    Ok(())
}

/// The Luhn check digit completing `payload` (digits only).
pub fn luhn_check_digit(payload: &str) -> u8 {
    let sum: u32 = payload
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

pub fn check_iccid(s: &str) -> Result<(), String> {
    if !(s.len() == 19 || s.len() == 20) || !all_digits(s) {
        return Err("must be an ICCID: 19 or 20 digits".into());
    }
    if !s.starts_with("89") {
        return Err("is not a valid ICCID: it must begin with 89".into());
    }
    let (payload, check) = s.split_at(s.len() - 1);
    let want = luhn_check_digit(payload);
    if check.as_bytes()[0] - b'0' != want {
        return Err(format!("is not a valid ICCID: the Luhn check digit should be {want}"));
    }
    Ok(())
}

/// Checks an identifier against its type's format. The identifier is already trimmed.
pub fn check(format: InventoryTypeFormat, s: &str) -> Result<(), String> {
    match format {
        InventoryTypeFormat::None => Ok(()),
        InventoryTypeFormat::EsnDecimal => check_esn(s),
        InventoryTypeFormat::MeidDecimal => check_meid(s),
        InventoryTypeFormat::EsnOrMeidDecimal => match s.len() {
            11 => check_esn(s),
            18 => check_meid(s),
            _ => Err("must be an ESN (11 digits) or MEID (18 digits) in decimal".into()),
        },
        InventoryTypeFormat::IccidDecimal => check_iccid(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn esn() {
        // 0x9F123456 -> manufacturer 159, serial 1193046.
        assert!(check_esn("15901193046").is_ok());
        assert!(check_esn("25516777215").is_ok());
        assert!(check_esn("00000000000").is_ok());
        assert!(check_esn("25616777215").unwrap_err().contains("manufacturer"));
        assert!(check_esn("25516777216").unwrap_err().contains("serial"));
        assert!(check_esn("1590119304").is_err());
        assert!(check_esn("1590119304a").is_err());
    }

    #[test]
    fn meid() {
        // 0xA0000000002329 -> manufacturer 2684354560, serial 0002329 hex = 9001.
        assert!(check_meid("268435456000009001").is_ok());
        assert!(check_meid("429496729516777215").is_ok());
        assert!(check_meid("429496729616777215").unwrap_err().contains("manufacturer"));
        assert!(check_meid("268435456016777216").unwrap_err().contains("serial"));
        assert!(check_meid("26843545600000900").is_err());
    }

    #[test]
    fn iccid() {
        assert!(check_iccid("89014103211118510720").is_ok());
        assert!(check_iccid("8901410321111851072").is_ok(), "19 digits with its own check digit");
        assert!(check_iccid("89014103211118510721").unwrap_err().contains("Luhn"));
        assert!(check_iccid("79014103211118510729").unwrap_err().contains("89"));
        assert!(check_iccid("890141032111185107").is_err());
        assert!(check_iccid("890141032111185107200").is_err());
        assert_eq!(luhn_check_digit("7992739871"), 3);
    }

    #[test]
    fn esn_or_meid() {
        assert!(check(InventoryTypeFormat::EsnOrMeidDecimal, "15901193046").is_ok());
        assert!(check(InventoryTypeFormat::EsnOrMeidDecimal, "268435456000009001").is_ok());
        assert!(check(InventoryTypeFormat::EsnOrMeidDecimal, "89014103211118510720").is_err());
        assert!(check(InventoryTypeFormat::None, "anything").is_ok());
    }
}
