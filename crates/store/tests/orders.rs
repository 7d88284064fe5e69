//! Orders and the services and customer products they change, on SQLite and (with
//! `PATCHBAY_TEST_DATABASE_URL`) on PostgreSQL: each test gets a fresh database.

use patchbay_api::customers::{CustomerProductStatus, CustomerStatus, CustomerType};
use patchbay_api::inventory::{InventoryItemStatus, InventoryKind, InventoryTypeFormat};
use patchbay_api::orders::{BillingOption, OrderStatus, OrderType, ShippingStatus, SuspendType};
use patchbay_core::error::StoreError;
use patchbay_core::model::*;
use patchbay_core::store::{ClientDb, Store};
use patchbay_schema::DateTime;
use patchbay_store::testing::fresh_database_url;
use rust_decimal::Decimal;
use std::str::FromStr;
use std::sync::Arc;

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn at(secs: i64) -> DateTime {
    DateTime::from_unix(secs).unwrap()
}

fn provider(id: i32, code: &str, accounts: Vec<ProviderAccount>) -> Provider {
    Provider {
        id,
        code: code.into(),
        name: format!("{code} Inc."),
        wireless: true,
        provisionable: true,
        adapter: "manual".into(),
        adapter_settings: serde_json::json!({}),
        accounts,
    }
}

fn product(id: i32, provider_id: i32) -> Product {
    Product {
        id,
        provider_id,
        product_type_id: 20,
        name: Some(format!("Product {id}")),
        description: None,
        wholesale_description: None,
        code1: None,
        code2: None,
        rate: dec("10.00"),
        cost: dec("1.00"),
        free_months: None,
        automatic_expiration: None,
        billing_months: None,
        state: None,
        bill_in_arrears: false,
        prorate: false,
        product_category_id: None,
        order_completion_billing: false,
        creates_order: true,
        active: true,
        customer_class: patchbay_api::products::CustomerClass::All,
        bill_profiles: vec![],
        line_types: vec![],
        attributes: vec![],
        availability: vec![],
        wireless: None,
        fields: vec![],
        origin: None,
    }
}

fn config() -> ClientConfig {
    ClientConfig {
        webhooks: Vec::new(),
        bill_profiles: vec![Named { id: 1, name: "Monthly".into() }, Named { id: 2, name: "Annual".into() }],
        line_types: vec![Named { id: 3, name: "Mobile".into() }],
        product_types: vec![ProductType {
            id: 20,
            code: "PLAN".into(),
            name: "Plan".into(),
            recurring: true,
            requires_shipping: false,
        }],
        providers: vec![
            provider(10, "SIM", vec![ProviderAccount { id: 1, name: "Main".into(), default: true }]),
            provider(11, "VOICE", vec![]),
        ],
        processes: vec![
            Process { id: 1, name: "Plain".into(), routes: vec![] },
            Process { id: 2, name: "Routed".into(), routes: vec![ProcessRoute { id: 7, description: "Left".into() }] },
        ],
        products: vec![product(100, 10), product(101, 10), product(102, 11)],
        packages: vec![Package {
            id: 1000,
            name: "Starter".into(),
            provider_id: 10,
            line_type_id: Some(3),
            products: vec![100],
            origin: None,
        }],
        ..ClientConfig::default()
    }
}

fn customer(id: i32, bill_profile_id: Option<i32>) -> CustomerRecord {
    CustomerRecord {
        id,
        class: CustomerType::Residential,
        first_name: Some(format!("First{id}")),
        last_name: Some("Last".into()),
        company_name: None,
        status: CustomerStatus::Pending,
        bill_profile_id,
        service_address: None,
        fields: vec![FieldValue { field_id: 1, value: "v".into() }],
        created_at: at(1_700_000_000),
    }
}

fn service(id: i32, customer_id: i32, tn: Option<&str>) -> ServiceRecord {
    ServiceRecord {
        id,
        customer_id,
        tn: tn.map(str::to_string),
        line_type_id: Some(3),
        provider_id: Some(10),
        package_id: Some(1000),
        description: Some(format!("Line {id}")),
        created_at: at(1_700_000_100),
        provider_account_id: Some(1),
        alt_btn_id: None,
        pbx_make: Some("Acme".into()),
        pbx_model: Some("X1".into()),
    }
}

fn customer_product(id: i32, customer_id: i32, service_id: Option<i32>) -> CustomerProductRecord {
    CustomerProductRecord {
        id,
        customer_id,
        service_id,
        product_id: 100,
        description: Some("Plan".into()),
        rate: dec("35.00"),
        quantity: 1,
        status: CustomerProductStatus::Pending,
        activated_at: None,
        billed_through: None,
    }
}

/// An order with nothing optional set.
fn bare_order(id: i32, customer_id: i32) -> OrderRecord {
    OrderRecord::new(id, format!("PON-{id}"), customer_id, OrderType::New, None, at(1_700_001_000))
}

fn address(name: &str) -> AddressRecord {
    AddressRecord {
        first_name: name.into(),
        last_name: "Lovelace".into(),
        address1: "1 Main St".into(),
        address2: Some("Apt 2".into()),
        city: "Austin".into(),
        state: "TX".into(),
        zip: "78701".into(),
        zip4: Some("1234".into()),
        country: "US".into(),
    }
}

