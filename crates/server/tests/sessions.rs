//! Framing and sessions through both bindings: Credentials, Session, errors, impersonation,
//! roles, Debug.

mod common;
use common::*;
use serde_json::json;

#[tokio::test]
async fn credentials_reuse_one_live_session_and_a_session_key_works() {
    let app = TestApp::new().await;
    for b in BINDINGS {
        let first = app.call(b, "Products_Query", with(acme(), json!({"ProductID": 100}))).await;
        assert_ok(&first);
        let second = app.call(b, "Products_Query", with(acme(), json!({"ProductID": 100}))).await;
        let key = first["Header"]["SessionKey"].as_str().expect("authenticated responses carry a SessionKey");
        assert_eq!(second["Header"]["SessionKey"], key, "{b:?}: Credentials requests reuse the live session");
        let by_session = app.call(b, "Products_Query", json!({"Session": {"SessionKey": key}, "ProductID": 100})).await;
        assert_ok(&by_session);
        assert_eq!(by_session["Header"]["SessionKey"], key);
        assert_eq!(by_session["Header"]["Impersonated"], false);
    }
}

#[tokio::test]
async fn sessions_create_validate_destroy() {
    let app = TestApp::new().await;
    for b in BINDINGS {
        let created = app.call(b, "Sessions_Create", with(acme(), json!({}))).await;
        assert_ok(&created);
        let key = created["SessionKey"].as_str().unwrap().to_string();
        assert_eq!(created["Header"]["SessionKey"], key.as_str());
        let encoded = created["SessionKey_Encoded"].as_str().unwrap();
        assert!(encoded.chars().all(|c| c.is_ascii_alphanumeric() || "-_.~%".contains(c)), "{encoded}");

        let session = json!({"SessionKey": key});
        let valid = app.call(b, "Sessions_Validate", json!({"Session": session})).await;
        assert_ok(&valid);
        assert_eq!(valid["UserID"], 1);
        assert_eq!(valid["AgentID"], 500);
        assert_eq!(valid["AgentNumber"], "A-500");

        let destroyed = app.call(b, "Sessions_Destroy", json!({"Session": session, "SessionKey": key})).await;
        assert_ok(&destroyed);
        let after = app.call(b, "Products_Query", json!({"Session": session, "ProductID": 100})).await;
        assert_error(&after, "S2004");
    }
}

#[tokio::test]
async fn bad_logins_are_s2005_and_indistinguishable() {
    let app = TestApp::new().await;
    for b in BINDINGS {
        let wrong_password = app
            .call(
                b,
                "Products_Query",
                json!({"Credentials": {"Username": "api", "Password": "nope nope", "Client": "acme"}}),
            )
            .await;
        let unknown_user = app
            .call(
                b,
                "Products_Query",
                json!({"Credentials": {"Username": "ghost", "Password": "nope nope", "Client": "acme"}}),
            )
            .await;
        let unknown_client = app
            .call(
                b,
                "Products_Query",
                json!({"Credentials": {"Username": "api", "Password": "correct horse battery", "Client": "nobody"}}),
            )
            .await;
        for r in [&wrong_password, &unknown_user, &unknown_client] {
            assert_error(r, "S2005");
            assert!(r["Header"]["SessionKey"].is_null(), "no session for a failed login: {r}");
        }
        assert_eq!(wrong_password["Header"], unknown_user["Header"]);
        assert_eq!(wrong_password["Header"], unknown_client["Header"]);
        let unknown_key = app.call(b, "Products_Query", json!({"Session": {"SessionKey": "bm90IGEga2V5"}})).await;
        assert_error(&unknown_key, "S2004");
        let nothing = app.call(b, "Products_Query", json!({})).await;
        assert_error(&nothing, "S2005");
    }
}

