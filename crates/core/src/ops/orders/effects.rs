//! What completing or canceling an order does to the customer's services, products and
//! inventory. Both run inside the transaction that changes the order's status, on rows read
//! locked in it, so an order's effects are applied once or not at all.

use crate::engine::Ctx;
use crate::error::ApiResult;
use crate::model::*;
use crate::store::ClientTx;
use patchbay_api::customers::{CustomerProductStatus, CustomerStatus};
use patchbay_api::inventory::InventoryItemStatus;
use patchbay_schema::DateTime;
use std::collections::{BTreeSet, HashMap};

fn service_ids(order: &OrderRecord) -> Vec<i32> {
    let ids: BTreeSet<i32> =
        order.lines.iter().map(|l| l.service_id).chain(order.items.iter().map(|i| i.service_id)).collect();
    ids.into_iter().collect()
}

/// Applies a completed order's effects, dated `at`.
pub async fn complete(ctx: &Ctx, tx: &mut dyn ClientTx, order: &OrderRecord, at: DateTime) -> ApiResult<()> {
    let ids = service_ids(order);
    let mut products: HashMap<i32, CustomerProductRecord> =
        tx.customer_products_of_services_for_update(&ids).await?.into_iter().map(|p| (p.id, p)).collect();
    let before = products.clone();

    for item in &order.items {
        let Some(p) = products.get_mut(&item.customer_product_id) else { continue };
        match item.action {
            ItemAction::Add => {
                if p.status == CustomerProductStatus::Pending {
                    p.status = CustomerProductStatus::Active;
                    p.activated_at = Some(at);
                }
            }
            ItemAction::Change => {
                if let Some(r) = item.rate {
                    p.rate = r;
                }
                if let Some(q) = item.quantity {
                    p.quantity = q;
                }
            }
            ItemAction::Remove => {
                if p.status != CustomerProductStatus::Disconnected {
                    p.status = CustomerProductStatus::Disconnected;
                    if order.prorate {
                        p.billed_through = Some(at);
                    }
                }
            }
        }
    }

    let mut disconnected = Vec::new();
    let mut package_changes = Vec::new();
    let mut opened = false;
    for line in &order.lines {
        let on_service = products.values_mut().filter(|p| p.service_id == Some(line.service_id));
        match line.action {
            LineAction::Suspend => {
                for p in on_service.filter(|p| p.status == CustomerProductStatus::Active) {
                    p.status = CustomerProductStatus::Denied;
                }
            }
            LineAction::Restore => {
                for p in on_service.filter(|p| p.status == CustomerProductStatus::Denied) {
                    p.status = CustomerProductStatus::Active;
                }
            }
            LineAction::Disconnect => {
                for p in on_service.filter(|p| p.status != CustomerProductStatus::Disconnected) {
                    p.status = CustomerProductStatus::Disconnected;
                    if order.prorate {
                        p.billed_through = Some(at);
                    }
                }
                disconnected.push(line.service_id);
            }
            LineAction::PackageChange => package_changes.push(line),
            LineAction::New => opened = true,
            LineAction::Change => {}
        }
    }

    let changed: Vec<CustomerProductRecord> =
        products.into_values().filter(|p| before.get(&p.id) != Some(p)).collect::<Vec<_>>();
    if !changed.is_empty() {
        let mut changed = changed;
        changed.sort_by_key(|p| p.id);
        tx.update_customer_products(&changed).await?;
    }

    if !package_changes.is_empty() {
        let ids: Vec<i32> = package_changes.iter().map(|l| l.service_id).collect();
        for mut s in tx.services_for_update(&ids).await? {
            if let Some(line) = package_changes.iter().find(|l| l.service_id == s.id) {
                s.package_id = line.package_id;
                // A package of another provider moves the service to that provider (and its
                // default account): later orders for the line go where its products are.
                let provider = line
                    .package_id
                    .and_then(|id| ctx.config().packages.iter().find(|p| p.id == id))
                    .and_then(|p| ctx.config().provider(p.provider_id));
                if let Some(provider) = provider {
                    if s.provider_id != Some(provider.id) {
                        s.provider_id = Some(provider.id);
                        s.provider_account_id = provider.accounts.iter().find(|a| a.default).map(|a| a.id);
                    }
                }
                tx.update_service(&s).await?;
            }
        }
    }

    let release_to = order.inventory_status.unwrap_or(InventoryItemStatus::Assigned);
    if !disconnected.is_empty() && release_to != InventoryItemStatus::Assigned {
        let mut items = tx.inventory_items_of_services_for_update(&disconnected).await?;
        let mut entries = Vec::with_capacity(items.len());
        for item in &mut items {
            let from = format!(
                "customer {}, service {}",
                item.customer_id.unwrap_or_default(),
                item.service_id.unwrap_or_default()
            );
            item.status = release_to;
            item.customer_id = None;
            item.service_id = None;
            item.customer_product_id = None;
            item.assigned_at = None;
            item.updated_at = at;
            entries.push(InventoryHistoryRecord {
                old_value: Some(from),
                new_value: Some(release_to.wire_name().to_string()),
                note: Some(format!("order {} disconnected the service", order.id)),
                ..ctx.author().history(item.id, at, "UNASSIGNED")
            });
        }
        if !items.is_empty() {
            tx.update_inventory_items(&items).await?;
            crate::flow::record_item_history(ctx, tx, &entries).await?;
        }
    }

    // A whole-account disconnect is one order per provider: the account closes with the last
    // of them, when nothing of the customer's is left.
    let closes = order.whole_account && {
        let services: Vec<i32> = ctx.db().services_of(order.customer_id).await?.iter().map(|s| s.id).collect();
        let all = tx.customer_products_of_services_for_update(&services).await?;
        !all.iter().any(|p| p.status != CustomerProductStatus::Disconnected)
    };
    if opened || closes {
        if let Some(c) = tx.customer_for_update(order.customer_id).await? {
            let to = if closes { CustomerStatus::Closed } else { CustomerStatus::Open };
            let moves = match to {
                CustomerStatus::Closed => c.status != CustomerStatus::Closed,
                _ => matches!(c.status, CustomerStatus::Pending | CustomerStatus::Prospect),
            };
            if moves {
                tx.set_customer_status(c.id, to).await?;
            }
        }
    }
    Ok(())
}

