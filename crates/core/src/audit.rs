//! Who made a change, and the records that say so: the one place an audit record (and the
//! author fields of an inventory item's history entry) is built.
//!
//! An [`Author`] is taken from the principal a change is made for: a request's caller
//! ([`Ctx::audit`](crate::engine::Ctx::audit) and [`Ctx::author`](crate::engine::Ctx::author)), or
//! the system principal of work no request carries (settings files, the command line, later
//! background jobs; see [`Engine::system_ctx`](crate::engine::Engine::system_ctx)).
//!
//! Through an impersonation key, `user_id` is the user who authenticated and acted (the
//! grantee) and `on_behalf_of_user_id` the user acted as (the grantor). The system is recorded
//! as user [`SYSTEM_USER_ID`], which no client user may have.

use crate::auth::Principal;
use crate::error::ApiResult;
use crate::model::{AuditRecord, InventoryHistoryRecord};
use crate::store::ClientTx;
use patchbay_schema::DateTime;

/// The user id of the system principal in audit records and item history: changes no user of
/// the client asked for through the API (applying settings, the command line without
/// `--user`, background work). Settings refuse it for a user.
pub const SYSTEM_USER_ID: i32 = 0;

/// The username of the system principal.
pub const SYSTEM_USERNAME: &str = "system";

/// The author of a change: who acted, for whom, through which operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Author {
    /// The user who acted: the one who authenticated ([`SYSTEM_USER_ID`] for the system).
    pub user_id: i32,
    /// The user acted as, when through an impersonation key.
    pub on_behalf_of_user_id: Option<i32>,
    /// The operation (`Products_Create`) or the command (`patchbay inventory import`).
    pub operation: String,
}

impl Author {
    /// The author of a change made for `principal` by `operation`.
    pub fn of(principal: &Principal, operation: &str) -> Author {
        let (user_id, on_behalf_of_user_id) = match &principal.impersonator {
            Some(real) => (real.id, Some(principal.user.id)),
            None => (principal.user.id, None),
        };
        Author { user_id, on_behalf_of_user_id, operation: operation.to_string() }
    }

    /// The system as the author, for changes outside any client's users (applying settings).
    pub fn system(operation: &str) -> Author {
        Author { user_id: SYSTEM_USER_ID, on_behalf_of_user_id: None, operation: operation.to_string() }
    }

    /// The audit record of a change to `entity` (`product`, `inventory_item`…) with these ids,
    /// made now.
    pub fn record(&self, entity: &str, ids: &[i64]) -> AuditRecord {
        AuditRecord {
            at: DateTime::now(),
            user_id: self.user_id,
            on_behalf_of_user_id: self.on_behalf_of_user_id,
            operation: self.operation.clone(),
            entity: entity.to_string(),
            entity_ids: ids.to_vec(),
        }
    }

    /// Writes the audit record into the transaction that makes the change.
    pub async fn audit(&self, tx: &mut dyn ClientTx, entity: &str, ids: &[i64]) -> ApiResult<()> {
        tx.audit(&self.record(entity, ids)).await?;
        Ok(())
    }

    /// An inventory item's history entry by this author, with no field or values yet.
    pub fn history(&self, item_id: i32, at: DateTime, action: &str) -> InventoryHistoryRecord {
        InventoryHistoryRecord {
            item_id,
            at,
            user_id: self.user_id,
            on_behalf_of_user_id: self.on_behalf_of_user_id,
            operation: self.operation.clone(),
            action: action.to_string(),
            field: None,
            old_value: None,
            new_value: None,
            note: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ClientInfo, User};
    use std::sync::Arc;

    fn user(id: i32) -> User {
        User {
            id,
            username: format!("u{id}"),
            password_hash: String::new(),
            role: "admin".into(),
            agent_id: None,
            agent_number: None,
        }
    }

    fn principal(user_id: i32, impersonator: Option<i32>) -> Principal {
        Principal {
            client: Arc::new(ClientInfo { code: "acme".into(), name: "Acme".into(), session_idle_minutes: 30 }),
            user: user(user_id),
            impersonator: impersonator.map(user),
            session_key: None,
            impersonation_expires_at: None,
        }
    }

    #[test]
    fn the_record_names_who_acted_and_for_whom() {
        let plain = Author::of(&principal(1, None), "Products_Create");
        let r = plain.record("product", &[7]);
        assert_eq!((r.user_id, r.on_behalf_of_user_id, r.operation.as_str()), (1, None, "Products_Create"));
        assert_eq!((r.entity.as_str(), r.entity_ids.as_slice()), ("product", &[7][..]));

        // The grantee (2) authenticated and acts as the grantor (1).
        let through_key = Author::of(&principal(1, Some(2)), "Inventory_Assign");
        let h = through_key.history(5, DateTime::now(), "ASSIGNED");
        assert_eq!((h.user_id, h.on_behalf_of_user_id, h.item_id, h.action.as_str()), (2, Some(1), 5, "ASSIGNED"));
        assert_eq!(through_key.record("inventory_item", &[5]).on_behalf_of_user_id, Some(1));

        let system = Author::system("settings.apply").record("settings", &[]);
        assert_eq!((system.user_id, system.on_behalf_of_user_id), (SYSTEM_USER_ID, None));
    }
}
