//! NewOrders_Create and Orders_Create: validate, then one transaction that writes the orders,
//! the services and PENDING products they add, the inventory they reserve, their first
//! status-history entry and the audit record.
//!
//! Orders are made per provider: the products and services an order touches are grouped by
//! the provider that must carry out the work ([`Drafts`]), and each group becomes one order.

use super::*;
use crate::engine::Handler;
use crate::store::ClientTx;
use async_trait::async_trait;
use patchbay_api::customers::CustomerProductStatus;
use patchbay_api::inventory::{InventoryItemStatus, InventoryKind};
use patchbay_api::ops::{NewOrdersCreate, OrdersCreate};
use patchbay_api::orders::*;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// A product a new service starts with, before ids are given out.
pub(super) struct NewProduct {
    pub(super) product_id: i32,
    pub(super) provider_id: i32,
    pub(super) rate: Decimal,
    pub(super) quantity: i32,
    pub(super) description: Option<String>,
}

impl NewProduct {
    /// The PENDING customer product `id` this becomes on a service of `customer_id`.
    pub(super) fn pending(&self, id: i32, customer_id: i32, service_id: i32) -> CustomerProductRecord {
        CustomerProductRecord {
            id,
            customer_id,
            service_id: Some(service_id),
            product_id: self.product_id,
            description: self.description.clone(),
            rate: self.rate,
            quantity: self.quantity,
            status: CustomerProductStatus::Pending,
            activated_at: None,
            billed_through: None,
        }
    }
}

/// A service an order creates, before ids are given out.
struct NewService {
    customer_id: i32,
    tn: Option<String>,
    /// The field that gave the TN, for a refusal when another order takes it first.
    tn_field: String,
    provider_id: i32,
    provider_account_id: Option<i32>,
    package_id: Option<i32>,
    line_type_id: Option<i32>,
    description: Option<String>,
    alt_btn_id: Option<i32>,
    pbx_make: Option<String>,
    pbx_model: Option<String>,
    products: Vec<NewProduct>,
    /// Inventory to assign to it (already checked to be assignable to the customer).
    inventory: Vec<InventoryItemRecord>,
}

/// What one provider's order will hold.
#[derive(Default)]
struct Draft {
    lines: Vec<OrderLineRecord>,
    items: Vec<OrderItemRecord>,
    inventory: Vec<OrderInventoryRecord>,
    account_id: Option<i32>,
}

impl Draft {
    fn line(
        &mut self,
        service: &ServiceRecord,
        action: LineAction,
        package_id: Option<i32>,
        old_package_id: Option<i32>,
    ) {
        if !self.lines.iter().any(|l| l.service_id == service.id && l.action == action) {
            self.lines.push(OrderLineRecord {
                service_id: service.id,
                tn: service.tn.clone(),
                action,
                package_id,
                old_package_id,
            });
        }
    }
}

/// The orders of one request, one per provider, in the order providers first appear.
#[derive(Default)]
struct Drafts {
    by_provider: BTreeMap<usize, (Option<i32>, Draft)>,
    /// Everything goes to this provider's order: the request must be carried out as one.
    one_provider: Option<Option<i32>>,
}

impl Drafts {
    fn of(&mut self, provider_id: Option<i32>) -> &mut Draft {
        let provider_id = self.one_provider.unwrap_or(provider_id);
        let pos = self.by_provider.iter().find(|(_, (p, _))| *p == provider_id).map(|(k, _)| *k);
        let key = pos.unwrap_or(self.by_provider.len());
        &mut self.by_provider.entry(key).or_insert_with(|| (provider_id, Draft::default())).1
    }
}

/// The settings every new order of a request shares.
struct Common<'a> {
    customer_id: i32,
    order_type: OrderType,
    process_id: Option<i32>,
    flow_through: bool,
    /// Sets what only some kinds of order have.
    fill: Box<dyn Fn(&mut OrderRecord) + Send + Sync + 'a>,
}

fn common<'a>(customer_id: i32, order_type: OrderType, process_id: Option<i32>, flow_through: bool) -> Common<'a> {
    Common { customer_id, order_type, process_id, flow_through, fill: Box::new(|_| {}) }
}

/// A service that exists and what the order does to it.
struct PlannedLine {
    service: ServiceRecord,
    /// The provider that carries it out.
    provider_id: Option<i32>,
    action: LineAction,
    package_id: Option<i32>,
    old_package_id: Option<i32>,
}

/// Everything a request's orders will do, validated, before anything is written.
struct Plan<'a> {
    common: Common<'a>,
    new_services: Vec<NewService>,
    lines: Vec<PlannedLine>,
    /// Products added to existing services.
    adds: Vec<(ServiceRecord, NewProduct)>,
    /// New rate and/or quantity of existing products.
    changes: Vec<(ServiceRecord, CustomerProductRecord, Option<Decimal>, Option<i32>)>,
    removes: Vec<(ServiceRecord, CustomerProductRecord)>,
    /// Inventory the request names, as read before the transaction, with the field that named it.
    reserved: Vec<(&'static str, InventoryItemRecord)>,
    /// One order for everything, with the provider of the first line (a package change must
    /// complete or cancel as a whole).
    one_order: bool,
}

impl<'a> Plan<'a> {
    fn new(common: Common<'a>) -> Self {
        Plan {
            common,
            new_services: Vec::new(),
            lines: Vec::new(),
            adds: Vec::new(),
            changes: Vec::new(),
            removes: Vec::new(),
            reserved: Vec::new(),
            one_order: false,
        }
    }

    fn is_empty(&self) -> bool {
        self.new_services.is_empty()
            && self.lines.is_empty()
            && self.adds.is_empty()
            && self.changes.is_empty()
            && self.removes.is_empty()
    }
}

/// The provider of a customer product's catalog product.
fn provider_of_product(config: &ClientConfig, product_id: i32) -> Option<i32> {
    config.products.iter().find(|p| p.id == product_id).map(|p| p.provider_id)
}

