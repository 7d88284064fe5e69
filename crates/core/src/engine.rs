//! The engine: the one entry point of both bindings.
//!
//! A binding turns its wire format into a request object (`serde_json::Value` with the wire
//! field names) and hands it to [`Engine::execute`], which authenticates the framing, checks the
//! role, decodes the operation's input, runs the handler and builds the result object with its
//! Header. Every refusal is an [`ApiError`], mapped to its Header by [`ApiError::header`].

use crate::audit::Author;
use crate::auth::{self, Auth, ClientContext, Principal};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::model::{ClientConfig, ClientInfo, InventoryTypeRecord};
use crate::request::{Fields, RequestObject};
use crate::store::{ClientDb, ClientTx, Store};
use async_trait::async_trait;
use futures_util::stream::BoxStream;
use parking_lot::{Mutex, RwLock};
use patchbay_api::common::{Header, RequestFraming};
use patchbay_api::Operation;
use patchbay_schema::DateTime;
use serde_json::{Map, Value};
use std::any::Any;
use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// An operation's behaviour: a function of the caller's context and the decoded input.
#[async_trait]
pub trait Handler: Operation {
    async fn handle(ctx: &Ctx, input: Self::Input) -> ApiResult<Self::Output>;
}

/// The context a handler runs in: the caller, their client's database and configuration.
pub struct Ctx {
    pub engine: Arc<EngineInner>,
    pub principal: Principal,
    pub client: ClientContext,
    pub operation: &'static str,
    /// A session key the handler chose for the Header (Sessions_Create), replacing the default.
    pub header_session_key: Mutex<Option<String>>,
    /// A list output the handler hands over as a stream instead of in its output value.
    pub streamed: Mutex<Option<StreamedList>>,
}

/// A list output field written as its items come, so that an answer of any length is held in
/// memory one page at a time. The field is left out of the handler's output value; the
/// binding writes the rest of the result, then the items page by page. A page that fails
/// ends the answer early (the Header, already sent, cannot say so), and is logged.
pub struct StreamedList {
    /// The output field's wire name.
    pub field: &'static str,
    /// Pages of items, each item a value with wire names.
    pub pages: BoxStream<'static, ApiResult<Vec<Value>>>,
}

impl Ctx {
    /// Hands the output field `field` over as a stream of pages.
    pub fn stream_list(&self, field: &'static str, pages: BoxStream<'static, ApiResult<Vec<Value>>>) {
        *self.streamed.lock() = Some(StreamedList { field, pages });
    }
}

impl Ctx {
    pub fn config(&self) -> &ClientConfig {
        &self.client.config
    }

    pub fn db(&self) -> &dyn ClientDb {
        &*self.client.db
    }

    /// The client's inventory types as of the cached configuration: for showing items and for
    /// checks before a transaction (what a write relies on is read again under its lock).
    pub fn inventory_types(&self) -> &[InventoryTypeRecord] {
        &self.client.inventory_types
    }

    pub fn store(&self) -> &dyn Store {
        &*self.engine.store
    }

    pub fn auth(&self) -> &Auth {
        &self.engine.auth
    }

    /// Who this context's changes are by, for audit records and item history.
    /// Tells this process's flow-through worker that an order was queued (call after commit).
    pub fn wake_flow(&self) {
        self.engine.flow_wake.notify_one();
    }

    pub fn author(&self) -> Author {
        Author::of(&self.principal, self.operation)
    }

    /// Writes the audit record of this context's change into the transaction that makes it.
    pub async fn audit(&self, tx: &mut dyn ClientTx, entity: &str, ids: &[i64]) -> ApiResult<()> {
        self.author().audit(tx, entity, ids).await
    }

    /// A system context acting as one of its client's users, found by username (the command
    /// line's `--user`): its changes are recorded as that user's. Only a system context may
    /// do this (a request's principal is who authenticated); an unknown username is U2001.
    pub fn acting_as(mut self, username: &str) -> ApiResult<Ctx> {
        if !self.principal.is_system() {
            return Err(ApiError::new(ErrorCode::PermissionDenied, "Only the system may act as another user."));
        }
        let user = self
            .config()
            .users
            .iter()
            .find(|u| u.username == username)
            .cloned()
            .ok_or_else(|| ApiError::not_found(ErrorCode::UserNotFound, "User", username))?;
        self.principal.user = user;
        Ok(self)
    }
}