#[tokio::test]
async fn roles_gate_operations() {
    let app = TestApp::new().await;
    for b in BINDINGS {
        let read = app.call(b, "Products_Query", with(acme_viewer(), json!({"ProductID": 100}))).await;
        assert_ok(&read);
        let write = app
            .call(
                b,
                "Products_Create",
                with(acme_viewer(), json!({"CarrierID": 10, "ProductTypeID": 1, "Description": "x"})),
            )
            .await;
        assert_error(&write, "S2017");
        let after = app.call(b, "Products_Query", with(acme(), json!({"CarrierID": 10}))).await;
        assert!(
            after["Products"].as_array().unwrap().iter().all(|p| p["Description"] != "x"),
            "a refused create changes nothing"
        );
    }
}

#[tokio::test]
async fn impersonation_keys_work_only_for_the_grantee_and_mark_the_header() {
    let app = TestApp::new().await;
    for b in BINDINGS {
        let granted = app.call(b, "Impersonation_Authorize", with(acme(), json!({"ToUserName": "viewer"}))).await;
        assert_ok(&granted);
        assert_eq!(granted["ToUserID"], 2);
        let key = granted["ImpersonationKey"].as_str().unwrap().to_string();
        assert_eq!(key.len(), 64);

        // The viewer, holding the key, acts as api: may create products, and is told so.
        let mut creds = acme_viewer();
        creds["ImpersonationKey"] = json!(key);
        let created = app
            .call(
                b,
                "Products_Create",
                json!({"Credentials": creds, "CarrierID": 10, "ProductTypeID": 1, "Description": "via impersonation"}),
            )
            .await;
        assert_ok(&created);
        assert_eq!(created["Header"]["Impersonated"], true);
        let whoami =
            app.call(b, "Sessions_Validate", json!({"Session": {"SessionKey": created["Header"]["SessionKey"]}})).await;
        assert_eq!(whoami["UserID"], 1);
        assert_eq!(whoami["Header"]["Impersonated"], true);

        // api itself cannot use a key granted to viewer.
        let mut wrong = acme();
        wrong["ImpersonationKey"] = json!(key);
        assert_error(&app.call(b, "Products_Query", json!({"Credentials": wrong})).await, "S2005");

        // An expiration in the past is refused; both ToUserID and ToUserName is refused.
        let past = app
            .call(
                b,
                "Impersonation_Authorize",
                with(acme(), json!({"ToUserID": 2, "ExpirationDate": "2001-01-01T00:00:00"})),
            )
            .await;
        assert_error(&past, "S2010");
        assert!(message(&past).contains("ExpirationDate"));
        let both =
            app.call(b, "Impersonation_Authorize", with(acme(), json!({"ToUserID": 2, "ToUserName": "viewer"}))).await;
        assert_error(&both, "S2010");
        let nobody = app.call(b, "Impersonation_Authorize", with(acme(), json!({"ToUserID": 99}))).await;
        assert_error(&nobody, "U2001");
    }
}

#[tokio::test]
async fn a_session_opened_with_an_impersonation_key_ends_when_the_key_expires() {
    let app = TestApp::new().await;
    let expiration = patchbay_schema::DateTime::from_unix(patchbay_schema::DateTime::now().unix() + 3600).unwrap();
    let granted = app
        .call(
            Binding::Json,
            "Impersonation_Authorize",
            with(acme(), json!({"ToUserName": "viewer", "ExpirationDate": expiration})),
        )
        .await;
    assert_ok(&granted);
    let mut creds = acme_viewer();
    creds["ImpersonationKey"] = granted["ImpersonationKey"].clone();
    for b in BINDINGS {
        let opened = app.call(b, "Sessions_Create", json!({"Credentials": creds})).await;
        assert_ok(&opened);
        assert_eq!(opened["Header"]["Impersonated"], true);
        let key = opened["SessionKey"].as_str().unwrap().to_string();
        // The session carries the key's end...
        let hash = patchbay_core::auth::hash_key(&key);
        let mut record = app.store.session(&hash).await.unwrap().unwrap();
        assert_eq!(record.expires_at, Some(expiration), "{b:?}");
        let session = json!({"Session": {"SessionKey": key}});
        assert_ok(&app.call(b, "Products_Query", session.clone()).await);
        // ...and once that has passed, the session is refused like an unknown one, however
        // recently it was used.
        record.expires_at = patchbay_schema::DateTime::from_unix(patchbay_schema::DateTime::now().unix() - 1);
        app.store.delete_session(&hash).await.unwrap();
        app.store.insert_session(&record).await.unwrap();
        app.engine.forget_cached_sessions();
        let after = app.call(b, "Products_Query", session).await;
        assert_error(&after, "S2004");
        assert!(message(&after).contains("impersonation key"), "{after}");
        assert!(app.store.session(&hash).await.unwrap().is_none(), "the ended session is removed");
    }
}

