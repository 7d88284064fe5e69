//! `patchbay`: a thin command line over the Patchbay libraries.

mod bench_data;
mod demo;
mod inventory;

/// Keeps an idle server small. Each argon2 password check allocates a 19 MiB working buffer;
/// glibc serves such blocks with mmap and returns them on free, but its threshold for that
/// adapts upwards after the first free, so later buffers come from the heap and stay resident.
/// Fixing the threshold keeps large blocks on mmap.
fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator parameters; called before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use patchbay_core::Engine;
use patchbay_server::{AppState, Limits};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "patchbay",
    version,
    about = "A self-hosted back office for telecom service providers, speaking the v20 API."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args)]
struct DatabaseArg {
    /// sqlite://PATH (created if missing) or postgres://USER:PASS@HOST/DB.
    #[arg(long, env = "PATCHBAY_DATABASE_URL", default_value = "sqlite://patchbay.db")]
    database: String,
}

/// How the flow-through worker (sending orders to providers, delivering events) paces itself.
#[derive(clap::Args)]
struct FlowArgs {
    /// Serve the API only: send no orders and deliver no events from this process.
    #[arg(long, env = "PATCHBAY_NO_FLOW")]
    no_flow: bool,
    /// How long a claim on queued work holds before another process may take it over.
    #[arg(long, env = "PATCHBAY_FLOW_LEASE_MS", default_value_t = 30_000)]
    flow_lease_ms: u64,
    /// Attempts to reach a provider before an order is FLOW_ERROR.
    #[arg(long, env = "PATCHBAY_FLOW_MAX_ATTEMPTS", default_value_t = 5)]
    flow_max_attempts: i32,
    /// The wait after a first failed attempt to reach a provider; doubled each time, to 60 s.
    #[arg(long, env = "PATCHBAY_FLOW_RETRY_MS", default_value_t = 500)]
    flow_retry_ms: u64,
    /// The wait after a first failed event delivery; doubled each time, to 5 minutes.
    #[arg(long, env = "PATCHBAY_EVENT_RETRY_MS", default_value_t = 1_000)]
    event_retry_ms: u64,
    /// How often an idle worker looks for work queued by other processes.
    #[arg(long, env = "PATCHBAY_FLOW_IDLE_POLL_MS", default_value_t = 200)]
    flow_idle_poll_ms: u64,
    /// Days an event is kept once delivered to every subscriber; older ones are deleted
    /// (audited). 0 keeps every event.
    #[arg(long, env = "PATCHBAY_EVENT_RETENTION_DAYS", default_value_t = 30)]
    event_retention_days: u64,
}

