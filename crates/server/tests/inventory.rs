//! Inventory through every binding: types, items, formats, update semantics, bulk atomicity,
//! assignment, history and client isolation.

mod common;
use common::*;
use serde_json::{json, Value};

/// The same ICCID with a wrong check digit.
fn bad_iccid(n: u64) -> String {
    let good = iccid(n);
    let last = good.as_bytes()[19] - b'0';
    format!("{}{}", &good[..19], (last + 1) % 10)
}

async fn call_ok(app: &TestApp, b: Binding, op: &str, req: Value) -> Value {
    let r = app.call(b, op, with(acme(), req)).await;
    assert_ok(&r);
    r
}

async fn create_type(app: &TestApp, b: Binding, t: Value) -> i64 {
    call_ok(app, b, "InventoryTypes_Create", json!({"InventoryType": t})).await["ID"].as_i64().unwrap()
}

fn sim_type() -> Value {
    json!({"Type": "SIM_Card", "Identifier": "ICCID", "Name": "SIM cards", "RequiresProduct": true, "Format": "ICCID_DECIMAL",
           "Description": "Nano SIM", "ProgrammingInstructions": "Insert and power on", "ProductIDs": [100]})
}

fn device_type(format: &str) -> Value {
    json!({"Type": "Mobile_Device", "Identifier": "ESN/MEID", "Name": format!("Phones {format}"), "RequiresProduct": true, "Format": format,
    "ItemFields": [
        {"Label": "Color", "FieldType": "Drop Down List", "Options": ["Black", "White"], "DefaultValue": "Black"},
        {"Label": "Received", "FieldType": "Date"},
        {"Label": "Box", "FieldType": "Text Box", "IsRequired": true},
        {"Label": "Refurbished", "FieldType": "Check Box", "DefaultValue": "false"}
    ]})
}

async fn item(app: &TestApp, b: Binding, id: i64) -> Value {
    call_ok(app, b, "Inventory_Query", json!({"InventoryID": id})).await["Inventory"].clone()
}

#[tokio::test]
async fn inventory_types_create_query_update_delete() {
    let app = TestApp::new().await;
    for b in BINDINGS {
        let sim = create_type(&app, b, sim_type()).await;
        let inactive = create_type(
            &app,
            b,
            json!({"Type": "General", "Identifier": "Serial", "Name": "Routers", "Status": "INACITVE", "Fields": [{"Label": "Plan Tier", "Value": "Gold"}]}),
        )
        .await;
        let q = call_ok(&app, b, "InventoryTypes_Query", json!({"ID": sim})).await;
        let t = &q["InventoryTypes"][0];
        assert_eq!(q["InventoryTypes"].as_array().unwrap().len(), 1, "{q}");
        assert_eq!(t["Type"], "SIM_Card");
        assert_eq!(t["Identifier"], "ICCID");
        assert_eq!(t["Name"], "SIM cards");
        assert_eq!(t["RequiresProduct"], true);
        assert_eq!(t["Status"], "ACTIVE");
        assert_eq!(t["Format"], "ICCID_DECIMAL");
        assert_eq!(t["Description"], "Nano SIM");
        assert_eq!(t["ProgrammingInstructions"], "Insert and power on");
        assert_eq!(t["ProductIDs"], json!([100]));
        let q = call_ok(&app, b, "InventoryTypes_Query", json!({"ID": inactive})).await;
        assert_eq!(q["InventoryTypes"][0]["Status"], "INACTIVE", "INACITVE is read as INACTIVE and written INACTIVE");
        assert_eq!(q["InventoryTypes"][0]["Format"], "NONE");
        assert_eq!(q["InventoryTypes"][0]["Fields"][0], json!({"FieldID": 31, "Label": "Plan Tier", "Value": "Gold"}));

        // Filters.
        let ids = |q: &Value| {
            q["InventoryTypes"].as_array().unwrap().iter().map(|t| t["ID"].as_i64().unwrap()).collect::<Vec<_>>()
        };
        let by_product = call_ok(&app, b, "InventoryTypes_Query", json!({"ProductID": 100})).await;
        assert!(ids(&by_product).contains(&sim) && !ids(&by_product).contains(&inactive));
        let by_package = call_ok(&app, b, "InventoryTypes_Query", json!({"PackageID": 1000})).await;
        assert!(ids(&by_package).contains(&sim));
        let none = call_ok(&app, b, "InventoryTypes_Query", json!({"PackageID": 1001})).await;
        assert!(!ids(&none).contains(&sim));
        let by_kind = call_ok(&app, b, "InventoryTypes_Query", json!({"Type": "General"})).await;
        assert!(ids(&by_kind).contains(&inactive) && !ids(&by_kind).contains(&sim));
        let by_field =
            call_ok(&app, b, "InventoryTypes_Query", json!({"Field": {"Label": "Plan Tier", "Value": "Gold"}})).await;
        assert_eq!(ids(&by_field), vec![inactive]);
        let all = call_ok(&app, b, "InventoryTypes_Query", json!({})).await;
        assert!(ids(&all).contains(&sim) && ids(&all).contains(&inactive));
        assert_error(&app.call(b, "InventoryTypes_Query", with(acme(), json!({"ProductID": 999}))).await, "PR2023");
        assert_error(&app.call(b, "InventoryTypes_Query", with(acme(), json!({"PackageID": 999}))).await, "PK2013");

        // Update: absent leaves alone, empty replaces.
        call_ok(&app, b, "InventoryTypes_Update", json!({"InventoryType": {"ID": sim, "Name": "SIM cards v2", "Description": "", "ProgrammingInstructions": null}})).await;
        let t = call_ok(&app, b, "InventoryTypes_Query", json!({"ID": sim})).await["InventoryTypes"][0].clone();
        assert_eq!(t["Name"], "SIM cards v2");
        assert_eq!(t["Description"], "");
        assert_eq!(t["ProgrammingInstructions"], "Insert and power on");
        assert_eq!(t["Identifier"], "ICCID");
        let r = app
            .call(
                b,
                "InventoryTypes_Update",
                with(acme(), json!({"InventoryType": {"ID": sim, "Format": "ESN_DECIMAL"}})),
            )
            .await;
        assert_error(&r, "S2010");
        assert!(message(&r).contains("Format"), "{}", message(&r));
        assert_error(
            &app.call(b, "InventoryTypes_Update", with(acme(), json!({"InventoryType": {"Name": "x"}}))).await,
            "S2010",
        );
        assert_error(
            &app.call(b, "InventoryTypes_Update", with(acme(), json!({"InventoryType": {"ID": 9999, "Name": "x"}})))
                .await,
            "S2010",
        );

        // Delete: refused while items exist, then allowed.
        let created = call_ok(
            &app,
            b,
            "Inventory_Create",
            json!({"Inventory": {"InventoryTypeID": sim, "Identifier": iccid(sim as u64 * 1000)}}),
        )
        .await;
        let r = app.call(b, "InventoryTypes_Delete", with(acme(), json!({"ID": sim}))).await;
        assert_error(&r, "S2010");
        assert!(message(&r).contains("still has 1 inventory item"), "{}", message(&r));
        call_ok(&app, b, "InventoryTypes_Delete", json!({"ID": inactive})).await;
        assert_eq!(
            call_ok(&app, b, "InventoryTypes_Query", json!({"ID": inactive})).await["InventoryTypes"],
            json!([])
        );
        assert_error(&app.call(b, "InventoryTypes_Delete", with(acme(), json!({"ID": inactive}))).await, "S2010");
        assert!(created["InventoryItemID"].as_i64().is_some());
    }
}

