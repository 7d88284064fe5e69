//! Wire details: envelopes written by hand as an existing integration would send them,
//! the WSDL and pages, faults, hostile XML, JSON framing errors.

mod common;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use patchbay_soap::SoapVersion;
use serde_json::{json, Value};

const NS11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
const NS12: &str = "http://www.w3.org/2003/05/soap-envelope";

fn envelope(version: SoapVersion, op: &str, request_xml: &str) -> String {
    let ns = if version == SoapVersion::V11 { NS11 } else { NS12 };
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

async fn product_101(app: &TestApp) -> Value {
    app.call(Binding::Json, "Products_Query", with(acme(), json!({"ProductID": 101}))).await["Products"][0].clone()
}

#[tokio::test]
async fn header_children_come_in_the_documented_order() {
    let app = TestApp::new().await;
    let (status, body) = app
        .soap(
            SoapVersion::V11,
            "Products_Query",
            envelope(SoapVersion::V11, "Products_Query", "<ProductID>999</ProductID>"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "a refusal is HTTP 200, not a fault");
    let order = ["<Success>", "<Message>", "<Impersonated>", "<Error_Code>", "<Error_Description>"];
    let positions: Vec<usize> =
        order.iter().map(|t| body.find(t).unwrap_or_else(|| panic!("{t} missing: {body}"))).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{body}");
    assert!(body.contains("<Error_Code>PR2023</Error_Code>"));
    assert!(body.contains("<Products_QueryResponse xmlns=\"http://api.myh2o.com/v20\">"));
    let (_, ok) = app
        .soap(
            SoapVersion::V11,
            "Products_Query",
            envelope(SoapVersion::V11, "Products_Query", "<ProductID>100</ProductID>"),
        )
        .await;
    let key_at = ok.find("<SessionKey>").expect("SessionKey in Header");
    assert!(ok.find("<Success>true</Success>").unwrap() < key_at && key_at < ok.find("<Impersonated>").unwrap());
}

#[tokio::test]
async fn nil_leaves_alone_and_empty_replaces() {
    let app = TestApp::new().await;
    for version in [SoapVersion::V11, SoapVersion::V12] {
        let nil = envelope(
            version,
            "Products_Update",
            r#"<ID>101</ID><CarrierID>10</CarrierID><ProductTypeID>1</ProductTypeID><Description xsi:nil="true"/><Code1 xsi:nil="true"></Code1>"#,
        );
        let (s, b) = app.soap(version, "Products_Update", nil).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert!(b.contains("<Success>true</Success>"), "{b}");
        let p = product_101(&app).await;
        assert_eq!(p["Description"], "Voicemail feature", "nil leaves the value alone");
        assert_eq!(p["Provisioning"]["Code1"], "VM");

        let empty = envelope(
            version,
            "Products_Update",
            "<ID>101</ID><CarrierID>10</CarrierID><ProductTypeID>1</ProductTypeID><Description/><Code1></Code1>",
        );
        let (_, b) = app.soap(version, "Products_Update", empty).await;
        assert!(b.contains("<Success>true</Success>"), "{b}");
        let p = product_101(&app).await;
        assert_eq!(p["Description"], "", "an empty element replaces with the empty string");
        assert_eq!(p["Provisioning"]["Code1"], "");
        // Restore for the next version's round.
        app.call(Binding::Json, "Products_Update", with(acme(), json!({"ID": 101, "CarrierID": 10, "ProductTypeID": 1, "Description": "Voicemail feature", "Code1": "VM"}))).await;
    }
    // The JSON equivalents: null leaves alone, "" replaces.
    app.call(
        Binding::Json,
        "Products_Update",
        with(acme(), json!({"ID": 101, "CarrierID": 10, "ProductTypeID": 1, "Description": null})),
    )
    .await;
    assert_eq!(product_101(&app).await["Description"], "Voicemail feature");
    app.call(
        Binding::Json,
        "Products_Update",
        with(acme(), json!({"ID": 101, "CarrierID": 10, "ProductTypeID": 1, "Description": ""})),
    )
    .await;
    assert_eq!(product_101(&app).await["Description"], "");
}

#[tokio::test]
async fn lists_booleans_and_one_item_lists_as_clients_send_them() {
    let app = TestApp::new().await;
    let xml = envelope(
        SoapVersion::V11,
        "Products_Create",
        "<CarrierID>10</CarrierID><ProductTypeID>1</ProductTypeID><Prorate>1</Prorate><BillInArrears>0</BillInArrears>\
         <Fields><Field><FieldID>31</FieldID><Value>Bronze</Value></Field></Fields>\
         <BillProfileIDs><int>1</int><int>2</int></BillProfileIDs>",
    );
    let (_, body) = app.soap(SoapVersion::V11, "Products_Create", xml).await;
    assert!(body.contains("<Success>true</Success>"), "{body}");
    let id: i64 = body.split("<ProductID>").nth(1).unwrap().split('<').next().unwrap().parse().unwrap();
    let (_, q) = app
        .soap(
            SoapVersion::V11,
            "Products_Query",
            envelope(SoapVersion::V11, "Products_Query", &format!("<ProductID>{id}</ProductID>")),
        )
        .await;
    assert!(q.contains("<Products><Product><ID>"), "a one-item list is still wrapper and item: {q}");
    assert!(
        q.contains(
            "<Fields><Field><FieldID>31</FieldID><Label>Plan Tier</Label><Value>Bronze</Value></Field></Fields>"
        ),
        "{q}"
    );
    assert!(q.contains("<BillProfiles><BillProfileItem><ID>1</ID>"), "{q}");
    assert!(q.contains("<Prorate>true</Prorate>") && q.contains("<BillInArrears>false</BillInArrears>"), "{q}");
}

#[tokio::test]
async fn a_latin1_request_is_read_in_its_encoding_and_answered_in_utf8() {
    let app = TestApp::new().await;
    let description = "Téléphone Müller, 5½ lignes";
    let xml = envelope(
        SoapVersion::V11,
        "Products_Create",
        &format!("<CarrierID>10</CarrierID><ProductTypeID>1</ProductTypeID><Description>{description}</Description>"),
    )
    .replacen("encoding=\"utf-8\"", "encoding=\"ISO-8859-1\"", 1);
    let body: Vec<u8> = xml.chars().map(|c| u8::try_from(u32::from(c)).expect("Latin-1")).collect();
    let req = Request::post("/v20/default.asmx")
        .header(header::CONTENT_TYPE, "text/xml; charset=ISO-8859-1")
        .header("SOAPAction", "\"http://api.myh2o.com/v20/Products_Create\"")
        .body(Body::from(body))
        .unwrap();
    let (status, headers, body) = app.send(req).await;
    let body = String::from_utf8(body).expect("the answer is UTF-8");
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(headers[header::CONTENT_TYPE], "text/xml; charset=utf-8");
    assert!(body.contains("<Success>true</Success>"), "{body}");
    let id: i64 = body.split("<ProductID>").nth(1).unwrap().split('<').next().unwrap().parse().unwrap();
    let q = app.call(Binding::Json, "Products_Query", with(acme(), json!({"ProductID": id}))).await;
    assert_eq!(q["Products"][0]["Description"], description, "{q:#}");

    // A charset the server does not know is a Fault that names it.
    let req = Request::post("/v20/default.asmx")
        .header(header::CONTENT_TYPE, "text/xml; charset=x-martian")
        .body(Body::from(envelope(SoapVersion::V11, "Products_Query", "")))
        .unwrap();
    let (status, _, body) = app.send(req).await;
    let body = String::from_utf8(body).unwrap();
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(body.contains("soap:Client") && body.contains("\"x-martian\""), "{body}");
}

#[tokio::test]
async fn an_invalid_value_is_s2010_naming_the_field() {
    let app = TestApp::new().await;
    let (s, body) = app
        .soap(
            SoapVersion::V11,
            "Products_Query",
            envelope(SoapVersion::V11, "Products_Query", "<ProductID>abc</ProductID>"),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(body.contains("<Error_Code>S2010</Error_Code>"), "{body}");
    assert!(body.contains("ProductID"), "{body}");

    // Over JSON the Message names the field (with its path inside lists) and the rule, and
    // nothing else: no parser positions, which would mean nothing to the caller.
    let r = app.call(Binding::Json, "Products_Query", with(acme(), json!({"ProductID": [1]}))).await;
    assert_eq!(message(&r), "ProductID: invalid type: sequence, expected i32");
    let items = json!({"InventoryItems": [{"Identifier": "x"}, {"InventoryTypeID": "one"}]});
    let r = app.call(Binding::Json, "Inventory_Bulk_Create", with(acme(), items)).await;
    assert_error(&r, "S2010");
    assert!(message(&r).starts_with("InventoryItems[1].InventoryTypeID: invalid type"), "{}", message(&r));
    assert!(!message(&r).contains(" at line "), "{}", message(&r));
}

#[tokio::test]
async fn unreadable_envelopes_get_faults_and_unknown_operations_404() {
    let app = TestApp::new().await;
    let (s, body) = app.soap(SoapVersion::V11, "Products_Query", "<soap:Envelope".into()).await;
    assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(body.contains("Fault") && body.contains("faultstring"), "{body}");
    let (s, body) = app.soap(SoapVersion::V12, "Products_Query", "not xml at all".into()).await;
    assert!(s.is_client_error(), "{s}");
    assert!(body.contains("Fault") && body.contains("Reason"), "{body}");
    let (s, _) = app.soap(SoapVersion::V11, "Nope_Nope", envelope(SoapVersion::V11, "Nope_Nope", "")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    let req = Request::post("/api/v20/Nope_Nope").body(Body::from("{}")).unwrap();
    assert_eq!(app.send(req).await.0, StatusCode::NOT_FOUND);
    let req = Request::post("/api/v20/Products_Query").body(Body::from("{not json")).unwrap();
    let (s, _, body) = app.send(req).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["Header"]["Success"], false);
    assert_eq!(v["Header"]["Error_Code"], "S2010");
}

#[tokio::test]
async fn hostile_xml_is_refused_before_it_costs_anything() {
    let app = TestApp::new().await;
    let laughs = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><Products_Query xmlns="http://api.myh2o.com/v20"><Request><Credentials><Username>&lol2;</Username></Credentials></Request></Products_Query></soap:Body></soap:Envelope>"#;
    let (s, body) = app.soap(SoapVersion::V11, "Products_Query", laughs.into()).await;
    assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    assert!(body.contains("Fault"));
    let external = r#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><x>&xxe;</x></soap:Body></soap:Envelope>"#;
    let (_, body) = app.soap(SoapVersion::V11, "Products_Query", external.into()).await;
    assert!(body.contains("Fault") && !body.contains("root:"), "{body}");
    let deep = format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000));
    let started = std::time::Instant::now();
    let (_, body) = app.soap(SoapVersion::V11, "Products_Query", deep).await;
    assert!(body.contains("Fault"), "{body}");
    assert!(started.elapsed().as_secs() < 5);
    // Over the configured body size: refused whole.
    let small = TestApp::with_limits(patchbay_server::Limits { max_body_bytes: 4096, ..Default::default() }).await;
    let big = envelope(SoapVersion::V11, "Products_Query", &format!("<State>{}</State>", "A".repeat(10_000)));
    let (s, _) = small.soap(SoapVersion::V11, "Products_Query", big).await;
    assert!(
        s == StatusCode::PAYLOAD_TOO_LARGE || s == StatusCode::INTERNAL_SERVER_ERROR || s == StatusCode::BAD_REQUEST,
        "{s}"
    );
    // And the server still answers.
    let ok = app.call(Binding::Soap11, "Products_Query", with(acme(), json!({"ProductID": 100}))).await;
    assert_ok(&ok);
}

#[tokio::test]
async fn wsdl_pages_and_openapi_are_served() {
    let app = TestApp::new().await;
    for query in ["?WSDL", "?wsdl", "?Wsdl"] {
        let (s, h, wsdl) = app.get(&format!("/v20/default.asmx{query}")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(h[header::CONTENT_TYPE].to_str().unwrap().contains("xml"));
        assert!(wsdl.contains("targetNamespace=\"http://api.myh2o.com/v20\""));
        assert!(
            wsdl.contains("location=\"http://patchbay.test:8080/v20/default.asmx\""),
            "service address comes from Host"
        );
        for op in patchbay_api::operations() {
            assert!(wsdl.contains(&format!("name=\"{}\"", op.name)), "{} missing from WSDL", op.name);
        }
        assert!(wsdl.contains("soap12:binding") || wsdl.contains("soap12"), "SOAP 1.2 binding");
    }
    let (s, _, page) = app.get("/v20/default.asmx").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("?op=Products_Query"));
    let (s, _, page) = app.get("/v20/default.asmx?op=Products_Query").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("SOAP 1.1") && page.contains("SOAP 1.2") && page.contains("ProductID"));
    let (s, _, doc) = app.get("/api/v20/openapi.json").await;
    assert_eq!(s, StatusCode::OK);
    let doc: Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/api/v20/Customers_Create"]["post"].is_object());
}

