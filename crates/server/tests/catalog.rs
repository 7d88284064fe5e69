//! Products_Create, Products_Query, Products_Update through both bindings.

mod common;
use common::*;
use serde_json::{json, Value};

fn ids(result: &Value) -> Vec<i64> {
    result["Products"].as_array().unwrap_or(&vec![]).iter().map(|p| p["ID"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn query_by_id_returns_the_documented_shape() {
    let app = TestApp::new().await;
    for b in BINDINGS {
        let r = app.call(b, "Products_Query", with(acme(), json!({"ProductID": 100}))).await;
        assert_ok(&r);
        let p = &r["Products"][0];
        assert_eq!(r["Products"].as_array().unwrap().len(), 1, "{b:?}");
        assert_eq!(p["ID"], 100);
        assert_eq!(p["Name"], "Unlimited Talk & Text");
        assert_eq!(p["Description"], "Unlimited talk and text, 5 GB data");
        assert_eq!(p["WholesaleDescription"], "UTT-5");
        assert_eq!(p["Rate"], "35.00", "{b:?}: money keeps its scale");
        assert_eq!(p["Cost"], "12.50");
        assert_eq!(p["Taxes"], "0.00");
        assert_eq!(
            p["BillProfiles"],
            json!([{"ID": 1, "Name": "Residential Monthly"}, {"ID": 2, "Name": "Business Monthly"}])
        );
        assert_eq!(p["LineTypes"], json!([{"ID": 3, "Description": "Wireless Voice"}]));
        assert_eq!(p["Provisioning"], json!({"Code1": "UTT5", "Code2": "FEAT-DATA5", "Enabled": true}));
        assert_eq!(p["Wireless"]["Voice_Flag"], true);
        assert_eq!(p["Wireless"]["Data_Flag"], true);
        assert_eq!(p["Wireless"]["Allowances"][0]["Quantity"], 5120);
        assert_eq!(p["Wireless"]["Allowances"][0]["Expiration_Days"], 30);
        assert_eq!(p["Wireless"]["Allowances"][0]["Unlimited_Flag"], false);
        assert_eq!(p["Fields"], json!([{"FieldID": 31, "Label": "Plan Tier", "Value": "Gold"}]));
    }
}

#[tokio::test]
async fn create_stores_every_input_and_query_returns_it() {
    let app = TestApp::new().await;
    for b in BINDINGS {
        let created = app
            .call(
                b,
                "Products_Create",
                with(
                    acme(),
                    json!({
                        "CarrierID": 10, "ProductTypeID": 1, "Description": "Family plan", "Code1": "FAM", "Code2": "F2",
                        "Rate": "9.99", "Cost": "1.005", "FreeMonths": 1, "AutomaticExpiration": 12, "BillingMonths": 24,
                        "State": "tx", "BillInArrears": true, "Prorate": true, "ProductCategoryID": 7,
                        "OrderCompletionBilling": true, "CreatesOrder": false, "ActiveFlag": true,
                        "Fields": [{"FieldID": 31, "Value": "Silver"}],
                        "Name": "Family", "CustomerClass": "Residential", "BillProfileIDs": [1], "LineTypeIDs": [3],
                        "Attributes": [{"Key": "network", "Value": "5G"}], "AvailabilityLocations": ["Available_BillCenter"],
                    }),
                ),
            )
            .await;
        assert_ok(&created);
        let id = created["ProductID"].as_i64().unwrap();
        assert!(id > 104, "server assigns a fresh id: {id}");
        let q = app.call(b, "Products_Query", with(acme(), json!({"ProductID": id}))).await;
        let p = &q["Products"][0];
        assert_eq!(p["Rate"], "9.99", "{b:?}");
        assert_eq!(p["Cost"], "1.005");
        assert_eq!(p["State"], "TX");
        assert_eq!(p["FreeMonths"], 1);
        assert_eq!(p["AutomaticExpiration"], 12);
        assert_eq!(p["BillingMonths"], 24);
        assert_eq!(p["BillInArrears"], true);
        assert_eq!(p["Prorate"], true);
        assert_eq!(p["ProductCategoryID"], 7);
        assert_eq!(p["OrderCompletionBilling"], true);
        assert_eq!(p["CreatesOrder"], false);
        assert_eq!(p["Provisioning"]["Enabled"], false);
        assert_eq!(p["Fields"][0]["Label"], "Plan Tier");
        assert_eq!(p["Fields"][0]["Value"], "Silver");
        assert_eq!(p["Attributes"][0]["Value"], "5G");
        assert_eq!(p["AvailabilityLocations"], json!(["Available_BillCenter"]));
        assert_eq!(p["CustomerClass"], "Residential");
    }
}

#[tokio::test]
async fn create_refusals() {
    let app = TestApp::new().await;
    let base = || json!({"CarrierID": 10, "ProductTypeID": 1});
    let cases: Vec<(Value, &str, &str)> = vec![
        (json!({"ID": 5}), "S2010", "ID"),
        (json!({"CarrierID": 99}), "CA2014", ""),
        (json!({"ProductTypeID": 99}), "PT2023", ""),
        (json!({"BillProfileIDs": [9]}), "B2012", ""),
        (json!({"LineTypeIDs": [9]}), "LT2001", ""),
        (json!({"Fields": [{"FieldID": 31, "Label": "Wrong"}]}), "S2010", "Fields/Field[1]/Label"),
        (json!({"Fields": [{"FieldID": 77}]}), "S2010", "FieldID"),
        (json!({"State": "XX"}), "S2010", "State"),
        (json!({"Rate": "1.23456"}), "S2010", "Rate"),
        (json!({"FreeMonths": -1}), "S2010", "FreeMonths"),
        // Values of the wrong type name their field too.
        (json!({"Rate": "abc"}), "S2010", "Rate"),
        (json!({"BillingMonths": 99999999999i64}), "S2010", "BillingMonths"),
        (json!({"CustomerClass": "0x10"}), "S2010", "CustomerClass"),
    ];
    for b in BINDINGS {
        for (patch, code, field) in &cases {
            let mut req = base();
            for (k, v) in patch.as_object().unwrap() {
                req[k] = v.clone();
            }
            let r = app.call(b, "Products_Create", with(acme(), req)).await;
            assert_error(&r, code);
            assert!(message(&r).contains(field), "{b:?} {patch}: message names {field}: {}", message(&r));
        }
        if b == Binding::Json {
            // No text may carry a NUL character (PostgreSQL cannot store it; XML cannot carry it,
            // so a SOAP client cannot send one: `&#0;` is not well-formed and gets a Fault).
            let nul = with(acme(), json!({"CarrierID": 10, "ProductTypeID": 1, "Description": "nul\u{0}here"}));
            let r = app.call(b, "Products_Create", nul).await;
            assert_error(&r, "S2010");
            assert_eq!(message(&r), "Description: must not contain the NUL character (U+0000)");
        }
        let missing = app.call(b, "Products_Create", with(acme(), json!({"ProductTypeID": 1}))).await;
        assert_error(&missing, "S2010");
        assert!(message(&missing).contains("CarrierID"));
    }
    let after =
        app.call(Binding::Json, "Products_Query", with(acme(), json!({"IncludeNonLineCarrierProducts": true}))).await;
    assert_eq!(ids(&after), vec![100, 101, 102, 103], "refused creates change nothing");
}

#[tokio::test]
async fn update_changes_given_fields_and_keeps_the_rest() {
    let app = TestApp::new().await;
    for b in BINDINGS {
        let r = app
            .call(
                b,
                "Products_Update",
                with(acme(), json!({"ID": 101, "CarrierID": 10, "ProductTypeID": 1, "Rate": "4.50", "Code2": ""})),
            )
            .await;
        assert_ok(&r);
        let p = &app.call(b, "Products_Query", with(acme(), json!({"ProductID": 101}))).await["Products"][0];
        assert_eq!(p["Rate"], "4.50", "{b:?}");
        assert_eq!(p["Description"], "Voicemail feature", "absent fields keep their value");
        assert_eq!(p["Provisioning"]["Code1"], "VM");
        assert_eq!(p["Provisioning"]["Code2"], "", "an empty value replaces");
        assert_eq!(p["Cost"], "0.00", "{b:?}: amounts keep two decimal places");

        assert_error(
            &app.call(b, "Products_Update", with(acme(), json!({"ID": 999, "CarrierID": 10, "ProductTypeID": 1})))
                .await,
            "PR2023",
        );
        let no_id = app.call(b, "Products_Update", with(acme(), json!({"CarrierID": 10, "ProductTypeID": 1}))).await;
        assert_error(&no_id, "S2010");
        assert!(message(&no_id).contains("ID"));
        assert_error(
            &app.call(b, "Products_Update", with(acme(), json!({"ID": 101, "CarrierID": 77, "ProductTypeID": 1})))
                .await,
            "CA2014",
        );
        assert_error(
            &app.call(b, "Products_Update", with(acme(), json!({"ID": 101, "CarrierID": 10, "ProductTypeID": 77})))
                .await,
            "PT2023",
        );
        let retire = app
            .call(
                b,
                "Products_Update",
                with(acme(), json!({"ID": 101, "CarrierID": 10, "ProductTypeID": 1, "ActiveFlag": false})),
            )
            .await;
        assert_ok(&retire);
        assert!(!ids(&app.call(b, "Products_Query", with(acme(), json!({}))).await).contains(&101));
        let back = app
            .call(
                b,
                "Products_Update",
                with(acme(), json!({"ID": 101, "CarrierID": 10, "ProductTypeID": 1, "ActiveFlag": true})),
            )
            .await;
        assert_ok(&back);
    }
}

#[tokio::test]
async fn every_query_filter() {
    let app = TestApp::new().await;
    let q = |f: Value| with(acme(), f);
    let cases: Vec<(Value, Vec<i64>)> = vec![
        (json!({}), vec![100, 101]),
        (json!({"IncludeNonLineCarrierProducts": true}), vec![100, 101, 102, 103]),
        (json!({"CarrierID": 12}), vec![102, 103]),
        (json!({"CarrierCode": "SIMWIRELESS"}), vec![100, 101]),
        (json!({"ProductTypeCode": "DEVICE", "IncludeNonLineCarrierProducts": true}), vec![102]),
        (json!({"ProductTypeID": 3, "IncludeNonLineCarrierProducts": true}), vec![103]),
        (json!({"IncludeRecurring": false, "IncludeNonLineCarrierProducts": true}), vec![102, 103]),
        (json!({"IncludeOneTime": false, "IncludeNonLineCarrierProducts": true}), vec![100, 101]),
        (json!({"State": "NY", "IncludeNonLineCarrierProducts": true}), vec![100, 101, 103]),
        (json!({"State": "TX", "IncludeNonLineCarrierProducts": true}), vec![100, 101, 102, 103]),
        (json!({"Zip": "77002", "IncludeNonLineCarrierProducts": true}), vec![100, 101, 102, 103]),
        (json!({"Zip": "10001", "IncludeNonLineCarrierProducts": true}), vec![100, 101, 103]),
        (json!({"CustomerClass": "Business", "IncludeNonLineCarrierProducts": true}), vec![100, 101, 103]),
        (json!({"CustomerClass": "Residential", "IncludeNonLineCarrierProducts": true}), vec![100, 101, 102, 103]),
        (json!({"AttributeKey": "network"}), vec![100]),
        (json!({"AttributeKey": "tier", "AttributeValue": "gold"}), vec![100]),
        (json!({"AttributeKey": "tier", "AttributeValue": "silver"}), vec![]),
        (json!({"BillProfileID": 2}), vec![100]),
        (json!({"AvailabilityLocation": "Available_On_Signup_Flag"}), vec![100]),
        (json!({"AvailabilityLocation": "Available_Replenish"}), vec![]),
        (json!({"ProductCategoryID": 7}), vec![100]),
        (json!({"LineTypeID": 3}), vec![100, 101]),
        (json!({"ProductID": 104}), vec![104]),
    ];
    for b in BINDINGS {
        for (filter, want) in &cases {
            let r = app.call(b, "Products_Query", q(filter.clone())).await;
            assert_ok(&r);
            assert_eq!(&ids(&r), want, "{b:?} {filter}");
        }
    }
}

#[tokio::test]
async fn query_refusals() {
    let app = TestApp::new().await;
    let cases: Vec<(Value, &str, &str)> = vec![
        (json!({"CarrierID": 10, "CarrierCode": "SIMWIRELESS"}), "S2010", "CarrierCode"),
        (json!({"ProductTypeID": 1, "ProductTypeCode": "SERVICE"}), "S2010", "ProductTypeCode"),
        (json!({"AttributeValue": "gold"}), "S2010", "AttributeValue"),
        (json!({"Zip": "7700"}), "S2010", "Zip"),
        (json!({"Zip": "00000"}), "S2015", ""),
        (json!({"CarrierID": 99}), "CA2014", ""),
        (json!({"CarrierCode": "NOPE"}), "CA2014", ""),
        (json!({"ProductTypeID": 99}), "PT2023", ""),
        (json!({"ProductID": 999}), "PR2023", ""),
        (json!({"BillProfileID": 99}), "B2012", ""),
        (json!({"LineTypeID": 99}), "LT2001", ""),
        (json!({"ProductCategoryID": 99}), "S2010", "ProductCategoryID"),
        (json!({"AvailabilityLocation": "Nowhere"}), "S2010", "AvailabilityLocation"),
        (json!({"CustomerClass": "Martian"}), "S2010", "CustomerClass"),
        (json!({"ProductID": "abc"}), "S2010", "ProductID"),
    ];
    for b in BINDINGS {
        for (filter, code, field) in &cases {
            if *field == "ProductID" && b != Binding::Json {
                continue; // the SOAP form of a non-number id is covered in wire.rs
            }
            let r = app.call(b, "Products_Query", with(acme(), filter.clone())).await;
            assert_error(&r, code);
            assert!(message(&r).contains(field), "{b:?} {filter}: {}", message(&r));
        }
    }
}

#[tokio::test]
async fn money_is_exact_through_both_bindings() {
    let app = TestApp::new().await;
    for (b, rate) in [(Binding::Json, "0.10"), (Binding::Soap11, "1234567.8901"), (Binding::Soap12, "-5.50")] {
        let id = app
            .call(b, "Products_Create", with(acme(), json!({"CarrierID": 10, "ProductTypeID": 1, "Rate": rate})))
            .await["ProductID"]
            .clone();
        for read in BINDINGS {
            let p = &app.call(read, "Products_Query", with(acme(), json!({"ProductID": id}))).await["Products"][0];
            assert_eq!(p["Rate"], rate, "written over {b:?}, read over {read:?}");
        }
    }
    // A JSON number is accepted too, and kept exactly as written.
    let id = app
        .call(
            Binding::Json,
            "Products_Create",
            with(acme(), json!({"CarrierID": 10, "ProductTypeID": 1, "Rate": 19.95})),
        )
        .await["ProductID"]
        .clone();
    let p = &app.call(Binding::Json, "Products_Query", with(acme(), json!({"ProductID": id}))).await["Products"][0];
    assert_eq!(p["Rate"], "19.95");
}

#[tokio::test]
async fn a_nul_character_cannot_reach_storage_over_soap_either() {
    let app = TestApp::new().await;
    let xml = r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><Products_Create xmlns="http://api.myh2o.com/v20"><Request><Credentials><Username>api</Username><Password>correct horse battery</Password><Client>acme</Client></Credentials><CarrierID>10</CarrierID><ProductTypeID>1</ProductTypeID><Description>nul&#0;here</Description></Request></Products_Create></soap:Body></soap:Envelope>"#;
    let (status, body) = app.soap(patchbay_soap::SoapVersion::V11, "Products_Create", xml.to_string()).await;
    assert!(!body.contains("<Success>true</Success>"), "{status}: {body}");
    let after =
        app.call(Binding::Json, "Products_Query", with(acme(), json!({"IncludeNonLineCarrierProducts": true}))).await;
    assert_eq!(ids(&after), vec![100, 101, 102, 103], "nothing was created");
}

/// The catalog entries of one kind from Catalog_Query, by their id field.
fn entry<'a>(r: &'a Value, list: &str, id_field: &str, id: i64) -> &'a Value {
    r[list]
        .as_array()
        .and_then(|l| l.iter().find(|x| x[id_field].as_i64() == Some(id)))
        .unwrap_or_else(|| panic!("{list} has no {id_field} {id}: {r:#}"))
}

#[tokio::test]
async fn catalog_query_lists_products_and_packages_with_their_origin() {
    let app = TestApp::new().await;
    let starter = fixture_origin("[[clients.packages]]", "name = \"Wireless Starter\"");
    let seat = fixture_origin("[[clients.packages]]", "name = \"Hosted Voice Seat\"");
    let plan = fixture_origin("[[clients.products]]", "name = \"Unlimited Talk & Text\"");
    let voicemail = fixture_origin("[[clients.products]]", "name = \"Voicemail\"");
    assert_ne!(starter, seat);
    for b in BINDINGS {
        let r = app.call(b, "Catalog_Query", with(acme(), json!({}))).await;
        assert_ok(&r);
        // Every product, also the inactive 104 and those of providers that create no orders.
        let ids: Vec<i64> =
            r["Products"].as_array().unwrap().iter().map(|p| p["ProductID"].as_i64().unwrap()).collect();
        assert_eq!(ids[..5], [100, 101, 102, 103, 104], "{b:?}");
        let p = entry(&r, "Products", "ProductID", 100);
        assert_eq!(p["Name"], "Unlimited Talk & Text", "{b:?}");
        assert_eq!(p["Code1"], "UTT5");
        assert_eq!(p["CarrierID"], 10);
        assert_eq!(p["CarrierCode"], "SIMWIRELESS");
        assert_eq!(p["ProductTypeCode"], "SERVICE");
        assert_eq!(p["Rate"], "35.00");
        assert_eq!(p["ActiveFlag"], true);
        assert_eq!(p["Origin"], plan.as_str(), "{b:?}");
        assert_eq!(entry(&r, "Products", "ProductID", 104)["ActiveFlag"], false);

        let k = entry(&r, "Packages", "PackageID", 1000);
        assert_eq!(k["Name"], "Wireless Starter", "{b:?}");
        assert_eq!(k["CarrierID"], 10);
        assert_eq!(k["CarrierCode"], "SIMWIRELESS");
        assert_eq!(k["LineTypeID"], 3);
        assert_eq!(k["LineTypeName"], "Wireless Voice", "{b:?}");
        assert_eq!(
            k["Products"],
            json!([{"ProductID": 100, "Name": "Unlimited Talk & Text"}, {"ProductID": 101, "Name": "Voicemail"}]),
            "{b:?}"
        );
        assert_eq!(k["Origin"], starter.as_str(), "{b:?}");
        let k = entry(&r, "Packages", "PackageID", 1001);
        assert_eq!(k["Products"], json!([{"ProductID": 104, "Name": "Hosted Seat"}]));
        assert_eq!(k["Origin"], seat.as_str(), "{b:?}");

        // A product made through the API has no origin; an update keeps the one a product has.
        let made = app
            .call(
                b,
                "Products_Create",
                with(acme(), json!({"CarrierID": 10, "ProductTypeID": 1, "Name": "Made by API", "Rate": "1.00"})),
            )
            .await;
        assert_ok(&made);
        let made = made["ProductID"].as_i64().unwrap();
        let changed = app
            .call(
                b,
                "Products_Update",
                with(acme(), json!({"ID": 101, "CarrierID": 10, "ProductTypeID": 1, "Rate": "4.25"})),
            )
            .await;
        assert_ok(&changed);
        let touched = app
            .call(
                b,
                "Products_Update",
                with(acme(), json!({"ID": made, "CarrierID": 10, "ProductTypeID": 1, "Rate": "2.00"})),
            )
            .await;
        assert_ok(&touched);
        let r = app.call(b, "Catalog_Query", with(acme(), json!({}))).await;
        assert_ok(&r);
        let p = entry(&r, "Products", "ProductID", made);
        assert_eq!(p["Name"], "Made by API", "{b:?}");
        assert_eq!(p["Rate"], "2.00");
        assert!(
            p.get("Origin").is_none_or(Value::is_null),
            "{b:?}: a product made by Products_Create has no origin: {p}"
        );
        let p = entry(&r, "Products", "ProductID", 101);
        assert_eq!(p["Rate"], "4.25", "{b:?}");
        assert_eq!(p["Origin"], voicemail.as_str(), "{b:?}: Products_Update keeps the origin");
        assert_eq!(entry(&r, "Packages", "PackageID", 1000)["Products"][1]["Name"], "Voicemail");
    }
}
