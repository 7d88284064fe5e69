//! `patchbay inventory import`: creates inventory items from a CSV file with the same
//! validation and all-or-nothing rule as Inventory_Bulk_Create (it runs the same core function,
//! `patchbay_core::ops::inventory::import_items`), on the client's system context
//! (`Engine::system_ctx`), so its audit record and item history are written as a request's.
//! Without `--user` they name the system (user id 0).

use anyhow::{anyhow, bail, Context, Result};
use patchbay_api::inventory::Inventory;
use patchbay_core::error::ErrorCode;
use patchbay_core::ops::bulk::{BulkError, MAX_LISTED_FAILURES};
use patchbay_core::ops::inventory::import_items;
use patchbay_core::store::Store;
use patchbay_core::Engine;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(clap::Subcommand)]
pub enum InventoryCommand {
    /// Creates inventory items from a CSV file: all of them, or none if any row is refused.
    ///
    /// The header names the columns: `Identifier` (required), and optionally `Status`, `Note`,
    /// `MSID`, `MSL`, `MDN`, `UnavailableReasonID`; any other column is an item custom field of
    /// the inventory type, by label. Empty cells are "not given".
    Import {
        #[command(flatten)]
        db: super::DatabaseArg,
        /// The client code.
        #[arg(long)]
        client: String,
        /// The inventory type id of every item.
        #[arg(long = "type", value_name = "TYPE_ID")]
        type_id: i32,
        /// The user recorded in the items' history (default: the command line, user id 0).
        #[arg(long)]
        user: Option<String>,
        file: PathBuf,
    },
}

pub async fn run(cmd: InventoryCommand) -> Result<()> {
    match cmd {
        InventoryCommand::Import { db, client, type_id, user, file } => {
            let store = super::open(&db.database).await?;
            store.migrate().await.context("migrating the database")?;
            let result = import(store.clone(), &client, type_id, user.as_deref(), &file).await;
            store.close().await;
            let n = result?;
            println!("imported {n} inventory item(s) into client {client}, inventory type {type_id}");
            Ok(())
        }
    }
}

/// Reads the CSV into items; every unreadable row is reported with its line number.
fn read_csv(file: &Path, type_id: i32) -> Result<Vec<Inventory>> {
    let f = std::fs::File::open(file).with_context(|| format!("reading {}", file.display()))?;
    match patchbay_inventory_csv::read_items(std::io::BufReader::new(f), type_id) {
        Ok(items) => Ok(items),
        Err(patchbay_inventory_csv::Unreadable::Header(why)) => bail!("{}: {why}", file.display()),
        Err(patchbay_inventory_csv::Unreadable::Rows(errors)) => {
            print_refused(&errors, errors.len());
            bail!("{} row(s) of {} could not be read; nothing was imported", errors.len(), file.display());
        }
    }
}

/// Prints the first [`MAX_LISTED_FAILURES`] refused rows (in file order) to stderr, then one line
/// counting the rest of the `total`, as the API's refusal Message does.
fn print_refused(lines: &[String], total: usize) {
    let listed = lines.len().min(MAX_LISTED_FAILURES);
    for line in &lines[..listed] {
        eprintln!("{line}");
    }
    if total > listed {
        eprintln!("… and {} more row(s) refused", total - listed);
    }
}

/// The operation the command's audit records and item history name.
const OPERATION: &str = "patchbay inventory import";

/// Imports the file; returns how many items were created.
pub async fn import(
    store: Arc<dyn Store>,
    client: &str,
    type_id: i32,
    user: Option<&str>,
    file: &Path,
) -> Result<usize> {
    let engine = Engine::new(store);
    let ctx = engine.system_ctx(client, OPERATION).await.map_err(|e| match e.code {
        ErrorCode::ConfigurationError => anyhow!("there is no client {client:?}"),
        _ => anyhow!("{e}"),
    })?;
    let ctx = match user {
        None => ctx,
        Some(name) => ctx.acting_as(name).map_err(|_| anyhow!("client {client} has no user {name:?}"))?,
    };
    let items = read_csv(file, type_id)?;
    let total = items.len();
    let bar = if std::io::stdout().is_terminal() {
        let bar = indicatif::ProgressBar::new(total as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} items written ({elapsed})")
                .expect("a valid template"),
        );
        Some(bar)
    } else {
        None
    };
    let progress_bar = bar.clone();
    let result = import_items(&ctx, items, &move |n| {
        if let Some(b) = &progress_bar {
            b.set_position(n as u64);
        }
    })
    .await;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    match result {
        Ok(ids) => Ok(ids.len()),
        Err(BulkError::Items { failures, total: failed }) => {
            let lines: Vec<String> = failures.iter().map(|f| f.as_file_row()).collect();
            print_refused(&lines, failed);
            bail!("{failed} of {total} row(s) refused; nothing was imported")
        }
        Err(BulkError::Request(e)) => bail!("{}", e.message.unwrap_or_else(|| e.code.description().to_string())),
    }
}
