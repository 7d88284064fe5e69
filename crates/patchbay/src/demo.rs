//! The bundled demo: the example settings and a handful of customers.

use anyhow::{bail, Result};
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
    Ok(())
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