/// An order with every field and child list set.
fn full_order(id: i32, customer_id: i32) -> OrderRecord {
    OrderRecord {
        order_type: OrderType::Conversion,
        status: OrderStatus::Confirmed,
        status_note: Some("confirmed by carrier".into()),
        provider_id: Some(10),
        provider_account_id: Some(1),
        process_id: Some(2),
        process_route_id: Some(7),
        flow_through: true,
        send_now: true,
        reconnect: true,
        billing_option: Some(BillingOption::NextCycle),
        suspend_type: Some(SuspendType::Incoming),
        inventory_status: Some(InventoryItemStatus::Unavailable),
        whole_account: true,
        prorate: true,
        ignore_related_products: true,
        tracking_number: Some("1Z999".into()),
        shipping_status: ShippingStatus::Shipped,
        shipping_address: Some(address("Ada")),
        port: Some(PortRecord {
            mdn: "5125550199".into(),
            account_number: "ACC-1".into(),
            authorized_signer: "Ada Lovelace".into(),
            pin_password: Some("1234".into()),
            remark: None,
            address: address("Port"),
            external_provider_id: Some(11),
        }),
        created_at: at(1_700_002_000),
        updated_at: at(1_700_002_500),
        sent_at: Some(at(1_700_002_100)),
        completed_at: Some(at(1_700_002_400)),
        lines: vec![
            OrderLineRecord {
                service_id: 6,
                tn: Some("5125550106".into()),
                action: LineAction::New,
                package_id: Some(1000),
                old_package_id: None,
            },
            OrderLineRecord {
                service_id: 5,
                tn: None,
                action: LineAction::PackageChange,
                package_id: Some(1000),
                old_package_id: Some(999),
            },
        ],
        items: vec![
            OrderItemRecord {
                service_id: 6,
                action: ItemAction::Add,
                customer_product_id: 30,
                product_id: 100,
                rate: Some(dec("35.00")),
                quantity: Some(2),
            },
            OrderItemRecord {
                service_id: 5,
                action: ItemAction::Remove,
                customer_product_id: 31,
                product_id: 101,
                rate: None,
                quantity: None,
            },
            OrderItemRecord {
                service_id: 5,
                action: ItemAction::Change,
                customer_product_id: 32,
                product_id: 102,
                rate: Some(dec("-1.5")),
                quantity: None,
            },
        ],
        inventory: vec![
            OrderInventoryRecord {
                item_id: 900,
                identifier: "8901260000000000001".into(),
                service_id: 6,
                previous_status: InventoryItemStatus::Available,
                previous_customer_id: None,
                previous_service_id: None,
                previous_assigned_at: None,
            },
            OrderInventoryRecord {
                item_id: 901,
                identifier: "A1".into(),
                service_id: 6,
                previous_status: InventoryItemStatus::Assigned,
                previous_customer_id: Some(customer_id),
                previous_service_id: Some(5),
                previous_assigned_at: Some(at(1_700_000_500)),
            },
        ],
        ..bare_order(id, customer_id)
    }
}

struct TestDb {
    _store: Arc<dyn Store>,
    db: Arc<dyn ClientDb>,
}

/// A client with the configuration, customers 1 (bill profile 1), 2 (bill profile 2) and 3
/// (bill profile 1), and services 5 (TN 5125550105) and 6 (TN 5125550106) of customer 1.
async fn fixture() -> TestDb {
    let url = fresh_database_url().await;
    let store = patchbay_store::open(&url).await.unwrap();
    store.migrate().await.unwrap();
    store.put_client(&ClientInfo { code: "acme".into(), name: "Acme".into(), session_idle_minutes: 30 }).await.unwrap();
    let db = store.client("acme").await.unwrap().unwrap();
    let mut tx = db.begin().await.unwrap();
    tx.put_config(&config()).await.unwrap();
    tx.insert_customer(&customer(1, Some(1))).await.unwrap();
    tx.insert_customer(&customer(2, Some(2))).await.unwrap();
    tx.insert_customer(&customer(3, Some(1))).await.unwrap();
    tx.insert_service(&service(5, 1, Some("5125550105"))).await.unwrap();
    tx.insert_service(&service(6, 1, Some("5125550106"))).await.unwrap();
    tx.commit().await.unwrap();
    TestDb { _store: store, db }
}