/// Writes a plan: its services, products, inventory, orders, history and audit record, in
/// one transaction. Returns the new order ids and the new service ids.
async fn execute(ctx: &Ctx, plan: Plan<'_>) -> ApiResult<(Vec<i32>, Vec<i32>)> {
    let config = ctx.config();
    let now = DateTime::now();
    let mut tx = ctx.db().begin().await?;
    // Lock the items the request names and check them again: another order may have taken
    // them since they were read.
    if !plan.reserved.is_empty() {
        let ids: Vec<i32> = plan.reserved.iter().map(|(_, i)| i.id).collect();
        let locked = tx.inventory_items_for_update(&ids).await?;
        for (field, before) in &plan.reserved {
            let current = locked.iter().find(|i| i.id == before.id);
            if current.map(|i| (i.status, i.customer_id, i.service_id))
                != Some((before.status, before.customer_id, before.service_id))
            {
                return Err(ApiError::invalid(
                    field,
                    format!("item {} changed while the order was being made; try again", before.identifier),
                ));
            }
        }
    }
    // Check the new TNs again with the transaction's lock: another order may have taken one.
    for s in &plan.new_services {
        if let Some(tn) = &s.tn {
            if let Some(other) = tx.live_service_with_tn(tn).await? {
                return Err(ApiError::invalid(&s.tn_field, format!("TN {tn} is already in use by service {other}")));
            }
        }
    }
    let mut drafts = Drafts {
        one_provider: plan.one_order.then_some(plan.lines.first().and_then(|l| l.provider_id)),
        ..Drafts::default()
    };
    // The ids of the new services, customer products and orders, in one statement.
    let service_count = plan.new_services.len();
    let new_products: usize = plan.new_services.iter().map(|s| s.products.len()).sum();
    let product_count = new_products + plan.adds.len();
    let order_count = planned_orders(config, &plan, drafts.one_provider);
    // One order.created per order, one inventory.assigned per item the new services take.
    let event_count = order_count + plan.new_services.iter().map(|s| s.inventory.len()).sum::<usize>();
    let mut wants = Vec::with_capacity(4);
    for (kind, count) in [
        ("service", service_count),
        ("customer_product", product_count),
        ("order", order_count),
        ("event", event_count),
    ] {
        if count > 0 {
            wants.push((kind, count as i32));
        }
    }
    let firsts = tx.reserve_ids(&wants).await?;
    let first_of = |kind: &str| wants.iter().position(|(k, _)| *k == kind).map_or(0, |i| firsts[i]);
    let (first_service, first_product) = (first_of("service"), first_of("customer_product"));
    let first_order = (order_count > 0).then(|| (first_of("order"), order_count));
    let first_event = (event_count > 0).then(|| (first_of("event"), event_count));
    let (new_lines, item_events) =
        add_services(ctx, &mut *tx, &mut drafts, plan.new_services, (first_service, first_product), now).await?;
    for l in &plan.lines {
        let draft = drafts.of(l.provider_id);
        draft.line(&l.service, l.action, l.package_id, l.old_package_id);
        if draft.account_id.is_none() {
            draft.account_id = l.service.provider_account_id;
        }
    }
    if !plan.adds.is_empty() {
        let first = first_product + new_products as i32;
        let mut records = Vec::with_capacity(plan.adds.len());
        for (i, (service, p)) in plan.adds.iter().enumerate() {
            let id = first + i as i32;
            records.push(p.pending(id, service.customer_id, service.id));
            let draft = drafts.of(Some(p.provider_id));
            draft.line(service, LineAction::Change, service.package_id, None);
            draft.items.push(OrderItemRecord {
                service_id: service.id,
                action: ItemAction::Add,
                customer_product_id: id,
                product_id: p.product_id,
                rate: Some(p.rate),
                quantity: Some(p.quantity),
            });
        }
        tx.insert_customer_products(&records).await?;
    }
    for (service, cp, rate, qty) in &plan.changes {
        let draft = drafts.of(provider_of_product(config, cp.product_id).or(service.provider_id));
        draft.line(service, LineAction::Change, service.package_id, None);
        draft.items.push(OrderItemRecord {
            service_id: service.id,
            action: ItemAction::Change,
            customer_product_id: cp.id,
            product_id: cp.product_id,
            rate: *rate,
            quantity: *qty,
        });
    }
    for (service, cp) in &plan.removes {
        let draft = drafts.of(provider_of_product(config, cp.product_id).or(service.provider_id));
        if !draft.lines.iter().any(|l| l.service_id == service.id) {
            draft.line(service, LineAction::Change, service.package_id, None);
        }
        draft.items.push(OrderItemRecord {
            service_id: service.id,
            action: ItemAction::Remove,
            customer_product_id: cp.id,
            product_id: cp.product_id,
            rate: None,
            quantity: None,
        });
    }
    let reserved = Reserved { orders: first_order, events: first_event };
    let (orders, queued) = write_orders(ctx, &mut *tx, drafts, reserved, item_events, &plan.common, now).await?;
    tx.commit().await?;
    if queued {
        ctx.wake_flow();
    }
    Ok((orders, new_lines))
}

/// Writes the services and products of `services` into `drafts`, giving them the ids reserved
/// from `first_ids` on (services, customer products: consecutive, in order).
async fn add_services(
    ctx: &Ctx,
    tx: &mut dyn ClientTx,
    drafts: &mut Drafts,
    services: Vec<NewService>,
    first_ids: (i32, i32),
    now: DateTime,
) -> ApiResult<(Vec<i32>, Vec<crate::flow::events::NewEvent>)> {
    let mut ids = Vec::with_capacity(services.len());
    let product_count: usize = services.iter().map(|s| s.products.len()).sum();
    let (mut next_service, mut next_product) = first_ids;
    let mut all_products = Vec::with_capacity(product_count);
    let mut items_to_assign = Vec::new();
    let mut history = Vec::new();
    for s in services {
        let id = next_service;
        next_service += 1;
        let record = ServiceRecord {
            id,
            customer_id: s.customer_id,
            tn: s.tn,
            line_type_id: s.line_type_id,
            provider_id: Some(s.provider_id),
            package_id: s.package_id,
            description: s.description,
            created_at: now,
            provider_account_id: s.provider_account_id,
            alt_btn_id: s.alt_btn_id,
            pbx_make: s.pbx_make,
            pbx_model: s.pbx_model,
        };
        tx.insert_service(&record).await?;
        // The service's own provider's order carries the service and its inventory, even when
        // all its products come from other providers.
        let main = drafts.of(Some(s.provider_id));
        main.line(&record, LineAction::New, s.package_id, None);
        if main.account_id.is_none() {
            main.account_id = s.provider_account_id;
        }
        for mut item in s.inventory {
            main.inventory.push(OrderInventoryRecord {
                item_id: item.id,
                identifier: item.identifier.clone(),
                service_id: id,
                previous_status: item.status,
                previous_customer_id: item.customer_id,
                previous_service_id: item.service_id,
                previous_assigned_at: item.assigned_at,
            });
            history.push(InventoryHistoryRecord {
                new_value: Some(format!("customer {}, service {id}", s.customer_id)),
                ..ctx.author().history(item.id, now, "ASSIGNED")
            });
            item.status = InventoryItemStatus::Assigned;
            if item.customer_id != Some(s.customer_id) {
                item.assigned_at = Some(now);
            }
            item.customer_id = Some(s.customer_id);
            item.service_id = Some(id);
            item.unavailable_reason_id = None;
            item.updated_at = now;
            items_to_assign.push(item);
        }
        for p in s.products {
            let cp_id = next_product;
            next_product += 1;
            all_products.push(p.pending(cp_id, s.customer_id, id));
            let draft = drafts.of(Some(p.provider_id));
            draft.line(&record, LineAction::New, s.package_id, None);
            draft.items.push(OrderItemRecord {
                service_id: id,
                action: ItemAction::Add,
                customer_product_id: cp_id,
                product_id: p.product_id,
                rate: Some(p.rate),
                quantity: Some(p.quantity),
            });
        }
        ids.push(id);
    }
    if !all_products.is_empty() {
        tx.insert_customer_products(&all_products).await?;
    }
    let mut item_events = Vec::new();
    if !items_to_assign.is_empty() {
        tx.update_inventory_items(&items_to_assign).await?;
        item_events = crate::flow::record_item_history_later(&mut *tx, &history).await?;
    }
    Ok((ids, item_events))
}

