//! Every store method, on SQLite and (with `PATCHBAY_TEST_DATABASE_URL`) on PostgreSQL: each
//! test gets a fresh database from `testing::fresh_database_url`.

use patchbay_api::customers::{CustomerProductStatus, CustomerStatus, CustomerType};
use patchbay_api::products::{AvailabilityLocation, CustomerClass};
use patchbay_core::error::StoreError;
use patchbay_core::model::*;
use patchbay_core::store::{ClientDb, RegistryChange, Store};
use patchbay_schema::DateTime;
use patchbay_store::testing::fresh_database_url;
use patchbay_store::{DatabaseUrl, SqliteStore};
use rust_decimal::Decimal;
use serde_json::json;
use sqlx::{Connection, Row};
use std::collections::HashSet;
use std::str::FromStr;
use std::sync::Arc;

struct TestDb {
    url: String,
    store: Arc<dyn Store>,
}

async fn fresh() -> TestDb {
    let url = fresh_database_url().await;
    let store = patchbay_store::open(&url).await.unwrap();
    store.migrate().await.unwrap();
    TestDb { url, store }
}

fn client_info(code: &str) -> ClientInfo {
    ClientInfo { code: code.into(), name: format!("{code} Inc."), session_idle_minutes: 30 }
}

async fn with_client(code: &str) -> (TestDb, Arc<dyn ClientDb>) {
    let t = fresh().await;
    t.store.put_client(&client_info(code)).await.unwrap();
    let db = t.store.client(code).await.unwrap().expect("client exists");
    (t, db)
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn at(secs: i64) -> DateTime {
    DateTime::from_unix(secs).unwrap()
}

fn product(id: i32, rate: &str) -> Product {
    Product {
        id,
        provider_id: 10,
        product_type_id: 20,
        name: Some(format!("Product {id}")),
        description: Some("A product".into()),
        wholesale_description: None,
        code1: Some("C1".into()),
        code2: None,
        rate: dec(rate),
        cost: dec("1.50"),
        free_months: Some(1),
        automatic_expiration: None,
        billing_months: Some(12),
        state: Some("TX".into()),
        bill_in_arrears: false,
        prorate: true,
        product_category_id: Some(7),
        order_completion_billing: false,
        creates_order: true,
        active: true,
        customer_class: CustomerClass::Residential,
        bill_profiles: vec![2, 1],
        line_types: vec![3],
        attributes: vec![("speed".into(), "1G".into()), ("color".into(), "red".into())],
        availability: vec![AvailabilityLocation::Available_On_Signup_Flag, AvailabilityLocation::Available_BillCenter],
        wireless: Some(Wireless {
            voice: true,
            sms: false,
            data: true,
            allowances: vec![
                Allowance { quantity: Some(5120), expiration_days: Some(30), nights_weekends: false, unlimited: false },
                Allowance { quantity: None, expiration_days: None, nights_weekends: true, unlimited: true },
            ],
        }),
        fields: vec![FieldValue { field_id: 1, value: "Gold".into() }],
        origin: Some(format!("settings.toml:{id}")),
    }
}

/// A configuration with one or more of everything, vectors ordered by id.
fn full_config() -> ClientConfig {
    ClientConfig {
        roles: vec![
            Role { name: "admin".into(), allow: vec!["*".into()] },
            Role { name: "viewer".into(), allow: vec!["*_Query".into(), "Sessions_*".into()] },
        ],
        users: vec![
            User {
                id: 1,
                username: "api".into(),
                password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
                role: "admin".into(),
                agent_id: Some(5),
                agent_number: Some("A-5".into()),
            },
            User {
                id: 2,
                username: "viewer".into(),
                password_hash: "$argon2id$x".into(),
                role: "viewer".into(),
                agent_id: None,
                agent_number: None,
            },
        ],
        bill_profiles: vec![Named { id: 1, name: "Monthly".into() }, Named { id: 2, name: "Annual".into() }],
        product_categories: vec![Named { id: 7, name: "Wireless".into() }],
        line_types: vec![Named { id: 3, name: "Mobile".into() }, Named { id: 4, name: "Fiber".into() }],
        webhooks: vec![WebhookSubscriber {
            url: "https://hooks.example/patchbay".into(),
            secret: "s3cret".into(),
            events: vec!["order.completed".into(), "inventory.assigned".into()],
        }],
        product_types: vec![
            ProductType { id: 20, code: "PLAN".into(), name: "Plan".into(), recurring: true, requires_shipping: false },
            ProductType {
                id: 21,
                code: "DEVICE".into(),
                name: "Device".into(),
                recurring: false,
                requires_shipping: true,
            },
        ],
        providers: vec![Provider {
            id: 10,
            code: "SIMWIRELESS".into(),
            name: "Sim Wireless".into(),
            wireless: true,
            provisionable: true,
            adapter: "simulated".into(),
            adapter_settings: json!({"confirm_after_ms": 50, "mdn_prefix": "555", "nested": {"a": [1, 2.5]}}),
            accounts: vec![
                ProviderAccount { id: 1, name: "Main".into(), default: true },
                ProviderAccount { id: 2, name: "Wholesale".into(), default: false },
            ],
        }],
        processes: vec![
            Process { id: 1, name: "Activate".into(), routes: vec![] },
            Process {
                id: 2,
                name: "Port".into(),
                routes: vec![
                    ProcessRoute { id: 9, description: "second first".into() },
                    ProcessRoute { id: 8, description: "then this".into() },
                ],
            },
        ],
        unavailable_reasons: vec![Named { id: 1, name: "Damaged".into() }, Named { id: 2, name: "Lost".into() }],
        custom_fields: vec![CustomFieldDef { id: 1, label: "Plan Tier".into() }],
        products: vec![
            product(100, "35.00"),
            // Made through the API: no origin.
            Product { wireless: None, attributes: vec![], fields: vec![], origin: None, ..product(101, "9.99") },
            Product {
                wireless: Some(Wireless::default()),
                product_category_id: None,
                active: false,
                customer_class: CustomerClass::All,
                ..product(102, "0")
            },
        ],
        packages: vec![Package {
            id: 1000,
            name: "Starter".into(),
            provider_id: 10,
            line_type_id: Some(3),
            products: vec![101, 100],
            origin: Some("settings.toml:40".into()),
        }],
    }
}

async fn put_config(db: &dyn ClientDb, config: &ClientConfig) {
    let mut tx = db.begin().await.unwrap();
    tx.put_config(config).await.unwrap();
    tx.commit().await.unwrap();
}

fn audit_record(entity_ids: Vec<i64>) -> AuditRecord {
    AuditRecord {
        at: at(1_700_000_000),
        user_id: 1,
        on_behalf_of_user_id: Some(2),
        operation: "Products_Create".into(),
        entity: "product".into(),
        entity_ids,
    }
}

/// Reaches a client's tables behind the store's back, to check the physical layout and to
/// write rows the traits have no method for yet.
struct SideDoor {
    url: DatabaseUrl,
}

impl SideDoor {
    fn new(url: &str) -> Self {
        SideDoor { url: DatabaseUrl::parse(url).unwrap() }
    }

    /// Runs `sql` in the client's database; `{p}` stands for the schema prefix.
    async fn exec(&self, code: &str, sql: &str) {
        match &self.url {
            DatabaseUrl::Sqlite(main) => {
                let path = patchbay_store::sqlite::clients_dir_for(main).join(format!("{}.db", code.replace('-', "_")));
                assert!(path.is_file(), "{} is the client's file", path.display());
                let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display())).await.unwrap();
                sqlx::raw_sql(&sql.replace("{p}", "")).execute(&mut c).await.unwrap();
            }
            DatabaseUrl::Postgres(url) => {
                let schema = patchbay_store::postgres::client_schema(code).unwrap();
                let mut c = sqlx::PgConnection::connect(url).await.unwrap();
                sqlx::raw_sql(&sql.replace("{p}", &format!("{schema}."))).execute(&mut c).await.unwrap();
            }
        }
    }

    /// The first column of every row of `sql`, as text.
    async fn texts(&self, code: &str, sql: &str) -> Vec<String> {
        match &self.url {
            DatabaseUrl::Sqlite(main) => {
                let path = patchbay_store::sqlite::clients_dir_for(main).join(format!("{code}.db"));
                let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display())).await.unwrap();
                let rows = sqlx::query(&sql.replace("{p}", "")).fetch_all(&mut c).await.unwrap();
                rows.iter().map(|r| r.get::<String, _>(0)).collect()
            }
            DatabaseUrl::Postgres(url) => {
                let schema = patchbay_store::postgres::client_schema(code).unwrap();
                let mut c = sqlx::PgConnection::connect(url).await.unwrap();
                let rows = sqlx::query(&sql.replace("{p}", &format!("{schema}."))).fetch_all(&mut c).await.unwrap();
                rows.iter().map(|r| r.get::<String, _>(0)).collect()
            }
        }
    }
}