async fn insert_orders(db: &dyn ClientDb, orders: &[OrderRecord]) {
    let mut tx = db.begin().await.unwrap();
    for o in orders {
        tx.insert_order(o).await.unwrap();
    }
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn an_order_round_trips_with_every_field_and_its_child_rows() {
    let t = fixture().await;
    let full = full_order(1, 1);
    let bare = bare_order(2, 2);
    insert_orders(&*t.db, &[full.clone(), bare.clone()]).await;

    assert_eq!(t.db.order(1).await.unwrap(), Some(full.clone()));
    assert_eq!(t.db.order(2).await.unwrap(), Some(bare.clone()));
    assert_eq!(t.db.order(3).await.unwrap(), None);
    let loaded = t.db.order(1).await.unwrap().unwrap();
    assert_eq!(loaded.items[0].rate.unwrap().to_string(), "35.00", "money keeps its scale");
    assert_eq!(loaded.items[2].rate.unwrap().to_string(), "-1.5");

    // The same through a search (children loaded for the batch) and inside a transaction.
    let all = t.db.search_orders(&OrderFilter::default(), 0, 10).await.unwrap();
    assert_eq!(all, vec![full.clone(), bare.clone()]);
    let mut tx = t.db.begin().await.unwrap();
    assert_eq!(tx.order_for_update(1).await.unwrap(), Some(full));
    assert_eq!(tx.order_for_update(3).await.unwrap(), None);
    drop(tx);

    // The order's id counter is past the ids written.
    let mut tx = t.db.begin().await.unwrap();
    assert_eq!(tx.next_id("order").await.unwrap(), 3);
    drop(tx);
}

#[tokio::test]
async fn a_taken_pon_is_a_conflict_and_writes_nothing() {
    let t = fixture().await;
    insert_orders(&*t.db, &[full_order(1, 1)]).await;
    let mut tx = t.db.begin().await.unwrap();
    let again = OrderRecord { pon: "PON-1".into(), ..full_order(2, 2) };
    // The error may come from the insert or, the insert being held, from the commit.
    let err = match tx.insert_order(&again).await {
        Err(e) => {
            drop(tx);
            e
        }
        Ok(()) => tx.commit().await.unwrap_err(),
    };
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    insert_orders(&*t.db, &[bare_order(3, 2)]).await;
    assert_eq!(t.db.order(2).await.unwrap(), None);
    assert!(t.db.order(3).await.unwrap().is_some());
    let by_pon = OrderFilter { pons: vec!["PON-1".into()], ..OrderFilter::default() };
    assert_eq!(t.db.count_orders(&by_pon, i64::MAX).await.unwrap(), 1);
}

#[tokio::test]
async fn update_order_replaces_the_row_and_rewrites_its_children() {
    let t = fixture().await;
    insert_orders(&*t.db, &[full_order(1, 1), full_order(2, 1)]).await;
    let mut changed = bare_order(1, 3);
    changed.pon = "PON-1-B".into();
    changed.status = OrderStatus::Canceled;
    changed.lines = vec![OrderLineRecord {
        service_id: 5,
        tn: Some("5125550999".into()),
        action: LineAction::Disconnect,
        package_id: None,
        old_package_id: None,
    }];
    let mut tx = t.db.begin().await.unwrap();
    assert!(tx.order_for_update(1).await.unwrap().is_some());
    tx.update_order(&changed).await.unwrap();
    tx.commit().await.unwrap();

    assert_eq!(t.db.order(1).await.unwrap(), Some(changed));
    assert_eq!(t.db.order(2).await.unwrap(), Some(full_order(2, 1)), "the other order is untouched");
    // The old children are gone from the searches too.
    let old_identifier = OrderFilter { identifiers: vec!["A1".into()], ..OrderFilter::default() };
    assert_eq!(ids(&t.db.search_orders(&old_identifier, 0, 10).await.unwrap()), vec![2]);
    let new_tn = OrderFilter { tns: vec!["5125550999".into()], ..OrderFilter::default() };
    assert_eq!(ids(&t.db.search_orders(&new_tn, 0, 10).await.unwrap()), vec![1]);
}

fn ids(orders: &[OrderRecord]) -> Vec<i32> {
    orders.iter().map(|o| o.id).collect()
}

/// An order for the searches.
#[allow(clippy::too_many_arguments)]
fn searchable(
    id: i32,
    customer_id: i32,
    provider_id: Option<i32>,
    status: OrderStatus,
    order_type: OrderType,
    tns: &[&str],
    identifiers: &[&str],
    process: Option<(i32, Option<i32>)>,
) -> OrderRecord {
    OrderRecord {
        provider_id,
        status,
        order_type,
        process_id: process.map(|p| p.0),
        process_route_id: process.and_then(|p| p.1),
        lines: tns
            .iter()
            .map(|tn| OrderLineRecord {
                service_id: 5,
                tn: Some(tn.to_string()),
                action: LineAction::Change,
                package_id: None,
                old_package_id: None,
            })
            .collect(),
        inventory: identifiers
            .iter()
            .enumerate()
            .map(|(i, x)| OrderInventoryRecord {
                item_id: id * 10 + i as i32,
                identifier: x.to_string(),
                service_id: 5,
                previous_status: InventoryItemStatus::Available,
                previous_customer_id: None,
                previous_service_id: None,
                previous_assigned_at: None,
            })
            .collect(),
        ..bare_order(id, customer_id)
    }
}

/// Orders 1 to 6 with a little of everything, and 7 to 12 of customer 2, HOLD, provider 10.
/// Customers 1 and 3 have bill profile 1, customer 2 bill profile 2.
async fn search_fixture() -> TestDb {
    use OrderStatus as S;
    use OrderType as T;
    let t = fixture().await;
    let mut orders = vec![
        searchable(1, 1, Some(10), S::New, T::New, &["A"], &["X"], Some((2, None))),
        searchable(2, 1, Some(11), S::Sent, T::AddLine, &["B"], &[], Some((2, Some(7)))),
        searchable(3, 2, Some(10), S::Complete, T::Disconnect, &["A"], &["Y"], Some((2, None))),
        searchable(4, 2, None, S::Canceled, T::Deny, &[], &[], None),
        searchable(5, 3, Some(10), S::Sent, T::New, &["C"], &["X", "Z"], Some((1, None))),
        searchable(6, 3, Some(11), S::New, T::ChangeFeature, &["A", "B"], &[], Some((2, None))),
    ];
    for id in 7..=12 {
        orders.push(searchable(id, 2, Some(10), S::Hold, T::Restore, &[], &[], None));
    }
    insert_orders(&*t.db, &orders).await;
    t
}

async fn found(db: &dyn ClientDb, filter: OrderFilter) -> Vec<i32> {
    let orders = db.search_orders(&filter, 0, 100).await.unwrap();
    let count = db.count_orders(&filter, i64::MAX).await.unwrap();
    assert_eq!(count, orders.len() as i64, "count matches the search: {filter:?}");
    let page = db.search_orders_page(&filter, 0, 100).await.unwrap();
    assert_eq!(page, orders, "a page matches the search: {filter:?}");
    ids(&orders)
}

#[tokio::test]
async fn searches_filter_by_each_field_or_within_and_across() {
    let t = search_fixture().await;
    let db = &*t.db;
    let f = OrderFilter::default;
    let s = |x: &[&str]| x.iter().map(|s| s.to_string()).collect::<Vec<_>>();

    assert_eq!(found(db, f()).await, (1..=12).collect::<Vec<_>>());
    assert_eq!(found(db, OrderFilter { bill_profile_ids: vec![1], ..f() }).await, vec![1, 2, 5, 6]);
    assert_eq!(found(db, OrderFilter { bill_profile_ids: vec![2, 9], ..f() }).await, vec![3, 4, 7, 8, 9, 10, 11, 12]);
    assert_eq!(found(db, OrderFilter { customer_ids: vec![1, 3], ..f() }).await, vec![1, 2, 5, 6]);
    assert_eq!(found(db, OrderFilter { provider_ids: vec![11], ..f() }).await, vec![2, 6]);
    assert_eq!(found(db, OrderFilter { order_ids: vec![4, 2, 99], ..f() }).await, vec![2, 4]);
    assert_eq!(
        found(db, OrderFilter { order_types: vec![OrderType::New, OrderType::Deny], ..f() }).await,
        vec![1, 4, 5]
    );
    assert_eq!(found(db, OrderFilter { statuses: vec![OrderStatus::Sent], ..f() }).await, vec![2, 5]);
    assert_eq!(found(db, OrderFilter { pons: s(&["PON-6", "PON-3", "nope"]), ..f() }).await, vec![3, 6]);
    assert_eq!(found(db, OrderFilter { tns: s(&["A"]), ..f() }).await, vec![1, 3, 6]);
    assert_eq!(found(db, OrderFilter { tns: s(&["B", "C"]), ..f() }).await, vec![2, 5, 6], "once each");
    assert_eq!(found(db, OrderFilter { identifiers: s(&["X"]), ..f() }).await, vec![1, 5]);
    assert_eq!(found(db, OrderFilter { identifiers: s(&["Z", "Y"]), ..f() }).await, vec![3, 5]);
    // Awaiting a route: not final, in one of the processes, no route chosen.
    assert_eq!(found(db, OrderFilter { awaiting_route_of_processes: Some(vec![2]), ..f() }).await, vec![1, 6]);
    assert_eq!(found(db, OrderFilter { awaiting_route_of_processes: Some(vec![1, 2]), ..f() }).await, vec![1, 5, 6]);
    assert!(found(db, OrderFilter { awaiting_route_of_processes: Some(vec![]), ..f() }).await.is_empty());

    // Filters combine with AND.
    let combined = OrderFilter {
        customer_ids: vec![1, 2],
        statuses: vec![OrderStatus::New, OrderStatus::Sent, OrderStatus::Complete],
        provider_ids: vec![10],
        ..f()
    };
    assert_eq!(found(db, combined).await, vec![1, 3]);
    assert_eq!(found(db, OrderFilter { bill_profile_ids: vec![1], tns: s(&["A"]), ..f() }).await, vec![1, 6]);
    assert_eq!(found(db, OrderFilter { tns: s(&["A"]), identifiers: s(&["X", "Y"]), ..f() }).await, vec![1, 3]);
    let none = OrderFilter { customer_ids: vec![1], order_types: vec![OrderType::Deny], ..f() };
    assert!(found(db, none).await.is_empty());
    let awaiting_of_3 = OrderFilter { awaiting_route_of_processes: Some(vec![2]), customer_ids: vec![3], ..f() };
    assert_eq!(found(db, awaiting_of_3).await, vec![6]);

    // The orders come with their child rows.
    let six = db.search_orders(&OrderFilter { tns: s(&["B"]), ..f() }, 0, 10).await.unwrap();
    assert_eq!(six[1].lines.iter().map(|l| l.tn.clone().unwrap()).collect::<Vec<_>>(), vec!["A", "B"]);
    assert_eq!(six[1], db.order(6).await.unwrap().unwrap());
    let five = db.search_orders(&OrderFilter { order_ids: vec![5], ..f() }, 0, 10).await.unwrap();
    assert_eq!(five[0].inventory.iter().map(|x| x.identifier.as_str()).collect::<Vec<_>>(), vec!["X", "Z"]);

    // Lists longer than one statement's keys still work (SQLite reads them as one JSON array).
    let many: Vec<i32> = (1..=12_000).rev().collect();
    assert_eq!(found(db, OrderFilter { customer_ids: many.clone(), ..f() }).await.len(), 12);
    let many_tns: Vec<String> = (0..6000).map(|i| format!("T{i}")).chain(["C".to_string()]).collect();
    assert_eq!(found(db, OrderFilter { tns: many_tns, order_ids: many, ..f() }).await, vec![5]);
}

#[tokio::test]
async fn keyset_and_page_paging_and_count() {
    let t = search_fixture().await;
    let db = &*t.db;
    let of_2 = OrderFilter { customer_ids: vec![2], ..OrderFilter::default() };
    assert_eq!(db.count_orders(&of_2, i64::MAX).await.unwrap(), 8);
    assert_eq!(db.count_orders(&of_2, 3).await.unwrap(), 3, "the count stops at at_most");
    assert_eq!(db.count_orders(&of_2, 8).await.unwrap(), 8);
    assert_eq!(db.count_orders(&OrderFilter::default(), i64::MAX).await.unwrap(), 12);

    // Keyset: above the last id seen.
    let mut pages = Vec::new();
    let mut after = 0;
    loop {
        let page = ids(&db.search_orders(&of_2, after, 3).await.unwrap());
        let Some(&last) = page.last() else { break };
        after = last;
        pages.push(page);
    }
    assert_eq!(pages, vec![vec![3, 4, 7], vec![8, 9, 10], vec![11, 12]]);
    assert_eq!(ids(&db.search_orders(&OrderFilter::default(), 5, 4).await.unwrap()), vec![6, 7, 8, 9]);
    assert!(db.search_orders(&OrderFilter::default(), 0, 0).await.unwrap().is_empty());

    // Pages from 0.
    let of_2 = &of_2;
    let page = |n, size| async move { ids(&db.search_orders_page(of_2, n, size).await.unwrap()) };
    assert_eq!(page(0, 3).await, vec![3, 4, 7]);
    assert_eq!(page(1, 3).await, vec![8, 9, 10]);
    assert_eq!(page(2, 3).await, vec![11, 12]);
    assert!(page(3, 3).await.is_empty());
    assert_eq!(page(0, 500).await.len(), 8);
}

#[tokio::test]
async fn status_history_is_kept_in_the_order_written() {
    let t = fixture().await;
    insert_orders(&*t.db, &[bare_order(1, 1), bare_order(2, 1)]).await;
    let entry = |order_id, secs, from, to, note: Option<&str>| OrderStatusRecord {
        order_id,
        at: at(secs),
        from,
        to,
        note: note.map(str::to_string),
        user_id: 1,
        on_behalf_of_user_id: if order_id == 2 { Some(9) } else { None },
    };
    let first = vec![
        entry(1, 100, None, OrderStatus::New, None),
        entry(2, 100, None, OrderStatus::New, Some("created")),
        entry(1, 200, Some(OrderStatus::New), OrderStatus::Sent, Some("sent")),
    ];
    let second = vec![
        // The same second as the one before it: still after it.
        entry(1, 200, Some(OrderStatus::Sent), OrderStatus::Confirmed, None),
        entry(1, 300, Some(OrderStatus::Confirmed), OrderStatus::Complete, Some("done")),
    ];
    for entries in [&first, &second] {
        let mut tx = t.db.begin().await.unwrap();
        tx.insert_order_status(entries).await.unwrap();
        tx.commit().await.unwrap();
    }
    let history = t.db.order_status_history(1).await.unwrap();
    assert_eq!(history, vec![first[0].clone(), first[2].clone(), second[0].clone(), second[1].clone()]);
    assert_eq!(t.db.order_status_history(2).await.unwrap(), vec![first[1].clone()]);
    assert!(t.db.order_status_history(3).await.unwrap().is_empty());
}

#[tokio::test]
async fn customer_products_many_at_a_time() {
    let t = fixture().await;
    let db = &*t.db;
    let mut products =
        vec![customer_product(20, 1, Some(6)), customer_product(21, 1, Some(5)), customer_product(22, 1, None)];
    products[1].rate = dec("9.90");
    products[1].status = CustomerProductStatus::Active;
    products[1].activated_at = Some(at(1_700_000_700));
    let mut tx = db.begin().await.unwrap();
    tx.insert_customer_products(&products).await.unwrap();
    tx.insert_customer_products(&[]).await.unwrap();
    assert_eq!(tx.next_id("customer_product").await.unwrap(), 23, "the counter is past the ids written");
    tx.commit().await.unwrap();

    assert_eq!(db.customer_products_of(1).await.unwrap(), products);
    assert_eq!(db.customer_product(21).await.unwrap().unwrap().rate.to_string(), "9.90");
    let of_services = db.customer_products_of_services(&[6, 5, 99]).await.unwrap();
    assert_eq!(of_services, vec![products[0].clone(), products[1].clone()], "lowest id first");
    assert!(db.customer_products_of_services(&[]).await.unwrap().is_empty());

    let mut tx = db.begin().await.unwrap();
    let locked = tx.customer_products_of_services_for_update(&[5, 6]).await.unwrap();
    assert_eq!(locked, of_services);
    let mut changed = locked.clone();
    changed[0].status = CustomerProductStatus::Active;
    changed[0].quantity = 3;
    changed[0].billed_through = Some(at(1_700_100_000));
    changed[1].rate = dec("12.5");
    changed[1].service_id = None;
    tx.update_customer_products(&changed).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        db.customer_products_of(1).await.unwrap(),
        vec![changed[0].clone(), changed[1].clone(), products[2].clone()]
    );

    let mut tx = db.begin().await.unwrap();
    tx.delete_customer_products(&[20, 22, 99]).await.unwrap();
    tx.delete_customer_products(&[]).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(db.customer_products_of(1).await.unwrap(), vec![changed[1].clone()]);
    assert_eq!(db.customer_product(20).await.unwrap(), None);
}

