//! Password hashing: argon2id, PHC strings.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

pub fn hash(plain: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(plain.as_bytes(), &salt)
        .expect("argon2 with default parameters hashes any input")
        .to_string()
}

/// Constant-time verification; a malformed stored hash never matches.
pub fn verify(plain: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default().verify_password(plain.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

pub fn is_argon2id_phc(s: &str) -> bool {
    s.starts_with("$argon2id$") && PasswordHash::new(s).is_ok()
}

/// A hash to verify against when the user does not exist, so an unknown user costs as much
/// time as a wrong password and the two cannot be told apart.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash("patchbay decoy password"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_are_salted() {
        let a = hash("correct horse battery");
        let b = hash("correct horse battery");
        assert_ne!(a, b);
        assert!(a.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &a));
        assert!(!verify("correct horse batter", &a));
        assert!(!verify("x", "not a hash"));
        assert!(is_argon2id_phc(&a));
        assert!(!is_argon2id_phc("$2b$12$abcdefghijklmnopqrstuv"));
    }
}
