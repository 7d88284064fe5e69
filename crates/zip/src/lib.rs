//! Offline US ZIP code database.
//!
//! Maps 5-digit ZIP codes to their USPS state code. The data (42,789 codes
//! from the `zipcodes` 3.0.0 package, MIT licensed; see `data/README.md`) is
//! embedded at compile time and parsed once, lazily, on first use into a
//! compact sorted table (about 4 bytes per ZIP plus one byte for its state)
//! that is searched with binary search.
//!
//! ```
//! assert_eq!(patchbay_zip::state_of("77001"), Some("TX"));
//! assert!(patchbay_zip::is_known("10001"));
//! assert!(patchbay_zip::is_us_state("PR"));
//! ```

use std::sync::OnceLock;

/// The embedded data: one `ZIP STATE` per line, sorted by ZIP.
const DATA: &str = include_str!("../data/zips.txt");

/// USPS codes accepted by [`is_us_state`]: the 50 states, DC, the inhabited
/// territories, and the military "states" (Armed Forces Americas, Europe,
/// Pacific).
const US_STATES: [&str; 59] = [
    "AK", "AL", "AR", "AZ", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "IA", "ID", "IL", "IN", "KS", "KY", "LA", "MA",
    "MD", "ME", "MI", "MN", "MO", "MS", "MT", "NC", "ND", "NE", "NH", "NJ", "NM", "NV", "NY", "OH", "OK", "OR", "PA",
    "RI", "SC", "SD", "TN", "TX", "UT", "VA", "VT", "WA", "WI", "WV", "WY", // the 50 states
    "DC", // the District of Columbia
    "AS", "GU", "MP", "PR", "VI", // territories
    "AA", "AE", "AP", // military
];

struct Table {
    /// ZIP codes as numbers, strictly ascending.
    zips: Vec<u32>,
    /// For each entry of `zips`, an index into `names`.
    state_idx: Vec<u8>,
    /// Distinct state codes, borrowed from `DATA`.
    names: Vec<&'static str>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| parse(DATA))
}

/// Parses `ZIP STATE` lines. Malformed lines are skipped (the test suite
/// checks that the committed data has none); duplicates keep the first entry.
fn parse(data: &'static str) -> Table {
    let mut rows: Vec<(u32, &'static str)> = Vec::with_capacity(data.len() / 9 + 1);
    for line in data.lines() {
        let Some((zip, state)) = line.split_once(' ') else {
            continue;
        };
        let (Some(zip), true) = (parse_zip(zip), is_state_code(state)) else {
            continue;
        };
        rows.push((zip, state));
    }
    // The file is sorted; this is a cheap safeguard should it ever not be.
    if !rows.windows(2).all(|w| w[0].0 < w[1].0) {
        rows.sort_by_key(|r| r.0);
        rows.dedup_by_key(|r| r.0);
    }

    let mut names: Vec<&'static str> = Vec::new();
    let mut zips = Vec::with_capacity(rows.len());
    let mut state_idx = Vec::with_capacity(rows.len());
    for (zip, state) in rows {
        let idx = match names.iter().position(|n| *n == state) {
            Some(i) => i,
            None => {
                names.push(state);
                names.len() - 1
            }
        };
        // At most 26 * 26 = 676 two-letter codes exist; the data has ~60.
        let Ok(idx) = u8::try_from(idx) else {
            continue;
        };
        zips.push(zip);
        state_idx.push(idx);
    }
    Table { zips, state_idx, names }
}

/// Exactly five ASCII digits, as a number.
fn parse_zip(zip: &str) -> Option<u32> {
    let bytes = zip.as_bytes();
    if bytes.len() != 5 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(bytes.iter().fold(0u32, |acc, b| acc * 10 + u32::from(b - b'0')))
}

fn is_state_code(s: &str) -> bool {
    s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase())
}

/// The USPS state code of a 5-digit ZIP code, e.g. `"TX"` for `"77001"`.
///
/// Returns `None` when `zip` is not exactly five ASCII digits (ZIP+4 forms,
/// surrounding whitespace and the like are not accepted) or is not a known ZIP
/// code. The result can be a military code (`AA`, `AE`, `AP`) or, for a few
/// Pacific ZIPs, a freely associated state (`FM`, `MH`, `PW`).
pub fn state_of(zip: &str) -> Option<&'static str> {
    let key = parse_zip(zip)?;
    let t = table();
    let i = t.zips.binary_search(&key).ok()?;
    Some(t.names[usize::from(t.state_idx[i])])
}

/// Whether `zip` is a known 5-digit US ZIP code.
pub fn is_known(zip: &str) -> bool {
    state_of(zip).is_some()
}