/// How many orders `plan` makes: the providers [`Drafts::of`] will be asked for by `execute`
/// and `add_services` (so that their ids are reserved with the others).
fn planned_orders(config: &ClientConfig, plan: &Plan<'_>, one_provider: Option<Option<i32>>) -> usize {
    let mut drafts = Drafts { one_provider, ..Drafts::default() };
    for s in &plan.new_services {
        drafts.of(Some(s.provider_id));
        for p in &s.products {
            drafts.of(Some(p.provider_id));
        }
    }
    for l in &plan.lines {
        drafts.of(l.provider_id);
    }
    for (_, p) in &plan.adds {
        drafts.of(Some(p.provider_id));
    }
    for (service, cp) in
        plan.changes.iter().map(|(s, cp, _, _)| (s, cp)).chain(plan.removes.iter().map(|(s, cp)| (s, cp)))
    {
        drafts.of(provider_of_product(config, cp.product_id).or(service.provider_id));
    }
    drafts.by_provider.len()
}

/// Ids reserved up front with the transaction's others: (first, how many).
struct Reserved {
    orders: Option<(i32, usize)>,
    events: Option<(i32, usize)>,
}

/// Turns the drafts into orders, with their first history entry, events, places in the
/// flow-through queue and the audit record; says whether any was queued. The
/// orders' ids are `reserved` (the first, and how many), or reserved here should the drafts
/// not hold that many orders.
async fn write_orders(
    ctx: &Ctx,
    tx: &mut dyn ClientTx,
    drafts: Drafts,
    reserved: Reserved,
    more_events: Vec<crate::flow::events::NewEvent>,
    common: &Common<'_>,
    now: DateTime,
) -> ApiResult<(Vec<i32>, bool)> {
    let count = drafts.by_provider.len() as i32;
    debug_assert_eq!(reserved.orders.map_or(0, |(_, n)| n as i32), count, "planned_orders disagrees with the drafts");
    let first = match reserved.orders {
        Some((first, n)) if n as i32 == count => first,
        _ => tx.next_ids("order", count).await?,
    };
    let mut ids = Vec::with_capacity(count as usize);
    let mut history = Vec::with_capacity(count as usize);
    let mut orders = Vec::with_capacity(count as usize);
    for (i, (_, (provider_id, draft))) in drafts.by_provider.into_iter().enumerate() {
        let id = first + i as i32;
        let mut order = new_order(id, common.customer_id, common.order_type, provider_id, now);
        order.process_id = common.process_id;
        order.flow_through = common.flow_through;
        order.provider_account_id = draft.account_id;
        order.lines = draft.lines;
        order.items = draft.items;
        order.inventory = draft.inventory;
        (common.fill)(&mut order);
        orders.push(order);
        history.push(status_entry(ctx, id, None, OrderStatus::New, None));
        ids.push(id);
    }
    tx.insert_orders(&orders).await?;
    let queued = crate::flow::record_new_orders(ctx, tx, &orders, &history, more_events, reserved.events).await?;
    let audit: Vec<i64> = ids.iter().map(|&i| i64::from(i)).collect();
    ctx.audit(tx, "order", &audit).await?;
    Ok((ids, queued))
}

/// A product line of a new service, with the overrides of the request applied.
fn ordered_product(config: &ClientConfig, field: &str, p: &OrderProduct) -> ApiResult<NewProduct> {
    let product = orderable_product(config, &format!("{field}/ProductID"), p.product_id)?;
    let rate = match p.rate {
        Some(r) => crate::ops::validate::money(&format!("{field}/Rate"), r)?,
        None => product.rate,
    };
    Ok(NewProduct {
        product_id: product.id,
        provider_id: product.provider_id,
        rate,
        quantity: quantity(&format!("{field}/Quantity"), p.quantity)?,
        description: text(&p.description),
    })
}

/// The catalog products of a package, at catalog rates.
fn package_products(config: &ClientConfig, package: &Package) -> ApiResult<Vec<NewProduct>> {
    package
        .products
        .iter()
        .map(|&id| {
            let product = config.products.iter().find(|p| p.id == id).ok_or_else(|| {
                ApiError::new(
                    ErrorCode::ConfigurationError,
                    format!("Package {} names product {id}, which does not exist.", package.id),
                )
            })?;
            Ok(NewProduct {
                product_id: id,
                provider_id: product.provider_id,
                rate: product.rate,
                quantity: 1,
                description: None,
            })
        })
        .collect()
}

/// The first product among `products` whose product type must be shipped.
fn shipped_product(config: &ClientConfig, products: &[NewProduct]) -> Option<i32> {
    products
        .iter()
        .find(|p| {
            let product = config.products.iter().find(|x| x.id == p.product_id);
            let kind = product.and_then(|x| config.product_types.iter().find(|t| t.id == x.product_type_id));
            kind.is_some_and(|t| t.requires_shipping)
        })
        .map(|p| p.product_id)
}