#[async_trait]
trait ErasedHandler: Send + Sync {
    /// Decodes the operation's input from the request's own fields.
    fn decode(&self, fields: &Fields<'_>) -> ApiResult<Box<dyn Any + Send>>;
    /// The decoded input as a tree with wire names, for Debug/Request.
    fn echo(&self, input: &(dyn Any + Send)) -> Value;
    async fn call(&self, ctx: &Ctx, input: Box<dyn Any + Send>) -> ApiResult<Value>;
}

struct Typed<O>(PhantomData<fn() -> O>);

#[async_trait]
impl<O: Handler> ErasedHandler for Typed<O> {
    fn decode(&self, fields: &Fields<'_>) -> ApiResult<Box<dyn Any + Send>> {
        let typed: O::Input = fields.decode().map_err(|e| {
            let path = e.path().to_string();
            let field = if path == "." { "Request".to_string() } else { path };
            ApiError::invalid(&field, rule_of(&e.into_inner()))
        })?;
        Ok(Box::new(typed))
    }

    fn echo(&self, input: &(dyn Any + Send)) -> Value {
        let input = input.downcast_ref::<O::Input>().expect("decode and echo use the same operation");
        serde_json::to_value(input).unwrap_or(Value::Null)
    }

    async fn call(&self, ctx: &Ctx, input: Box<dyn Any + Send>) -> ApiResult<Value> {
        let input = *input.downcast::<O::Input>().expect("decode and call use the same operation");
        let output = O::handle(ctx, input).await?;
        serde_json::to_value(&output).map_err(ApiError::internal)
    }
}

/// The rule a decoding error states, without the position serde_json appends: positions count
/// from the start of one field's text, which means nothing to the caller (the field is named).
fn rule_of(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let position = format!(" at line {} column {}", e.line(), e.column());
    text.strip_suffix(&position).map(str::to_string).unwrap_or(text)
}

struct CachedClient {
    info: Arc<ClientInfo>,
    db: Arc<dyn ClientDb>,
    version: i64,
    config: Arc<ClientConfig>,
    inventory_types: Arc<Vec<InventoryTypeRecord>>,
    info_fetched: Instant,
    /// When the stored config version was last compared with ours.
    checked: Mutex<Instant>,
    /// `db.config_changes()` before the configuration was read: once it moves, this process
    /// changed the configuration since, and the copy is reloaded.
    changes_seen: u64,
}

/// How long a process trusts its copy of the client list (names and session timeouts).
const CLIENT_INFO_TTL: Duration = Duration::from_secs(5);
/// How long a process serves its cached configuration without asking the database whether it
/// changed. A change made through this process is seen at once (the store counts the
/// transactions that change the configuration, `ClientDb::config_changes`); one made through
/// another process sharing the database, within this interval.
const CONFIG_RECHECK: Duration = Duration::from_millis(500);

pub struct EngineInner {
    pub store: Arc<dyn Store>,
    pub auth: Auth,
    handlers: HashMap<&'static str, Box<dyn ErasedHandler>>,
    clients: RwLock<HashMap<String, Arc<CachedClient>>>,
    /// Rung when an order is queued for flow-through, so this process's worker sends it at
    /// once (other processes find it when they next look).
    flow_wake: Arc<tokio::sync::Notify>,
}

/// What happened to one request, for logs and metrics.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    pub client: Option<String>,
    pub user: Option<String>,
    pub error_code: Option<&'static str>,
    pub success: bool,
}

/// The result object of one request and what happened.
pub struct Execution {
    pub result: Value,
    pub outcome: Outcome,
    /// A list output still to be written after `result` (see [`StreamedList`]).
    pub streamed: Option<StreamedList>,
    /// A refused bulk request's items, every one (`ApiError::items`); the result's Header
    /// names the first few.
    pub refused_items: Vec<crate::ops::bulk::ItemFailure>,
}

#[derive(Clone)]
pub struct Engine(Arc<EngineInner>);