#[tokio::test]
async fn config_round_trips_exactly() {
    let (_t, db) = with_client("acme").await;
    let (v0, empty) = db.load_config().await.unwrap();
    assert_eq!(empty, ClientConfig::default());
    assert_eq!(db.config_version().await.unwrap(), v0);

    let config = full_config();
    put_config(&*db, &config).await;
    let (v1, loaded) = db.load_config().await.unwrap();
    assert!(v1 > v0);
    assert_eq!(db.config_version().await.unwrap(), v1);
    assert_eq!(loaded, config);

    // Decimals keep their scale.
    assert_eq!(loaded.products[0].rate.to_string(), "35.00");
    assert_eq!(loaded.products[1].rate.to_string(), "9.99");
    assert_eq!(loaded.products[0].cost.to_string(), "1.50");
    assert_eq!(loaded.products[2].rate.to_string(), "0");
    assert_eq!(loaded.providers[0].adapter_settings["confirm_after_ms"], 50);

    // Putting the same configuration again changes nothing but the version.
    put_config(&*db, &config).await;
    let (v2, again) = db.load_config().await.unwrap();
    assert!(v2 > v1);
    assert_eq!(again, config);
}

#[tokio::test]
async fn put_config_replaces_by_id_and_leaves_the_rest() {
    let (_t, db) = with_client("acme").await;
    put_config(&*db, &full_config()).await;

    let mut p = product(100, "40.10");
    p.bill_profiles = vec![1];
    p.attributes = vec![("speed".into(), "2G".into())];
    p.wireless = None;
    p.origin = None; // an origin is cleared as any other field
    let changes = ClientConfig {
        line_types: vec![Named { id: 4, name: "Fiber 2".into() }, Named { id: 5, name: "Copper".into() }],
        webhooks: vec![WebhookSubscriber {
            url: "https://hooks.example/patchbay".into(),
            secret: "rotated".into(),
            events: vec!["*".into()],
        }],
        processes: vec![Process {
            id: 2,
            name: "Port".into(),
            routes: vec![ProcessRoute { id: 8, description: "only".into() }],
        }],
        products: vec![p.clone()],
        packages: vec![Package {
            id: 1000,
            name: "Starter".into(),
            provider_id: 10,
            line_type_id: None,
            products: vec![102],
            origin: Some("moved.toml:7".into()),
        }],
        ..ClientConfig::default()
    };
    put_config(&*db, &changes).await;

    let (_, loaded) = db.load_config().await.unwrap();
    let mut expected = full_config();
    expected.line_types = vec![
        Named { id: 3, name: "Mobile".into() },
        Named { id: 4, name: "Fiber 2".into() },
        Named { id: 5, name: "Copper".into() },
    ];
    expected.processes[1].routes = vec![ProcessRoute { id: 8, description: "only".into() }];
    expected.products[0] = p;
    expected.packages[0].line_type_id = None;
    expected.packages[0].products = vec![102];
    expected.packages[0].origin = Some("moved.toml:7".into());
    expected.webhooks[0].secret = "rotated".into();
    expected.webhooks[0].events = vec!["*".into()];
    assert_eq!(loaded, expected);
}

