//! Settings files: parse, validate, and apply to the store.
//!
//! Applying is declarative and idempotent: every entity in the file is inserted or replaced by
//! id, entities the file does not mention are left alone (products created through the API
//! stay), and applying the same file again writes nothing. An entity without an `id` is matched
//! to an existing one by its natural key (a user's username, a provider's code, a product's
//! name…) so that re-applying does not duplicate it.

mod build;
mod file;

use crate::audit::Author;
use crate::error::StoreError;
use crate::model::{ClientConfig, ClientInfo};
use crate::store::Store;
use std::fmt;
use std::path::Path;

pub use build::DEFAULT_SESSION_IDLE_MINUTES;

/// A settings file that cannot be applied: which file, where, and what is wrong.
#[derive(Debug)]
pub struct SettingsError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file, line, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for SettingsError {}

/// One client's part of a settings file, validated and resolved against what is stored.
#[derive(Debug)]
pub struct ClientSettings {
    pub info: ClientInfo,
    pub config: ClientConfig,
}

/// What applying a file did, per client.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ApplyReport {
    /// Clients whose stored settings changed.
    pub changed: Vec<String>,
    /// Clients whose stored settings already matched the file.
    pub unchanged: Vec<String>,
}

/// Reads and applies a settings file.
pub async fn apply_file(store: &dyn Store, path: &Path) -> Result<ApplyReport, SettingsError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| SettingsError {
        file: name.clone(),
        line: None,
        message: format!("cannot read the file: {e}"),
    })?;
    apply_str(store, &name, &text).await
}

/// Applies settings given as text; `name` is used in error messages and in the origin of each
/// product and package (`"<name>:<line>"`), so the same text applied under another name
/// rewrites those origins.
pub async fn apply_str(store: &dyn Store, name: &str, text: &str) -> Result<ApplyReport, SettingsError> {
    let err = |line: Option<usize>, message: String| SettingsError { file: name.to_string(), line, message };
    let parsed: file::SettingsFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start));
        err(line, e.message().trim().to_string())
    })?;
    let store_err = |e: StoreError| err(None, format!("the database refused the settings: {e}"));

    // Validate every client before writing anything, so a bad file changes nothing.
    let mut resolved = Vec::new();
    for section in &parsed.clients {
        let existing = match store.client(section.code.get_ref()).await.map_err(store_err)? {
            Some(db) => db.load_config().await.map_err(store_err)?.1,
            None => ClientConfig::default(),
        };
        let settings = build::client_settings(section, &existing, name, text)
            .map_err(|(offset, message)| err(offset.map(|o| line_of(text, o)), message))?;
        resolved.push((settings, existing));
    }

    let mut report = ApplyReport::default();
    let known = store.clients().await.map_err(store_err)?;
    for (settings, existing) in resolved {
        let code = settings.info.code.clone();
        if !known.contains(&settings.info) {
            store.put_client(&settings.info).await.map_err(store_err)?;
        }
        let changes = build::changes(&settings.config, &existing);
        if changes.is_empty() && known.contains(&settings.info) {
            report.unchanged.push(code);
            continue;
        }
        if !changes.is_empty() {
            let db = store
                .client(&code)
                .await
                .map_err(store_err)?
                .ok_or_else(|| err(None, format!("client {code} vanished while applying")))?;
            let mut tx = db.begin().await.map_err(store_err)?;
            tx.put_config(&changes).await.map_err(store_err)?;
            tx.audit(&Author::system("settings.apply").record("settings", &[])).await.map_err(store_err)?;
            tx.commit().await.map_err(store_err)?;
        }
        report.changed.push(code);
    }
    Ok(report)
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].bytes().filter(|&b| b == b'\n').count() + 1
}
