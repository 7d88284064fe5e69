//! Customers_Create and Customers_Query through both bindings.

mod common;
use common::*;
use serde_json::{json, Value};

fn address() -> Value {
    json!({"FirstName": "Dana", "LastName": "Reyes", "Address1": "1200 Main St", "Address2": "Apt 4", "City": "Houston", "State": "TX", "Zip": "77002", "Zip4": "1234"})
}

#[tokio::test]
async fn create_then_query_returns_everything() {
    let app = TestApp::new().await;
    for b in BINDINGS {
        let created = app
            .call(
                b,
                "Customers_Create",
                with(
                    acme(),
                    json!({"CustomerClass": "Residential", "FirstName": "Dana", "LastName": "Reyes", "ServiceAddress": address(),
                           "BillProfileID": 1, "Status": "Open", "Fields": [{"Label": "Plan Tier", "Value": "Gold"}]}),
                ),
            )
            .await;
        assert_ok(&created);
        let id = created["CustomerID"].as_i64().unwrap();
        let q = app.call(b, "Customers_Query", with(acme(), json!({"CustomerID": id}))).await;
        assert_ok(&q);
        let c = &q["Customer"];
        assert_eq!(c["CustomerID"], id);
        assert_eq!(c["CustomerClass"], "Residential");
        assert_eq!(c["FirstName"], "Dana");
        assert_eq!(c["Status"], "Open");
        assert_eq!(c["BillProfileID"], 1);
        assert_eq!(c["ServiceAddress"]["City"], "Houston");
        assert_eq!(c["ServiceAddress"]["Zip4"], "1234");
        assert_eq!(c["ServiceAddress"]["Country"], "USA", "Country defaults to USA");
        assert_eq!(c["Fields"], json!([{"FieldID": 31, "Label": "Plan Tier", "Value": "Gold"}]));
        assert_eq!(c["Services"], json!([]));

        let business = app
            .call(
                b,
                "Customers_Create",
                with(acme(), json!({"CustomerClass": "Business", "CompanyName": "Bluebonnet LLC"})),
            )
            .await;
        assert_ok(&business);
        let q = app.call(b, "Customers_Query", with(acme(), json!({"CustomerID": business["CustomerID"]}))).await;
        assert_eq!(q["Customer"]["Status"], "Pending", "Status defaults to Pending");
        assert_eq!(q["Customer"]["CompanyName"], "Bluebonnet LLC");
    }
}

#[tokio::test]
async fn address_rules() {
    let app = TestApp::new().await;
    let cases: Vec<(Value, &str, &str)> = vec![
        (json!({"ID": 3}), "S2010", "ServiceAddress/ID"),
        (json!({"FirstName": null}), "S2010", "ServiceAddress/FirstName"),
        (json!({"LastName": ""}), "S2010", "ServiceAddress/LastName"),
        (json!({"Address1": null}), "S2010", "ServiceAddress/Address1"),
        (json!({"City": null}), "S2010", "ServiceAddress/City"),
        (json!({"State": "Texas"}), "S2010", "ServiceAddress/State"),
        (json!({"State": "NY"}), "S2010", "ServiceAddress/State"),
        (json!({"Zip": "7700"}), "S2010", "ServiceAddress/Zip"),
        (json!({"Zip": "00000"}), "S2015", "ServiceAddress/Zip"),
        (json!({"Zip4": "12"}), "S2010", "ServiceAddress/Zip4"),
        (json!({"Country": "US"}), "S2010", "ServiceAddress/Country"),
    ];
    for b in BINDINGS {
        for (patch, code, field) in &cases {
            let mut a = address();
            for (k, v) in patch.as_object().unwrap() {
                if v.is_null() {
                    a.as_object_mut().unwrap().remove(k);
                } else {
                    a[k] = v.clone();
                }
            }
            let r = app
                .call(
                    b,
                    "Customers_Create",
                    with(
                        acme(),
                        json!({"CustomerClass": "Residential", "FirstName": "A", "LastName": "B", "ServiceAddress": a}),
                    ),
                )
                .await;
            assert_error(&r, code);
            assert!(message(&r).contains(field), "{b:?} {patch}: {}", message(&r));
        }
    }
}

#[tokio::test]
async fn create_and_query_refusals() {
    let app = TestApp::new().await;
    for b in BINDINGS {
        let no_class = app.call(b, "Customers_Create", with(acme(), json!({"FirstName": "A", "LastName": "B"}))).await;
        assert_error(&no_class, "S2010");
        assert!(message(&no_class).contains("CustomerClass"));
        let no_company = app.call(b, "Customers_Create", with(acme(), json!({"CustomerClass": "Business"}))).await;
        assert_error(&no_company, "S2010");
        assert!(message(&no_company).contains("CompanyName"));
        let bad_profile = app
            .call(
                b,
                "Customers_Create",
                with(acme(), json!({"CustomerClass": "Business", "CompanyName": "X", "BillProfileID": 9})),
            )
            .await;
        assert_error(&bad_profile, "B2012");
        let bad_field = app
            .call(b, "Customers_Create", with(acme(), json!({"CustomerClass": "Business", "CompanyName": "X", "Fields": [{"FieldID": 31, "Label": "Nope"}]})))
            .await;
        assert_error(&bad_field, "S2010");

        assert_error(&app.call(b, "Customers_Query", with(acme(), json!({"CustomerID": 4242}))).await, "C2002");
        assert_error(&app.call(b, "Customers_Query", with(acme(), json!({"TN": "5550001111"}))).await, "C2002");
        let neither = app.call(b, "Customers_Query", with(acme(), json!({}))).await;
        assert_error(&neither, "S2010");
    }
}