#[tokio::test]
async fn services_read_update_and_delete() {
    let t = fixture().await;
    let db = &*t.db;
    let (five, six) = (service(5, 1, Some("5125550105")), service(6, 1, Some("5125550106")));
    assert_eq!(db.service(5).await.unwrap(), Some(five.clone()));
    assert_eq!(db.services(&[6, 5, 99]).await.unwrap(), vec![five.clone(), six.clone()]);
    assert!(db.services(&[]).await.unwrap().is_empty());
    assert_eq!(db.services_of(1).await.unwrap(), vec![five.clone(), six.clone()]);
    assert_eq!(db.services_by_tn("5125550106").await.unwrap(), vec![six.clone()]);
    assert!(db.services_by_tn("000").await.unwrap().is_empty());
    // Many ids: more than one statement's worth.
    let many: Vec<i32> = (1..=12_000).collect();
    assert_eq!(db.services(&many).await.unwrap().len(), 2);

    // Every column is replaced, the new ones included.
    let moved = ServiceRecord {
        tn: None,
        line_type_id: None,
        provider_id: Some(11),
        package_id: None,
        description: None,
        provider_account_id: None,
        alt_btn_id: Some(5),
        pbx_make: None,
        pbx_model: Some("X2".into()),
        ..six.clone()
    };
    let mut tx = db.begin().await.unwrap();
    assert_eq!(tx.services_for_update(&[6, 5]).await.unwrap(), vec![five.clone(), six.clone()]);
    tx.update_service(&moved).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(db.service(6).await.unwrap(), Some(moved.clone()));

    // A service named as another's BTN cannot go alone (checked at commit)…
    let mut tx = db.begin().await.unwrap();
    tx.delete_service(5).await.unwrap();
    assert!(tx.commit().await.is_err());
    assert_eq!(db.service(5).await.unwrap(), Some(five.clone()));
    // …nor one with products…
    let mut tx = db.begin().await.unwrap();
    tx.insert_customer_products(&[customer_product(20, 1, Some(6))]).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = db.begin().await.unwrap();
    assert!(tx.delete_service(6).await.is_err());
    drop(tx);
    // …but both go together once the products are gone.
    let mut tx = db.begin().await.unwrap();
    tx.delete_customer_products(&[20]).await.unwrap();
    tx.delete_service(5).await.unwrap();
    tx.delete_service(6).await.unwrap();
    tx.commit().await.unwrap();
    assert!(db.services_of(1).await.unwrap().is_empty());
    assert_eq!(db.service(6).await.unwrap(), None);
}