#[tokio::test]
async fn put_product_inserts_replaces_and_moves_the_version() {
    let (_t, db) = with_client("acme").await;
    put_config(&*db, &full_config()).await;
    let v = db.config_version().await.unwrap();
    let changes = db.config_changes();

    let mut tx = db.begin().await.unwrap();
    let id = tx.next_id("product").await.unwrap();
    assert_eq!(id, 103, "the counter is past the ids put_config wrote");
    tx.put_product(&product(id, "12.5")).await.unwrap();
    assert_eq!(db.config_changes(), changes, "counted when it commits");
    tx.commit().await.unwrap();
    let v2 = db.config_version().await.unwrap();
    assert!(v2 > v);
    // What the engine's cache goes by: this process changed the configuration.
    assert_eq!(db.config_changes(), changes + 1);
    // A write that leaves the configuration alone is not counted.
    let mut tx = db.begin().await.unwrap();
    tx.audit(&audit_record(vec![id.into()])).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(db.config_changes(), changes + 1);

    let mut tx = db.begin().await.unwrap();
    tx.put_product(&Product { active: false, ..product(id, "12.50") }).await.unwrap();
    // An explicit id beyond the counter moves it on.
    tx.put_product(&product(500, "1")).await.unwrap();
    tx.commit().await.unwrap();
    assert!(db.config_version().await.unwrap() > v2);

    let (_, c) = db.load_config().await.unwrap();
    assert_eq!(c.products.iter().map(|p| p.id).collect::<Vec<_>>(), vec![100, 101, 102, 103, 500]);
    let p = c.products.iter().find(|p| p.id == id).unwrap();
    assert!(!p.active);
    assert_eq!(p.rate.to_string(), "12.50");

    let mut tx = db.begin().await.unwrap();
    assert_eq!(tx.next_id("product").await.unwrap(), 501);
    assert_eq!(tx.next_id("user").await.unwrap(), 3);
    assert_eq!(tx.next_id("never_seen").await.unwrap(), 1);
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn clients_are_physically_separate() {
    let t = fresh().await;
    t.store.put_client(&client_info("acme")).await.unwrap();
    t.store.put_client(&client_info("globex-west")).await.unwrap();
    let acme = t.store.client("acme").await.unwrap().unwrap();
    let globex = t.store.client("globex-west").await.unwrap().unwrap();

    // The same ids in both, different data.
    put_config(&*acme, &full_config()).await;
    let mut g = full_config();
    g.products = vec![product(100, "99.00")];
    g.products[0].name = Some("Globex Fiber".into());
    g.packages = vec![];
    put_config(&*globex, &g).await;
    let customer = |name: &str| CustomerRecord {
        id: 1,
        class: CustomerType::Business,
        first_name: None,
        last_name: None,
        company_name: Some(name.into()),
        status: CustomerStatus::Open,
        bill_profile_id: None,
        service_address: None,
        fields: vec![],
        created_at: at(1_700_000_000),
    };
    for (db, name) in [(&acme, "Acme Customer"), (&globex, "Globex Customer")] {
        let mut tx = db.begin().await.unwrap();
        tx.insert_customer(&customer(name)).await.unwrap();
        tx.commit().await.unwrap();
    }

    let (_, a) = acme.load_config().await.unwrap();
    let (_, b) = globex.load_config().await.unwrap();
    assert_eq!(a.products.len(), 3);
    assert_eq!(b.products.len(), 1);
    assert_eq!(b.products[0].name.as_deref(), Some("Globex Fiber"));
    assert_eq!(acme.customer(1).await.unwrap().unwrap().company_name.as_deref(), Some("Acme Customer"));
    assert_eq!(globex.customer(1).await.unwrap().unwrap().company_name.as_deref(), Some("Globex Customer"));

    // Each lives in its own file or schema.
    let side = SideDoor::new(&t.url);
    assert_eq!(side.texts("acme", "SELECT company_name FROM {p}customers").await, vec!["Acme Customer"]);
    assert_eq!(side.texts("globex_west", "SELECT company_name FROM {p}customers").await, vec!["Globex Customer"]);
    match DatabaseUrl::parse(&t.url).unwrap() {
        DatabaseUrl::Sqlite(main) => {
            let store = SqliteStore::open(&main).await.unwrap();
            assert_eq!(
                store.client_path("globex-west").unwrap(),
                main.with_extension("clients").join("globex_west.db")
            );
            assert!(store.client_path("acme").unwrap().is_file());
        }
        DatabaseUrl::Postgres(url) => {
            let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
            let schemas: Vec<String> = sqlx::query_scalar(
                "SELECT table_schema::text FROM information_schema.tables WHERE table_name = 'customers' ORDER BY 1",
            )
            .fetch_all(&mut c)
            .await
            .unwrap();
            assert_eq!(schemas, vec!["client_acme", "client_globex_west"]);
            let registry: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'patchbay' AND table_name = 'sessions'",
            )
            .fetch_one(&mut c)
            .await
            .unwrap();
            assert_eq!(registry, 1);
        }
    }
}

