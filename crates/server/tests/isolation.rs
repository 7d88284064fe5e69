//! acme and globex are separate systems: the same ids, different data, and no way across.

mod common;
use common::*;
use serde_json::json;

#[tokio::test]
async fn catalogs_are_separate_even_with_the_same_ids() {
    let app = TestApp::new().await;
    for b in BINDINGS {
        let a = app.call(b, "Products_Query", with(acme(), json!({"ProductID": 100}))).await;
        let g = app.call(b, "Products_Query", with(globex(), json!({"ProductID": 100}))).await;
        assert_eq!(a["Products"][0]["Name"], "Unlimited Talk & Text");
        assert_eq!(g["Products"][0]["Name"], "Globex Fiber 1G");
        // globex has no product 101, whatever acme has.
        assert_error(&app.call(b, "Products_Query", with(globex(), json!({"ProductID": 101}))).await, "PR2023");
        let all = app.call(b, "Products_Query", with(globex(), json!({"IncludeNonLineCarrierProducts": true}))).await;
        assert_eq!(all["Products"].as_array().unwrap().len(), 1);
    }
}

#[tokio::test]
async fn writes_stay_in_their_client() {
    let app = TestApp::new().await;
    for b in BINDINGS {
        // Products_Create: a new acme product is invisible to globex.
        let created = app
            .call(
                b,
                "Products_Create",
                with(acme(), json!({"CarrierID": 10, "ProductTypeID": 1, "Description": "acme only"})),
            )
            .await;
        let id = created["ProductID"].clone();
        assert_error(&app.call(b, "Products_Query", with(globex(), json!({"ProductID": id}))).await, "PR2023");

        // Products_Update: globex updating "its" product 100 leaves acme's untouched; updating
        // acme's product id that globex does not have is PR2023.
        assert_ok(
            &app.call(
                b,
                "Products_Update",
                with(globex(), json!({"ID": 100, "CarrierID": 10, "ProductTypeID": 1, "Rate": "71.00"})),
            )
            .await,
        );
        let acme100 = app.call(b, "Products_Query", with(acme(), json!({"ProductID": 100}))).await;
        assert_eq!(acme100["Products"][0]["Rate"], "35.00");
        assert_error(
            &app.call(b, "Products_Update", with(globex(), json!({"ID": 101, "CarrierID": 10, "ProductTypeID": 1})))
                .await,
            "PR2023",
        );

        // Customers: ids are per client; globex cannot read acme's customer.
        let a = app
            .call(
                b,
                "Customers_Create",
                with(acme(), json!({"CustomerClass": "Business", "CompanyName": "Acme Customer"})),
            )
            .await;
        let g = app
            .call(
                b,
                "Customers_Create",
                with(globex(), json!({"CustomerClass": "Business", "CompanyName": "Globex Customer"})),
            )
            .await;
        let a_id = a["CustomerID"].as_i64().unwrap();
        let g_id = g["CustomerID"].as_i64().unwrap();
        let seen_by_globex = app.call(b, "Customers_Query", with(globex(), json!({"CustomerID": a_id}))).await;
        if a_id == g_id {
            assert_eq!(seen_by_globex["Customer"]["CompanyName"], "Globex Customer");
        } else {
            assert_error(&seen_by_globex, "C2002");
        }
    }
}

#[tokio::test]
async fn sessions_and_keys_do_not_cross_clients() {
    let app = TestApp::new().await;
    for b in BINDINGS {
        let g = app.call(b, "Sessions_Create", with(globex(), json!({}))).await;
        let g_key = g["SessionKey"].as_str().unwrap().to_string();
        // A globex session sees globex data only.
        let r = app.call(b, "Products_Query", json!({"Session": {"SessionKey": g_key}, "ProductID": 100})).await;
        assert_eq!(r["Products"][0]["Name"], "Globex Fiber 1G");
        // acme cannot destroy globex's session, and is not told it exists.
        let d = app.call(b, "Sessions_Destroy", with(acme(), json!({"SessionKey": g_key}))).await;
        assert_error(&d, "S2004");
        assert_ok(&app.call(b, "Sessions_Validate", json!({"Session": {"SessionKey": g_key}})).await);
        // A globex user cannot log in to acme with globex's password, nor use an acme
        // impersonation key.
        let cross = app
            .call(
                b,
                "Products_Query",
                json!({"Credentials": {"Username": "api", "Password": "another strong pass", "Client": "acme"}}),
            )
            .await;
        assert_error(&cross, "S2005");
        let grant = app.call(b, "Impersonation_Authorize", with(acme(), json!({"ToUserID": 2}))).await;
        let mut creds = globex();
        creds["ImpersonationKey"] = grant["ImpersonationKey"].clone();
        assert_error(&app.call(b, "Products_Query", json!({"Credentials": creds})).await, "S2005");
        // Impersonation_Authorize names users of the caller's client only.
        assert_error(
            &app.call(b, "Impersonation_Authorize", with(globex(), json!({"ToUserName": "viewer"}))).await,
            "U2001",
        );
        // Sessions_Validate answers for the session's own client.
        let v = app.call(b, "Sessions_Validate", json!({"Session": {"SessionKey": g_key}})).await;
        assert_eq!(v["UserID"], 1);
        assert!(v["AgentID"].is_null(), "globex's user 1 has no agent: {v}");
    }
}
