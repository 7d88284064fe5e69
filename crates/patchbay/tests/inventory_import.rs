//! `patchbay inventory import`: the command run on a fresh database (SQLite, or PostgreSQL
//! when PATCHBAY_TEST_DATABASE_URL is set).

use patchbay_core::Engine;
use serde_json::json;

mod common;
use common::{patchbay, SETTINGS};

#[tokio::test]
async fn import_is_validated_and_all_or_nothing() {
    let url = patchbay_store::testing::fresh_database_url().await;
    let store = patchbay_store::open(&url).await.unwrap();
    store.migrate().await.unwrap();
    patchbay_core::settings::apply_str(&*store, "fixture", SETTINGS).await.unwrap();
    let engine = Engine::new(store.clone());
    let creds = json!({"Username": "api", "Password": "correct horse battery", "Client": "acme"});
    let t = engine
        .execute(
            "InventoryTypes_Create",
            json!({"Credentials": creds, "InventoryType": {"Type": "SIM_Card", "Identifier": "ICCID", "Name": "SIMs", "RequiresProduct": true,
                   "Format": "ICCID_DECIMAL", "ItemFields": [{"Label": "Batch", "FieldType": "Text Box", "IsRequired": true}]}}),
        )
        .await
        .unwrap()
        .result;
    let type_id = t["ID"].as_i64().expect("type created").to_string();
    let dir = tempfile::tempdir().unwrap();
    let import = |file: &std::path::Path| {
        patchbay(&url, &["inventory", "import", "--client", "acme", "--type", &type_id, file.to_str().unwrap()])
    };
    let first_sim = || async {
        engine
            .execute(
                "Inventory_Query",
                json!({"Credentials": creds, "Inventory": {"Identifier": "89014103211118510720", "Type": "SIM_Card"}}),
            )
            .await
            .unwrap()
            .result
    };

    // A bad ICCID, a duplicate, a missing required field and an unreadable status: nothing written.
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "Identifier,Status,Note,MSID,Batch\n\
         89014103211118510720,AVAILABLE,first,,B1\n\
         89014103211118510721,,,,B1\n\
         89014103211118510720,,,,B1\n\
         8901410321111851072,,,,\n",
    )
    .unwrap();
    let (ok, _, err) = import(&bad);
    assert!(!ok);
    assert!(err.contains("line 3 (89014103211118510721): Identifier:") && err.contains("Luhn"), "{err}");
    assert!(err.contains("line 4 (89014103211118510720): Identifier: duplicates item 1"), "{err}");
    assert!(err.contains("line 5 (8901410321111851072): Fields:") && err.contains("Batch"), "{err}");
    assert!(err.contains("3 of 4 row(s) refused; nothing was imported"), "{err}");
    assert_eq!(first_sim().await["Header"]["Error_Code"], "I2019", "nothing was written");

    let unreadable = dir.path().join("unreadable.csv");
    std::fs::write(&unreadable, "Identifier,Status\n89014103211118510720,SOLD\n").unwrap();
    let (ok, _, err) = import(&unreadable);
    assert!(!ok && err.contains("line 2 (89014103211118510720): Status"), "{err}");
    // A NUL character in a cell is refused as through the API, on both engines.
    let nul = dir.path().join("nul.csv");
    std::fs::write(&nul, "Identifier,Batch,Note\n89014103211118510720,B1,a\0b\n").unwrap();
    let (ok, _, err) = import(&nul);
    assert!(!ok && err.contains("line 2 (89014103211118510720): Note: must not contain the NUL"), "{err}");

    // Many refused rows: the first 20 are listed, then one line counts the rest; the summary
    // stays, and the one good row is not written either.
    let many = dir.path().join("many.csv");
    let mut csv = String::from("Identifier,Batch\n89014103211118510720,B1\n");
    for n in 1..=30 {
        csv.push_str(&format!("bad{n:02},B1\n"));
    }
    std::fs::write(&many, csv).unwrap();
    let (ok, _, err) = import(&many);
    assert!(!ok, "{err}");
    let rows: Vec<&str> = err.lines().filter(|l| l.starts_with("line ")).collect();
    assert_eq!(rows.len(), 20, "{err}");
    assert!(rows[0].starts_with("line 3 (bad01): Identifier:"), "{err}");
    assert!(rows[19].starts_with("line 22 (bad20): Identifier:"), "{err}");
    assert!(!err.contains("(bad21)"), "{err}");
    assert_eq!(err.lines().filter(|l| l.starts_with("… and ")).collect::<Vec<_>>(), ["… and 10 more row(s) refused"]);
    assert!(err.contains("30 of 31 row(s) refused; nothing was imported"), "{err}");
    assert_eq!(first_sim().await["Header"]["Error_Code"], "I2019", "nothing was written");

    // Unreadable rows are capped the same way.
    let unreadable_many = dir.path().join("unreadable_many.csv");
    let mut csv = String::from("Identifier,Status\n");
    for n in 1..=25 {
        csv.push_str(&format!("id{n:02},SOLD\n"));
    }
    std::fs::write(&unreadable_many, csv).unwrap();
    let (ok, _, err) = import(&unreadable_many);
    assert!(!ok, "{err}");
    assert_eq!(err.lines().filter(|l| l.starts_with("line ")).count(), 20, "{err}");
    assert!(err.contains("line 21 (id20): Status") && !err.contains("(id21)"), "{err}");
    assert!(err.contains("… and 5 more row(s) refused"), "{err}");
    assert!(err.contains("25 row(s) of") && err.contains("could not be read; nothing was imported"), "{err}");

    // The good file.
    let good = dir.path().join("good.csv");
    std::fs::write(
        &good,
        "Identifier,Status,Note,MSID,UnavailableReasonID,Batch\n\
         89014103211118510720,AVAILABLE,first,3125550000,,B1\n\
         8901410321111851072,UNAVAILABLE,,,1,B2\n",
    )
    .unwrap();
    let (ok, out, err) = patchbay(
        &url,
        &["inventory", "import", "--client", "acme", "--type", &type_id, "--user", "api", good.to_str().unwrap()],
    );
    assert!(ok, "{err}");
    assert!(out.contains("imported 2 inventory item(s)"), "{out}");
    let found = first_sim().await;
    let item = &found["Inventory"];
    assert_eq!(item["Note"], "first");
    assert_eq!(item["Wireless"]["MSID"], "3125550000");
    assert_eq!(item["Fields"][0]["Value"], "B1");
    let h = engine
        .execute("InventoryHistory_Query", json!({"Credentials": creds, "InventoryItemID": item["ID"]}))
        .await
        .unwrap();
    assert_eq!(h.result["History"][0]["Operation"], "patchbay inventory import");
    assert_eq!(h.result["History"][0]["Username"], "api");
    // The audit record comes from the same place as a request's: the user, the command, the items.
    let sql = "SELECT operation || '|' || CAST(user_id AS TEXT) || '|' || entity || '|' || entity_ids FROM audit_log ORDER BY id";
    let audit = patchbay_store::testing::client_texts(&url, "acme", sql).await;
    let ids = format!("[{},{}]", item["ID"], item["ID"].as_i64().unwrap() + 1);
    assert_eq!(audit.last().unwrap(), &format!("patchbay inventory import|1|inventory_item|{ids}"), "{audit:?}");

    // Importing it again: every row is now a duplicate.
    let (ok, _, err) = import(&good);
    assert!(!ok && err.contains("already exists"), "{err}");
    let (ok, _, err) =
        patchbay(&url, &["inventory", "import", "--client", "nobody", "--type", &type_id, good.to_str().unwrap()]);
    assert!(!ok && err.contains("no client"), "{err}");
    store.close().await;
}