#[tokio::test]
async fn client_registry_and_codes() {
    let t = fresh().await;
    assert!(t.store.clients().await.unwrap().is_empty());
    assert!(t.store.client("acme").await.unwrap().is_none());
    assert!(t.store.client("../etc/passwd").await.unwrap().is_none());
    assert!(t.store.client("ACME").await.unwrap().is_none());

    t.store.put_client(&client_info("globex")).await.unwrap();
    t.store.put_client(&client_info("acme")).await.unwrap();
    let mut updated = client_info("acme");
    updated.name = "Acme Corp".into();
    updated.session_idle_minutes = 90;
    t.store.put_client(&updated).await.unwrap();
    assert_eq!(t.store.clients().await.unwrap(), vec![updated, client_info("globex")]);

    for bad in ["", "Acme", "a b", "a.b", "x/y", &"a".repeat(41)] {
        let err = t.store.put_client(&client_info(bad)).await.unwrap_err();
        assert!(err.to_string().contains("not valid"), "{bad:?}: {err}");
    }
    t.store.put_client(&client_info(&"a".repeat(40))).await.unwrap();

    // `a-b` and `a_b` would share a database.
    t.store.put_client(&client_info("a-b")).await.unwrap();
    let err = t.store.put_client(&client_info("a_b")).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    assert!(t.store.client("a_b").await.unwrap().is_none());

    // A second store on the same database sees the clients (another process).
    let other = patchbay_store::open(&t.url).await.unwrap();
    assert!(other.client("acme").await.unwrap().is_some());
    assert_eq!(other.clients().await.unwrap().len(), 4);
    other.close().await;

    // Migrating again is harmless.
    t.store.migrate().await.unwrap();
    t.store.ping().await.unwrap();
}

