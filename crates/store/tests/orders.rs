//! Orders and the services and customer products they change, on SQLite and (with
//! `PATCHBAY_TEST_DATABASE_URL`) on PostgreSQL: each test gets a fresh database.

use patchbay_api::customers::{CustomerProductStatus, CustomerStatus, CustomerType};
use patchbay_api::inventory::InventoryItemStatus;
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
    }
}

fn config() -> ClientConfig {
    ClientConfig {
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
            Process {
                id: 2,
                name: "Routed".into(),
                routes: vec![ProcessRoute { id: 7, description: "Left".into() }],
            },
        ],
        products: vec![product(100, 10), product(101, 10), product(102, 11)],
        packages: vec![Package { id: 1000, name: "Starter".into(), provider_id: 10, line_type_id: Some(3), products: vec![100] }],
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
    OrderRecord {
        id,
        pon: format!("PON-{id}"),
        customer_id,
        order_type: OrderType::New,
        status: OrderStatus::New,
        status_note: None,
        provider_id: None,
        provider_account_id: None,
        process_id: None,
        process_route_id: None,
        flow_through: false,
        send_now: false,
        reconnect: false,
        billing_option: None,
        suspend_type: None,
        inventory_status: None,
        whole_account: false,
        prorate: false,
        ignore_related_products: false,
        tracking_number: None,
        shipping_status: ShippingStatus::NotRequired,
        shipping_address: None,
        port: None,
        created_at: at(1_700_001_000),
        updated_at: at(1_700_001_000),
        sent_at: None,
        completed_at: None,
        lines: vec![],
        items: vec![],
        inventory: vec![],
    }
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
            OrderLineRecord { service_id: 5, tn: None, action: LineAction::PackageChange, package_id: Some(1000), old_package_id: Some(999) },
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
    store
        .put_client(&ClientInfo { code: "acme".into(), name: "Acme".into(), session_idle_minutes: 30 })
        .await
        .unwrap();
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
    let err = tx.insert_order(&again).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    // (PostgreSQL aborts the transaction at an error; the caller drops it.)
    drop(tx);
    insert_orders(&*t.db, &[bare_order(3, 2)]).await;
    assert_eq!(t.db.order(2).await.unwrap(), None);
    assert!(t.db.order(3).await.unwrap().is_some());
    let by_pon = OrderFilter { pons: vec!["PON-1".into()], ..OrderFilter::default() };
    assert_eq!(t.db.count_orders(&by_pon).await.unwrap(), 1);
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
    // Updating an order that is not stored is an error, not a silent no-op.
    assert!(tx.update_order(&bare_order(77, 1)).await.is_err());
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
