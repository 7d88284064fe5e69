//! Orders_Query and Orders_Search: orders as the seed shows them, with their services as
//! Customers_Query's ServiceItem.

use super::*;
use crate::auth::ClientContext;
use crate::engine::Handler;
use crate::ops::customers::service_item;
use crate::ops::inventory::inventory_by_service;
use async_trait::async_trait;
use futures_util::stream::{self, BoxStream, StreamExt};
use patchbay_api::customers::ServiceItem;
use patchbay_api::ops::{OrdersQuery, OrdersSearch};
use patchbay_api::orders::*;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};

/// Most orders per page (the vendor's JSON API's limit).
const MAX_PAGE_SIZE: i32 = 500;
/// RecordCount counts no further than this many orders past the page asked for: an exact count
/// of half a million matches would cost more than the page itself.
const COUNT_PAST_PAGE: i64 = 10_000;
/// Orders read from the store at a time when every match is returned.
const SEARCH_CHUNK: u32 = 500;

fn summary(config: &ClientConfig, o: &OrderRecord, services: Option<Vec<ServiceItem>>) -> OrderSummary {
    let provider = o.provider_id.and_then(|id| config.provider(id));
    let account = provider.and_then(|p| o.provider_account_id.and_then(|a| p.accounts.iter().find(|x| x.id == a)));
    let routes = o
        .process_id
        .and_then(|id| config.processes.iter().find(|p| p.id == id))
        .map(|p| p.routes.iter().map(|r| Route { id: r.id, description: Some(r.description.clone()) }).collect())
        .unwrap_or_default();
    OrderSummary {
        customer_id: o.customer_id,
        status: o.status,
        order_id: o.id,
        pon: o.pon.clone(),
        order_type: o.order_type,
        created_date: o.created_at,
        tracking_number: o.tracking_number.clone(),
        carrier: provider.map(|p| p.name.clone()),
        carrier_id: o.provider_id,
        carrier_account: account.map(|a| a.name.clone()),
        carrier_account_id: o.provider_account_id,
        status_note: o.status_note.clone(),
        completion_date: o.completed_at,
        flow_through_flag: Some(o.flow_through),
        shipping_status: Some(o.shipping_status),
        process_id: o.process_id,
        process_route_id: o.process_route_id,
        services,
        routes,
    }
}

fn service_ids(o: &OrderRecord) -> Vec<i32> {
    let ids: BTreeSet<i32> = o.lines.iter().map(|l| l.service_id).collect();
    ids.into_iter().collect()
}

/// The services of each order, as they stand now, in one read per kind of row.
async fn services_of_orders(
    client: &ClientContext,
    orders: &[OrderRecord],
) -> ApiResult<HashMap<i32, Vec<ServiceItem>>> {
    let (db, config) = (&*client.db, &*client.config);
    let ids: Vec<i32> = orders.iter().flat_map(service_ids).collect::<BTreeSet<_>>().into_iter().collect();
    let services = db.services(&ids).await?;
    let products = db.customer_products_of_services(&ids).await?;
    let mut inventory = HashMap::new();
    let customers: BTreeSet<i32> = services.iter().map(|s| s.customer_id).collect();
    for c in customers {
        inventory.extend(inventory_by_service(db, config, &client.inventory_types, c).await?);
    }
    let by_id: HashMap<i32, &ServiceRecord> = services.iter().map(|s| (s.id, s)).collect();
    Ok(orders
        .iter()
        .map(|o| {
            let items = service_ids(o)
                .into_iter()
                .filter_map(|sid| by_id.get(&sid))
                .map(|s| service_item(config, s, &products, inventory.get(&s.id).cloned().unwrap_or_default()))
                .collect();
            (o.id, items)
        })
        .collect())
}

/// The TN and LineID an order shows when it involves one service.
fn single_line(o: &OrderRecord) -> (Option<String>, Option<i32>) {
    match service_ids(o).as_slice() {
        [only] => (o.lines.iter().find(|l| l.service_id == *only).and_then(|l| l.tn.clone()), Some(*only)),
        _ => (None, None),
    }
}