/// acme's user 2 may act as user 1 until `at(2_000_000)`.
fn acme_grant(key_hash: &str) -> ImpersonationGrant {
    ImpersonationGrant {
        key_hash: key_hash.into(),
        client: "acme".into(),
        grantor_user_id: 1,
        grantee_user_id: 2,
        expires_at: at(2_000_000),
    }
}

#[tokio::test]
async fn sessions_and_grants() {
    let t = fresh().await;
    t.store.put_client(&client_info("acme")).await.unwrap();
    t.store.put_client(&ClientInfo { session_idle_minutes: 10, ..client_info("globex") }).await.unwrap();
    let s = SessionRecord {
        key_hash: "h1".into(),
        client: "acme".into(),
        user_id: 1,
        impersonator_user_id: Some(2),
        created_at: at(1_000_000),
        last_used_at: at(1_000_000),
        expires_at: Some(at(1_086_400)),
    };
    t.store.insert_session(&s).await.unwrap();
    assert_eq!(t.store.session("h1").await.unwrap(), Some(s.clone()));
    assert_eq!(t.store.session("nope").await.unwrap(), None);
    assert!(matches!(t.store.insert_session(&s).await.unwrap_err(), StoreError::Conflict(_)));

    t.store.touch_session("h1", at(1_000_600)).await.unwrap();
    // Never moves back.
    t.store.touch_session("h1", at(1_000_300)).await.unwrap();
    assert_eq!(t.store.session("h1").await.unwrap().unwrap().last_used_at, at(1_000_600));

    let s2 = SessionRecord { key_hash: "h2".into(), impersonator_user_id: None, expires_at: None, ..s.clone() };
    let g1 = SessionRecord { key_hash: "g1".into(), client: "globex".into(), ..s2.clone() };
    t.store.insert_session(&s2).await.unwrap();
    t.store.insert_session(&g1).await.unwrap();

    // acme: 30 minutes idle; globex: 10.
    assert_eq!(t.store.count_live_sessions(at(1_000_000 + 10 * 60)).await.unwrap(), 3);
    assert_eq!(t.store.count_live_sessions(at(1_000_000 + 10 * 60 + 1)).await.unwrap(), 2);
    assert_eq!(t.store.count_live_sessions(at(1_000_600 + 30 * 60)).await.unwrap(), 1);
    assert_eq!(t.store.count_live_sessions(at(1_000_600 + 30 * 60 + 1)).await.unwrap(), 0);

    assert_eq!(t.store.expire_sessions("acme", at(1_000_001)).await.unwrap(), 1, "only h2 is idle");
    assert!(t.store.session("h2").await.unwrap().is_none());
    assert!(t.store.session("h1").await.unwrap().is_some());
    assert!(t.store.session("g1").await.unwrap().is_some(), "other clients untouched");

    t.store.delete_session("h1").await.unwrap();
    t.store.delete_session("h1").await.unwrap();
    assert!(t.store.session("h1").await.unwrap().is_none());

    let g = acme_grant("k");
    t.store.insert_grant(&g).await.unwrap();
    assert_eq!(t.store.grant("k").await.unwrap(), Some(g.clone()));
    assert_eq!(t.store.grant("other").await.unwrap(), None);
    assert!(matches!(t.store.insert_grant(&g).await.unwrap_err(), StoreError::Conflict(_)));
}