/// A TN not held by a live service of the client.
async fn free_tn(db: &dyn ClientDb, field: &str, tn: &str) -> ApiResult<()> {
    let services = db.services_by_tn(tn).await?;
    if services.is_empty() {
        return Ok(());
    }
    let ids: Vec<i32> = services.iter().map(|s| s.id).collect();
    let products = db.customer_products_of_services(&ids).await?;
    if let Some(p) = products.iter().find(|p| live(p)) {
        return Err(ApiError::invalid(
            field,
            format!("TN {tn} is already in use by service {}", p.service_id.unwrap_or_default()),
        ));
    }
    Ok(())
}

/// An inventory item named by identifier among the types of `kind`, that may go to the
/// customer: AVAILABLE, or already the customer's and on no other live service.
async fn reservable_item(
    ctx: &Ctx,
    field: &str,
    identifier: &str,
    kind: InventoryKind,
    customer_id: i32,
) -> ApiResult<InventoryItemRecord> {
    let identifier = identifier.trim();
    let items = ctx.db().inventory_items_with_identifier(identifier).await?;
    let item = items
        .into_iter()
        .find(|i| ctx.inventory_types().iter().any(|t| t.id == i.type_id && t.kind == kind))
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::InventoryNotFound,
                format!("{field}: no {} inventory item has identifier {identifier}.", kind.wire_name()),
            )
        })?;
    match (item.status, item.customer_id) {
        (InventoryItemStatus::Available, _) => {}
        (InventoryItemStatus::Assigned, Some(c)) if c == customer_id => {
            if let Some(s) = item.service_id {
                let on = ctx.db().customer_products_of_services(&[s]).await?;
                if on.iter().any(live) {
                    return Err(ApiError::invalid(field, format!("item {identifier} is in use on service {s}")));
                }
            }
        }
        (InventoryItemStatus::Assigned, _) => {
            return Err(ApiError::invalid(field, format!("item {identifier} is assigned to another customer")))
        }
        (status, _) => {
            return Err(ApiError::invalid(
                field,
                format!("item {identifier} is {} and cannot be assigned", status.wire_name()),
            ))
        }
    }
    Ok(item)
}

/// Whether a customer has a service that is in use (an ACTIVE or DENIED product).
async fn has_active_service(db: &dyn ClientDb, customer_id: i32) -> ApiResult<bool> {
    let products = db.customer_products_of(customer_id).await?;
    Ok(products.iter().any(|p| matches!(p.status, CustomerProductStatus::Active | CustomerProductStatus::Denied)))
}

fn port(config: &ClientConfig, p: &WirelessPort) -> ApiResult<PortRecord> {
    let required = |name: &str, v: &Option<String>| {
        text(v).ok_or_else(|| ApiError::invalid(&format!("WirelessPort/{name}"), "is required for a port"))
    };
    let mdn = tn_digits("WirelessPort/MDN", &required("MDN", &p.mdn)?)?;
    let account_number = required("AccountNumber", &p.account_number)?;
    let authorized_signer = required("AuthorizedSigner", &p.authorized_signer)?;
    let address = match &p.address {
        Some(a) => crate::ops::validate::address("WirelessPort/Address", a)?,
        None => return Err(ApiError::invalid("WirelessPort/Address", "is required for a port")),
    };
    let external_provider_id = match text(&p.external_provider) {
        None => None,
        Some(code) => {
            let provider = config.provider_by_code(&code).ok_or_else(|| {
                ApiError::new(
                    ErrorCode::ProviderNotFound,
                    format!("WirelessPort/ExternalProvider: no provider has code {code}."),
                )
            })?;
            if !provider.wireless {
                return Err(ApiError::invalid(
                    "WirelessPort/ExternalProvider",
                    format!("{code} is not a wireless provider"),
                ));
            }
            Some(provider.id)
        }
    };
    Ok(PortRecord {
        mdn,
        account_number,
        authorized_signer,
        pin_password: text(&p.pin_password),
        remark: text(&p.remark),
        address,
        external_provider_id,
    })
}