impl Engine {
    pub fn new(store: Arc<dyn Store>) -> Self {
        let mut handlers: HashMap<&'static str, Box<dyn ErasedHandler>> = HashMap::new();
        macro_rules! register {
            ($($op:ty),* $(,)?) => {
                $(handlers.insert(<$op as Operation>::NAME, Box::new(Typed::<$op>(PhantomData)));)*
            };
        }
        use patchbay_api::ops::*;
        register!(
            SessionsCreate,
            SessionsValidate,
            SessionsDestroy,
            ImpersonationAuthorize,
            ProductsCreate,
            ProductsQuery,
            ProductsUpdate,
            CatalogQuery,
            CustomersCreate,
            CustomersQuery,
            InventoryCreate,
            InventoryBulkCreate,
            InventoryUpdate,
            InventoryBulkUpdate,
            InventoryQuery,
            InventoryAssign,
            InventoryUnassign,
            InventoryTypesCreate,
            InventoryTypesUpdate,
            InventoryTypesDelete,
            InventoryTypesQuery,
            InventoryTypesAssign,
            InventoryTypesUnassign,
            InventoryHistoryQuery,
            NewOrdersCreate,
            OrdersCreate,
            OrdersQuery,
            OrdersSearch,
            OrdersUpdate,
            EventsQuery,
            OrderStatsQuery,
            CustomersSearch,
            InventoryCountsQuery,
        );
        for op in patchbay_api::operations() {
            assert!(handlers.contains_key(op.name), "operation {} is declared but has no handler", op.name);
        }
        Engine(Arc::new(EngineInner {
            store,
            auth: Auth::default(),
            handlers,
            clients: RwLock::default(),
            flow_wake: Arc::default(),
        }))
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.0.store
    }

    /// What the flow-through worker waits on between passes (see [`Ctx::wake_flow`]).
    pub fn flow_wake(&self) -> Arc<tokio::sync::Notify> {
        self.0.flow_wake.clone()
    }

    /// A context for domain work outside any request (the command line; later flow-through
    /// sending and event delivery), as the system principal of `client` (see
    /// [`Principal::system`]): handlers' code runs on it unchanged, and its changes are
    /// audited, with their item history, through the same [`Ctx::audit`] and [`Ctx::author`]
    /// as a request's, naming `operation` and user [`SYSTEM_USER_ID`](crate::audit::SYSTEM_USER_ID).
    /// No role check applies: nothing here comes from the wire. An unknown client is CN2001.
    pub async fn system_ctx(&self, client: &str, operation: &'static str) -> ApiResult<Ctx> {
        let context =
            self.0.client_context(client).await?.ok_or_else(|| {
                ApiError::new(ErrorCode::ConfigurationError, format!("There is no client {client:?}."))
            })?;
        Ok(Ctx {
            engine: self.0.clone(),
            principal: Principal::system(context.info.clone()),
            client: context,
            operation,
            header_session_key: Mutex::new(None),
            streamed: Mutex::new(None),
        })
    }

    pub fn knows(&self, operation: &str) -> bool {
        self.0.handlers.contains_key(operation)
    }

    /// What waits in the flow-through queue and for event delivery, over all clients.
    pub async fn flow_backlog(&self) -> ApiResult<crate::model::FlowBacklog> {
        let mut total = crate::model::FlowBacklog::default();
        let now = crate::flow::now_ms();
        for client in self.0.store.clients().await? {
            let Some(context) = self.0.client_context(&client.code).await? else { continue };
            total.add(&context.db.flow_backlog(now).await?);
        }
        Ok(total)
    }

    /// Each client's dashboard figures (`ops::stats`) over the last `days` days, for
    /// `/metrics`: the same figures OrderStats_Query gives the client's own users.
    ///
    /// Each client's figures come with their own outcome: one client's database failing to
    /// answer leaves the others' figures standing.
    pub async fn figures_by_client(
        &self,
        days: i32,
    ) -> ApiResult<Vec<(String, ApiResult<crate::ops::stats::ClientFigures>)>> {
        let mut out = Vec::new();
        for client in self.0.store.clients().await? {
            let figures = match self.0.client_context(&client.code).await {
                Ok(Some(context)) => crate::ops::stats::client_figures(&*context.db, days).await,
                Ok(None) => continue,
                Err(e) => Err(e),
            };
            out.push((client.code, figures));
        }
        Ok(out)
    }

    /// Sessions open and not idle past their limit, over all clients.
    pub async fn live_sessions(&self) -> ApiResult<i64> {
        Ok(self.0.store.count_live_sessions(DateTime::now()).await?)
    }

    /// Forgets this process's copies of stored sessions, so the next use reads the store.
    pub fn forget_cached_sessions(&self) {
        self.0.auth.forget_all_sessions();
    }

    /// Drops cached client state, so changed settings are read at the next request.
    pub fn invalidate(&self) {
        self.0.clients.write().clear();
    }