#[tokio::test]
async fn audited_registry_changes_commit_with_their_record() {
    let t = fresh().await;
    t.store.put_client(&client_info("acme")).await.unwrap();
    t.store.put_client(&client_info("globex")).await.unwrap();
    let audit = |operation: &str, entity: &str| AuditRecord {
        operation: operation.into(),
        entity: entity.into(),
        on_behalf_of_user_id: None,
        ..audit_record(vec![1])
    };
    let s = SessionRecord {
        key_hash: "h1".into(),
        client: "acme".into(),
        user_id: 1,
        impersonator_user_id: None,
        created_at: at(1_000_000),
        last_used_at: at(1_000_000),
        expires_at: None,
    };
    let create = audit("Sessions_Create", "session");
    assert!(t.store.registry_change(&RegistryChange::InsertSession(s.clone()), &create).await.unwrap());
    assert_eq!(t.store.session("h1").await.unwrap(), Some(s.clone()));
    // A change that fails writes no record either.
    let again = t.store.registry_change(&RegistryChange::InsertSession(s.clone()), &create).await;
    assert!(matches!(again.unwrap_err(), StoreError::Conflict(_)));
    assert_eq!(t.store.registry_audit("acme").await.unwrap(), std::slice::from_ref(&create));

    // Another client cannot end it; nothing to change is nothing written.
    let destroy = audit("Sessions_Destroy", "session");
    let as_globex = RegistryChange::DeleteSession { client: "globex".into(), key_hash: "h1".into() };
    assert!(!t.store.registry_change(&as_globex, &destroy).await.unwrap());
    assert!(t.store.session("h1").await.unwrap().is_some());
    let end = RegistryChange::DeleteSession { client: "acme".into(), key_hash: "h1".into() };
    assert!(t.store.registry_change(&end, &destroy).await.unwrap());
    assert!(t.store.session("h1").await.unwrap().is_none());
    assert!(!t.store.registry_change(&end, &destroy).await.unwrap());

    let g = acme_grant("k");
    let grant = audit("Impersonation_Authorize", "user");
    assert!(t.store.registry_change(&RegistryChange::InsertGrant(g.clone()), &grant).await.unwrap());
    assert_eq!(t.store.grant("k").await.unwrap(), Some(g));
    assert_eq!(t.store.registry_audit("acme").await.unwrap(), [create, destroy, grant]);
    assert_eq!(t.store.registry_audit("globex").await.unwrap(), []);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn next_id_is_unique_under_concurrency() {
    let (t, db) = with_client("acme").await;
    // A second store on the same database stands for a second process.
    let other = patchbay_store::open(&t.url).await.unwrap();
    let db2 = other.client("acme").await.unwrap().unwrap();
    let mut tasks = Vec::new();
    for i in 0..4 {
        let db = if i % 2 == 0 { db.clone() } else { db2.clone() };
        tasks.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for _ in 0..50 {
                let mut tx = db.begin().await.unwrap();
                ids.push(tx.next_id("customer").await.unwrap());
                tx.commit().await.unwrap();
            }
            ids
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        let ids = task.await.unwrap();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "monotonic within a task: {ids:?}");
        all.extend(ids);
    }
    let unique: HashSet<_> = all.iter().copied().collect();
    assert_eq!(unique.len(), 200);
    assert_eq!(*all.iter().max().unwrap(), 200);
    other.close().await;
}