/// Whether `code` is the USPS code of one of the 50 states, DC, a US
/// territory (PR, VI, GU, AS, MP) or a military "state" (AA, AE, AP).
///
/// Case-sensitive: codes are upper case, as USPS writes them. The freely
/// associated states (FM, MH, PW), which have USPS ZIP codes but are not part
/// of the United States, are rejected.
pub fn is_us_state(code: &str) -> bool {
    US_STATES.contains(&code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_zips() {
        assert_eq!(state_of("77001"), Some("TX")); // Houston
        assert_eq!(state_of("10001"), Some("NY")); // Manhattan
        assert_eq!(state_of("90210"), Some("CA")); // Beverly Hills
        assert_eq!(state_of("20500"), Some("DC")); // the White House
        assert_eq!(state_of("60601"), Some("IL")); // Chicago
        assert_eq!(state_of("02108"), Some("MA")); // Boston, leading zero
        assert_eq!(state_of("99501"), Some("AK")); // Anchorage
        assert_eq!(state_of("96813"), Some("HI")); // Honolulu
        assert_eq!(state_of("00501"), Some("NY")); // the lowest ZIP: IRS, Holtsville
    }

    #[test]
    fn territories_and_military() {
        assert_eq!(state_of("00601"), Some("PR")); // Adjuntas
        assert_eq!(state_of("00802"), Some("VI")); // St. Thomas
        assert_eq!(state_of("96910"), Some("GU")); // Hagatna
        assert_eq!(state_of("96799"), Some("AS")); // Pago Pago
        assert_eq!(state_of("96950"), Some("MP")); // Saipan
        assert_eq!(state_of("34001"), Some("AA"));
        assert_eq!(state_of("09001"), Some("AE"));
        assert_eq!(state_of("96201"), Some("AP"));
        assert_eq!(state_of("96941"), Some("FM")); // Pohnpei
        assert!(!is_us_state("FM"));
    }

    #[test]
    fn unknown_and_invalid() {
        assert_eq!(state_of("00000"), None);
        assert_eq!(state_of("99999"), None);
        assert_eq!(state_of("1234"), None);
        assert_eq!(state_of("123456"), None);
        assert_eq!(state_of(""), None);
        assert_eq!(state_of("7700a"), None);
        assert_eq!(state_of(" 7700"), None);
        assert_eq!(state_of("77001 "), None);
        assert_eq!(state_of("77001-1234"), None);
        assert_eq!(state_of("+7700"), None);
        assert_eq!(state_of("７７００１"), None); // full-width digits
        assert!(!is_known("00000"));
        assert!(!is_known("1234"));
        assert!(is_known("77001"));
    }

    #[test]
    fn us_states() {
        for code in ["TX", "NY", "CA", "DC", "PR", "VI", "GU", "AS", "MP", "AA", "AE", "AP"] {
            assert!(is_us_state(code), "{code}");
        }
        for code in ["", "tx", "Tx", "XX", "ZZ", "FM", "MH", "PW", "TXX", "T"] {
            assert!(!is_us_state(code), "{code}");
        }
        let mut sorted = US_STATES.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), US_STATES.len(), "duplicate in US_STATES");
    }

    #[test]
    fn embedded_data_is_clean_and_complete() {
        let lines = DATA.lines().count();
        assert_eq!(lines, 42_789);
        // Every line parsed: no malformed lines, no duplicates.
        assert_eq!(table().zips.len(), lines);
        assert!(DATA.lines().all(|l| l.len() == 8 && parse_zip(&l[..5]).is_some() && is_state_code(&l[6..])));
        assert!(table().zips.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn every_state_has_zips_and_every_zip_state_is_known() {
        let t = table();
        for code in US_STATES {
            assert!(t.names.contains(&code), "no ZIP for {code}");
        }
        let mut extra: Vec<&str> = t.names.iter().copied().filter(|n| !is_us_state(n)).collect();
        extra.sort_unstable();
        assert_eq!(extra, ["FM", "MH", "PW"]);
    }

    #[test]
    fn parse_tolerates_unsorted_and_malformed_input() {
        let t = parse("90210 CA\nbogus\n1234 NY\n10001 NY\n10001 NJ\n77001 tx\n\n");
        assert_eq!(t.zips, [10001, 90210]);
        assert_eq!(t.names[usize::from(t.state_idx[0])], "NY");
    }

    #[test]
    fn lookups_agree_with_every_line() {
        for line in DATA.lines() {
            let (zip, state) = line.split_once(' ').unwrap();
            assert_eq!(state_of(zip), Some(state), "{zip}");
        }
    }
}