#[tokio::test]
async fn customers_are_read_locked_and_their_status_set() {
    let t = fixture().await;
    let db = &*t.db;
    let mut tx = db.begin().await.unwrap();
    assert_eq!(tx.customer_for_update(1).await.unwrap(), Some(customer(1, Some(1))));
    assert_eq!(tx.customer_for_update(99).await.unwrap(), None);
    tx.set_customer_status(1, CustomerStatus::Open).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(db.customer(1).await.unwrap().unwrap().status, CustomerStatus::Open);
    assert_eq!(db.customer(2).await.unwrap().unwrap().status, CustomerStatus::Pending);
}

#[tokio::test]
async fn inventory_items_are_read_locked_by_id_and_by_service() {
    let t = fixture().await;
    let db = &*t.db;
    let item = |id: i32, service_id: Option<i32>| InventoryItemRecord {
        id,
        type_id: 1,
        identifier: format!("ID{id}"),
        status: if service_id.is_some() { InventoryItemStatus::Assigned } else { InventoryItemStatus::Available },
        customer_id: service_id.map(|_| 1),
        service_id,
        customer_product_id: None,
        assigned_at: service_id.map(|_| at(1_700_000_900)),
        unavailable_reason_id: None,
        note: None,
        msid: None,
        msl: None,
        mdn: None,
        fields: vec![],
        created_at: at(1_700_000_800),
        updated_at: at(1_700_000_800),
    };
    let items = vec![item(1, Some(6)), item(2, None), item(3, Some(5)), item(4, Some(6))];
    let version = db.config_version().await.unwrap();
    let mut tx = db.begin().await.unwrap();
    tx.put_inventory_type(&InventoryTypeRecord {
        id: 1,
        kind: InventoryKind::SimCard,
        identifier_label: "ICCID".into(),
        name: "SIM".into(),
        requires_product: false,
        programming_instructions: None,
        description: None,
        active: true,
        format: InventoryTypeFormat::None,
        fields: vec![],
        item_fields: vec![],
        product_ids: vec![],
    })
    .await
    .unwrap();
    tx.insert_inventory_items(&items).await.unwrap();
    tx.commit().await.unwrap();
    // The engine caches inventory types with the configuration.
    assert!(db.config_version().await.unwrap() > version, "writing an inventory type moves the config version on");

    let mut tx = db.begin().await.unwrap();
    assert_eq!(tx.inventory_items_for_update(&[3, 1, 99]).await.unwrap(), vec![items[0].clone(), items[2].clone()]);
    assert_eq!(
        tx.inventory_items_of_services_for_update(&[6]).await.unwrap(),
        vec![items[0].clone(), items[3].clone()]
    );
    assert!(tx.inventory_items_of_services_for_update(&[]).await.unwrap().is_empty());
    drop(tx);
    assert_eq!(db.inventory_items(&[4, 2]).await.unwrap(), vec![items[1].clone(), items[3].clone()]);
}