#[async_trait]
impl Handler for NewOrdersCreate {
    async fn handle(ctx: &Ctx, input: NewOrdersCreateInput) -> ApiResult<NewOrdersCreateOutput> {
        let config = ctx.config();
        let db = ctx.db();
        let customer_id = input.customer_id.ok_or_else(|| ApiError::invalid("CustomerID", "is required"))?;
        let package_id = input.package_id.ok_or_else(|| ApiError::invalid("PackageID", "is required"))?;
        orderable_customer(db, "CustomerID", customer_id).await?;
        let package = package(config, "PackageID", package_id)?;
        let mut products = package_products(config, package)?;
        for (i, p) in input.additional_products.iter().flatten().enumerate() {
            products.push(ordered_product(config, &format!("AdditionalProducts/Product[{}]", i + 1), p)?);
        }
        let line_type_id = line_type(config, "LineTypeID", input.line_type_id.or(package.line_type_id))?;
        let process_id = process(config, "ProcessID", input.process_id)?.map(|p| p.id);
        let shipping_address = match &input.shipping_address {
            Some(a) => Some(crate::ops::validate::address("ShippingAddress", a)?),
            None => None,
        };
        let shipped = shipped_product(config, &products);
        if let (Some(p), None) = (shipped, &shipping_address) {
            return Err(ApiError::invalid(
                "ShippingAddress",
                format!("is required: product {p} on the order must be shipped"),
            ));
        }
        let port = match &input.wireless_port {
            Some(p) => Some(port(config, p)?),
            None => None,
        };
        let reconnect_tn = match text(&input.reconnect_tn) {
            Some(t) => Some(tn_digits("ReconnectTN", &t)?),
            None => None,
        };
        if reconnect_tn.is_some() && port.is_some() {
            return Err(ApiError::invalid("ReconnectTN", "cannot be given with WirelessPort"));
        }
        let tn = reconnect_tn.clone().or_else(|| port.as_ref().map(|p| p.mdn.clone()));
        if let Some(t) = &tn {
            let field = if reconnect_tn.is_some() { "ReconnectTN" } else { "WirelessPort/MDN" };
            free_tn(db, field, t).await?;
        }
        let mut reserved = Vec::new();
        if let Some(esn) = text(&input.esn) {
            reserved.push(("ESN", reservable_item(ctx, "ESN", &esn, InventoryKind::MobileDevice, customer_id).await?));
        }
        if let Some(iccid) = text(&input.wireless_iccid) {
            let item = reservable_item(ctx, "WirelessICCID", &iccid, InventoryKind::SimCard, customer_id).await?;
            reserved.push(("WirelessICCID", item));
        }
        let order_type = if port.is_some() {
            OrderType::Conversion
        } else if has_active_service(db, customer_id).await? {
            OrderType::AddLine
        } else {
            OrderType::New
        };
        let provider = provider(config, "PackageID", package.provider_id)?;
        let provisionable = |pid: Option<i32>| pid.and_then(|id| config.provider(id)).is_some_and(|p| p.provisionable);
        let service = NewService {
            customer_id,
            tn_field: if reconnect_tn.is_some() { "ReconnectTN" } else { "WirelessPort/MDN" }.to_string(),
            tn,
            provider_id: provider.id,
            provider_account_id: provider_account(provider, "PackageID", None)?,
            package_id: Some(package.id),
            line_type_id,
            description: text(&input.description),
            alt_btn_id: None,
            pbx_make: None,
            pbx_model: None,
            products,
            inventory: reserved.iter().map(|(_, i)| i.clone()).collect(),
        };

        let send_now = input.send_orders.unwrap_or(false);
        let reconnect = reconnect_tn.is_some();
        let shipping_status = if shipped.is_some() { ShippingStatus::NotShipped } else { ShippingStatus::NotRequired };
        let mut c = common(customer_id, order_type, process_id, true);
        c.fill = Box::new(move |o: &mut OrderRecord| {
            // "Set to Flow Through if possible": when the provider can be sent orders.
            o.flow_through = provisionable(o.provider_id);
            o.send_now = send_now;
            o.reconnect = reconnect;
            o.port = port.clone();
            o.shipping_address = shipping_address.clone();
            o.shipping_status = shipping_status;
        });
        let mut plan = Plan::new(c);
        plan.reserved = reserved;
        plan.new_services.push(service);
        let (orders, lines) = execute(ctx, plan).await?;
        Ok(NewOrdersCreateOutput { orders, lines })
    }
}

// ---------------------------------------------------------------------------------------------
// Orders_Create.

/// Status may be absent or NEW on a new order; StatusNote is prohibited.
fn new_status(kind: &str, status: Option<OrderStatus>, note: &Option<String>) -> ApiResult<()> {
    if status.is_some_and(|s| s != OrderStatus::New) {
        return Err(ApiError::invalid(&format!("{kind}/Status"), "is prohibited on a new order (or must be NEW)"));
    }
    if note.is_some() {
        return Err(ApiError::invalid(&format!("{kind}/StatusNote"), "is prohibited on a new order"));
    }
    Ok(())
}

/// The customer an order is for: given, or the service's, and agreeing when both are known.
async fn customer_for(
    db: &dyn ClientDb,
    kind: &str,
    given: Option<i32>,
    service: Option<&ServiceRecord>,
) -> ApiResult<i32> {
    let id = match (given, service) {
        (Some(c), _) => c,
        (None, Some(s)) => s.customer_id,
        (None, None) => return Err(ApiError::invalid(&format!("{kind}/CustomerID"), "is required")),
    };
    orderable_customer(db, &format!("{kind}/CustomerID"), id).await?;
    Ok(id)
}

/// One of TN and LineID, not both (Suspend, Restore).
fn one_of_tn_line(kind: &str, tn: &Option<String>, line_id: Option<i32>) -> ApiResult<()> {
    match (text(tn).is_some(), line_id.is_some()) {
        (true, true) => Err(ApiError::invalid(&format!("{kind}/LineID"), "cannot be given together with TN")),
        (false, false) => Err(ApiError::invalid(&format!("{kind}/TN"), "TN or LineID is required")),
        _ => Ok(()),
    }
}

fn wireless(config: &ClientConfig, s: &ServiceRecord) -> bool {
    s.provider_id.and_then(|id| config.provider(id)).is_some_and(|p| p.wireless)
}

/// The products of a service, checked to hold at least one in `wanted` for the order to do
/// anything (O2001 otherwise, naming why).
pub(super) async fn products_in(
    db: &dyn ClientDb,
    service: &ServiceRecord,
    wanted: &[CustomerProductStatus],
    what: &str,
) -> ApiResult<Vec<CustomerProductRecord>> {
    let products = db.customer_products_of_services(&[service.id]).await?;
    if !products.iter().any(|p| wanted.contains(&p.status)) {
        return Err(ApiError::new(
            ErrorCode::OrderNotGenerated,
            format!("Service {} has no products {what}.", service.id),
        ));
    }
    Ok(products)
}

/// What a disconnect ends: products that are (or were, before a suspend) in service. A service
/// with only PENDING products is not yet in service: its open orders are canceled instead.
const IN_SERVICE: [CustomerProductStatus; 2] = [CustomerProductStatus::Active, CustomerProductStatus::Denied];

/// What a change works on: anything not yet DISCONNECTED.
pub(super) const LIVE: [CustomerProductStatus; 3] =
    [CustomerProductStatus::Pending, CustomerProductStatus::Active, CustomerProductStatus::Denied];

async fn plan_suspend<'a>(ctx: &'a Ctx, o: &SuspendOrder) -> ApiResult<Plan<'a>> {
    let (db, config) = (ctx.db(), ctx.config());
    new_status("Suspend", o.status, &o.status_note)?;
    one_of_tn_line("Suspend", &o.tn, o.line_id)?;
    if let Some(c) = o.customer_id {
        orderable_customer(db, "Suspend/CustomerID", c).await?;
    }
    let service = resolve_service(db, "Suspend", o.line_id, o.tn.as_deref(), o.customer_id).await?;
    let customer_id = customer_for(db, "Suspend", o.customer_id, Some(&service)).await?;
    let suspend_type = o.suspend_type.unwrap_or(SuspendType::All);
    if suspend_type == SuspendType::Outgoing && wireless(config, &service) {
        return Err(ApiError::invalid("Suspend/SuspendType", "OUTGOING does not apply to a wireless service"));
    }
    products_in(db, &service, &[CustomerProductStatus::Active], "ACTIVE to suspend").await?;
    let process_id = process(config, "Suspend/ProcessID", o.process_id)?.map(|p| p.id);
    let mut c = common(customer_id, OrderType::Deny, process_id, o.flow_through.unwrap_or(true));
    c.fill = Box::new(move |r| r.suspend_type = Some(suspend_type));
    let mut plan = Plan::new(c);
    plan.lines.push(PlannedLine {
        provider_id: service.provider_id,
        service,
        action: LineAction::Suspend,
        package_id: None,
        old_package_id: None,
    });
    Ok(plan)
}