    /// Runs one request. `request` is the Request object with wire field names; `None` when
    /// the operation is unknown.
    pub async fn execute(&self, operation: &str, request: Value) -> Option<Execution> {
        let (&name, handler) = self.0.handlers.get_key_value(operation)?;
        match RequestObject::from_value(request) {
            Ok(request) => Some(self.run(name, &**handler, request).await),
            Err(_) => Some(self.refuse(ApiError::invalid("Request", "must be an object"))),
        }
    }

    /// Runs one request given as a [`RequestObject`]; `None` when the operation is unknown.
    pub async fn execute_object(&self, operation: &str, request: RequestObject<'_>) -> Option<Execution> {
        let (&name, handler) = self.0.handlers.get_key_value(operation)?;
        Some(self.run(name, &**handler, request).await)
    }

    fn refuse(&self, e: ApiError) -> Execution {
        let outcome = Outcome { error_code: Some(e.code.code()).filter(|c| !c.is_empty()), ..Outcome::default() };
        let result = e.result_object();
        Execution { result, outcome, streamed: None, refused_items: e.items }
    }

    async fn run(&self, name: &'static str, handler: &dyn ErasedHandler, request: RequestObject<'_>) -> Execution {
        let RequestObject { framing: framing_obj, fields } = request;
        let mut outcome = Outcome::default();
        let mut debug = false;
        let mut framing_seen: Option<RequestFraming> = None;
        let mut understood: Option<Value> = None;
        let mut principal_info: Option<(String, bool)> = None;
        // Who authenticated, so that a refusal after a successful login still carries the
        // session key (the standards seed: SessionKey is returned for any request in which
        // authentication was successful).
        let mut authenticated: Option<Principal> = None;
        let mut streamed: Option<StreamedList> = None;

        let result: ApiResult<Value> = async {
            let framing: RequestFraming = serde_path_to_error::deserialize(Value::Object(framing_obj))
                .map_err(|e| ApiError::invalid(&e.path().to_string(), e.into_inner()))?;
            debug = framing.debug.unwrap_or(false);
            framing_seen = Some(framing.clone());

            let engine = self.0.clone();
            let (principal, client) = self
                .0
                .auth
                .authenticate(&*self.0.store, &framing, |code| {
                    let engine = engine.clone();
                    async move { engine.client_context(&code).await }
                })
                .await?;
            authenticated = Some(principal.clone());
            outcome.client = Some(principal.client.code.clone());
            outcome.user = Some(principal.impersonator.as_ref().unwrap_or(&principal.user).username.clone());

            if let Some(path) = fields.nul_character() {
                return Err(ApiError::invalid(&path, "must not contain the NUL character (U+0000)"));
            }
            let input = handler.decode(&fields)?;
            if debug {
                understood = Some(masked_request(&framing, handler.echo(&*input)));
            }

            if !auth::role_allows(&client.config, &principal.user.role, name) {
                return Err(ApiError::new(
                    ErrorCode::PermissionDenied,
                    format!("Role {:?} may not call {name}.", principal.user.role),
                ));
            }
            let ctx = Ctx {
                engine: self.0.clone(),
                principal,
                client,
                operation: name,
                header_session_key: Mutex::new(None),
                streamed: Mutex::new(None),
            };
            let output = handler.call(&ctx, input).await?;
            let key = match ctx.header_session_key.lock().take() {
                Some(k) => Some(k),
                None => ctx.principal.session_key.clone(),
            };
            let key = match key {
                Some(k) => k,
                None => self.0.auth.live_session(&*self.0.store, &ctx.principal).await?,
            };
            principal_info = Some((key, ctx.principal.impersonated()));
            streamed = ctx.streamed.lock().take();
            Ok(output)
        }
        .await;

        if let (Err(_), Some(p)) = (&result, &authenticated) {
            let key = match &p.session_key {
                Some(k) => Some(k.clone()),
                // A Credentials login: the user's live session, as on success. If even that
                // fails (storage is down), the refusal goes out without a key.
                None => self.0.auth.live_session(&*self.0.store, p).await.ok(),
            };
            principal_info = Some((key.unwrap_or_default(), p.impersonated()));
        }
        if let (Err(e), None, Some(framing)) = (&result, &understood, &framing_seen) {
            if e.code == ErrorCode::Internal {
                // A fatal error always shows the request as understood. The input went to the
                // handler, so decode it once more from the fields, which were only borrowed.
                if let Ok(input) = handler.decode(&fields) {
                    understood = Some(masked_request(framing, handler.echo(&*input)));
                }
            }
        }
        drop(fields);

        let mut refused_items = Vec::new();
        let (header, output) = match result {
            Ok(output) => {
                let (key, impersonated) = principal_info.unwrap_or_default();
                (
                    Header {
                        success: true,
                        session_key: Some(key).filter(|k| !k.is_empty()),
                        impersonated,
                        ..Header::default()
                    },
                    Some(output),
                )
            }
            Err(mut e) => {
                let fatal = e.code == ErrorCode::Internal;
                debug |= fatal;
                outcome.error_code = Some(e.code.code()).filter(|c| !c.is_empty());
                refused_items = std::mem::take(&mut e.items);
                let (key, impersonated) = principal_info.unwrap_or_default();
                (e.header(Some(key), impersonated), None)
            }
        };
        outcome.success = header.success;
        let mut result = Map::new();
        result.insert("Header".into(), serde_json::to_value(&header).expect("a Header serializes"));
        if let Some(Value::Object(fields)) = output {
            result.extend(fields);
        }
        if debug {
            if let Some(req) = understood {
                let mut d = Map::new();
                d.insert("Request".into(), req);
                result.insert("Debug".into(), Value::Object(d));
            }
        }
        Execution { result: Value::Object(result), outcome, streamed, refused_items }
    }
}

