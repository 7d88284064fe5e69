//! The bundled demo: the example settings, a handful of customers and some inventory.

use anyhow::{bail, Context, Result};
use patchbay_core::Engine;
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
    inventory(engine).await?;
    line(engine).await
}

/// Demo inventory: a SIM card type with ten SIMs, a handset type with three phones, and a
/// telephone number type with five DIDs, created through the API like the customers.
async fn inventory(engine: &Engine) -> Result<()> {
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
    call("Inventory_Bulk_Create", json!({"InventoryItems": sims})).await?;
    let phones = vec![
        json!({"InventoryTypeID": phone, "Identifier": "15901193046", "Wireless": {"MSL": "123456"}}),
        json!({"InventoryTypeID": phone, "Identifier": "268435456000009001", "Fields": [{"Label": "Color", "Value": "Silver"}]}),
        json!({"InventoryTypeID": phone, "Identifier": "25516777215", "Status": "UNAVAILABLE", "UnavailableReasonID": 1, "Note": "cracked screen"}),
    ];
    call("Inventory_Bulk_Create", json!({"InventoryItems": phones})).await?;
    let dids: Vec<Value> =
        (0..5).map(|n| json!({"InventoryTypeID": did, "Identifier": format!("51255501{n:02}")})).collect();
    call("Inventory_Bulk_Create", json!({"InventoryItems": dids})).await?;
    Ok(())
}

/// The demo's first customer gets a wireless line (the Wireless Starter package: Unlimited Talk
/// & Text and Voicemail) with a SIM card, ordered with NewOrders_Create and completed with
/// Orders_Update as an integration would, and a phone number assigned to it. The second
/// customer has a handset order still open, so the order views have something in every state.
async fn line(engine: &Engine) -> Result<()> {
    let call = |op: &'static str, mut req: Value| async move {
        req["Credentials"] = demo_credentials();
        let done = engine.execute(op, req).await.expect("demo operations exist");
        if done.result["Header"]["Success"] != true {
            bail!("demo {op} refused: {}", done.result["Header"]);
        }
        Ok(done.result)
    };
    const TN: &str = "5125550100";
    // The first demo SIM (see `inventory`).
    let iccid = iccid(1);
    let ordered = call(
        "NewOrders_Create",
        // Dana brings her number from another carrier: a port-in (a CONVERSION order).
        json!({"CustomerID": 1, "PackageID": 1000, "WirelessICCID": iccid, "Description": "Wireless Starter",
               "WirelessPort": {"MDN": TN, "AccountNumber": "88812", "AuthorizedSigner": "Dana Reyes",
                                "Address": {"FirstName": "Dana", "LastName": "Reyes", "Address1": "1200 Main St",
                                            "City": "Houston", "State": "TX", "Zip": "77002"}}}),
    )
    .await?;
    let service_id = ordered["Lines"][0].as_i64().context("the demo order made a line")?;
    for order in ordered["Orders"].as_array().into_iter().flatten() {
        call("Orders_Update", json!({"OrderID": order, "Status": "COMPLETE", "StatusNote": "Activated by the demo"}))
            .await?;
    }
    let customer = call("Customers_Query", json!({"CustomerID": 1})).await?;
    let voicemail = customer["Customer"]["Services"][0]["Products"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["ProductID"] == 101))
        .and_then(|p| p["ID"].as_i64())
        .context("the demo line has voicemail")?;
    call("InventoryTypes_Assign", json!({"Identifiers": [TN], "LineID": service_id, "CustomerProductID": voicemail}))
        .await?;
    // An open order: a phone for the second customer, shipped to their address.
    call(
        "NewOrders_Create",
        json!({"CustomerID": 2, "PackageID": 1000, "ESN": "15901193046",
               "AdditionalProducts": [{"ProductID": 102}, {"ProductID": 103}],
               "ShippingAddress": {"FirstName": "Sam", "LastName": "Okafor", "Address1": "350 5th Ave",
                                   "City": "New York", "State": "NY", "Zip": "10118"}}),
    )
    .await?;
    // A failed order for the console's work queue: a hosted-voice seat for the third customer
    // that the provider refused.
    let seat = call("NewOrders_Create", json!({"CustomerID": 3, "PackageID": 1001})).await?;
    let failed = seat["Orders"][0].as_i64().context("the demo seat order was made")?;
    call(
        "Orders_Update",
        json!({"OrderID": failed, "Status": "ERROR",
               "StatusNote": "Provider refused: the service address is not on the hosted-voice network yet"}),
    )
    .await?;
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
  console:  http://{addr}/console  (client acme, user api, password \"correct horse battery\")
  try:
    curl -s -u 'api@acme:correct horse battery' -H 'Content-Type: application/json' \\
         -d '{{\"ProductID\": 100}}' http://{addr}/api/v20/Products_Query
"
    );
}
