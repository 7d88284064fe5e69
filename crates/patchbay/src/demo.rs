//! The bundled demo: the example settings, a handful of customers and some inventory.

use anyhow::{bail, Context, Result};
use patchbay_api::customers::CustomerProductStatus;
use patchbay_core::model::{CustomerProductRecord, ServiceRecord};
use patchbay_core::Engine;
use patchbay_schema::DateTime;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::net::SocketAddr;

pub const SETTINGS: &str = include_str!("../../../demo/settings.toml");

fn customers() -> Vec<Value> {
    vec![
        json!({"CustomerClass": "Residential", "FirstName": "Dana", "LastName": "Reyes", "Status": "Open", "BillProfileID": 1,
               "ServiceAddress": {"FirstName": "Dana", "LastName": "Reyes", "Address1": "1200 Main St", "City": "Houston", "State": "TX", "Zip": "77002"}}),
        json!({"CustomerClass": "Residential", "FirstName": "Sam", "LastName": "Okafor", "Status": "Pending", "BillProfileID": 1,
               "ServiceAddress": {"FirstName": "Sam", "LastName": "Okafor", "Address1": "350 5th Ave", "City": "New York", "State": "NY", "Zip": "10118"}}),
        json!({"CustomerClass": "Business", "CompanyName": "Bluebonnet Plumbing LLC", "Status": "Open", "BillProfileID": 2,
               "ServiceAddress": {"FirstName": "Lee", "LastName": "Nguyen", "Address1": "900 Congress Ave", "City": "Austin", "State": "TX", "Zip": "78701"}}),
        json!({"CustomerClass": "Residential", "FirstName": "Priya", "LastName": "Shah", "Status": "Prospect"}),
    ]
}

fn demo_credentials() -> Value {
    json!({"Username": "api", "Password": "correct horse battery", "Client": "acme"})
}

/// Creates the demo customers once: a database that already has customer 1 is left alone.
pub async fn populate(engine: &Engine) -> Result<()> {
    let probe = engine
        .execute("Customers_Query", json!({"Credentials": demo_credentials(), "CustomerID": 1}))
        .await
        .expect("Customers_Query exists");
    if probe.result["Header"]["Success"] == true {
        return Ok(());
    }
    for mut c in customers() {
        c["Credentials"] = demo_credentials();
        let done = engine.execute("Customers_Create", c).await.expect("Customers_Create exists");
        if done.result["Header"]["Success"] != true {
            bail!("demo customer refused: {}", done.result["Header"]);
        }
    }
    let first_sim = inventory(engine).await?;
    line(engine, first_sim).await
}

/// Demo inventory: a SIM card type with ten SIMs, a handset type with three phones, and a
/// telephone number type with five DIDs, created through the API like the customers. Returns
/// the first SIM's id.
async fn inventory(engine: &Engine) -> Result<i64> {
    let call = |op: &'static str, mut req: Value| async move {
        req["Credentials"] = demo_credentials();
        let done = engine.execute(op, req).await.expect("inventory operations exist");
        if done.result["Header"]["Success"] != true {
            bail!("demo {op} refused: {}", done.result["Header"]);
        }
        Ok(done.result)
    };
    let sim = call(
        "InventoryTypes_Create",
        json!({"InventoryType": {"Type": "SIM_Card", "Identifier": "ICCID", "Name": "Nano SIM", "RequiresProduct": true,
               "Format": "ICCID_DECIMAL", "ProductIDs": [100]}}),
    )
    .await?["ID"]
        .clone();
    let phone = call(
        "InventoryTypes_Create",
        json!({"InventoryType": {"Type": "Mobile_Device", "Identifier": "ESN/MEID", "Name": "Phone X", "RequiresProduct": true,
               "Format": "ESN_OR_MEID_DECIMAL", "ProductIDs": [102],
               "ItemFields": [{"Label": "Color", "FieldType": "Drop Down List", "Options": ["Black", "Silver"], "DefaultValue": "Black"}]}}),
    )
    .await?["ID"]
        .clone();
    let did = call(
        "InventoryTypes_Create",
        json!({"InventoryType": {"Type": "Telephone_Number", "Identifier": "DID", "Name": "Austin DIDs", "ProductIDs": [101]}}),
    )
    .await?["ID"]
        .clone();
    // Real ICCIDs: issuer 8901410, a serial, and the Luhn check digit.
    let sims: Vec<Value> = (1..=10u64).map(|n| json!({"InventoryTypeID": sim, "Identifier": iccid(n)})).collect();
    let sim_ids = call("Inventory_Bulk_Create", json!({"InventoryItems": sims})).await?["InventoryItemIDs"].clone();
    let phones = vec![
        json!({"InventoryTypeID": phone, "Identifier": "15901193046", "Wireless": {"MSL": "123456"}}),
        json!({"InventoryTypeID": phone, "Identifier": "268435456000009001", "Fields": [{"Label": "Color", "Value": "Silver"}]}),
        json!({"InventoryTypeID": phone, "Identifier": "25516777215", "Status": "UNAVAILABLE", "UnavailableReasonID": 1, "Note": "cracked screen"}),
    ];
    call("Inventory_Bulk_Create", json!({"InventoryItems": phones})).await?;
    let dids: Vec<Value> =
        (0..5).map(|n| json!({"InventoryTypeID": did, "Identifier": format!("51255501{n:02}")})).collect();
    call("Inventory_Bulk_Create", json!({"InventoryItems": dids})).await?;
    sim_ids.get(0).and_then(Value::as_i64).context("the demo SIMs have ids")
}