#[tokio::test]
async fn provider_accounts_round_trip_through_put_config() {
    let t = fixture().await;
    let db = &*t.db;
    let (_, loaded) = db.load_config().await.unwrap();
    assert_eq!(loaded.providers, config().providers);

    let accounts = vec![
        ProviderAccount { id: 4, name: "Wholesale".into(), default: false },
        ProviderAccount { id: 2, name: "Retail \"main\"".into(), default: true },
    ];
    let mut tx = db.begin().await.unwrap();
    tx.put_config(&ClientConfig { providers: vec![provider(10, "SIM", accounts.clone())], ..ClientConfig::default() })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let (_, loaded) = db.load_config().await.unwrap();
    assert_eq!(loaded.providers[0].accounts, accounts, "replaced, in the order given");
    assert!(loaded.providers[1].accounts.is_empty(), "the other provider is left alone");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_for_update_waits_for_the_writer_and_sees_its_change() {
    let t = fixture().await;
    insert_orders(&*t.db, &[bare_order(1, 1)]).await;
    let mut a = t.db.begin().await.unwrap();
    let mut order = a.order_for_update(1).await.unwrap().unwrap();
    assert!(a.customer_for_update(1).await.unwrap().is_some());
    order.status = OrderStatus::Sent;
    a.update_order(&order).await.unwrap();
    a.set_customer_status(1, CustomerStatus::Open).await.unwrap();

    // B asks for the same rows while A holds them (PostgreSQL: the row locks; SQLite: the
    // file's writer), so it reads them only after A's change.
    let db = t.db.clone();
    let b = tokio::spawn(async move {
        let mut b = db.begin().await.unwrap();
        let seen = (b.order_for_update(1).await.unwrap().unwrap(), b.customer_for_update(1).await.unwrap().unwrap());
        b.commit().await.unwrap();
        seen
    });
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(!b.is_finished(), "B waits for A");
    a.commit().await.unwrap();
    let (seen_order, seen_customer) = b.await.unwrap();
    assert_eq!(seen_order.status, OrderStatus::Sent);
    assert_eq!(seen_customer.status, CustomerStatus::Open);
}

fn job(order_id: i32, attempts: i32) -> FlowJob {
    FlowJob {
        order_id,
        phase: JobPhase::Send,
        attempts,
        claims: 0,
        due_at_ms: 1_000,
        lease_until_ms: 0,
        sent_at_ms: None,
        last_error: Some("held".into()),
    }
}

fn event(seq: i64, order_id: i32) -> EventRecord {
    EventRecord {
        seq,
        id: format!("evt-{seq}"),
        name: "order.created".into(),
        order_id: Some(order_id),
        item_id: None,
        at_ms: 1_000,
        data: serde_json::json!({"order_id": order_id}),
    }
}

// On SQLite a transaction holds the writes whose results it does not read and sends them
// together (`Tx::later`); these check that nothing about a transaction's outcome changes.
#[tokio::test]
async fn a_transaction_reads_its_own_writes_in_the_order_it_made_them() {
    let t = fixture().await;
    let mut tx = t.db.begin().await.unwrap();
    tx.insert_order(&bare_order(1, 1)).await.unwrap();
    tx.put_flow_job(&job(1, 1)).await.unwrap();
    tx.put_flow_job(&job(1, 2)).await.unwrap();
    assert_eq!(tx.flow_job_for_update(1).await.unwrap(), Some(job(1, 2)), "the later write wins, and is seen");
    tx.update_order_row(&OrderRecord { status: OrderStatus::Sent, ..bare_order(1, 1) }).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(t.db.order(1).await.unwrap().map(|o| o.status), Some(OrderStatus::Sent));
    let mut tx = t.db.begin().await.unwrap();
    assert_eq!(tx.flow_job_for_update(1).await.unwrap(), Some(job(1, 2)));
}

#[tokio::test]
async fn a_broken_write_fails_its_transaction_by_commit_at_the_latest_and_keeps_none_of_it() {
    let t = fixture().await;
    let mut tx = t.db.begin().await.unwrap();
    tx.insert_order(&bare_order(1, 1)).await.unwrap();
    // Two events with one seq: the second breaks the primary key.
    let failed = match tx.insert_events(&[event(1, 1), event(1, 1)], &[]).await {
        Err(e) => Err(e),
        Ok(()) => tx.commit().await,
    };
    assert!(failed.is_err(), "a broken write is reported, here or at commit");
    // Nothing of it is kept, and the writer goes on.
    insert_orders(&*t.db, &[bare_order(2, 2)]).await;
    assert_eq!(t.db.order(1).await.unwrap(), None);
    assert!(t.db.order(2).await.unwrap().is_some());
}

#[tokio::test]
async fn updating_a_row_that_is_not_stored_fails_the_transaction() {
    let t = fixture().await;
    insert_orders(&*t.db, &[bare_order(1, 1)]).await;
    // (An update of a row that is not stored is an error, not a silent no-op.)
    for missing in ["order", "whole order", "service", "customer", "customer product"] {
        let mut tx = t.db.begin().await.unwrap();
        tx.update_order_row(&OrderRecord { status: OrderStatus::Sent, ..bare_order(1, 1) }).await.unwrap();
        let wrote = match missing {
            "order" => tx.update_order_row(&bare_order(404, 1)).await,
            "whole order" => tx.update_order(&bare_order(404, 1)).await,
            "service" => tx.update_service(&service(404, 1, None)).await,
            "customer" => tx.set_customer_status(404, CustomerStatus::Closed).await,
            _ => tx.update_customer_products(&[customer_product(404, 1, None)]).await,
        };
        let missing = if missing == "whole order" { "order" } else { missing };
        let err = match wrote {
            Err(e) => e,
            Ok(()) => tx.commit().await.expect_err("a missing row is reported at commit at the latest"),
        };
        assert_eq!(err.to_string(), format!("database: {missing} 404 is not stored"));
        assert_eq!(t.db.order(1).await.unwrap().unwrap().status, OrderStatus::New, "nothing of it is kept");
    }
}

#[tokio::test]
async fn a_transaction_of_many_rows_writes_them_all() {
    // More rows than one statement takes (500 orders, 1,000 child rows), and, across tables,
    // more parameters (about 74,500) and SQL text than one held call may carry, in one
    // transaction: what it holds is sent in as many calls as it takes.
    let t = fixture().await;
    let orders: Vec<OrderRecord> = (1..=1_500)
        .map(|id| {
            let mut o = OrderRecord { pon: format!("BULK-{id}"), ..full_order(id, 1 + id % 3) };
            o.items.truncate(2);
            o
        })
        .collect();
    let history: Vec<OrderStatusRecord> = orders[1_000..]
        .iter()
        .flat_map(|o| [None, Some(OrderStatus::New)].map(|from| (o.id, from)))
        .map(|(order_id, from)| OrderStatusRecord {
            order_id,
            at: at(1_700_003_000),
            from,
            to: if from.is_some() { OrderStatus::Sent } else { OrderStatus::New },
            note: None,
            user_id: 1,
            on_behalf_of_user_id: None,
        })
        .collect();
    let events: Vec<EventRecord> = (1..=1_000).map(|seq| event(seq, 1_000 + seq as i32 / 2)).collect();
    let deliveries: Vec<DeliveryRecord> = events
        .iter()
        .map(|e| DeliveryRecord {
            event_seq: e.seq,
            subscriber: "https://hooks.example/patchbay".into(),
            stream: format!("order-{}", e.order_id.unwrap()),
            attempts: 0,
            claims: 0,
            due_at_ms: 1_000,
            lease_until_ms: 0,
            delivered_at_ms: None,
            last_error: None,
        })
        .collect();
    let products: Vec<CustomerProductRecord> =
        (1..=1_000).map(|id| customer_product(10_000 + id, 1, Some(5))).collect();

    let mut tx = t.db.begin().await.unwrap();
    tx.insert_orders(&orders[..1_000]).await.unwrap();
    tx.insert_orders(&orders[1_000..]).await.unwrap();
    tx.insert_order_status(&history).await.unwrap();
    tx.insert_events(&events, &deliveries).await.unwrap();
    tx.insert_customer_products(&products).await.unwrap();
    let changed = OrderRecord { status_note: Some("changed in the same transaction".into()), ..orders[1_499].clone() };
    tx.update_order(&changed).await.unwrap();
    tx.commit().await.unwrap();

    assert_eq!(t.db.count_orders(&OrderFilter::default(), i64::MAX).await.unwrap(), 1_500);
    assert_eq!(t.db.order(1).await.unwrap(), Some(orders[0].clone()));
    assert_eq!(t.db.order(1_234).await.unwrap(), Some(orders[1_233].clone()));
    assert_eq!(t.db.order(1_500).await.unwrap(), Some(changed));
    assert_eq!(t.db.order_status_history(1_200).await.unwrap(), history[398..400].to_vec());
    let of_service = t.db.customer_products_of_services(&[5]).await.unwrap();
    assert_eq!(of_service.iter().filter(|p| p.id > 10_000).count(), 1_000);
    let listed = t.db.events(&EventFilter { limit: 2_000, ..EventFilter::default() }).await.unwrap();
    assert_eq!(listed.len(), 1_000);
}