#[tokio::test]
async fn inventory_type_rules() {
    let app = TestApp::new().await;
    let cases: Vec<(Value, &str)> = vec![
        (json!({"ID": 5, "Type": "General", "Identifier": "S", "Name": "N"}), "ID"),
        (json!({"Identifier": "S", "Name": "N"}), "Type"),
        (json!({"Type": "General", "Name": "N"}), "Identifier"),
        (json!({"Type": "General", "Identifier": "S"}), "Name"),
        (json!({"Type": "SIM_Card", "Identifier": "ICCID", "Name": "N", "Format": "ICCID_DECIMAL"}), "RequiresProduct"),
        (
            json!({"Type": "SIM_Card", "Identifier": "ICCID", "Name": "N", "RequiresProduct": false, "Format": "ICCID_DECIMAL"}),
            "RequiresProduct",
        ),
        (json!({"Type": "SIM_Card", "Identifier": "ICCID", "Name": "N", "RequiresProduct": true}), "Format"),
        (
            json!({"Type": "SIM_Card", "Identifier": "ICCID", "Name": "N", "RequiresProduct": true, "Format": "ESN_DECIMAL"}),
            "Format",
        ),
        (
            json!({"Type": "Mobile_Device", "Identifier": "ESN", "Name": "N", "RequiresProduct": true, "Format": "ICCID_DECIMAL"}),
            "Format",
        ),
        (
            json!({"Type": "Mobile_Device", "Identifier": "ESN", "Name": "N", "RequiresProduct": true, "Format": "NONE"}),
            "Format",
        ),
        (json!({"Type": "Telephone_Number", "Identifier": "TN", "Name": "N", "Format": "ESN_DECIMAL"}), "Format"),
        (
            json!({"Type": "General", "Identifier": "S", "Name": "N", "ItemFields": [{"Label": "C", "FieldType": "Drop Down List"}]}),
            "Options",
        ),
        (
            json!({"Type": "General", "Identifier": "S", "Name": "N", "ItemFields": [{"Label": "C", "FieldType": "Slider"}]}),
            "FieldType",
        ),
        (
            json!({"Type": "General", "Identifier": "S", "Name": "N", "ItemFields": [{"Label": "C", "FieldType": "Date", "DefaultValue": "2026-02-30"}]}),
            "DefaultValue",
        ),
        (json!({"Type": "General", "Identifier": "S", "Name": "N", "ItemFields": [{"FieldType": "Date"}]}), "Label"),
        (
            json!({"Type": "General", "Identifier": "S", "Name": "N", "Fields": [{"FieldID": 31, "Label": "Nope"}]}),
            "Label",
        ),
    ];
    for b in BINDINGS {
        for (t, field) in &cases {
            let r = app.call(b, "InventoryTypes_Create", with(acme(), json!({"InventoryType": t}))).await;
            assert_error(&r, "S2010");
            assert!(message(&r).contains(field), "{b:?} {t}: {}", message(&r));
        }
        let r = app
            .call(
                b,
                "InventoryTypes_Create",
                with(
                    acme(),
                    json!({"InventoryType": {"Type": "General", "Identifier": "S", "Name": "N", "ProductIDs": [4242]}}),
                ),
            )
            .await;
        assert_error(&r, "PR2023");
        let r = app
            .call(
                b,
                "InventoryTypes_Create",
                with(
                    acme(),
                    json!({"InventoryType": {"Type": "General", "Identifier": "S", "Name": "N", "Status": "GONE"}}),
                ),
            )
            .await;
        assert_error(&r, "S2010");
        // Every valid Mobile_Device format.
        for f in ["ESN_DECIMAL", "MEID_DECIMAL", "ESN_OR_MEID_DECIMAL"] {
            create_type(&app, b, json!({"Type": "Mobile_Device", "Identifier": "ESN/MEID", "Name": f, "RequiresProduct": true, "Format": f})).await;
        }
        create_type(&app, b, json!({"Type": "IP_Address", "Identifier": "IP", "Name": "IPs", "Format": "NONE"})).await;
    }
}

#[tokio::test]
async fn identifiers_are_checked_against_the_format() {
    let app = TestApp::new().await;
    let good_esn = ["15901193046", "25516777215", "00000000001"];
    let bad_esn = ["25616777215", "25516777216", "1590119304", "1590119304X"];
    let good_meid = ["268435456000009001", "429496729516777215"];
    let bad_meid = ["429496729616777215", "268435456016777216", "26843545600000900"];
    for (n, b) in BINDINGS.into_iter().enumerate() {
        let esn = create_type(&app, b, json!({"Type": "Mobile_Device", "Identifier": "ESN", "Name": "E", "RequiresProduct": true, "Format": "ESN_DECIMAL"})).await;
        let meid = create_type(&app, b, json!({"Type": "Mobile_Device", "Identifier": "MEID", "Name": "M", "RequiresProduct": true, "Format": "MEID_DECIMAL"})).await;
        let either = create_type(&app, b, json!({"Type": "Mobile_Device", "Identifier": "ESN/MEID", "Name": "EM", "RequiresProduct": true, "Format": "ESN_OR_MEID_DECIMAL"})).await;
        let sim = create_type(&app, b, sim_type()).await;
        let tn = create_type(&app, b, json!({"Type": "Telephone_Number", "Identifier": "TN", "Name": "DIDs"})).await;
        let create = |t: i64, id: &str| json!({"Inventory": {"InventoryTypeID": t, "Identifier": id}});
        for id in good_esn {
            call_ok(&app, b, "Inventory_Create", create(esn, id)).await;
            call_ok(&app, b, "Inventory_Create", create(either, id)).await;
        }
        for id in bad_esn {
            let r = app.call(b, "Inventory_Create", with(acme(), create(esn, id))).await;
            assert_error(&r, "S2010");
            assert!(message(&r).contains("Inventory/Identifier"), "{id}: {}", message(&r));
        }
        for id in good_meid {
            call_ok(&app, b, "Inventory_Create", create(meid, id)).await;
            call_ok(&app, b, "Inventory_Create", create(either, id)).await;
        }
        for id in bad_meid {
            assert_error(&app.call(b, "Inventory_Create", with(acme(), create(meid, id))).await, "S2010");
            assert_error(&app.call(b, "Inventory_Create", with(acme(), create(either, id))).await, "S2010");
        }
        assert_error(&app.call(b, "Inventory_Create", with(acme(), create(esn, "268435456000009001"))).await, "S2010");
        // ICCIDs: the documented example, 19 digits, and computed ones.
        if n == 0 {
            call_ok(&app, b, "Inventory_Create", create(sim, "89014103211118510720")).await;
            call_ok(&app, b, "Inventory_Create", create(sim, "8901410321111851072")).await;
        }
        call_ok(&app, b, "Inventory_Create", create(sim, &iccid(10 + n as u64))).await;
        for (id, rule) in [
            ("89014103211118510721".to_string(), "Luhn"),
            (bad_iccid(77), "Luhn"),
            ("79014103211118510729".to_string(), "89"),
            ("890141032111185107".to_string(), "19 or 20 digits"),
            ("8901410321111851072a".to_string(), "19 or 20 digits"),
        ] {
            let r = app.call(b, "Inventory_Create", with(acme(), create(sim, &id))).await;
            assert_error(&r, "S2010");
            assert!(message(&r).contains(rule), "{id}: {}", message(&r));
        }
        // NONE takes anything not empty.
        call_ok(&app, b, "Inventory_Create", create(tn, &format!("512555{n:04}"))).await;
        assert_error(&app.call(b, "Inventory_Create", with(acme(), create(tn, "  "))).await, "S2010");
    }
}