/// Operations that never change stored data, by the API's naming convention.
/// The request as understood, with every secret replaced.
fn masked_request(framing: &RequestFraming, input: Value) -> Value {
    let mut framing = framing.clone();
    if let Some(c) = framing.credentials.as_mut() {
        if c.password.is_some() {
            c.password = Some("********".into());
        }
        if c.impersonation_key.is_some() {
            c.impersonation_key = Some("********".into());
        }
    }
    if let Some(s) = framing.session.as_mut() {
        if s.session_key.is_some() {
            s.session_key = Some("********".into());
        }
    }
    let mut out = match serde_json::to_value(&framing) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    if let Value::Object(mut fields) = input {
        for key in ["SessionKey", "ImpersonationKey", "Password"] {
            if let Some(v) = fields.get_mut(key) {
                *v = Value::String("********".into());
            }
        }
        out.extend(fields);
    }
    Value::Object(out)
}

impl EngineInner {
    /// A client's context with its configuration, reloaded when the stored version moved on.
    pub async fn client_context(&self, code: &str) -> ApiResult<Option<ClientContext>> {
        let cached = self.clients.read().get(code).cloned();
        let entry = match cached {
            Some(c)
                if c.info_fetched.elapsed() < CLIENT_INFO_TTL
                    && c.db.config_changes() == c.changes_seen
                    && c.checked.lock().elapsed() < CONFIG_RECHECK =>
            {
                c
            }
            Some(c) if c.db.config_changes() == c.changes_seen => {
                let version = c.db.config_version().await?;
                if version == c.version && c.info_fetched.elapsed() < CLIENT_INFO_TTL {
                    *c.checked.lock() = Instant::now();
                    c
                } else {
                    match self.load_client(code).await? {
                        Some(c) => c,
                        None => return Ok(None),
                    }
                }
            }
            // Missing, or changed by this process since it was read.
            Some(_) | None => match self.load_client(code).await? {
                Some(c) => c,
                None => return Ok(None),
            },
        };
        Ok(Some(ClientContext {
            info: entry.info.clone(),
            db: entry.db.clone(),
            config: entry.config.clone(),
            inventory_types: entry.inventory_types.clone(),
        }))
    }

    async fn load_client(&self, code: &str) -> ApiResult<Option<Arc<CachedClient>>> {
        let Some(info) = self.store.clients().await?.into_iter().find(|c| c.code == code) else {
            return Ok(None);
        };
        let Some(db) = self.store.client(code).await? else { return Ok(None) };
        let changes_seen = db.config_changes();
        let (version, config) = db.load_config().await?;
        // Read after the version: a type written in between moves the version on again, so
        // the next check reloads.
        let inventory_types = db.inventory_types().await?;
        let entry = Arc::new(CachedClient {
            info: Arc::new(info),
            db,
            version,
            config: Arc::new(config),
            inventory_types: Arc::new(inventory_types),
            info_fetched: Instant::now(),
            checked: Mutex::new(Instant::now()),
            changes_seen,
        });
        self.clients.write().insert(code.to_string(), entry.clone());
        Ok(Some(entry))
    }
}
