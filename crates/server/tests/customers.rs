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
        // Country must be an assigned ISO 3166-1 alpha-3 code.
        (
            json!({"Country": "XYZ"}),
            "S2010",
            "ServiceAddress/Country: \"XYZ\" is not an ISO 3166-1 alpha-3 country code",
        ),
        (json!({"Country": "ZZZ"}), "S2010", "ServiceAddress/Country: \"ZZZ\" is not an ISO 3166-1 alpha-3"),
        (json!({"Country": "ANT"}), "S2010", "ServiceAddress/Country"),
        // Zip is 5 digits and a real US ZIP whatever the Country.
        (json!({"State": "ON", "Zip": "K1A0B1", "Country": "CAN"}), "S2010", "ServiceAddress/Zip: must be 5 digits"),
        (json!({"State": "ON", "Zip": "K1A 0B1", "Country": "CAN"}), "S2010", "ServiceAddress/Zip: must be 5 digits"),
        (json!({"Zip": "770021", "Country": "MEX"}), "S2010", "ServiceAddress/Zip: must be 5 digits"),
        (
            json!({"State": "ON", "Zip": "00000", "Country": "CAN"}),
            "S2015",
            "ServiceAddress/Zip: 00000 is not a known US ZIP",
        ),
        // For USA (given, in any case, or by default) the State must be the ZIP's.
        (json!({"State": "NY", "Country": "USA"}), "S2010", "ServiceAddress/State: NY does not match ZIP 77002"),
        (json!({"State": "NY", "Country": "usa"}), "S2010", "ServiceAddress/State: NY does not match ZIP 77002"),
    ];
    for b in BINDINGS {
        for (patch, code, field) in &cases {
            let a = patched(patch);
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

/// The base address with `patch` applied (a null removes the field).
fn patched(patch: &Value) -> Value {
    let mut a = address();
    for (k, v) in patch.as_object().unwrap() {
        if v.is_null() {
            a.as_object_mut().unwrap().remove(k);
        } else {
            a[k] = v.clone();
        }
    }
    a
}

#[tokio::test]
async fn address_countries_accepted() {
    let app = TestApp::new().await;
    // (patch, the stored Country, the stored State)
    let cases: Vec<(Value, &str, &str)> = vec![
        (json!({"Country": "USA"}), "USA", "TX"),
        (json!({"Country": "usa"}), "USA", "TX"),
        (json!({"Country": " Usa ", "State": "tx"}), "USA", "TX"),
        (json!({"Country": "UKR"}), "UKR", "TX"),
        (json!({"Country": "PRI", "State": "PR", "Zip": "00901"}), "PRI", "PR"),
        (json!({"Country": "VIR", "State": "VI", "Zip": "00802"}), "VIR", "VI"),
        (json!({"Country": "GUM", "State": "GU", "Zip": "96910"}), "GUM", "GU"),
        // Outside the USA the ZIP must still be real, but its state is not checked.
        (json!({"Country": "CAN", "State": "ON"}), "CAN", "ON"),
        (json!({"Country": "mex", "State": "NL"}), "MEX", "NL"),
    ];
    for b in BINDINGS {
        for (patch, country, state) in &cases {
            let r = app
                .call(
                    b,
                    "Customers_Create",
                    with(
                        acme(),
                        json!({"CustomerClass": "Residential", "FirstName": "A", "LastName": "B", "ServiceAddress": patched(patch)}),
                    ),
                )
                .await;
            assert_ok(&r);
            let q = app.call(b, "Customers_Query", with(acme(), json!({"CustomerID": r["CustomerID"]}))).await;
            assert_ok(&q);
            let a = &q["Customer"]["ServiceAddress"];
            assert_eq!(a["Country"], *country, "{b:?} {patch}");
            assert_eq!(a["State"], *state, "{b:?} {patch}");
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