#[tokio::test]
async fn create_and_query_every_field() {
    let app = TestApp::new().await;
    for (n, b) in BINDINGS.into_iter().enumerate() {
        let phones = create_type(&app, b, device_type("ESN_DECIMAL")).await;
        let esn = format!("1590119304{n}");
        let created = call_ok(
            &app,
            b,
            "Inventory_Create",
            json!({"Inventory": {"InventoryTypeID": phones, "InventoryType": "Mobile_Device", "Identifier": esn, "IdentifierLabel": "ignored",
                   "InventoryDescription": "ignored", "UnavailableReasonDescription": "ignored", "Status": "UNAVAILABLE", "UnavailableReasonID": 1,
                   "AssignedDate": "2026-01-15", "Note": "from the warehouse",
                   "Fields": [{"Label": "Box", "Value": "B-7"}, {"Label": "Received", "Value": "2026-01-10"}],
                   "Wireless": {"MSID": "3125550000", "MSL": "123456", "MDN": format!("512555000{n}")}}}),
        )
        .await;
        let id = created["InventoryItemID"].as_i64().unwrap();
        let i = item(&app, b, id).await;
        assert_eq!(i["ID"], id);
        assert_eq!(i["Identifier"], esn);
        assert_eq!(i["IdentifierLabel"], "ESN/MEID", "filled from the type");
        assert_eq!(i["InventoryTypeID"], phones);
        assert_eq!(i["InventoryType"], "Mobile_Device");
        assert_eq!(i["InventoryDescription"], "Phones ESN_DECIMAL");
        assert_eq!(i["Status"], "UNAVAILABLE");
        assert_eq!(i["UnavailableReasonID"], 1);
        assert_eq!(i["UnavailableReasonDescription"], "Damaged");
        assert_eq!(i["AssignedDate"], "2026-01-15T00:00:00Z");
        assert_eq!(i["Note"], "from the warehouse");
        assert_eq!(i["Wireless"], json!({"MSID": "3125550000", "MSL": "123456", "MDN": format!("512555000{n}")}));
        assert!(i.get("CustomerID").is_none_or(Value::is_null));
        let fields: Vec<(String, String)> = i["Fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["Label"].as_str().unwrap().to_string(), f["Value"].as_str().unwrap().to_string()))
            .collect();
        assert_eq!(
            fields,
            vec![
                ("Color".into(), "Black".into()),
                ("Received".into(), "2026-01-10".into()),
                ("Box".into(), "B-7".into()),
                ("Refurbished".into(), "false".into())
            ],
            "defaults applied"
        );

        // The three ways to find it.
        let by_mdn = call_ok(&app, b, "Inventory_Query", json!({"MDN": format!("512555000{n}")})).await;
        assert_eq!(by_mdn["Inventory"]["ID"], id);
        let by_identifier = call_ok(&app, b, "Inventory_Query", json!({"Inventory": {"Identifier": esn}})).await;
        assert_eq!(by_identifier["Inventory"]["ID"], id, "Type defaults to Mobile_Device");
        let by_typed =
            call_ok(&app, b, "Inventory_Query", json!({"Inventory": {"Identifier": esn, "Type": "Mobile_Device"}}))
                .await;
        assert_eq!(by_typed["Inventory"]["ID"], id);
        assert_error(
            &app.call(
                b,
                "Inventory_Query",
                with(acme(), json!({"Inventory": {"Identifier": esn, "Type": "SIM_Card"}})),
            )
            .await,
            "I2019",
        );
        assert_error(
            &app.call(b, "Inventory_Query", with(acme(), json!({"Inventory": {"Identifier": esn, "Type": "General"}})))
                .await,
            "S2010",
        );
        assert_error(&app.call(b, "Inventory_Query", with(acme(), json!({"InventoryID": 987654}))).await, "I2019");
        assert_error(&app.call(b, "Inventory_Query", with(acme(), json!({"MDN": "0000000000"}))).await, "I2019");
        assert_error(&app.call(b, "Inventory_Query", with(acme(), json!({}))).await, "S2010");
    }
}

#[tokio::test]
async fn create_rules() {
    let app = TestApp::new().await;
    for (n, b) in BINDINGS.into_iter().enumerate() {
        let phones = create_type(&app, b, device_type("ESN_OR_MEID_DECIMAL")).await;
        let inactive =
            create_type(&app, b, json!({"Type": "General", "Identifier": "S", "Name": "Old", "Status": "INACTIVE"}))
                .await;
        let esn = format!("0010000000{n}");
        let base = |extra: Value| {
            let mut inv =
                json!({"InventoryTypeID": phones, "Identifier": esn, "Fields": [{"Label": "Box", "Value": "B"}]});
            for (k, v) in extra.as_object().unwrap() {
                inv[k] = v.clone();
            }
            json!({"Inventory": inv})
        };
        let cases: Vec<(Value, &str)> = vec![
            (json!({"CustomerID": 1}), "CustomerID"),
            (json!({"ID": 77}), "ID"),
            (json!({"InventoryTypeID": null}), "InventoryTypeID"),
            (json!({"InventoryTypeID": 4242}), "InventoryTypeID"),
            (json!({"InventoryTypeID": inactive, "Identifier": "x"}), "INACTIVE"),
            (json!({"InventoryType": "SIM_Card"}), "InventoryType"),
            (json!({"Identifier": ""}), "Identifier"),
            (json!({"Status": "BATCHED"}), "Status"),
            (json!({"Status": "UNAVAILABLE", "UnavailableReasonID": 99}), "UnavailableReasonID"),
            (json!({"UnavailableReasonID": 1}), "UnavailableReasonID"),
            (json!({"Fields": []}), "Box"),
            (json!({"Fields": [{"Label": "Box", "Value": ""}]}), "Box"),
            (
                json!({"Fields": [{"Label": "Box", "Value": "B"}, {"Label": "Color", "Value": "Red"}]}),
                "Fields/Field[2]/Value",
            ),
            (
                json!({"Fields": [{"Label": "Box", "Value": "B"}, {"Label": "Received", "Value": "2026-02-30"}]}),
                "Fields/Field[2]/Value",
            ),
            (
                json!({"Fields": [{"Label": "Box", "Value": "B"}, {"Label": "Refurbished", "Value": "maybe"}]}),
                "Fields/Field[2]/Value",
            ),
            (
                json!({"Fields": [{"Label": "Box", "Value": "B"}, {"Label": "Weight", "Value": "1"}]}),
                "Fields/Field[2]/Label",
            ),
            (json!({"Fields": [{"FieldID": 1, "Label": "Box", "Value": "B"}]}), "Fields/Field[1]"),
        ];
        for (extra, field) in &cases {
            let r = app.call(b, "Inventory_Create", with(acme(), base(extra.clone()))).await;
            assert_error(&r, "S2010");
            assert!(message(&r).contains(field), "{b:?} {extra}: {}", message(&r));
        }
        assert_error(&app.call(b, "Inventory_Create", with(acme(), json!({}))).await, "S2010");
        // FieldID and Label agreeing is fine; then the identifier is taken within its type.
        let t = call_ok(&app, b, "InventoryTypes_Query", json!({"ID": phones})).await;
        let box_id =
            t["InventoryTypes"][0]["ItemFields"].as_array().unwrap().iter().find(|f| f["Label"] == "Box").unwrap()
                ["FieldID"]
                .clone();
        call_ok(
            &app,
            b,
            "Inventory_Create",
            base(json!({"Fields": [{"FieldID": box_id, "Label": "Box", "Value": "B"}]})),
        )
        .await;
        let r = app.call(b, "Inventory_Create", with(acme(), base(json!({})))).await;
        assert_error(&r, "S2010");
        assert!(message(&r).contains("already exists"), "{}", message(&r));
        // ASSIGNED is accepted on create (without a customer).
        call_ok(
            &app,
            b,
            "Inventory_Create",
            base(json!({"Identifier": format!("0020000000{n}"), "Status": "ASSIGNED"})),
        )
        .await;
    }
}

#[tokio::test]
async fn update_absent_nil_and_empty_over_json() {
    let app = TestApp::new().await;
    let phones = create_type(&app, Binding::Json, device_type("ESN_DECIMAL")).await;
    let id = call_ok(
        &app,
        Binding::Json,
        "Inventory_Create",
        json!({"Inventory": {"InventoryTypeID": phones, "Identifier": "15901193046", "Note": "keep", "Fields": [{"Label": "Box", "Value": "B-1"}],
               "Wireless": {"MSID": "1111", "MSL": "2222", "MDN": "5125550100"}}}),
    )
    .await["InventoryItemID"]
        .as_i64()
        .unwrap();
    // null leaves alone.
    call_ok(
        &app,
        Binding::Json,
        "Inventory_Update",
        json!({"Inventory": {"ID": id, "Note": null, "Wireless": {"MSID": null}}}),
    )
    .await;
    let i = item(&app, Binding::Json, id).await;
    assert_eq!(i["Note"], "keep");
    assert_eq!(i["Wireless"]["MSID"], "1111");
    // "" replaces; inside Wireless only MSID changes.
    call_ok(
        &app,
        Binding::Json,
        "Inventory_Update",
        json!({"Inventory": {"ID": id, "Note": "", "Wireless": {"MSID": "9999"}}}),
    )
    .await;
    let i = item(&app, Binding::Json, id).await;
    assert_eq!(i["Note"], "");
    assert_eq!(i["Wireless"], json!({"MSID": "9999", "MSL": "2222", "MDN": "5125550100"}));
    // Fields: the given one changes, others stay.
    call_ok(
        &app,
        Binding::Json,
        "Inventory_Update",
        json!({"Inventory": {"ID": id, "Fields": [{"Label": "Color", "Value": "White"}]}}),
    )
    .await;
    let i = item(&app, Binding::Json, id).await;
    let f = |l: &str| i["Fields"].as_array().unwrap().iter().find(|f| f["Label"] == l).unwrap()["Value"].clone();
    assert_eq!(f("Color"), "White");
    assert_eq!(f("Box"), "B-1");
    // By Identifier and InventoryTypeID, or by Identifier and InventoryType.
    call_ok(
        &app,
        Binding::Json,
        "Inventory_Update",
        json!({"Inventory": {"Identifier": "15901193046", "InventoryTypeID": phones, "Note": "by identifier"}}),
    )
    .await;
    assert_eq!(item(&app, Binding::Json, id).await["Note"], "by identifier");
    call_ok(
        &app,
        Binding::Json,
        "Inventory_Update",
        json!({"Inventory": {"Identifier": "15901193046", "InventoryType": "Mobile_Device", "Note": "by kind"}}),
    )
    .await;
    assert_eq!(item(&app, Binding::Json, id).await["Note"], "by kind");
    // Zero replaces: UnavailableReasonID 0 clears the reason.
    call_ok(
        &app,
        Binding::Json,
        "Inventory_Update",
        json!({"Inventory": {"ID": id, "Status": "UNAVAILABLE", "UnavailableReasonID": 2}}),
    )
    .await;
    let i = item(&app, Binding::Json, id).await;
    assert_eq!((i["Status"].clone(), i["UnavailableReasonID"].clone()), (json!("UNAVAILABLE"), json!(2)));
    call_ok(&app, Binding::Json, "Inventory_Update", json!({"Inventory": {"ID": id, "UnavailableReasonID": 0}})).await;
    assert!(item(&app, Binding::Json, id).await.get("UnavailableReasonID").is_none_or(Value::is_null));
}

#[tokio::test]
async fn update_refusals() {
    let app = TestApp::new().await;
    for (n, b) in BINDINGS.into_iter().enumerate() {
        let phones = create_type(&app, b, device_type("ESN_DECIMAL")).await;
        let esn = format!("1000000000{n}");
        let id = call_ok(&app, b, "Inventory_Create", json!({"Inventory": {"InventoryTypeID": phones, "Identifier": esn, "Fields": [{"Label": "Box", "Value": "B"}]}}))
            .await["InventoryItemID"]
            .as_i64()
            .unwrap();
        let cases: Vec<(Value, &str, &str)> = vec![
            (json!({"ID": id, "Wireless": {"MDN": "5125550000"}}), "S2010", "MDN"),
            (json!({"ID": id, "Wireless": {"MDN": ""}}), "S2010", "MDN"),
            (json!({"ID": id, "Identifier": "10000000099"}), "S2010", "Identifier"),
            (json!({"ID": id, "CustomerID": 1}), "S2010", "CustomerID"),
            (json!({"ID": id, "InventoryTypeID": phones + 1000}), "S2010", "InventoryTypeID"),
            (json!({"ID": id, "InventoryType": "SIM_Card"}), "S2010", "InventoryType"),
            (json!({"ID": id, "UnavailableReasonID": 1}), "S2010", "UnavailableReasonID"),
            (json!({"ID": id, "Status": "UNAVAILABLE", "UnavailableReasonID": 42}), "S2010", "UnavailableReasonID"),
            (json!({"ID": id, "Fields": [{"Label": "Box", "Value": ""}]}), "S2010", "Box"),
            (json!({"ID": id, "Fields": [{"Label": "Color", "Value": "Red"}]}), "S2010", "Color"),
            (json!({"ID": 987654}), "I2019", "987654"),
            (json!({"Identifier": "19999999999", "InventoryTypeID": phones}), "I2019", "19999999999"),
            (json!({"Identifier": esn}), "S2010", "InventoryTypeID"),
            (json!({"Note": "x"}), "S2010", "ID"),
        ];
        for (inv, code, field) in &cases {
            let r = app.call(b, "Inventory_Update", with(acme(), json!({"Inventory": inv}))).await;
            assert_error(&r, code);
            assert!(message(&r).contains(field), "{b:?} {inv}: {}", message(&r));
        }
        assert_eq!(
            item(&app, b, id).await["Fields"].as_array().unwrap().iter().find(|f| f["Label"] == "Box").unwrap()
                ["Value"],
            "B"
        );
    }
}

fn soap_envelope(version: patchbay_soap::SoapVersion, op: &str, request_xml: &str) -> String {
    let ns = if version == patchbay_soap::SoapVersion::V11 {
        "http://schemas.xmlsoap.org/soap/envelope/"
    } else {
        "http://www.w3.org/2003/05/soap-envelope"
    };
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="{ns}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <soap:Body>
    <{op} xmlns="http://api.myh2o.com/v20">
      <Request>
        <Credentials><Username>api</Username><Password>correct horse battery</Password><Client>acme</Client></Credentials>
        {request_xml}
      </Request>
    </{op}>
  </soap:Body>
</soap:Envelope>"#
    )
}