async fn plan_restore<'a>(ctx: &'a Ctx, o: &RestoreOrder) -> ApiResult<Plan<'a>> {
    let (db, config) = (ctx.db(), ctx.config());
    new_status("Restore", o.status, &o.status_note)?;
    one_of_tn_line("Restore", &o.tn, o.line_id)?;
    if let Some(c) = o.customer_id {
        orderable_customer(db, "Restore/CustomerID", c).await?;
    }
    let service = resolve_service(db, "Restore", o.line_id, o.tn.as_deref(), o.customer_id).await?;
    let customer_id = customer_for(db, "Restore", o.customer_id, Some(&service)).await?;
    products_in(db, &service, &[CustomerProductStatus::Denied], "suspended (DENIED) to restore").await?;
    let process_id = process(config, "Restore/ProcessID", o.process_id)?.map(|p| p.id);
    let mut plan = Plan::new(common(customer_id, OrderType::Restore, process_id, o.flow_through.unwrap_or(true)));
    plan.lines.push(PlannedLine {
        provider_id: service.provider_id,
        service,
        action: LineAction::Restore,
        package_id: None,
        old_package_id: None,
    });
    Ok(plan)
}

async fn plan_disconnect<'a>(ctx: &'a Ctx, o: &DisconnectOrder) -> ApiResult<Plan<'a>> {
    let (db, config) = (ctx.db(), ctx.config());
    new_status("Disconnect", o.status, &o.status_note)?;
    if text(&o.tn).is_some() && o.line_id.is_some() {
        return Err(ApiError::invalid("Disconnect/LineID", "cannot be given together with TN"));
    }
    let inventory_status = match o.inventory_item_status {
        Some(InventoryItemStatus::Batched) => {
            return Err(ApiError::invalid(
                "Disconnect/InventoryItemStatus",
                "must be AVAILABLE, UNAVAILABLE or ASSIGNED",
            ))
        }
        other => other.unwrap_or(InventoryItemStatus::Assigned),
    };
    let process_id = process(config, "Disconnect/ProcessID", o.process_id)?.map(|p| p.id);
    let whole_account = text(&o.tn).is_none() && o.line_id.is_none();
    let (customer_id, services) = if whole_account {
        let customer_id = customer_for(db, "Disconnect", o.customer_id, None).await?;
        let services = db.services_of(customer_id).await?;
        let products = db.customer_products_of(customer_id).await?;
        let live_services: Vec<ServiceRecord> =
            services.into_iter().filter(|s| products.iter().any(|p| p.service_id == Some(s.id) && live(p))).collect();
        if live_services.is_empty() {
            return Err(ApiError::new(
                ErrorCode::OrderNotGenerated,
                format!("Customer {customer_id} has no services left to disconnect."),
            ));
        }
        (customer_id, live_services)
    } else {
        if let Some(c) = o.customer_id {
            orderable_customer(db, "Disconnect/CustomerID", c).await?;
        }
        let service = resolve_service(db, "Disconnect", o.line_id, o.tn.as_deref(), o.customer_id).await?;
        let customer_id = customer_for(db, "Disconnect", o.customer_id, Some(&service)).await?;
        products_in(db, &service, &IN_SERVICE, "in service (ACTIVE or DENIED) to disconnect").await?;
        (customer_id, vec![service])
    };
    let mut c = common(customer_id, OrderType::Disconnect, process_id, o.flow_through.unwrap_or(true));
    c.fill = Box::new(move |r| {
        r.inventory_status = Some(inventory_status);
        r.whole_account = whole_account;
    });
    let mut plan = Plan::new(c);
    for service in services {
        plan.lines.push(PlannedLine {
            provider_id: service.provider_id,
            service,
            action: LineAction::Disconnect,
            package_id: None,
            old_package_id: None,
        });
    }
    Ok(plan)
}