#[tokio::test]
async fn basic_auth_stands_in_for_credentials() {
    let app = TestApp::new().await;
    use base64::Engine as _;
    let token = base64::engine::general_purpose::STANDARD.encode("api@acme:correct horse battery");
    let req = Request::post("/api/v20/Products_Query")
        .header(header::AUTHORIZATION, format!("Basic {token}"))
        .body(Body::from(r#"{"ProductID":100}"#))
        .unwrap();
    let (s, _, body) = app.send(req).await;
    assert_eq!(s, StatusCode::OK);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_ok(&v);
    assert_eq!(v["Products"][0]["ID"], 100);
    let wrong = base64::engine::general_purpose::STANDARD.encode("api@acme:nope");
    let req = Request::post("/api/v20/Products_Query")
        .header(header::AUTHORIZATION, format!("Basic {wrong}"))
        .body(Body::from("{}"))
        .unwrap();
    let v: Value = serde_json::from_slice(&app.send(req).await.2).unwrap();
    assert_error(&v, "S2005");
}

#[tokio::test]
async fn health_readiness_and_metrics() {
    let app = TestApp::new().await;
    assert_eq!(app.get("/healthz").await.0, StatusCode::OK);
    assert_eq!(app.get("/readyz").await.0, StatusCode::OK);
    app.call(Binding::Json, "Products_Query", with(acme(), json!({"ProductID": 100}))).await;
    app.call(Binding::Json, "Products_Query", with(acme(), json!({"ProductID": 999}))).await;
    let (_, _, text) = app.get("/metrics").await;
    assert!(text.contains(r#"patchbay_requests_total{operation="Products_Query",outcome="success"} 1"#), "{text}");
    assert!(text.contains(r#"patchbay_requests_total{operation="Products_Query",outcome="PR2023"} 1"#), "{text}");
    assert!(text.contains("patchbay_request_duration_seconds_bucket"));
    assert!(text.contains("patchbay_sessions_live 1"), "{text}");
}