#[tokio::test]
async fn update_nil_versus_empty_over_soap() {
    use patchbay_soap::SoapVersion;
    let app = TestApp::new().await;
    let phones = create_type(&app, Binding::Json, device_type("ESN_DECIMAL")).await;
    for (n, version) in [SoapVersion::V11, SoapVersion::V12].into_iter().enumerate() {
        let esn = format!("2000000000{n}");
        let id = call_ok(
            &app,
            Binding::Json,
            "Inventory_Create",
            json!({"Inventory": {"InventoryTypeID": phones, "Identifier": esn, "Note": "keep", "Fields": [{"Label": "Box", "Value": "B"}],
                   "Wireless": {"MSID": "1111", "MSL": "2222"}}}),
        )
        .await["InventoryItemID"]
            .as_i64()
            .unwrap();
        let nil = format!(
            r#"<Inventory><ID>{id}</ID><Note xsi:nil="true"/><Wireless><MSID xsi:nil="true"></MSID></Wireless></Inventory>"#
        );
        let (_, body) = app.soap(version, "Inventory_Update", soap_envelope(version, "Inventory_Update", &nil)).await;
        assert!(body.contains("<Success>true</Success>"), "{body}");
        let i = item(&app, Binding::Json, id).await;
        assert_eq!(i["Note"], "keep", "nil leaves alone");
        assert_eq!(i["Wireless"]["MSID"], "1111");

        let empty = format!(r#"<Inventory><ID>{id}</ID><Note/><Wireless><MSID>1234</MSID></Wireless></Inventory>"#);
        let (_, body) = app.soap(version, "Inventory_Update", soap_envelope(version, "Inventory_Update", &empty)).await;
        assert!(body.contains("<Success>true</Success>"), "{body}");
        let i = item(&app, Binding::Json, id).await;
        assert_eq!(i["Note"], "", "<Note/> empties the note");
        assert_eq!(i["Wireless"]["MSID"], "1234");
        assert_eq!(i["Wireless"]["MSL"], "2222", "only MSID was given inside Wireless");

        let mdn = format!(r#"<Inventory><ID>{id}</ID><Wireless><MDN>5125550000</MDN></Wireless></Inventory>"#);
        let (_, body) = app.soap(version, "Inventory_Update", soap_envelope(version, "Inventory_Update", &mdn)).await;
        assert!(body.contains("<Error_Code>S2010</Error_Code>") && body.contains("MDN"), "{body}");

        // Bulk update over a raw envelope, with a one-item list and nil inside.
        let bulk = format!(
            r#"<InventoryItems><Inventory><ID>{id}</ID><Note>bulk</Note><Wireless><MSID xsi:nil="true"/></Wireless></Inventory></InventoryItems>"#
        );
        let (_, body) =
            app.soap(version, "Inventory_Bulk_Update", soap_envelope(version, "Inventory_Bulk_Update", &bulk)).await;
        assert!(body.contains("<Success>true</Success>"), "{body}");
        let i = item(&app, Binding::Json, id).await;
        assert_eq!((i["Note"].as_str(), i["Wireless"]["MSID"].as_str()), (Some("bulk"), Some("1234")));
    }
}

#[tokio::test]
async fn bulk_create_is_atomic_and_names_every_failure() {
    let app = TestApp::new().await;
    for (n, b) in BINDINGS.into_iter().enumerate() {
        let sim = create_type(&app, b, sim_type()).await;
        let base = (n as u64 + 1) * 1_000_000;
        let good: Vec<String> = (0..50).map(|i| iccid(base + i)).collect();
        let items: Vec<Value> = good.iter().map(|id| json!({"InventoryTypeID": sim, "Identifier": id})).collect();
        let created = call_ok(&app, b, "Inventory_Bulk_Create", json!({"InventoryItems": items})).await;
        let ids = created["InventoryItemIDs"].as_array().unwrap();
        assert_eq!(ids.len(), 50);
        assert_eq!(
            item(&app, b, ids[7].as_i64().unwrap()).await["Identifier"],
            good[7].as_str(),
            "ids come in request order"
        );

        // One bad ICCID, one duplicate within the request, one already stored: nothing written.
        let fresh: Vec<String> = (100..110).map(|i| iccid(base + i)).collect();
        let mut items: Vec<Value> = fresh.iter().map(|id| json!({"InventoryTypeID": sim, "Identifier": id})).collect();
        items[2]["Identifier"] = json!(bad_iccid(base + 999));
        items[5]["Identifier"] = json!(fresh[1]);
        items[8]["Identifier"] = json!(good[3]);
        let r = app.call(b, "Inventory_Bulk_Create", with(acme(), json!({"InventoryItems": items}))).await;
        assert_error(&r, "S2010");
        let m = message(&r);
        assert!(m.contains("3 item(s) refused"), "{m}");
        assert!(m.contains(&format!("item 3 ({})", bad_iccid(base + 999))) && m.contains("Luhn"), "{m}");
        assert!(m.contains(&format!("item 6 ({})", fresh[1])) && m.contains("duplicates item 2"), "{m}");
        assert!(m.contains(&format!("item 9 ({})", good[3])) && m.contains("already exists"), "{m}");
        let q = app
            .call(
                b,
                "Inventory_Query",
                with(acme(), json!({"Inventory": {"Identifier": fresh[0], "Type": "SIM_Card"}})),
            )
            .await;
        assert_error(&q, "I2019");

        // The Message is capped.
        let many: Vec<Value> =
            (0..60).map(|i| json!({"InventoryTypeID": sim, "Identifier": bad_iccid(base + 500 + i)})).collect();
        let r = app.call(b, "Inventory_Bulk_Create", with(acme(), json!({"InventoryItems": many}))).await;
        let m = message(&r);
        assert!(m.contains("60 item(s) refused") && m.contains("and 40 more") && !m.contains("item 21 "), "{m}");
        assert_error(&app.call(b, "Inventory_Bulk_Create", with(acme(), json!({"InventoryItems": []}))).await, "S2010");
    }
}

#[tokio::test]
async fn bulk_update_is_atomic() {
    let app = TestApp::new().await;
    for (n, b) in BINDINGS.into_iter().enumerate() {
        let sim = create_type(&app, b, sim_type()).await;
        let ids: Vec<String> = (0..5).map(|i| iccid(9_000_000 + n as u64 * 100 + i)).collect();
        let items: Vec<Value> =
            ids.iter().map(|id| json!({"InventoryTypeID": sim, "Identifier": id, "Note": "old"})).collect();
        let created = call_ok(&app, b, "Inventory_Bulk_Create", json!({"InventoryItems": items})).await;
        let first = created["InventoryItemIDs"][0].as_i64().unwrap();
        // One unknown identifier and one prohibited MDN: nothing changes.
        let r = app
            .call(
                b,
                "Inventory_Bulk_Update",
                with(
                    acme(),
                    json!({"InventoryItems": [
                        {"ID": first, "Note": "new"},
                        {"Identifier": ids[1], "InventoryTypeID": sim, "Note": "new"},
                        {"Identifier": iccid(8_888_888), "InventoryTypeID": sim, "Note": "new"},
                        {"Identifier": ids[2], "InventoryType": "SIM_Card", "Wireless": {"MDN": "5125550000"}}
                    ]}),
                ),
            )
            .await;
        assert_error(&r, "S2010");
        let m = message(&r);
        assert!(
            m.contains(&format!("item 3 ({})", iccid(8_888_888))) && m.contains(&format!("item 4 ({})", ids[2])),
            "{m}"
        );
        assert_eq!(item(&app, b, first).await["Note"], "old");
        // All good: all change.
        call_ok(
            &app,
            b,
            "Inventory_Bulk_Update",
            json!({"InventoryItems": [{"ID": first, "Note": "new"}, {"Identifier": ids[1], "InventoryType": "SIM_Card", "Note": "new"}]}),
        )
        .await;
        assert_eq!(item(&app, b, first).await["Note"], "new");
        assert_eq!(item(&app, b, first + 1).await["Note"], "new");
        let dup = app
            .call(
                b,
                "Inventory_Bulk_Update",
                with(acme(), json!({"InventoryItems": [{"ID": first, "Note": "a"}, {"ID": first, "Note": "b"}]})),
            )
            .await;
        assert_error(&dup, "S2010");
    }
}

#[tokio::test]
async fn assign_unassign_and_history() {
    let app = TestApp::new().await;
    let (customer, service, cp) = customer_with_service(&app, "acme", 100).await;
    let (other_customer, _other_service, other_cp) = customer_with_service(&app, "acme", 100).await;
    for (n, b) in BINDINGS.into_iter().enumerate() {
        let sim = create_type(&app, b, sim_type()).await;
        let mk = |i: u64| json!({"Inventory": {"InventoryTypeID": sim, "Identifier": iccid(7_000_000 + n as u64 * 100 + i)}});
        let a = call_ok(&app, b, "Inventory_Create", mk(1)).await["InventoryItemID"].as_i64().unwrap();
        let unavailable = call_ok(&app, b, "Inventory_Create", json!({"Inventory": {"InventoryTypeID": sim, "Identifier": iccid(7_000_000 + n as u64 * 100 + 2), "Status": "UNAVAILABLE"}}))
            .await["InventoryItemID"]
            .as_i64()
            .unwrap();

        // Refusals, none of which changes anything.
        let assign = |v: Value| with(acme(), v);
        assert_error(&app.call(b, "Inventory_Assign", assign(json!({"InventoryItemID": a}))).await, "S2010");
        assert_error(
            &app.call(b, "Inventory_Assign", assign(json!({"InventoryItemID": 987654, "CustomerID": customer}))).await,
            "I2019",
        );
        assert_error(
            &app.call(b, "Inventory_Assign", assign(json!({"InventoryItemID": a, "CustomerID": 987654}))).await,
            "C2002",
        );
        assert_error(
            &app.call(b, "Inventory_Assign", assign(json!({"InventoryItemID": a, "LineID": 987654}))).await,
            "L2024",
        );
        assert_error(
            &app.call(
                b,
                "Inventory_Assign",
                assign(json!({"InventoryItemID": a, "CustomerID": other_customer, "LineID": service})),
            )
            .await,
            "N2001",
        );
        assert_error(
            &app.call(
                b,
                "Inventory_Assign",
                assign(json!({"InventoryItemID": a, "CustomerID": other_customer, "CustomerProductID": cp})),
            )
            .await,
            "N2001",
        );
        let r = app
            .call(
                b,
                "Inventory_Assign",
                assign(json!({"InventoryItemID": a, "LineID": service, "CustomerProductID": other_cp})),
            )
            .await;
        assert_error(&r, "S2010");
        assert_error(
            &app.call(b, "Inventory_Assign", assign(json!({"InventoryItemID": a, "CustomerProductID": 987654}))).await,
            "S2010",
        );
        let r = app
            .call(b, "Inventory_Assign", assign(json!({"InventoryItemID": unavailable, "CustomerID": customer})))
            .await;
        assert_error(&r, "S2010");
        assert!(message(&r).contains("UNAVAILABLE"), "{}", message(&r));
        assert_eq!(item(&app, b, a).await["Status"], "AVAILABLE");

        // Assign with all three agreeing.
        call_ok(
            &app,
            b,
            "Inventory_Assign",
            json!({"InventoryItemID": a, "CustomerID": customer, "LineID": service, "CustomerProductID": cp}),
        )
        .await;
        let i = item(&app, b, a).await;
        assert_eq!(i["Status"], "ASSIGNED");
        assert_eq!(i["CustomerID"], customer);
        assert!(i["AssignedDate"].as_str().is_some());
        let q = call_ok(&app, b, "Customers_Query", json!({"CustomerID": customer})).await;
        let inv = &q["Customer"]["Services"][0]["Inventory"];
        assert!(
            inv.as_array().unwrap().iter().any(|x| x["ID"] == a),
            "Customers_Query lists the service's inventory: {q}"
        );
        // Assigned to another customer: refused; re-assigning to the same one is fine.
        let r =
            app.call(b, "Inventory_Assign", assign(json!({"InventoryItemID": a, "CustomerID": other_customer}))).await;
        assert_error(&r, "S2010");
        assert!(message(&r).contains("another customer"), "{}", message(&r));
        call_ok(&app, b, "Inventory_Assign", json!({"InventoryItemID": a, "LineID": service})).await;
        // Update cannot move it or change its status.
        assert_error(
            &app.call(b, "Inventory_Update", assign(json!({"Inventory": {"ID": a, "CustomerID": other_customer}})))
                .await,
            "S2010",
        );
        assert_error(
            &app.call(b, "Inventory_Update", assign(json!({"Inventory": {"ID": a, "Status": "AVAILABLE"}}))).await,
            "S2010",
        );
        call_ok(&app, b, "Inventory_Update", json!({"Inventory": {"ID": a, "CustomerID": customer, "Note": "in use"}}))
            .await;

        // Unassign to UNAVAILABLE with a reason and a note.
        assert_error(&app.call(b, "Inventory_Unassign", assign(json!({"InventoryItemID": 987654}))).await, "I2019");
        assert_error(
            &app.call(b, "Inventory_Unassign", assign(json!({"InventoryItemID": a, "Status": "ASSIGNED"}))).await,
            "S2010",
        );
        assert_error(
            &app.call(
                b,
                "Inventory_Unassign",
                assign(json!({"InventoryItemID": a, "Status": "UNAVAILABLE", "UnavailableReasonID": 42})),
            )
            .await,
            "S2010",
        );
        assert_error(
            &app.call(b, "Inventory_Unassign", assign(json!({"InventoryItemID": a, "UnavailableReasonID": 1}))).await,
            "S2010",
        );
        call_ok(&app, b, "Inventory_Unassign", json!({"InventoryItemID": a, "Status": "UNAVAILABLE", "UnavailableReasonID": 2, "Note": "lost by customer"})).await;
        let i = item(&app, b, a).await;
        assert_eq!(i["Status"], "UNAVAILABLE");
        assert_eq!(i["UnavailableReasonID"], 2);
        assert_eq!(i["UnavailableReasonDescription"], "Lost");
        assert_eq!(i["Note"], "lost by customer");
        assert!(i.get("CustomerID").is_none_or(Value::is_null));
        assert_error(&app.call(b, "Inventory_Unassign", assign(json!({"InventoryItemID": a}))).await, "S2010");
        // Back to AVAILABLE (update), assign again, unassign to the default AVAILABLE.
        call_ok(&app, b, "Inventory_Update", json!({"Inventory": {"ID": a, "Status": "AVAILABLE"}})).await;
        call_ok(&app, b, "Inventory_Assign", json!({"InventoryItemID": a, "CustomerProductID": other_cp})).await;
        assert_eq!(item(&app, b, a).await["CustomerID"], other_customer);
        call_ok(&app, b, "Inventory_Unassign", json!({"InventoryItemID": a})).await;
        assert_eq!(item(&app, b, a).await["Status"], "AVAILABLE");

        // The history, oldest first, with user and note.
        let h = call_ok(&app, b, "InventoryHistory_Query", json!({"InventoryItemID": a})).await["History"].clone();
        let actions: Vec<&str> = h.as_array().unwrap().iter().map(|e| e["Action"].as_str().unwrap()).collect();
        // Back to AVAILABLE: a STATUS entry and the reason cleared (UPDATED UnavailableReasonID).
        assert_eq!(
            actions,
            ["CREATED", "ASSIGNED", "ASSIGNED", "UPDATED", "UNASSIGNED", "STATUS", "UPDATED", "ASSIGNED", "UNASSIGNED"],
            "{h:#}"
        );
        assert_eq!(h[6]["Field"], "UnavailableReasonID");
        let unassigned = &h[4];
        assert_eq!(unassigned["Note"], "lost by customer");
        assert_eq!(unassigned["NewValue"], "UNAVAILABLE");
        assert_eq!(unassigned["UserID"], 1);
        assert_eq!(unassigned["Username"], "api");
        assert_eq!(unassigned["Operation"], "Inventory_Unassign");
        assert_eq!(h[3]["Field"], "Note");
        assert_eq!(h[5]["OldValue"], "UNAVAILABLE");
        assert!(h[0]["Date"].as_str().is_some());
        assert_error(&app.call(b, "InventoryHistory_Query", assign(json!({"InventoryItemID": 987654}))).await, "I2019");
    }
}

#[tokio::test]
async fn service_inventory_by_identifier() {
    let app = TestApp::new().await;
    let (customer, service, cp) = customer_with_service(&app, "acme", 101).await;
    let (_, other_service, other_cp) = customer_with_service(&app, "acme", 100).await;
    for (n, b) in BINDINGS.into_iter().enumerate() {
        let dids = create_type(
            &app,
            b,
            json!({"Type": "Telephone_Number", "Identifier": "DID", "Name": "DIDs", "ProductIDs": [101]}),
        )
        .await;
        let numbers: Vec<String> = (0..3).map(|i| format!("51255{n}{i:04}")).collect();
        let items: Vec<Value> = numbers.iter().map(|id| json!({"InventoryTypeID": dids, "Identifier": id})).collect();
        call_ok(&app, b, "Inventory_Bulk_Create", json!({"InventoryItems": items})).await;
        let req = |v: Value| with(acme(), v);

        assert_error(
            &app.call(
                b,
                "InventoryTypes_Assign",
                req(json!({"Identifiers": [numbers[0]], "LineID": 987654, "CustomerProductID": cp})),
            )
            .await,
            "L2024",
        );
        assert_error(
            &app.call(
                b,
                "InventoryTypes_Assign",
                req(json!({"Identifiers": [], "LineID": service, "CustomerProductID": cp})),
            )
            .await,
            "S2010",
        );
        assert_error(
            &app.call(b, "InventoryTypes_Assign", req(json!({"Identifiers": [numbers[0]], "LineID": service}))).await,
            "S2010",
        );
        assert_error(
            &app.call(
                b,
                "InventoryTypes_Assign",
                req(json!({"Identifiers": ["0000000000"], "LineID": service, "CustomerProductID": cp})),
            )
            .await,
            "I2019",
        );
        // The product of other_cp (100) is not associated with the DID type.
        let r = app
            .call(
                b,
                "InventoryTypes_Assign",
                req(json!({"Identifiers": [numbers[0]], "LineID": other_service, "CustomerProductID": other_cp})),
            )
            .await;
        assert_error(&r, "S2010");
        assert!(message(&r).contains("not associated"), "{}", message(&r));
        // The customer product must be on the service.
        assert_error(
            &app.call(
                b,
                "InventoryTypes_Assign",
                req(json!({"Identifiers": [numbers[0]], "LineID": other_service, "CustomerProductID": cp})),
            )
            .await,
            "S2010",
        );
        // One unknown identifier fails the whole request.
        let r = app
            .call(
                b,
                "InventoryTypes_Assign",
                req(json!({"Identifiers": [numbers[0], "0000000000"], "LineID": service, "CustomerProductID": cp})),
            )
            .await;
        assert_error(&r, "I2019");
        let q = call_ok(&app, b, "Customers_Query", json!({"CustomerID": customer})).await;
        assert!(!q["Customer"]["Services"][0]["Inventory"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["Identifier"] == numbers[0].as_str()));

        call_ok(
            &app,
            b,
            "InventoryTypes_Assign",
            json!({"Identifiers": [numbers[0], numbers[1]], "LineID": service, "CustomerProductID": cp}),
        )
        .await;
        let q = call_ok(&app, b, "Customers_Query", json!({"CustomerID": customer})).await;
        let on_service: Vec<&str> = q["Customer"]["Services"][0]["Inventory"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["Identifier"].as_str().unwrap())
            .collect();
        assert!(
            on_service.contains(&numbers[0].as_str()) && on_service.contains(&numbers[1].as_str()),
            "{on_service:?}"
        );

        assert_error(
            &app.call(b, "InventoryTypes_Unassign", req(json!({"Identifiers": [numbers[2]], "LineID": service}))).await,
            "I2019",
        );
        assert_error(
            &app.call(b, "InventoryTypes_Unassign", req(json!({"Identifiers": [numbers[0]], "LineID": 987654}))).await,
            "L2024",
        );
        assert_error(
            &app.call(
                b,
                "InventoryTypes_Unassign",
                req(json!({"Identifiers": [numbers[0]], "LineID": service, "InventoryStatus": "BATCHED"})),
            )
            .await,
            "S2010",
        );
        call_ok(
            &app,
            b,
            "InventoryTypes_Unassign",
            json!({"Identifiers": [numbers[0]], "LineID": service, "InventoryStatus": "UNAVAILABLE"}),
        )
        .await;
        call_ok(&app, b, "InventoryTypes_Unassign", json!({"Identifiers": [numbers[1]], "LineID": service})).await;
        let q = call_ok(&app, b, "Customers_Query", json!({"CustomerID": customer})).await;
        assert!(!q["Customer"]["Services"][0]["Inventory"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| numbers[..2].contains(&x["Identifier"].as_str().unwrap().to_string())));
        let ids = call_ok(&app, b, "InventoryTypes_Query", json!({"ID": dids})).await;
        assert_eq!(ids["InventoryTypes"][0]["ProductIDs"], json!([101]));
    }
}

#[tokio::test]
async fn clients_do_not_see_each_others_inventory() {
    let app = TestApp::new().await;
    for (n, b) in BINDINGS.into_iter().enumerate() {
        let identifier = iccid(6_000_000 + n as u64);
        let sim = create_type(&app, b, sim_type()).await;
        let id = call_ok(
            &app,
            b,
            "Inventory_Create",
            json!({"Inventory": {"InventoryTypeID": sim, "Identifier": identifier}}),
        )
        .await["InventoryItemID"]
            .as_i64()
            .unwrap();
        let g = |v: Value| with(globex(), v);
        assert_error(&app.call(b, "Inventory_Query", g(json!({"InventoryID": id}))).await, "I2019");
        assert_error(
            &app.call(b, "Inventory_Query", g(json!({"Inventory": {"Identifier": identifier, "Type": "SIM_Card"}})))
                .await,
            "I2019",
        );
        assert_error(&app.call(b, "Inventory_Update", g(json!({"Inventory": {"ID": id, "Note": "x"}}))).await, "I2019");
        assert_error(&app.call(b, "InventoryHistory_Query", g(json!({"InventoryItemID": id}))).await, "I2019");
        let types = app.call(b, "InventoryTypes_Query", g(json!({}))).await;
        assert_ok(&types);
        assert!(!types["InventoryTypes"].as_array().unwrap().iter().any(|t| t["Name"] == "SIM cards"));
        // Globex's own type and item, with the same identifier, are separate.
        let gsim = app.call(b, "InventoryTypes_Create", g(json!({"InventoryType": {"Type": "SIM_Card", "Identifier": "ICCID", "Name": "Globex SIMs", "RequiresProduct": true, "Format": "ICCID_DECIMAL"}}))).await;
        assert_ok(&gsim);
        let gi = app
            .call(
                b,
                "Inventory_Create",
                g(json!({"Inventory": {"InventoryTypeID": gsim["ID"], "Identifier": identifier}})),
            )
            .await;
        assert_ok(&gi);
        // Acme's item is untouched.
        assert_eq!(item(&app, b, id).await["InventoryTypeID"], sim);
        call_ok(&app, b, "Inventory_Update", json!({"Inventory": {"ID": id, "Note": "acme"}})).await;
    }
}

#[tokio::test]
async fn readonly_role_may_query_but_not_change() {
    let app = TestApp::new().await;
    let sim = create_type(&app, Binding::Json, sim_type()).await;
    for b in BINDINGS {
        let r = app
            .call(
                b,
                "Inventory_Create",
                with(acme_viewer(), json!({"Inventory": {"InventoryTypeID": sim, "Identifier": iccid(5)}})),
            )
            .await;
        assert_error(&r, "S2017");
        assert_ok(&app.call(b, "InventoryTypes_Query", with(acme_viewer(), json!({}))).await);
    }
}