impl FlowArgs {
    fn settings(&self) -> patchbay_core::flow::FlowSettings {
        use std::time::Duration;
        patchbay_core::flow::FlowSettings {
            lease: Duration::from_millis(self.flow_lease_ms),
            max_attempts: self.flow_max_attempts.max(1),
            retry_base: Duration::from_millis(self.flow_retry_ms),
            delivery_retry_base: Duration::from_millis(self.event_retry_ms),
            idle_poll: Duration::from_millis(self.flow_idle_poll_ms.max(1)),
            event_retention: (self.event_retention_days > 0)
                .then(|| Duration::from_secs(self.event_retention_days.saturating_mul(24 * 3600))),
            ..Default::default()
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Migrates the database, applies settings and serves the API until SIGTERM or Ctrl-C.
    Serve {
        #[command(flatten)]
        db: DatabaseArg,
        /// Address to listen on; port 0 lets the system choose.
        #[arg(long, env = "PATCHBAY_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        /// A settings file to apply at start (repeatable).
        #[arg(long = "settings", value_name = "FILE")]
        settings: Vec<PathBuf>,
        /// Applies the bundled demo: example settings, a handful of customers and some inventory.
        #[arg(long)]
        demo: bool,
        /// Largest request body accepted, in bytes.
        #[arg(long, env = "PATCHBAY_MAX_BODY_BYTES", default_value_t = 64 * 1024 * 1024)]
        max_body_bytes: usize,
        #[command(flatten)]
        flow: FlowArgs,
    },
    /// Applies a settings file and exits.
    Apply {
        #[command(flatten)]
        db: DatabaseArg,
        file: PathBuf,
    },
    /// Brings the database schema up to date and exits.
    Migrate {
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Inventory tasks: `patchbay inventory import --client CODE --type TYPE_ID FILE.csv`.
    Inventory {
        #[command(subcommand)]
        command: inventory::InventoryCommand,
    },
    /// Benchmark data: `patchbay bench-data orders --client CODE --customers N --orders N`.
    BenchData {
        #[command(subcommand)]
        command: bench_data::BenchDataCommand,
    },
}

fn main() -> ExitCode {
    tune_allocator();
    let cli = Cli::parse();
    // Log lines are written by a background thread, so a request never waits on stderr; when
    // the buffer is full the request waits rather than a line being dropped.
    let (log_writer, _log_guard) =
        tracing_appender::non_blocking::NonBlockingBuilder::default().lossy(false).finish(std::io::stderr());
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PATCHBAY_LOG").unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(log_writer)
        .json()
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime");
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("patchbay: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Inventory { command } => inventory::run(command).await?,
        Command::BenchData { command } => bench_data::run(command).await?,
        Command::Migrate { db } => {
            let store = open(&db.database).await?;
            store.migrate().await.context("migrating the database")?;
            println!("database is up to date");
        }
        Command::Apply { db, file } => {
            let store = open(&db.database).await?;
            store.migrate().await.context("migrating the database")?;
            let report = patchbay_core::settings::apply_file(&*store, &file).await?;
            report_apply(&file.display().to_string(), &report);
        }
        Command::Serve { db, listen, settings, demo, max_body_bytes, flow } => {
            let store = open(&db.database).await?;
            store.migrate().await.context("migrating the database")?;
            if demo {
                // Named as the file in the repository, so the catalog's origins point at it.
                let report = patchbay_core::settings::apply_str(&*store, "demo/settings.toml", demo::SETTINGS).await?;
                report_apply("demo/settings.toml", &report);
            }
            for file in &settings {
                let report = patchbay_core::settings::apply_file(&*store, file).await?;
                report_apply(&file.display().to_string(), &report);
            }
            let engine = Engine::new(store);
            if demo {
                demo::populate(&engine).await.context("creating the demo customers")?;
            }
            let listener = tokio::net::TcpListener::bind(&listen).await.with_context(|| {
                if listen.rsplit_once(':').is_none_or(|(_, port)| port.parse::<u16>().is_err()) {
                    format!("cannot listen on {listen:?}: give an address and port such as 127.0.0.1:8080")
                } else {
                    format!("cannot listen on {listen}; is another server using it? Try --listen 127.0.0.1:0")
                }
            })?;
            let addr = listener.local_addr()?;
            if demo {
                demo::print_welcome(addr);
            }
            println!("listening on http://{addr}");
            std::io::stdout().flush()?;
            let limits = Limits { max_body_bytes, ..Limits::default() };
            let state = AppState::new(engine.clone(), limits);
            let (stop, stopped) = tokio::sync::watch::channel(false);
            let worker = (!flow.no_flow).then(|| {
                let dispatcher = patchbay_core::flow::Dispatcher::new(
                    engine.clone(),
                    std::sync::Arc::new(patchbay_providers::ProviderAdapters::default()),
                    std::sync::Arc::new(patchbay_providers::EventPoster::default()),
                    flow.settings(),
                )
                .with_observer(state.metrics.clone());
                let mut stopped = stopped.clone();
                tokio::spawn(dispatcher.run(async move {
                    let _ = stopped.wait_for(|s| *s).await;
                }))
            });
            let shutdown = async move {
                shutdown_signal().await;
                let _ = stop.send(true);
            };
            patchbay_server::serve(listener, state, shutdown).await?;
            if let Some(worker) = worker {
                // The work in hand is recorded; what is left stays queued for the next start.
                let _ = worker.await;
            }
            engine.store().close().await;
            tracing::info!("stopped");
        }
    }
    Ok(())
}

async fn open(url: &str) -> Result<std::sync::Arc<dyn patchbay_core::store::Store>> {
    patchbay_store::open(url).await.with_context(|| format!("opening the database {}", redact(url)))
}

/// A database URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}://{}:***{}", &url[..scheme], user, &url[at..])
        }
        _ => url.to_string(),
    }
}

fn report_apply(name: &str, report: &patchbay_core::settings::ApplyReport) {
    for c in &report.changed {
        println!("{name}: applied client {c}");
    }
    for c in &report.unchanged {
        println!("{name}: client {c} already up to date");
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