fn change_lines(o: &OrderRecord) -> OrderChangeLines {
    let mut lines = OrderChangeLines::default();
    let mut changed: Vec<i32> = Vec::new();
    for item in &o.items {
        if !changed.contains(&item.service_id) {
            changed.push(item.service_id);
        }
    }
    for sid in changed {
        let mut products = OrderProductChanges::default();
        for item in o.items.iter().filter(|i| i.service_id == sid) {
            match item.action {
                ItemAction::Add => products.add.push(OrderProduct {
                    product_id: Some(item.product_id),
                    rate: item.rate.map(crate::ops::validate::money_out),
                    quantity: item.quantity,
                    description: None,
                }),
                ItemAction::Change => products.change.push(OrderProductChange {
                    customer_product_id: Some(item.customer_product_id),
                    rate: item.rate.map(crate::ops::validate::money_out),
                    quantity: item.quantity,
                }),
                ItemAction::Remove => {
                    products.remove.push(OrderProductRemove { customer_product_id: Some(item.customer_product_id) })
                }
            }
        }
        let tn = o.lines.iter().find(|l| l.service_id == sid).and_then(|l| l.tn.clone());
        lines.change.push(OrderLineChange { line_id: Some(sid), tn, products: Some(products) });
    }
    for l in o.lines.iter().filter(|l| l.action == LineAction::Disconnect) {
        lines.disconnect.push(OrderLineRef { line_id: Some(l.service_id), tn: l.tn.clone() });
    }
    lines
}

#[async_trait]
impl Handler for OrdersQuery {
    async fn handle(ctx: &Ctx, input: OrdersQueryInput) -> ApiResult<OrdersQueryOutput> {
        let config = ctx.config();
        let id = input.order_id.ok_or_else(|| ApiError::invalid("OrderID", "is required"))?;
        let o = ctx.db().order(id).await?.ok_or_else(|| ApiError::not_found(ErrorCode::OrderNotFound, "Order", id))?;
        let services =
            services_of_orders(&ctx.client, std::slice::from_ref(&o)).await?.remove(&o.id).unwrap_or_default();
        let (tn, line_id) = single_line(&o);
        let status_info = |with_inventory: bool| StatusInfo {
            customer_id: o.customer_id,
            status: o.status,
            status_note: o.status_note.clone(),
            tn: tn.clone(),
            line_id,
            inventory_item_status: if with_inventory { o.inventory_status } else { None },
        };
        let mut out = OrdersQueryOutput {
            order: summary(config, &o, Some(services.clone())),
            suspend: None,
            disconnect: None,
            restore: None,
            add_line: None,
            change: None,
        };
        match o.order_type {
            OrderType::Deny => {
                out.suspend = Some(SuspendInfo {
                    customer_id: o.customer_id,
                    status: o.status,
                    status_note: o.status_note.clone(),
                    tn: tn.clone(),
                    line_id,
                    suspend_type: o.suspend_type,
                })
            }
            OrderType::Disconnect => out.disconnect = Some(status_info(true)),
            OrderType::Restore => out.restore = Some(status_info(false)),
            OrderType::New | OrderType::AddLine | OrderType::Conversion => {
                let lines = o
                    .lines
                    .iter()
                    .filter(|l| l.action == LineAction::New)
                    .map(|l| {
                        let current = services.iter().find(|s| s.id == l.service_id);
                        AddedLine {
                            line_id: Some(l.service_id),
                            tn: current.and_then(|s| s.tn.clone()).or_else(|| l.tn.clone()),
                            package_id: l.package_id,
                            carrier_id: current.and_then(|s| s.carrier_id).or(o.provider_id),
                            carrier_account_id: o.provider_account_id,
                            products: o
                                .items
                                .iter()
                                .filter(|i| i.service_id == l.service_id && i.action == ItemAction::Add)
                                .map(|i| OrderProduct {
                                    product_id: Some(i.product_id),
                                    rate: i.rate.map(crate::ops::validate::money_out),
                                    quantity: i.quantity,
                                    description: None,
                                })
                                .collect(),
                        }
                    })
                    .collect();
                out.add_line = Some(AddLineInfo { lines });
            }
            OrderType::ChangeFeature | OrderType::Transfer => out.change = Some(ChangeInfo { lines: change_lines(&o) }),
        }
        Ok(out)
    }
}