#[tokio::test]
async fn dropping_a_transaction_rolls_it_back() {
    let (t, db) = with_client("acme").await;
    put_config(&*db, &full_config()).await;
    let v = db.config_version().await.unwrap();
    let changes = db.config_changes();
    {
        let mut tx = db.begin().await.unwrap();
        assert_eq!(tx.next_id("product").await.unwrap(), 103);
        tx.put_product(&product(103, "5.00")).await.unwrap();
        tx.audit(&audit_record(vec![103])).await.unwrap();
        drop(tx);
    }
    assert_eq!(db.config_version().await.unwrap(), v);
    assert_eq!(db.config_changes(), changes, "nothing was committed");
    let (_, c) = db.load_config().await.unwrap();
    assert_eq!(c.products.len(), 3);
    let side = SideDoor::new(&t.url);
    assert!(side.texts("acme", "SELECT operation FROM {p}audit_log").await.is_empty());

    // The writer is free again, and the id is not handed out twice: on SQLite the counter
    // rolled back with the rest (103 is free again); on PostgreSQL ids are reserved outside
    // the request's transaction, so 103 is a gap.
    let mut tx = db.begin().await.unwrap();
    let expected = if t.url.starts_with("postgres") { 104 } else { 103 };
    assert_eq!(tx.next_id("product").await.unwrap(), expected);
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn audit_commits_with_the_change() {
    let (t, db) = with_client("acme").await;
    put_config(&*db, &full_config()).await;
    let mut tx = db.begin().await.unwrap();
    tx.put_product(&product(100, "36.00")).await.unwrap();
    tx.audit(&audit_record(vec![100, 101])).await.unwrap();
    tx.audit(&AuditRecord { on_behalf_of_user_id: None, entity_ids: vec![], ..audit_record(vec![]) }).await.unwrap();
    tx.commit().await.unwrap();

    let side = SideDoor::new(&t.url);
    let rows = side
        .texts(
            "acme",
            "SELECT operation || ' ' || entity || ' ' || entity_ids || ' ' || CAST(user_id AS TEXT) || ' ' || \
             COALESCE(CAST(on_behalf_of_user_id AS TEXT), '-') || ' ' || CAST(at AS TEXT) FROM {p}audit_log ORDER BY id",
        )
        .await;
    assert_eq!(
        rows,
        vec!["Products_Create product [100,101] 1 2 1700000000", "Products_Create product [] 1 - 1700000000"]
    );
}

#[tokio::test]
async fn customers_services_and_their_products() {
    let (t, db) = with_client("acme").await;
    put_config(&*db, &full_config()).await;
    assert!(db.customer(1).await.unwrap().is_none());

    let with_address = CustomerRecord {
        id: 0,
        class: CustomerType::Residential,
        first_name: Some("Ada".into()),
        last_name: Some("Lovelace".into()),
        company_name: None,
        status: CustomerStatus::Pending,
        bill_profile_id: Some(1),
        service_address: Some(AddressRecord {
            first_name: "Ada".into(),
            last_name: "Lovelace".into(),
            address1: "1 Main St".into(),
            address2: None,
            city: "Austin".into(),
            state: "TX".into(),
            zip: "78701".into(),
            zip4: Some("1234".into()),
            country: "US".into(),
        }),
        fields: vec![FieldValue { field_id: 1, value: "Gold".into() }, FieldValue { field_id: 2, value: "x".into() }],
        created_at: at(1_700_000_123),
    };
    let mut tx = db.begin().await.unwrap();
    let id = tx.next_id("customer").await.unwrap();
    let c1 = CustomerRecord { id, ..with_address.clone() };
    tx.insert_customer(&c1).await.unwrap();
    // An explicit id moves the counter on.
    let c2 = CustomerRecord {
        id: 40,
        service_address: Some(AddressRecord::default()),
        fields: vec![],
        status: CustomerStatus::Open,
        ..with_address.clone()
    };
    tx.insert_customer(&c2).await.unwrap();
    let c3 = CustomerRecord { id: 41, service_address: None, bill_profile_id: None, ..c2.clone() };
    tx.insert_customer(&c3).await.unwrap();
    assert_eq!(tx.next_id("customer").await.unwrap(), 42);
    tx.commit().await.unwrap();

    assert_eq!(db.customer(id).await.unwrap(), Some(c1.clone()));
    assert_eq!(db.customer(40).await.unwrap(), Some(c2), "an empty address is still an address");
    assert_eq!(db.customer(41).await.unwrap(), Some(c3));

    let mut tx = db.begin().await.unwrap();
    let err = tx.insert_customer(&c1).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    drop(tx);

    // Services and customer products have no write method on the traits yet: write them
    // behind the store's back.
    SideDoor::new(&t.url)
        .exec(
            "acme",
            &format!(
                "INSERT INTO {{p}}services (id, customer_id, tn, line_type_id, provider_id, package_id, description, created_at) \
                 VALUES (5, {id}, '5125550100', 3, 10, 1000, 'Main line', 1700000200), \
                        (6, {id}, NULL, NULL, NULL, NULL, NULL, 1700000300); \
                 INSERT INTO {{p}}customer_products (id, customer_id, service_id, product_id, description, rate, quantity, \
                        status, activated_at, billed_through) \
                 VALUES (7, {id}, 5, 100, 'Plan', '35.00', 1, 'ACTIVE', 1700000400, NULL), \
                        (8, {id}, NULL, 101, NULL, '9.99', 2, 'PENDING', NULL, 1700000500);"
            ),
        )
        .await;

    assert_eq!(db.customer_id_by_tn("5125550100").await.unwrap(), Some(id));
    assert_eq!(db.customer_id_by_tn("000").await.unwrap(), None);
    assert_eq!(
        db.services_of(id).await.unwrap(),
        vec![
            ServiceRecord {
                id: 5,
                customer_id: id,
                tn: Some("5125550100".into()),
                line_type_id: Some(3),
                provider_id: Some(10),
                package_id: Some(1000),
                description: Some("Main line".into()),
                created_at: at(1_700_000_200),
                provider_account_id: None,
                alt_btn_id: None,
                pbx_make: None,
                pbx_model: None,
            },
            ServiceRecord {
                id: 6,
                customer_id: id,
                tn: None,
                line_type_id: None,
                provider_id: None,
                package_id: None,
                description: None,
                created_at: at(1_700_000_300),
                provider_account_id: None,
                alt_btn_id: None,
                pbx_make: None,
                pbx_model: None,
            },
        ]
    );
    assert!(db.services_of(40).await.unwrap().is_empty());
    let products = db.customer_products_of(id).await.unwrap();
    assert_eq!(
        products,
        vec![
            CustomerProductRecord {
                id: 7,
                customer_id: id,
                service_id: Some(5),
                product_id: 100,
                description: Some("Plan".into()),
                rate: dec("35.00"),
                quantity: 1,
                status: CustomerProductStatus::Active,
                activated_at: Some(at(1_700_000_400)),
                billed_through: None,
            },
            CustomerProductRecord {
                id: 8,
                customer_id: id,
                service_id: None,
                product_id: 101,
                description: None,
                rate: dec("9.99"),
                quantity: 2,
                status: CustomerProductStatus::Pending,
                activated_at: None,
                billed_through: Some(at(1_700_000_500)),
            },
        ]
    );
    assert_eq!(products[0].rate.to_string(), "35.00");
}

#[tokio::test]
async fn data_survives_closing_and_reopening() {
    let (t, db) = with_client("acme").await;
    put_config(&*db, &full_config()).await;
    let (v, _) = db.load_config().await.unwrap();
    drop(db);
    t.store.close().await;

    let store = patchbay_store::open(&t.url).await.unwrap();
    store.migrate().await.unwrap();
    let db = store.client("acme").await.unwrap().unwrap();
    assert_eq!(db.load_config().await.unwrap(), (v, full_config()));
    store.close().await;
}

#[tokio::test]
async fn bad_urls_say_what_to_do() {
    let err = patchbay_store::open("mysql://root:secret@localhost/x").await.err().unwrap().to_string();
    assert!(err.contains("sqlite://PATH") && err.contains("postgres://") && !err.contains("secret"), "{err}");

    let err = patchbay_store::open("sqlite:///no/such/folder/patchbay.db").await.err().unwrap().to_string();
    assert!(err.contains("/no/such/folder") && err.contains("does not exist"), "{err}");

    let err = patchbay_store::open("postgres://u:secret@127.0.0.1:1/db").await.err().unwrap().to_string();
    assert!(err.contains("cannot connect to PostgreSQL at 127.0.0.1:1") && !err.contains("secret"), "{err}");

    let err = patchbay_store::open("postgres://u@[bad").await.err().unwrap().to_string();
    assert!(err.contains("postgres://USER:PASSWORD@HOST:PORT/DATABASE"), "{err}");
}

#[tokio::test]
async fn sqlite_files_are_durable() {
    // SQLite only: the pragmas a write's durability rests on.
    let dir = tempfile::tempdir().unwrap();
    let main = dir.path().join("patchbay.db");
    let store = SqliteStore::open(&main).await.unwrap();
    store.migrate().await.unwrap();
    store.put_client(&client_info("acme")).await.unwrap();
    drop(store.client("acme").await.unwrap());
    for path in [main.clone(), store.client_path("acme").unwrap()] {
        let url = format!("sqlite://{}", path.display());
        let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&mut c).await.unwrap();
        assert_eq!(mode, "wal", "{}", path.display());
    }
    assert_eq!(store.clients_dir(), dir.path().join("patchbay.clients"));
    store.close().await;
}
