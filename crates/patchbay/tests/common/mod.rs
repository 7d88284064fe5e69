//! Shared by the command's tests: running `patchbay` as a process.
#![allow(dead_code)]

use std::process::Command;

pub const SETTINGS: &str = include_str!("../../../../tests/fixtures/settings.toml");

/// Runs `patchbay ARGS` on the database `url`: (succeeded, stdout, stderr).
pub fn patchbay(url: &str, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_patchbay"))
        .args(args)
        .env("PATCHBAY_DATABASE_URL", url)
        .env("PATCHBAY_LOG", "error")
        .output()
        .expect("the command runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
