//! Who is calling: Credentials and Session checks, sessions, impersonation, roles.
//!
//! Verified credentials are cached under a keyed hash of (client, username, password) for a
//! few minutes, so a Credentials-authenticated integration does not pay for argon2 on every
//! request; the plain password is never kept, and a changed password hash invalidates the
//! entry. Sessions are stored (so several processes share them) and cached briefly in each
//! process. Repeated failed logins for one username are slowed down, with the same answer as
//! any other failure.

pub mod password;
mod throttle;

use crate::audit::{SYSTEM_USERNAME, SYSTEM_USER_ID};
use crate::error::{ApiError, ApiResult, ErrorCode, StoreResult};
use crate::model::{
    AuditRecord, ClientConfig, ClientInfo, ImpersonationGrant, InventoryTypeRecord, SessionRecord, User,
};
use crate::store::{ClientDb, RegistryChange, Store};
use base64::Engine as _;
use parking_lot::Mutex;
use patchbay_api::common::RequestFraming;
use patchbay_schema::DateTime;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a verified password is trusted without running argon2 again.
const CREDENTIAL_TTL: Duration = Duration::from_secs(300);
/// How long a process trusts its copy of a stored session before reading it again. A session
/// destroyed through another process is refused here at most this much later.
const SESSION_CACHE_TTL: Duration = Duration::from_secs(2);
/// Idle time is recorded in the store at this granularity, not on every request.
const TOUCH_EVERY_SECS: i64 = 30;

/// The authenticated caller of one request.
#[derive(Clone, Debug)]
pub struct Principal {
    pub client: Arc<ClientInfo>,
    /// The user the request acts as (whose role applies and whose data it is).
    pub user: User,
    /// The user who actually authenticated, when acting through an impersonation key.
    pub impersonator: Option<User>,
    /// The session the request belongs to; `None` until one is chosen for a
    /// Credentials-authenticated request.
    pub session_key: Option<String>,
    /// When the impersonation key acted through expires: a session opened for this principal
    /// ends then.
    pub impersonation_expires_at: Option<DateTime>,
}

impl Principal {
    pub fn impersonated(&self) -> bool {
        self.impersonator.is_some()
    }

    /// The system principal of a client: work no request carries (the command line, later
    /// flow-through sending and event delivery). Its user is the system actor, user id
    /// [`SYSTEM_USER_ID`] and username [`SYSTEM_USERNAME`], with no role (so no operation's
    /// role check would let it through the API); its changes are audited as that user's.
    pub fn system(client: Arc<ClientInfo>) -> Principal {
        Principal {
            client,
            user: User {
                id: SYSTEM_USER_ID,
                username: SYSTEM_USERNAME.to_string(),
                password_hash: String::new(),
                role: String::new(),
                agent_id: None,
                agent_number: None,
            },
            impersonator: None,
            session_key: None,
            impersonation_expires_at: None,
        }
    }

    /// Whether this is a client's system principal, not one of its users.
    pub fn is_system(&self) -> bool {
        self.user.id == SYSTEM_USER_ID && self.impersonator.is_none() && self.session_key.is_none()
    }
}

/// What the engine resolves per client: its info, database and current configuration.
#[derive(Clone)]
pub struct ClientContext {
    pub info: Arc<ClientInfo>,
    pub db: Arc<dyn ClientDb>,
    pub config: Arc<ClientConfig>,
    /// The client's inventory types, cached with the configuration (their writes move its
    /// version on): few, and read by every answer that shows inventory.
    pub inventory_types: Arc<Vec<InventoryTypeRecord>>,
}

/// Whose live session a key is: (client, the user who logged in, the user acted as when
/// impersonating).
type LiveSlot = (String, i32, Option<i32>);

struct CachedSession {
    record: SessionRecord,
    fetched: Instant,
}

pub struct Auth {
    secret: [u8; 32],
    credentials: Mutex<HashMap<[u8; 32], (i32, String, Instant)>>,
    sessions: Mutex<HashMap<String, CachedSession>>,
    /// The live session a Credentials-authenticated user reuses: (client, user, acting-as) → key.
    live_keys: Mutex<HashMap<LiveSlot, String>>,
    throttle: throttle::Throttle,
}

impl Default for Auth {
    fn default() -> Self {
        let mut secret = [0u8; 32];
        rand::rng().fill_bytes(&mut secret);
        Auth {
            secret,
            credentials: Mutex::default(),
            sessions: Mutex::default(),
            live_keys: Mutex::default(),
            throttle: throttle::Throttle::default(),
        }
    }
}