async fn plan_add_line<'a>(ctx: &'a Ctx, o: &AddLineOrder) -> ApiResult<Plan<'a>> {
    let (db, config) = (ctx.db(), ctx.config());
    new_status("AddLine", o.status, &o.status_note)?;
    let customer_id = customer_for(db, "AddLine", o.customer_id, None).await?;
    let lines = o.lines.as_deref().unwrap_or_default();
    if lines.is_empty() {
        return Err(ApiError::invalid("AddLine/Lines", "must hold at least one Line"));
    }
    let process_id = process(config, "AddLine/ProcessID", o.process_id)?.map(|p| p.id);
    let mut new_services = Vec::with_capacity(lines.len());
    let mut tns_seen: Vec<String> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let f = format!("AddLine/Lines/Line[{}]", i + 1);
        let tn = match text(&l.tn) {
            None => None,
            Some(t) if t == "0000000000" => None,
            Some(t) => {
                let t = tn_digits(&format!("{f}/TN"), &t)?;
                free_tn(db, &format!("{f}/TN"), &t).await?;
                if tns_seen.contains(&t) {
                    return Err(ApiError::invalid(&format!("{f}/TN"), format!("{t} is given for two lines")));
                }
                tns_seen.push(t.clone());
                Some(t)
            }
        };
        let mut products = Vec::new();
        for (j, p) in l.products.iter().flatten().enumerate() {
            products.push(ordered_product(config, &format!("{f}/Products/Product[{}]", j + 1), p)?);
        }
        let carrier = match l.carrier_id {
            Some(id) => Some(provider(config, &format!("{f}/CarrierID"), id)?),
            None => None,
        };
        let (provider, package) = match l.package_id.filter(|&p| p != 0) {
            Some(pid) => {
                let package = package(config, &format!("{f}/PackageID"), pid)?;
                if let Some(c) = carrier {
                    if c.id != package.provider_id {
                        return Err(ApiError::invalid(
                            &format!("{f}/CarrierID"),
                            format!("must be the provider of package {pid} ({})", package.provider_id),
                        ));
                    }
                }
                let mut from_package = package_products(config, package)?;
                from_package.append(&mut products);
                products = from_package;
                (provider(config, &format!("{f}/PackageID"), package.provider_id)?, Some(package))
            }
            None => {
                let provisionable =
                    products.iter().any(|p| config.provider(p.provider_id).is_some_and(|x| x.provisionable));
                if !provisionable {
                    return Err(ApiError::invalid(
                        &format!("{f}/PackageID"),
                        "can be 0 only when a product of the line is provisionable",
                    ));
                }
                let c = carrier
                    .ok_or_else(|| ApiError::invalid(&format!("{f}/CarrierID"), "is required without a package"))?;
                (c, None)
            }
        };
        let account = provider_account(provider, &format!("{f}/CarrierAccountID"), l.carrier_account_id)?;
        let alt_btn_id = match l.alt_btn_id {
            None => None,
            Some(id) => {
                let s = db.service(id).await?.ok_or_else(|| {
                    ApiError::new(ErrorCode::ServiceNotFound, format!("{f}/AltBTNID: service {id} does not exist."))
                })?;
                if s.customer_id != customer_id {
                    return Err(ApiError::new(
                        ErrorCode::ServiceCustomerMismatch,
                        format!("{f}/AltBTNID: service {id} does not belong to customer {customer_id}."),
                    ));
                }
                if s.alt_btn_id.is_some() {
                    return Err(ApiError::invalid(
                        &format!("{f}/AltBTNID"),
                        format!("service {id} is not its own BTN"),
                    ));
                }
                Some(id)
            }
        };
        let line_type_id =
            line_type(config, &format!("{f}/LineTypeID"), l.line_type_id.or(package.and_then(|p| p.line_type_id)))?;
        new_services.push(NewService {
            customer_id,
            tn_field: format!("{f}/TN"),
            tn,
            provider_id: provider.id,
            provider_account_id: account,
            package_id: package.map(|p| p.id),
            line_type_id,
            description: text(&l.description),
            alt_btn_id,
            pbx_make: text(&l.pbx_make),
            pbx_model: text(&l.pbx_model),
            products,
            inventory: Vec::new(),
        });
    }
    // Products that must be shipped go to ShippingAddress (an extension), or to the
    // customer's service address.
    let shipped = new_services.iter().find_map(|s| shipped_product(config, &s.products));
    let shipping_address = match (&o.shipping_address, shipped) {
        (Some(a), _) => Some(crate::ops::validate::address("AddLine/ShippingAddress", a)?),
        (None, None) => None,
        (None, Some(p)) => match db.customer(customer_id).await?.and_then(|c| c.service_address) {
            Some(a) => Some(a),
            None => {
                return Err(ApiError::invalid(
                    "AddLine/ShippingAddress",
                    format!(
                        "is required: product {p} must be shipped and customer {customer_id} has no service address"
                    ),
                ))
            }
        },
    };
    let shipping_status = if shipped.is_some() { ShippingStatus::NotShipped } else { ShippingStatus::NotRequired };
    let billing_option = o.billing_option;
    let mut c = common(customer_id, OrderType::AddLine, process_id, o.flow_through.unwrap_or(true));
    c.fill = Box::new(move |r| {
        r.billing_option = billing_option;
        r.shipping_status = shipping_status;
        r.shipping_address = shipping_address.clone();
    });
    let mut plan = Plan::new(c);
    plan.new_services = new_services;
    Ok(plan)
}

/// The product changes of one service (Orders_Create Change, Orders_Update Lines) added to
/// `plan`. `f` is the path of the element holding them.
pub(super) async fn plan_product_changes(
    ctx: &Ctx,
    f: &str,
    service: &ServiceRecord,
    changes: &OrderProductChanges,
    adds: &mut Vec<(ServiceRecord, NewProduct)>,
    edits: &mut Vec<(ServiceRecord, CustomerProductRecord, Option<Decimal>, Option<i32>)>,
    removes: &mut Vec<(ServiceRecord, CustomerProductRecord)>,
) -> ApiResult<()> {
    let config = ctx.config();
    let on_service = ctx.db().customer_products_of_services(&[service.id]).await?;
    let product_of = |field: &str, id: Option<i32>| -> ApiResult<CustomerProductRecord> {
        let id = id.ok_or_else(|| ApiError::invalid(field, "is required"))?;
        match on_service.iter().find(|p| p.id == id) {
            Some(p) if live(p) => Ok(p.clone()),
            Some(_) => Err(ApiError::invalid(field, format!("customer product {id} is already DISCONNECTED"))),
            None => Err(ApiError::invalid(
                field,
                format!("customer product {id} is not a product of service {}", service.id),
            )),
        }
    };
    for (i, a) in changes.add.iter().enumerate() {
        adds.push((service.clone(), ordered_product(config, &format!("{f}/Add[{}]", i + 1), a)?));
    }
    for (i, c) in changes.change.iter().enumerate() {
        let g = format!("{f}/Change[{}]", i + 1);
        let p = product_of(&format!("{g}/CustomerProductID"), c.customer_product_id)?;
        if c.rate.is_none() && c.quantity.is_none() {
            return Err(ApiError::invalid(&g, "names neither a new Rate nor a new Quantity"));
        }
        let rate = match c.rate {
            Some(r) => Some(crate::ops::validate::money(&format!("{g}/Rate"), r)?),
            None => None,
        };
        let qty = match c.quantity {
            Some(q) => Some(quantity(&format!("{g}/Quantity"), Some(q))?),
            None => None,
        };
        edits.push((service.clone(), p, rate, qty));
    }
    for (i, r) in changes.remove.iter().enumerate() {
        let p = product_of(&format!("{f}/Remove[{}]/CustomerProductID", i + 1), r.customer_product_id)?;
        removes.push((service.clone(), p));
    }
    Ok(())
}