/// A text filter's values, trimmed. An empty value stays: it matches nothing, as an empty
/// element asks for the empty string (a blank PON must not widen a search to every order).
fn texts(v: &Option<Vec<String>>) -> Vec<String> {
    v.iter().flatten().map(|s| s.trim().to_string()).collect()
}

/// Orders_Search's filters as the store takes them.
pub(crate) fn filter_of(config: &ClientConfig, input: &OrdersSearchInput) -> OrderFilter {
    OrderFilter {
        bill_profile_ids: input.bill_profile_id.clone().unwrap_or_default(),
        customer_ids: input.customer_id.clone().unwrap_or_default(),
        provider_ids: input.carrier_id.clone().unwrap_or_default(),
        order_ids: input.order_id.clone().unwrap_or_default(),
        order_types: input.order_type.clone().unwrap_or_default(),
        statuses: input.status.clone().unwrap_or_default(),
        pons: texts(&input.pon),
        tns: texts(&input.tn),
        identifiers: texts(&input.identifier),
        awaiting_route_of_processes: input
            .requires_route_decision
            .unwrap_or(false)
            .then(|| config.processes.iter().filter(|p| !p.routes.is_empty()).map(|p| p.id).collect()),
    }
}

async fn summaries(client: &ClientContext, orders: &[OrderRecord], details: bool) -> ApiResult<Vec<OrderSummary>> {
    let config = &*client.config;
    let mut services = if details { Some(services_of_orders(client, orders).await?) } else { None };
    Ok(orders
        .iter()
        .map(|o| summary(config, o, services.as_mut().map(|s| s.remove(&o.id).unwrap_or_default())))
        .collect())
}

/// Every order matching `filter`, a page of [`SEARCH_CHUNK`] at a time, as wire values.
fn all_matches(client: ClientContext, filter: OrderFilter, details: bool) -> BoxStream<'static, ApiResult<Vec<Value>>> {
    stream::try_unfold(Some(0), move |after| {
        let (client, filter) = (client.clone(), filter.clone());
        async move {
            let Some(after) = after else { return Ok(None) };
            let chunk = client.db.search_orders(&filter, after, SEARCH_CHUNK).await?;
            let Some(last) = chunk.last() else { return Ok(None) };
            let next = (chunk.len() == SEARCH_CHUNK as usize).then_some(last.id);
            let page = summaries(&client, &chunk, details).await?;
            let values =
                page.iter().map(serde_json::to_value).collect::<Result<Vec<_>, _>>().map_err(ApiError::internal)?;
            Ok(Some((values, next)))
        }
    })
    .boxed()
}

#[async_trait]
impl Handler for OrdersSearch {
    async fn handle(ctx: &Ctx, input: OrdersSearchInput) -> ApiResult<OrdersSearchOutput> {
        let db = ctx.db();
        let filter = filter_of(ctx.config(), &input);
        let details = input.show_service_details.unwrap_or(false);
        match (input.page_size, input.page) {
            (None, Some(_)) => Err(ApiError::invalid("Page", "can only be given with PageSize")),
            (Some(size), page) => {
                if !(1..=MAX_PAGE_SIZE).contains(&size) {
                    return Err(ApiError::invalid("PageSize", format!("must be from 1 to {MAX_PAGE_SIZE}")));
                }
                let page = page.unwrap_or(1);
                if page < 1 {
                    return Err(ApiError::invalid("Page", "must be 1 or more"));
                }
                let orders = db.search_orders_page(&filter, (page - 1) as u32, size as u32).await?;
                let through_page = i64::from(page) * i64::from(size);
                let at_most = through_page + COUNT_PAST_PAGE;
                let record_count = db.count_orders(&filter, at_most).await?;
                Ok(OrdersSearchOutput {
                    orders: summaries(&ctx.client, &orders, details).await?,
                    has_more: Some(through_page < record_count),
                    record_count: Some(record_count),
                    record_count_exact: Some(record_count < at_most),
                })
            }
            (None, None) => {
                // Every match: written as it is read, so memory stays flat however many match.
                ctx.stream_list("Orders", all_matches(ctx.client.clone(), filter, details));
                Ok(OrdersSearchOutput { orders: Vec::new(), ..OrdersSearchOutput::default() })
            }
        }
    }
}
