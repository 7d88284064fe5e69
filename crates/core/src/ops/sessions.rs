//! Sessions_Create, Sessions_Validate, Sessions_Destroy, Impersonation_Authorize.

use crate::auth::{hash_key, url_encode_key};
use crate::engine::{Ctx, Handler};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::model::AuditRecord;
use async_trait::async_trait;
use patchbay_api::common::Empty;
use patchbay_api::ops::{ImpersonationAuthorize, SessionsCreate, SessionsDestroy, SessionsValidate};
use patchbay_api::sessions::*;
use patchbay_schema::DateTime;

/// The longest an impersonation key may live, and how long it lives when not told.
const MAX_GRANT_DAYS: i64 = 30;
const DEFAULT_GRANT_HOURS: i64 = 24;

#[async_trait]
impl Handler for SessionsCreate {
    async fn handle(ctx: &Ctx, _input: SessionsCreateInput) -> ApiResult<SessionsCreateOutput> {
        // An explicit Sessions_Create always opens a new session, even for a caller that is
        // already using one: each integration process may want its own.
        let audit = session_audit(ctx);
        let key = ctx.auth().create_session(ctx.store(), &ctx.principal, Some(&audit)).await?;
        *ctx.header_session_key.lock() = Some(key.clone());
        Ok(SessionsCreateOutput { session_key_encoded: url_encode_key(&key), session_key: key })
    }
}

#[async_trait]
impl Handler for SessionsValidate {
    async fn handle(ctx: &Ctx, _input: SessionsValidateInput) -> ApiResult<SessionsValidateOutput> {
        let user = &ctx.principal.user;
        Ok(SessionsValidateOutput {
            user_id: user.id,
            agent_id: user.agent_id,
            agent_number: user.agent_number.clone(),
        })
    }
}

#[async_trait]
impl Handler for SessionsDestroy {
    async fn handle(ctx: &Ctx, input: SessionsDestroyInput) -> ApiResult<Empty> {
        let key =
            input.session_key.filter(|k| !k.is_empty()).or_else(|| ctx.principal.session_key.clone()).ok_or_else(
                || ApiError::invalid("SessionKey", "is required (or authenticate with the Session to end)"),
            )?;
        let key_hash = hash_key(&key);
        // Only the caller's own sessions can be ended; anyone else's key, in this client or
        // another, is answered exactly like an unknown one.
        let me = ctx.principal.impersonator.as_ref().unwrap_or(&ctx.principal.user).id;
        let no_such_session = || ApiError::new(ErrorCode::SessionInvalid, "SessionKey: no such session.");
        let record = ctx.store().session(&key_hash).await?;
        match record {
            Some(r) if r.client == ctx.principal.client.code && r.impersonator_user_id.unwrap_or(r.user_id) == me => {}
            _ => return Err(no_such_session()),
        }
        let client = &ctx.principal.client.code;
        // False when another request ended it meanwhile.
        if !ctx.auth().destroy_session(ctx.store(), client, &key_hash, &session_audit(ctx)).await? {
            return Err(no_such_session());
        }
        if ctx.principal.session_key.as_deref() == Some(key.as_str()) {
            // The Header must not hand back the key that was just destroyed.
            *ctx.header_session_key.lock() = Some(String::new());
        }
        Ok(Empty {})
    }
}

#[async_trait]
impl Handler for ImpersonationAuthorize {
    async fn handle(ctx: &Ctx, input: ImpersonationAuthorizeInput) -> ApiResult<ImpersonationAuthorizeOutput> {
        let users = &ctx.config().users;
        let to = match (input.to_user_id, input.to_user_name.as_deref()) {
            (Some(_), Some(_)) => return Err(ApiError::invalid("ToUserID", "give ToUserID or ToUserName, not both")),
            (None, None) => return Err(ApiError::invalid("ToUserID", "ToUserID or ToUserName is required")),
            (Some(id), None) => users
                .iter()
                .find(|u| u.id == id)
                .ok_or_else(|| ApiError::not_found(ErrorCode::UserNotFound, "User", id))?,
            (None, Some(name)) => users
                .iter()
                .find(|u| u.username.eq_ignore_ascii_case(name))
                .ok_or_else(|| ApiError::not_found(ErrorCode::UserNotFound, "User", name))?,
        };
        if to.id == ctx.principal.user.id {
            return Err(ApiError::invalid("ToUserID", "a user cannot grant impersonation to themselves"));
        }
        if ctx.principal.impersonator.is_some() {
            return Err(ApiError::new(
                ErrorCode::PermissionDenied,
                "An impersonated session cannot grant impersonation onwards.",
            ));
        }
        let now = DateTime::now();
        let expires = match input.expiration_date {
            Some(d) if d <= now => return Err(ApiError::invalid("ExpirationDate", "must be in the future")),
            Some(d) if d.unix() - now.unix() > MAX_GRANT_DAYS * 86_400 => {
                return Err(ApiError::invalid("ExpirationDate", format!("must be at most {MAX_GRANT_DAYS} days ahead")))
            }
            Some(d) => d,
            None => DateTime::from_unix(now.unix() + DEFAULT_GRANT_HOURS * 3600).expect("a near date"),
        };
        // The grant and its audit record, naming the grantee, in one transaction.
        let audit = ctx.author().record("user", &[i64::from(to.id)]);
        let key = ctx
            .auth()
            .grant_impersonation(ctx.store(), &ctx.principal.client.code, ctx.principal.user.id, to.id, expires, &audit)
            .await?;
        Ok(ImpersonationAuthorizeOutput { to_user_id: to.id, impersonation_key: key, expiration_date: expires })
    }
}

/// Logins and logouts are audited like any change, naming the user. Sessions and grants live
/// in the registry, so their audit records are kept there too, written in the transaction of
/// the change ([`Store::registry_change`](crate::store::Store::registry_change)).
fn session_audit(ctx: &Ctx) -> AuditRecord {
    ctx.author().record("session", &[i64::from(ctx.principal.user.id)])
}