#[tokio::test]
async fn refusals_after_a_successful_login_carry_the_session_key() {
    let app = TestApp::new().await;
    for b in BINDINGS {
        // Credentials: the refusal names the user's live session, as a success would.
        let r = app.call(b, "Products_Query", with(acme(), json!({"ProductID": 999}))).await;
        assert_error(&r, "PR2023");
        let key = r["Header"]["SessionKey"].as_str().unwrap_or_else(|| panic!("{b:?}: no SessionKey: {r}")).to_string();
        assert_ok(&app.call(b, "Sessions_Validate", json!({"Session": {"SessionKey": key}})).await);
        // Session: the refusal carries that session's key, for invalid input and for roles too.
        let bad = app.call(b, "Products_Query", json!({"Session": {"SessionKey": key}, "Zip": "7"})).await;
        assert_error(&bad, "S2010");
        assert_eq!(bad["Header"]["SessionKey"], key.as_str(), "{b:?}");
        let denied =
            app.call(b, "Products_Create", with(acme_viewer(), json!({"CarrierID": 10, "ProductTypeID": 1}))).await;
        assert_error(&denied, "S2017");
        assert!(denied["Header"]["SessionKey"].is_string(), "{b:?}: {denied}");
        // A failed login has no session to name.
        let failed = app
            .call(
                b,
                "Products_Query",
                json!({"Credentials": {"Username": "api", "Password": "wrong", "Client": "acme"}}),
            )
            .await;
        assert_error(&failed, "S2005");
        assert!(failed["Header"]["SessionKey"].is_null(), "{b:?}: {failed}");
    }
}

#[tokio::test]
async fn debug_echoes_the_request_with_secrets_masked() {
    let app = TestApp::new().await;
    for b in BINDINGS {
        let r = app.call(b, "Products_Query", with(acme(), json!({"Debug": true, "ProductID": 100}))).await;
        assert_ok(&r);
        let echoed = &r["Debug"]["Request"];
        assert_eq!(echoed["ProductID"], 100, "{b:?}: {r:#}");
        assert_eq!(echoed["Credentials"]["Username"], "api");
        assert_ne!(echoed["Credentials"]["Password"], "correct horse battery");
        let plain = app.call(b, "Products_Query", with(acme(), json!({"ProductID": 100}))).await;
        assert!(plain["Debug"].is_null());
    }
}

#[tokio::test]
async fn a_fatal_error_is_answered_in_the_header_with_the_request_and_writes_nothing() {
    let app = TestApp::new().await;
    let count = |r: serde_json::Value| r["Products"].as_array().map(Vec::len).unwrap_or(0);
    let all = json!({"IncludeNonLineCarrierProducts": true});
    let before = count(app.call(Binding::Json, "Products_Query", with(acme(), all.clone())).await);
    // Storage fails underneath the operation: the audit record of the change cannot be written.
    patchbay_store::testing::execute_in_client(&app.url, "acme", "DROP TABLE audit_log").await;
    for b in BINDINGS {
        let r = app
            .call(
                b,
                "Products_Create",
                with(
                    acme(),
                    json!({"CarrierID": 10, "ProductTypeID": 1, "Description": "never stored", "Rate": "1.50"}),
                ),
            )
            .await;
        assert_eq!(r["Header"]["Success"], false, "{b:?}: {r:#}");
        assert!(!message(&r).is_empty(), "{b:?}: a fatal error says what happened: {r:#}");
        assert!(r["ProductID"].is_null(), "{b:?}: {r:#}");
        // Without Debug=true, Debug/Request comes all the same, secrets masked.
        let echoed = &r["Debug"]["Request"];
        assert_eq!(echoed["Description"], "never stored", "{b:?}: {r:#}");
        assert_eq!(echoed["Credentials"]["Username"], "api");
        assert_eq!(echoed["Credentials"]["Password"], "********");
    }
    // The product row and its audit record were one transaction: nothing was kept.
    let after = count(app.call(Binding::Json, "Products_Query", with(acme(), all)).await);
    assert_eq!(after, before);
}