/// Gives back what a canceled order reserved: the PENDING products it added, the inventory it
/// assigned, and the services it created that are left with nothing.
pub async fn cancel(ctx: &Ctx, tx: &mut dyn ClientTx, order: &OrderRecord, at: DateTime) -> ApiResult<()> {
    let ids = service_ids(order);
    let products = tx.customer_products_of_services_for_update(&ids).await?;
    let added: Vec<i32> = order
        .items
        .iter()
        .filter(|i| i.action == ItemAction::Add)
        .filter(|i| {
            products.iter().any(|p| p.id == i.customer_product_id && p.status == CustomerProductStatus::Pending)
        })
        .map(|i| i.customer_product_id)
        .collect();
    if !added.is_empty() {
        tx.delete_customer_products(&added).await?;
    }

    if !order.inventory.is_empty() {
        let item_ids: Vec<i32> = order.inventory.iter().map(|r| r.item_id).collect();
        let mut items = tx.inventory_items_for_update(&item_ids).await?;
        let mut given_back = Vec::new();
        let mut entries = Vec::new();
        for item in &mut items {
            let Some(r) = order.inventory.iter().find(|r| r.item_id == item.id) else { continue };
            // Only what still stands as the order left it is given back.
            if item.service_id != Some(r.service_id) {
                continue;
            }
            item.status = r.previous_status;
            item.customer_id = r.previous_customer_id;
            item.service_id = r.previous_service_id;
            item.assigned_at = r.previous_assigned_at;
            item.customer_product_id = None;
            item.updated_at = at;
            entries.push(InventoryHistoryRecord {
                old_value: Some(format!("service {}", r.service_id)),
                new_value: Some(r.previous_status.wire_name().to_string()),
                note: Some(format!("order {} was canceled", order.id)),
                ..ctx.author().history(item.id, at, "UNASSIGNED")
            });
            given_back.push(item.clone());
        }
        if !given_back.is_empty() {
            tx.update_inventory_items(&given_back).await?;
            crate::flow::record_item_history(ctx, tx, &entries).await?;
        }
    }

    let created: Vec<i32> = order.lines.iter().filter(|l| l.action == LineAction::New).map(|l| l.service_id).collect();
    for service_id in created {
        let left = products.iter().any(|p| p.service_id == Some(service_id) && !added.contains(&p.id));
        if !left {
            let holding = tx.inventory_items_of_services_for_update(&[service_id]).await?;
            if holding.is_empty() {
                tx.delete_service(service_id).await?;
            }
        }
    }
    Ok(())
}

/// Gives the service a completed order created the numbers its provider assigned: the MDN
/// becomes its TN (when it has none yet), and its SIM or device carries the MDN and MSID.
pub async fn assign_numbers(
    ctx: &Ctx,
    tx: &mut dyn ClientTx,
    order: &OrderRecord,
    mdn: Option<&str>,
    msid: Option<&str>,
    at: DateTime,
) -> ApiResult<()> {
    let (mdn, msid) = (mdn.map(str::trim).filter(|m| !m.is_empty()), msid.map(str::trim).filter(|m| !m.is_empty()));
    if mdn.is_none() && msid.is_none() {
        return Ok(());
    }
    // One number per order: for the first line it created.
    let Some(service_id) = order.lines.iter().filter(|l| l.action == LineAction::New).map(|l| l.service_id).min()
    else {
        return Ok(());
    };
    if let Some(mdn) = mdn {
        for mut s in tx.services_for_update(&[service_id]).await? {
            if s.tn.is_none() {
                s.tn = Some(mdn.to_string());
                tx.update_service(&s).await?;
            }
        }
    }
    let mut items = tx.inventory_items_of_services_for_update(&[service_id]).await?;
    let mut entries = Vec::new();
    for item in &mut items {
        for (field, value, slot) in [("MDN", mdn, &mut item.mdn), ("MSID", msid, &mut item.msid)] {
            if let Some(v) = value {
                if slot.as_deref() != Some(v) {
                    entries.push(InventoryHistoryRecord {
                        field: Some(field.to_string()),
                        old_value: slot.clone(),
                        new_value: Some(v.to_string()),
                        note: Some(format!("assigned by the provider on order {}", order.id)),
                        ..ctx.author().history(item.id, at, "UPDATED")
                    });
                    *slot = Some(v.to_string());
                }
            }
        }
        item.updated_at = at;
    }
    if !entries.is_empty() {
        tx.update_inventory_items(&items).await?;
        crate::flow::record_item_history(ctx, tx, &entries).await?;
    }
    Ok(())
}