pub fn hash_key(key: &str) -> String {
    hex(&Sha256::digest(key.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new random key: 32 bytes, standard base64 (it may hold `+`, `/` and `=`, which is why
/// Sessions_Create also returns a URL-safe encoding).
pub fn new_session_key() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// 64 hex characters.
pub fn new_impersonation_key() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex(&bytes)
}

pub fn url_encode_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 8);
    for b in key.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn login_failed() -> ApiError {
    ApiError::bare(ErrorCode::LoginInvalid)
}

fn session_invalid() -> ApiError {
    ApiError::bare(ErrorCode::SessionInvalid)
}

impl Auth {
    /// Authenticates a request's framing. `resolve` opens a client's context by code.
    pub async fn authenticate<F, Fut>(
        &self,
        store: &dyn Store,
        framing: &RequestFraming,
        resolve: F,
    ) -> ApiResult<(Principal, ClientContext)>
    where
        F: Fn(String) -> Fut,
        Fut: std::future::Future<Output = ApiResult<Option<ClientContext>>>,
    {
        let session_key = framing.session.as_ref().and_then(|s| s.session_key.as_deref()).filter(|k| !k.is_empty());
        let credentials = framing.credentials.as_ref().filter(|c| c.username.is_some() || c.client.is_some());
        match (session_key, credentials) {
            (Some(key), _) => self.by_session(store, key, resolve).await,
            (None, Some(c)) => {
                let (client, username, password) = match (&c.client, &c.username, &c.password) {
                    (Some(cl), Some(u), Some(p)) => (cl.as_str(), u.as_str(), p.as_str()),
                    _ => return Err(login_failed()),
                };
                let ctx = resolve(client.to_string()).await?.ok_or_else(|| {
                    // Still cost an argon2 verification, so an unknown client is no faster.
                    let _ = password::verify(password, password::decoy_hash());
                    login_failed()
                })?;
                let user = self.verify_password(&ctx, username, password).await?;
                let (acting, impersonator, impersonation_expires_at) =
                    match c.impersonation_key.as_deref().filter(|k| !k.is_empty()) {
                        None => (user, None, None),
                        Some(key) => {
                            let (grantor, expires_at) = self.check_grant(store, &ctx, &user, key).await?;
                            (grantor, Some(user), Some(expires_at))
                        }
                    };
                let principal = Principal {
                    client: ctx.info.clone(),
                    user: acting,
                    impersonator,
                    session_key: None,
                    impersonation_expires_at,
                };
                Ok((principal, ctx))
            }
            (None, None) => Err(ApiError::new(
                ErrorCode::LoginInvalid,
                "Either Credentials (Username, Password, Client) or Session/SessionKey is required.",
            )),
        }
    }

    async fn verify_password(&self, ctx: &ClientContext, username: &str, password: &str) -> ApiResult<User> {
        let throttle_key = format!("{}\0{}", ctx.info.code, username.to_lowercase());
        if self.throttle.locked(&throttle_key) {
            return Err(login_failed());
        }
        let user = ctx.config.users.iter().find(|u| u.username.eq_ignore_ascii_case(username)).cloned();
        let cache_key = self.credential_key(&ctx.info.code, username, password);
        if let Some(user) = &user {
            let hit = self.credentials.lock().get(&cache_key).cloned();
            if let Some((id, hash, at)) = hit {
                if id == user.id && hash == user.password_hash && at.elapsed() < CREDENTIAL_TTL {
                    return Ok(user.clone());
                }
            }
        }
        let phc = user.as_ref().map(|u| u.password_hash.clone()).unwrap_or_else(|| password::decoy_hash().to_string());
        let plain = password.to_string();
        let ok =
            tokio::task::spawn_blocking(move || password::verify(&plain, &phc)).await.map_err(ApiError::internal)?;
        match user {
            Some(user) if ok => {
                self.throttle.succeeded(&throttle_key);
                let mut cache = self.credentials.lock();
                if cache.len() > 100_000 {
                    cache.retain(|_, (_, _, at)| at.elapsed() < CREDENTIAL_TTL);
                }
                cache.insert(cache_key, (user.id, user.password_hash.clone(), Instant::now()));
                Ok(user)
            }
            _ => {
                self.throttle.failed(&throttle_key);
                Err(login_failed())
            }
        }
    }

    fn credential_key(&self, client: &str, username: &str, password: &str) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(self.secret);
        for part in [client, &username.to_lowercase(), password] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        h.finalize().into()
    }

    /// The user an impersonation key lets `holder` act as, and when the key expires.
    async fn check_grant(
        &self,
        store: &dyn Store,
        ctx: &ClientContext,
        holder: &User,
        key: &str,
    ) -> ApiResult<(User, DateTime)> {
        let refused = || {
            ApiError::new(
                ErrorCode::LoginInvalid,
                "The ImpersonationKey is unknown, expired, or not granted to this user.",
            )
        };
        let grant = store.grant(&hash_key(key)).await?.ok_or_else(refused)?;
        if grant.client != ctx.info.code || grant.grantee_user_id != holder.id || grant.expires_at <= DateTime::now() {
            return Err(refused());
        }
        let grantor = ctx.config.users.iter().find(|u| u.id == grant.grantor_user_id).cloned().ok_or_else(refused)?;
        Ok((grantor, grant.expires_at))
    }

    async fn by_session<F, Fut>(
        &self,
        store: &dyn Store,
        key: &str,
        resolve: F,
    ) -> ApiResult<(Principal, ClientContext)>
    where
        F: Fn(String) -> Fut,
        Fut: std::future::Future<Output = ApiResult<Option<ClientContext>>>,
    {
        let key_hash = hash_key(key);
        let cached = {
            let cache = self.sessions.lock();
            cache.get(&key_hash).filter(|c| c.fetched.elapsed() < SESSION_CACHE_TTL).map(|c| c.record.clone())
        };
        let mut record = match cached {
            Some(r) => r,
            None => {
                let r = store.session(&key_hash).await?.ok_or_else(session_invalid)?;
                self.sessions
                    .lock()
                    .insert(key_hash.clone(), CachedSession { record: r.clone(), fetched: Instant::now() });
                r
            }
        };
        let ctx = resolve(record.client.clone()).await?.ok_or_else(session_invalid)?;
        let now = DateTime::now();
        if record.expires_at.is_some_and(|end| end <= now) {
            self.forget_session(&key_hash);
            store.delete_session(&key_hash).await?;
            return Err(ApiError::new(
                ErrorCode::SessionInvalid,
                "The session ended when the impersonation key it was opened with expired.",
            ));
        }
        let idle_limit = i64::from(ctx.info.session_idle_minutes) * 60;
        if now.unix() - record.last_used_at.unix() > idle_limit {
            self.forget_session(&key_hash);
            store.delete_session(&key_hash).await?;
            return Err(ApiError::new(
                ErrorCode::SessionInvalid,
                "The session expired after being idle; create a new one.",
            ));
        }
        self.touch_if_due(store, &key_hash, &mut record, now).await?;
        let find = |id: i32| ctx.config.users.iter().find(|u| u.id == id).cloned();
        let user = find(record.user_id).ok_or_else(session_invalid)?;
        let impersonator = match record.impersonator_user_id {
            Some(id) => Some(find(id).ok_or_else(session_invalid)?),
            None => None,
        };
        let principal = Principal {
            client: ctx.info.clone(),
            user,
            impersonator,
            session_key: Some(key.to_string()),
            impersonation_expires_at: record.expires_at,
        };
        Ok((principal, ctx))
    }

    /// Records that the session was used, at most once per `TOUCH_EVERY_SECS`. Many requests
    /// in flight on one session all find the touch due at the same moment; were they all to
    /// write, they would queue on that one row's lock (hundreds of milliseconds under load). The
    /// first claims the touch in the cache and writes; the others see the claim and go on.
    async fn touch_if_due(
        &self,
        store: &dyn Store,
        key_hash: &str,
        record: &mut SessionRecord,
        now: DateTime,
    ) -> StoreResult<()> {
        if now.unix() - record.last_used_at.unix() < TOUCH_EVERY_SECS {
            return Ok(());
        }
        let claimed = match self.sessions.lock().get_mut(key_hash) {
            Some(c) if now.unix() - c.record.last_used_at.unix() < TOUCH_EVERY_SECS => false,
            Some(c) => {
                c.record.last_used_at = now;
                true
            }
            None => true,
        };
        record.last_used_at = now;
        if claimed {
            if let Err(e) = store.touch_session(key_hash, now).await {
                // Drop the claim with the cached copy, so the next use reads the store and retries.
                self.sessions.lock().remove(key_hash);
                return Err(e);
            }
        }
        Ok(())
    }

    /// Opens a new session for the principal and returns its key. With `audit` (an explicit
    /// Sessions_Create), the session and its audit record are written in one transaction.
    pub async fn create_session(
        &self,
        store: &dyn Store,
        p: &Principal,
        audit: Option<&AuditRecord>,
    ) -> StoreResult<String> {
        let key = new_session_key();
        let now = DateTime::now();
        let record = SessionRecord {
            key_hash: hash_key(&key),
            client: p.client.code.clone(),
            user_id: p.user.id,
            impersonator_user_id: p.impersonator.as_ref().map(|u| u.id),
            created_at: now,
            last_used_at: now,
            expires_at: p.impersonation_expires_at,
        };
        match audit {
            Some(audit) => {
                store.registry_change(&RegistryChange::InsertSession(record.clone()), audit).await?;
            }
            None => store.insert_session(&record).await?,
        }
        self.sessions.lock().insert(record.key_hash.clone(), CachedSession { record, fetched: Instant::now() });
        Ok(key)
    }

    /// The session a Credentials-authenticated request reports: the user's live one when this
    /// process knows it and it is still valid, otherwise a new one.
    pub async fn live_session(&self, store: &dyn Store, p: &Principal) -> StoreResult<String> {
        let slot = (
            p.client.code.clone(),
            p.impersonator.as_ref().map_or(p.user.id, |u| u.id),
            p.impersonator.as_ref().map(|_| p.user.id),
        );
        let known = self.live_keys.lock().get(&slot).cloned();
        if let Some(key) = known {
            let key_hash = hash_key(&key);
            let cached = self.sessions.lock().get(&key_hash).map(|c| (c.record.clone(), c.fetched));
            let record = match cached {
                Some((r, fetched)) if fetched.elapsed() < SESSION_CACHE_TTL => Some(r),
                _ => store.session(&key_hash).await?,
            };
            // A session opened through another (or no longer valid) impersonation key is not
            // this principal's: the new key's expiry must be the session's end.
            if let Some(mut r) = record.filter(|r| r.expires_at == p.impersonation_expires_at) {
                let now = DateTime::now();
                let idle_limit = i64::from(p.client.session_idle_minutes) * 60;
                if now.unix() - r.last_used_at.unix() <= idle_limit {
                    self.touch_if_due(store, &key_hash, &mut r, now).await?;
                    self.sessions.lock().insert(key_hash, CachedSession { record: r, fetched: Instant::now() });
                    return Ok(key);
                }
            }
        }
        // Opened on the way, for a Credentials request: not a change of its own to audit.
        let key = self.create_session(store, p, None).await?;
        self.live_keys.lock().insert(slot, key.clone());
        Ok(key)
    }

    pub fn forget_all_sessions(&self) {
        self.sessions.lock().clear();
    }

    pub fn forget_session(&self, key_hash: &str) {
        self.sessions.lock().remove(key_hash);
        self.live_keys.lock().retain(|_, k| hash_key(k) != key_hash);
    }

    /// Stores a new impersonation grant with its audit record, in one transaction; returns
    /// the key.
    pub async fn grant_impersonation(
        &self,
        store: &dyn Store,
        client: &str,
        grantor: i32,
        grantee: i32,
        expires_at: DateTime,
        audit: &AuditRecord,
    ) -> StoreResult<String> {
        let key = new_impersonation_key();
        let grant = ImpersonationGrant {
            key_hash: hash_key(&key),
            client: client.to_string(),
            grantor_user_id: grantor,
            grantee_user_id: grantee,
            expires_at,
        };
        store.registry_change(&RegistryChange::InsertGrant(grant), audit).await?;
        Ok(key)
    }

    /// Ends a session of `client` with its audit record, in one transaction, and forgets it.
    /// False when there was no such session (nothing is written).
    pub async fn destroy_session(
        &self,
        store: &dyn Store,
        client: &str,
        key_hash: &str,
        audit: &AuditRecord,
    ) -> StoreResult<bool> {
        let change = RegistryChange::DeleteSession { client: client.to_string(), key_hash: key_hash.to_string() };
        let ended = store.registry_change(&change, audit).await?;
        if ended {
            self.forget_session(key_hash);
        }
        Ok(ended)
    }
}

/// Whether a role's globs allow an operation.
pub fn role_allows(config: &ClientConfig, role: &str, operation: &str) -> bool {
    config
        .roles
        .iter()
        .find(|r| r.name == role)
        .is_some_and(|r| r.allow.iter().any(|g| wildmatch::WildMatch::new(g).matches(operation)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Role;

    #[test]
    fn roles_gate_by_glob() {
        let config = ClientConfig {
            roles: vec![
                Role { name: "admin".into(), allow: vec!["*".into()] },
                Role { name: "readonly".into(), allow: vec!["*_Query".into(), "*_Search".into(), "Sessions_*".into()] },
            ],
            ..Default::default()
        };
        assert!(role_allows(&config, "admin", "Products_Create"));
        assert!(role_allows(&config, "readonly", "Products_Query"));
        assert!(role_allows(&config, "readonly", "Sessions_Destroy"));
        assert!(!role_allows(&config, "readonly", "Products_Create"));
        assert!(!role_allows(&config, "readonly", "Impersonation_Authorize"));
        assert!(!role_allows(&config, "nobody", "Products_Query"));
    }

    #[test]
    fn keys_have_the_documented_shape() {
        let k = new_impersonation_key();
        assert_eq!(k.len(), 64);
        let s = new_session_key();
        assert_ne!(s, new_session_key());
        assert!(url_encode_key("a+b/c=").contains("%2B"));
    }
}