async fn plan_change<'a>(ctx: &'a Ctx, o: &ChangeOrder) -> ApiResult<Plan<'a>> {
    let (db, config) = (ctx.db(), ctx.config());
    new_status("Change", o.status, &o.status_note)?;
    let lines = o.lines.clone().unwrap_or_default();
    if lines.change.is_empty() && lines.disconnect.is_empty() {
        return Err(ApiError::invalid("Change/Lines", "must hold at least one Change or Disconnect"));
    }
    let process_id = process(config, "Change/ProcessID", o.process_id)?.map(|p| p.id);
    let mut customer_id = o.customer_id;
    if let Some(c) = customer_id {
        orderable_customer(db, "Change/CustomerID", c).await?;
    }
    let billing_option = o.billing_option;
    let ignore = o.ignore_related_products.unwrap_or(false);
    let mut c = common(0, OrderType::ChangeFeature, process_id, o.flow_through.unwrap_or(true));
    c.fill = Box::new(move |r| {
        r.billing_option = billing_option;
        r.ignore_related_products = ignore;
    });
    let mut plan = Plan::new(c);
    for (i, l) in lines.change.iter().enumerate() {
        let f = format!("Change/Lines/Change[{}]", i + 1);
        let service = resolve_service(db, &f, l.line_id, l.tn.as_deref(), customer_id).await?;
        customer_id.get_or_insert(service.customer_id);
        let changes = l.products.clone().unwrap_or_default();
        if changes.add.is_empty() && changes.change.is_empty() && changes.remove.is_empty() {
            return Err(ApiError::invalid(&format!("{f}/Products"), "must hold at least one Add, Change or Remove"));
        }
        products_in(db, &service, &LIVE, "left to change (it is disconnected)").await?;
        plan_product_changes(
            ctx,
            &format!("{f}/Products"),
            &service,
            &changes,
            &mut plan.adds,
            &mut plan.changes,
            &mut plan.removes,
        )
        .await?;
    }
    for (i, l) in lines.disconnect.iter().enumerate() {
        let f = format!("Change/Lines/Disconnect[{}]", i + 1);
        let service = resolve_service(db, &f, l.line_id, l.tn.as_deref(), customer_id).await?;
        customer_id.get_or_insert(service.customer_id);
        products_in(db, &service, &IN_SERVICE, "in service (ACTIVE or DENIED) to disconnect").await?;
        plan.lines.push(PlannedLine {
            provider_id: service.provider_id,
            service,
            action: LineAction::Disconnect,
            package_id: None,
            old_package_id: None,
        });
    }
    let customer_id = customer_id.expect("at least one line names a service");
    if o.customer_id.is_none() {
        orderable_customer(db, "Change/Lines", customer_id).await?;
    }
    plan.common.customer_id = customer_id;
    Ok(plan)
}

async fn plan_package_change<'a>(ctx: &'a Ctx, o: &PackageChangeOrder) -> ApiResult<Plan<'a>> {
    let (db, config) = (ctx.db(), ctx.config());
    new_status("PackageChange", o.status, &o.status_note)?;
    if let Some(c) = o.customer_id {
        orderable_customer(db, "PackageChange/CustomerID", c).await?;
    }
    let service = resolve_service(db, "PackageChange", o.line_id, o.tn.as_deref(), o.customer_id).await?;
    let customer_id = customer_for(db, "PackageChange", o.customer_id, Some(&service)).await?;
    let package_id = o.package_id.ok_or_else(|| ApiError::invalid("PackageChange/PackageID", "is required"))?;
    let new_package = package(config, "PackageChange/PackageID", package_id)?;
    if service.package_id == Some(package_id) {
        return Err(ApiError::invalid(
            "PackageChange/PackageID",
            format!("service {} already has package {package_id}", service.id),
        ));
    }
    products_in(db, &service, &LIVE, "left to change (it is disconnected)").await?;
    let process_id = process(config, "PackageChange/ProcessID", o.process_id)?.map(|p| p.id);
    let prorate = o.prorate.unwrap_or(false);
    let ignore = o.ignore_related_products.unwrap_or(false);
    let mut c = common(customer_id, OrderType::ChangeFeature, process_id, o.flow_through.unwrap_or(true));
    c.fill = Box::new(move |r| {
        r.prorate = prorate;
        r.ignore_related_products = ignore;
    });
    let mut plan = Plan::new(c);
    plan.one_order = true;
    if !ignore {
        let old_products: Vec<i32> = service
            .package_id
            .and_then(|id| config.packages.iter().find(|p| p.id == id))
            .map(|p| p.products.clone())
            .unwrap_or_default();
        for cp in db.customer_products_of_services(&[service.id]).await? {
            if live(&cp) && old_products.contains(&cp.product_id) {
                plan.removes.push((service.clone(), cp));
            }
        }
        for p in package_products(config, new_package)? {
            plan.adds.push((service.clone(), p));
        }
    }
    plan.lines.push(PlannedLine {
        provider_id: Some(new_package.provider_id),
        old_package_id: service.package_id,
        service,
        action: LineAction::PackageChange,
        package_id: Some(package_id),
    });
    Ok(plan)
}

#[async_trait]
impl Handler for OrdersCreate {
    async fn handle(ctx: &Ctx, input: OrdersCreateInput) -> ApiResult<OrdersCreateOutput> {
        let given: Vec<&str> = [
            input.suspend.as_ref().map(|_| "Suspend"),
            input.disconnect.as_ref().map(|_| "Disconnect"),
            input.restore.as_ref().map(|_| "Restore"),
            input.add_line.as_ref().map(|_| "AddLine"),
            input.change.as_ref().map(|_| "Change"),
            input.package_change.as_ref().map(|_| "PackageChange"),
        ]
        .into_iter()
        .flatten()
        .collect();
        if given.is_empty() {
            return Err(ApiError::new(
                ErrorCode::OrderRequired,
                "One of Suspend, Disconnect, Restore, AddLine, Change or PackageChange is required.",
            ));
        }
        if given.len() > 1 {
            return Err(ApiError::invalid(
                "Request",
                format!("only one order kind may be given, not {}", given.join(" and ")),
            ));
        }
        let plan = if let Some(o) = &input.suspend {
            plan_suspend(ctx, o).await?
        } else if let Some(o) = &input.disconnect {
            plan_disconnect(ctx, o).await?
        } else if let Some(o) = &input.restore {
            plan_restore(ctx, o).await?
        } else if let Some(o) = &input.add_line {
            plan_add_line(ctx, o).await?
        } else if let Some(o) = &input.change {
            plan_change(ctx, o).await?
        } else if let Some(o) = &input.package_change {
            plan_package_change(ctx, o).await?
        } else {
            unreachable!("one kind was given")
        };
        if plan.is_empty() {
            return Err(ApiError::new(ErrorCode::OrderNotGenerated, "The order would change nothing."));
        }
        let (order_ids, _) = execute(ctx, plan).await?;
        Ok(OrdersCreateOutput { order_ids })
    }
}