/// The demo's first customer gets a wireless line (the Wireless Starter package: Unlimited Talk
/// & Text and Voicemail) with a SIM card and a phone number on it. Lines come from orders, which
/// the demo does not place, so the line and its products are written directly; the inventory is
/// then assigned through the API like any integration would.
async fn line(engine: &Engine, sim_id: i64) -> Result<()> {
    const CUSTOMER: i32 = 1;
    const TN: &str = "5125550100";
    // Written by the demo's api user (user 1), through the client's system context.
    let ctx = engine.system_ctx("acme", "patchbay serve --demo").await?.acting_as("api")?;
    let now = DateTime::now();
    let mut tx = ctx.db().begin().await?;
    let service_id = tx.next_id("service").await?;
    tx.insert_service(&ServiceRecord {
        id: service_id,
        customer_id: CUSTOMER,
        tn: Some(TN.into()),
        line_type_id: Some(3),
        provider_id: Some(10),
        package_id: Some(1000),
        description: Some("Wireless Starter".into()),
        created_at: now,
    })
    .await?;
    let mut product_ids = Vec::new();
    for (product_id, rate) in [(100, Decimal::new(3500, 2)), (101, Decimal::new(300, 2))] {
        let id = tx.next_id("customer_product").await?;
        tx.insert_customer_product(&CustomerProductRecord {
            id,
            customer_id: CUSTOMER,
            service_id: Some(service_id),
            product_id,
            description: None,
            rate,
            quantity: 1,
            status: CustomerProductStatus::Active,
            activated_at: Some(now),
            billed_through: None,
        })
        .await?;
        product_ids.push(id);
    }
    ctx.audit(&mut *tx, "service", &[i64::from(service_id)]).await?;
    tx.commit().await?;

    for (op, req) in [
        (
            "Inventory_Assign",
            json!({"InventoryItemID": sim_id, "CustomerID": CUSTOMER, "LineID": service_id, "CustomerProductID": product_ids[0]}),
        ),
        (
            "InventoryTypes_Assign",
            json!({"Identifiers": [TN], "LineID": service_id, "CustomerProductID": product_ids[1]}),
        ),
    ] {
        let mut req = req;
        req["Credentials"] = demo_credentials();
        let done = engine.execute(op, req).await.expect("inventory operations exist");
        if done.result["Header"]["Success"] != true {
            bail!("demo {op} refused: {}", done.result["Header"]);
        }
    }
    Ok(())
}

fn iccid(n: u64) -> String {
    let payload = format!("8901410{n:012}");
    let check = patchbay_core::ops::identifiers::luhn_check_digit(&payload);
    format!("{payload}{check}")
}

pub fn print_welcome(addr: SocketAddr) {
    println!(
        "Patchbay demo
  clients:  acme (users api / \"correct horse battery\", viewer / \"viewer pass 123\")
            globex (user api / \"another strong pass\")
  SOAP:     http://{addr}/v20/default.asmx  (WSDL: ?WSDL)
  JSON:     http://{addr}/api/v20/{{Operation}}  (OpenAPI: /api/v20/openapi.json)
  try:
    curl -s -u 'api@acme:correct horse battery' -H 'Content-Type: application/json' \\
         -d '{{\"ProductID\": 100}}' http://{addr}/api/v20/Products_Query
"
    );
}