/// A new acme session whose stored last use is `idle_secs` ago, with no process cache of it.
async fn idle_session(app: &TestApp, idle_secs: i64) -> String {
    let created = app.call(Binding::Json, "Sessions_Create", with(acme(), json!({}))).await;
    let key = created["SessionKey"].as_str().unwrap().to_string();
    let hash = patchbay_core::auth::hash_key(&key);
    let mut record = app.store.session(&hash).await.unwrap().unwrap();
    record.last_used_at =
        patchbay_schema::DateTime::from_unix(patchbay_schema::DateTime::now().unix() - idle_secs).unwrap();
    app.store.delete_session(&hash).await.unwrap();
    app.store.insert_session(&record).await.unwrap();
    app.engine.forget_cached_sessions();
    key
}

#[tokio::test]
async fn idle_sessions_expire() {
    let app = TestApp::new().await;
    // Unused past acme's 20 idle minutes.
    let key = idle_session(&app, 21 * 60).await;
    let r = app.call(Binding::Json, "Products_Query", json!({"Session": {"SessionKey": key}})).await;
    assert_error(&r, "S2004");
}

#[tokio::test]
async fn using_a_session_keeps_it_alive_even_under_concurrent_use() {
    let app = TestApp::new().await;
    // Unused for 19 of acme's 20 idle minutes: still alive, and due to be recorded as used.
    let now = patchbay_schema::DateTime::now().unix();
    let key = idle_session(&app, 19 * 60).await;
    // Many requests at once on that session all succeed (one of them records the use).
    let calls = (0..16).map(|_| app.call(Binding::Json, "Products_Query", json!({"Session": {"SessionKey": key}})));
    for r in futures_util::future::join_all(calls).await {
        assert_ok(&r);
    }
    let stored = app.store.session(&patchbay_core::auth::hash_key(&key)).await.unwrap().unwrap();
    assert!(stored.last_used_at.unix() >= now, "the use was recorded: {:?}", stored.last_used_at);
}

#[tokio::test]
async fn repeated_failures_lock_the_username_without_saying_so() {
    let app = TestApp::new().await;
    let bad = json!({"Credentials": {"Username": "viewer", "Password": "wrong wrong", "Client": "acme"}});
    for _ in 0..6 {
        assert_error(&app.call(Binding::Json, "Products_Query", bad.clone()).await, "S2005");
    }
    // Even the right password is refused while locked, with the same answer.
    let right = app.call(Binding::Json, "Products_Query", with(acme_viewer(), json!({}))).await;
    assert_error(&right, "S2005");
    // Other users are unaffected.
    assert_ok(&app.call(Binding::Json, "Products_Query", with(acme(), json!({}))).await);
}

#[tokio::test]
async fn a_user_can_end_only_their_own_sessions() {
    let app = TestApp::new().await;
    for b in BINDINGS {
        let admin = app.call(b, "Sessions_Create", with(acme(), json!({}))).await;
        let key = admin["SessionKey"].clone();
        let by_viewer = app.call(b, "Sessions_Destroy", with(acme_viewer(), json!({"SessionKey": key}))).await;
        assert_error(&by_viewer, "S2004");
        assert_ok(&app.call(b, "Sessions_Validate", json!({"Session": {"SessionKey": key}})).await);
        assert_ok(&app.call(b, "Sessions_Destroy", with(acme(), json!({"SessionKey": key}))).await);
    }
}
