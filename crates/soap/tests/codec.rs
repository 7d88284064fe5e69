//! Requests decoded and results encoded through real operation types.

mod common;

use common::*;
use patchbay_soap::{decode_request, encode_result, DecodeError, Limits, SoapVersion};
use serde_json::json;

#[test]
fn products_create_reads_framing_scalars_and_lists() {
    let req = request(
        "Products_Create",
        "<Credentials><Username>ann</Username><Password>p&amp;w</Password><Client>ACME</Client></Credentials>\
         <Session><SessionKey>abc</SessionKey></Session>\
         <Debug>1</Debug>\
         <CarrierID> 12 </CarrierID>\
         <Description><![CDATA[Gold <plan>]]> &#x26; more</Description>\
         <Rate>9.90</Rate>\
         <BillInArrears>false</BillInArrears>\
         <CustomerClass>Business</CustomerClass>\
         <Fields><Field><FieldID>1</FieldID><Value>a</Value></Field>\
                 <Other>ignored</Other>\
                 <Field><FieldID>2</FieldID><Label/></Field></Fields>\
         <BillProfileIDs><int>3</int><int>4</int></BillProfileIDs>\
         <Wireless><Allowances><WirelessProductAllowance><Quantity>5</Quantity></WirelessProductAllowance></Allowances></Wireless>\
         <NotInSchema><Deep>x</Deep></NotInSchema>",
    );
    assert_eq!(
        req,
        json!({
            "Credentials": {"Username": "ann", "Password": "p&w", "Client": "ACME"},
            "Session": {"SessionKey": "abc"},
            "Debug": true,
            "CarrierID": 12,
            "Description": "Gold <plan> & more",
            "Rate": "9.90",
            "BillInArrears": false,
            "CustomerClass": "Business",
            "Fields": [{"FieldID": 1, "Value": "a"}, {"FieldID": 2, "Label": ""}],
            "BillProfileIDs": [3, 4],
            "Wireless": {"Allowances": [{"Quantity": 5}]},
        })
    );
    // The JSON is what the operation's own types deserialize.
    let input: patchbay_api::products::ProductsCreateInput = serde_json::from_value(req).unwrap();
    assert_eq!(input.rate, Some("9.90".parse().unwrap()));
    assert_eq!(input.fields.as_ref().map(Vec::len), Some(2));
}

#[test]
fn absent_nil_and_empty_are_three_different_things() {
    let req = request(
        "Products_Update",
        "<ID>5</ID>\
         <Description xsi:nil=\"true\" />\
         <Code1/>\
         <Code2></Code2>\
         <CarrierID/>\
         <Rate></Rate>\
         <Prorate xsi:nil=\"1\"></Prorate>\
         <Fields/>\
         <LineTypeIDs xsi:nil=\"true\"/>\
         <Wireless/>",
    );
    let obj = req.as_object().unwrap();
    assert!(!obj.contains_key("Description"), "nil means not given");
    assert!(!obj.contains_key("Name"), "absent means not given");
    assert_eq!(obj["Code1"], json!(""), "an empty string element is the empty string");
    assert_eq!(obj["Code2"], json!(""));
    assert!(!obj.contains_key("CarrierID"), "an empty int is not given");
    assert!(!obj.contains_key("Rate"), "an empty decimal is not given");
    assert!(!obj.contains_key("Prorate"));
    assert_eq!(obj["Fields"], json!([]), "an empty wrapper is an empty list");
    assert!(!obj.contains_key("LineTypeIDs"));
    assert_eq!(obj["Wireless"], json!({}));
}

#[test]
fn one_item_list_is_still_a_list() {
    let req = request("Products_Create", "<Fields><Field><FieldID>9</FieldID></Field></Fields>");
    assert_eq!(req["Fields"], json!([{"FieldID": 9}]));
}

#[test]
fn repeated_list_collects_every_occurrence() {
    // No operation declares a repeated field yet, so declare one.
    use patchbay_api::OpInfo;
    use patchbay_schema::{FieldDef, ListStyle, Schema, Shape, StructDef};
    fn input() -> Shape {
        Shape::Struct(StructDef {
            name: "RepeatedInput",
            doc: "",
            fields: vec![FieldDef {
                name: "CustomerID",
                doc: "",
                optional: true,
                list: Some(ListStyle::Repeated),
                item: <i32 as Schema>::shape,
            }],
        })
    }
    fn output() -> Shape {
        input()
    }
    let op = OpInfo { name: "Repeated_Query", doc: "", input, output };
    // Decoding goes through operations(), which does not hold this op: encode it, which
    // builds a model of its own, and check the layout instead.
    let xml = encode_result(
        SoapVersion::V11,
        &op,
        &json!({"Header": {"Success": true, "Impersonated": false}, "CustomerID": [1, 2, 3]}),
    );
    assert!(xml.contains("<CustomerID>1</CustomerID><CustomerID>2</CustomerID><CustomerID>3</CustomerID>"), "{xml}");
    assert!(!xml.contains("<CustomerIDs>"));
}

#[test]
fn bad_values_name_the_field_path() {
    let err = decode(&envelope("Products_Query", "<ProductID>12x</ProductID>")).unwrap_err();
    assert_eq!(
        err,
        DecodeError::Invalid {
            version: SoapVersion::V11,
            operation: "Products_Query",
            field: "Request/ProductID".into(),
            rule: "must be a whole number".into()
        }
    );
    let err = decode(&envelope(
        "Products_Create",
        "<Fields><Field><FieldID>1</FieldID></Field><Field><FieldID>two</FieldID></Field></Fields>",
    ))
    .unwrap_err();
    assert_eq!(
        err,
        DecodeError::Invalid {
            version: SoapVersion::V11,
            operation: "Products_Create",
            field: "Request/Fields/Field[2]/FieldID".into(),
            rule: "must be a whole number".into()
        }
    );
    let err = decode(&envelope("Products_Query", "<ProductID>99999999999</ProductID>")).unwrap_err();
    assert!(matches!(err, DecodeError::Invalid { ref field, .. } if field == "Request/ProductID"));

    let err = decode(&envelope("Products_Create", "<Rate>9,99</Rate>")).unwrap_err();
    assert!(matches!(err, DecodeError::Invalid { ref field, .. } if field == "Request/Rate"), "{err:?}");
    let err = decode(&envelope("Products_Create", "<Rate>1e3</Rate>")).unwrap_err();
    assert!(matches!(err, DecodeError::Invalid { .. }), "{err:?}");

    let err = decode(&envelope("Products_Create", "<Prorate>yes</Prorate>")).unwrap_err();
    assert_eq!(
        err,
        DecodeError::Invalid {
            version: SoapVersion::V11,
            operation: "Products_Create",
            field: "Request/Prorate".into(),
            rule: "must be true or false".into()
        }
    );

    let err = decode(&envelope("Products_Create", "<CustomerClass>Gold</CustomerClass>")).unwrap_err();
    let DecodeError::Invalid { field, rule, .. } = err else { panic!("{err:?}") };
    assert_eq!(field, "Request/CustomerClass");
    assert!(rule.contains("All, Business, Residential"), "{rule}");

    let err = decode(&envelope("Impersonation_Authorize", "<ExpirationDate>31/01/2026</ExpirationDate>")).unwrap_err();
    assert!(matches!(err, DecodeError::Invalid { ref field, .. } if field == "Request/ExpirationDate"));
    let ok = request("Impersonation_Authorize", "<ExpirationDate>2026-01-31T10:00:00Z</ExpirationDate>");
    assert_eq!(ok["ExpirationDate"], json!("2026-01-31T10:00:00Z"));
}

#[test]
fn soap_versions_are_detected_from_the_envelope() {
    let v11 = decode(&envelope_in(SOAP11, "Products_Query", "")).unwrap();
    assert_eq!(v11.version, SoapVersion::V11);
    let body = envelope_in(SOAP12, "Products_Query", "<ProductID>3</ProductID>");
    let v12 = decode_request(
        body.as_bytes(),
        Some("application/soap+xml; charset=utf-8; action=\"http://api.myh2o.com/v20/Products_Query\""),
        None,
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(v12.version, SoapVersion::V12);
    assert_eq!(v12.request, json!({"ProductID": 3}));

    assert_eq!(SoapVersion::from_content_type(Some("text/xml; charset=utf-8")), Some(SoapVersion::V11));
    assert_eq!(SoapVersion::from_content_type(Some("application/soap+xml")), Some(SoapVersion::V12));
    assert_eq!(SoapVersion::from_content_type(Some("application/json")), None);

    let other = envelope_in("urn:not-soap", "Products_Query", "");
    assert!(matches!(decode(&other), Err(DecodeError::Fault(_))));
}

#[test]
fn prefixes_and_unqualified_children_are_accepted() {
    let xml = "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:v=\"http://api.myh2o.com/v20\">\
               <s:Header><v:Anything>1</v:Anything></s:Header>\
               <s:Body><v:Products_Query><v:Request><ProductID>4</ProductID><v:State>TX</v:State></v:Request></v:Products_Query></s:Body>\
               </s:Envelope>";
    let call = decode(xml).unwrap();
    assert_eq!(call.request, json!({"ProductID": 4, "State": "TX"}));
}

#[test]
fn operation_must_be_known_and_in_the_v20_namespace() {
    let unknown = decode(&envelope("Nope_Do", "")).unwrap_err();
    assert_eq!(unknown, DecodeError::UnknownOperation("Nope_Do".into()));

    let wrong_ns = "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>\
                    <Products_Query xmlns=\"http://api.myh2o.com/v19\"><Request/></Products_Query>\
                    </soap:Body></soap:Envelope>";
    let DecodeError::Fault(msg) = decode(wrong_ns).unwrap_err() else { panic!("expected a fault") };
    assert!(msg.contains("http://api.myh2o.com/v20"), "{msg}");

    let no_ns = wrong_ns.replace(" xmlns=\"http://api.myh2o.com/v19\"", "");
    assert!(matches!(decode(&no_ns), Err(DecodeError::Fault(_))));
}

#[test]
fn soap_action_must_match_the_body() {
    let body = envelope("Products_Query", "");
    let limits = Limits::default();
    let ok = decode_request(body.as_bytes(), None, Some("\"http://api.myh2o.com/v20/Products_Query\""), &limits);
    assert!(ok.is_ok());
    assert!(decode_request(body.as_bytes(), None, Some("\"\""), &limits).is_ok());
    let bad = decode_request(body.as_bytes(), None, Some("\"http://api.myh2o.com/v20/Products_Create\""), &limits);
    assert!(matches!(bad, Err(DecodeError::Fault(_))));
}

#[test]
fn malformed_envelopes_are_faults() {
    let cases = [
        "",
        "not xml",
        "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"></soap:Envelope>",
        "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body/></soap:Envelope>",
        "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body></soap:Body></soap:Envelope>",
        "<Products_Query xmlns=\"http://api.myh2o.com/v20\"/>",
        "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><Products_Query xmlns=\"http://api.myh2o.com/v20\"><Request>",
        "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><Products_Query xmlns=\"http://api.myh2o.com/v20\"><Request></Wrong></Products_Query></soap:Body></soap:Envelope>",
    ];
    for case in cases {
        match decode(case) {
            Err(DecodeError::Fault(msg)) => assert!(!msg.is_empty()),
            other => panic!("{case:?} gave {other:?}"),
        }
    }
    let not_utf8 = decode_request(b"<a>\xff</a>", None, None, &Limits::default());
    assert!(matches!(not_utf8, Err(DecodeError::Fault(_))));
}

#[test]
fn encode_writes_schema_order_and_lists() {
    let op = op("Products_Query");
    // Keys deliberately out of order: the schema decides the order.
    let result = json!({
        "Products": [{
            "Fields": [{"Value": "v", "FieldID": 1}],
            "ID": 7,
            "Rate": "9.90",
            "Cost": "1.00",
            "Taxes": "0.00",
            "BillProfiles": [{"ID": 1, "Name": "Main & Co"}],
            "LineTypes": [],
            "Provisioning": {"Enabled": true},
            "CarrierID": 2, "CarrierCode": "C", "ProductTypeID": 3, "ProductTypeCode": "T",
            "Recurring": false, "BillInArrears": false, "Prorate": true,
            "OrderCompletionBilling": false, "CreatesOrder": false, "ActiveFlag": true,
            "CustomerClass": "All", "Attributes": [], "AvailabilityLocations": ["Available_BillCenter"],
            "Description": null,
        }],
        "Header": {"Impersonated": false, "Message": "", "Success": true, "Error_Code": null},
        "Unknown": 1,
    });
    let xml = encode_result(SoapVersion::V11, &op, &result);
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\""));
    assert!(
        xml.contains(
            "<soap:Body><Products_QueryResponse xmlns=\"http://api.myh2o.com/v20\"><Products_QueryResult>\
         <Header><Success>true</Success><Message /><Impersonated>false</Impersonated></Header>\
         <Products><Product><ID>7</ID><Rate>9.90</Rate><Cost>1.00</Cost><Taxes>0.00</Taxes>\
         <BillProfiles><BillProfileItem><ID>1</ID><Name>Main &amp; Co</Name></BillProfileItem></BillProfiles>\
         <LineTypes /><Provisioning><Enabled>true</Enabled></Provisioning>"
        ),
        "{xml}"
    );
    assert!(xml.contains("<AvailabilityLocations><AvailabilityLocation>Available_BillCenter</AvailabilityLocation></AvailabilityLocations>\
                          <Fields><Field><FieldID>1</FieldID><Value>v</Value></Field></Fields></Product></Products>\
                          </Products_QueryResult></Products_QueryResponse></soap:Body></soap:Envelope>"), "{xml}");
    assert!(!xml.contains("Unknown") && !xml.contains("<Description"));
}

#[test]
fn round_trip_with_debug_echo() {
    let req = request(
        "Products_Create",
        "<Session><SessionKey>k</SessionKey></Session><Debug>true</Debug><Description>a\r\nb</Description>\
         <Rate>1.50</Rate><Fields><Field><FieldID>1</FieldID><Value></Value></Field></Fields>",
    );
    let op = op("Products_Create");
    let result = json!({
        "Header": {"Success": true, "Impersonated": false},
        "ProductID": 42,
        "Debug": {"Request": req.clone()},
    });
    for version in [SoapVersion::V11, SoapVersion::V12] {
        let xml = encode_result(version, &op, &result);
        assert!(xml.contains("<ProductID>42</ProductID><Debug><Request><Session>"), "{xml}");
        assert!(xml.contains(version.envelope_namespace()));
        // What the server wrote, a client can send back and get the same request.
        let start = xml.find("<Debug><Request>").unwrap() + "<Debug><Request>".len();
        let end = xml.rfind("</Request></Debug>").unwrap();
        let inner = &xml[start..end];
        assert_eq!(request("Products_Create", inner), req);
    }
    assert_eq!(req["Description"], json!("a\nb"), "XML line ends are normalized");
}

#[test]
fn faults_in_both_versions() {
    let f11 = patchbay_soap::fault(SoapVersion::V11, true, "bad <xml>");
    assert!(
        f11.contains("<soap:Fault><faultcode>soap:Client</faultcode><faultstring>bad &lt;xml&gt;</faultstring>"),
        "{f11}"
    );
    assert!(f11.contains(SOAP11));
    let f11s = patchbay_soap::fault(SoapVersion::V11, false, "oops");
    assert!(f11s.contains("<faultcode>soap:Server</faultcode>"));
    let f12 = patchbay_soap::fault(SoapVersion::V12, true, "bad");
    assert!(f12.contains("<soap:Code><soap:Value>soap:Sender</soap:Value></soap:Code><soap:Reason><soap:Text xml:lang=\"en\">bad</soap:Text></soap:Reason>"), "{f12}");
    assert!(f12.contains(SOAP12));
    assert!(patchbay_soap::fault(SoapVersion::V12, false, "x").contains("soap:Receiver"));
    assert_eq!(patchbay_soap::content_type(SoapVersion::V11), "text/xml; charset=utf-8");
    assert_eq!(patchbay_soap::content_type(SoapVersion::V12), "application/soap+xml; charset=utf-8");
}

#[test]
fn bulk_request_of_100k_items_decodes() {
    let mut fields = String::with_capacity(4_000_000);
    for i in 0..100_000 {
        fields.push_str(&format!("<Field><FieldID>{i}</FieldID><Value>v{i}</Value></Field>"));
    }
    let xml = envelope("Products_Create", &format!("<Fields>{fields}</Fields>"));
    let start = std::time::Instant::now();
    let req = decode(&xml).unwrap();
    let took = start.elapsed();
    assert_eq!(req.request["Fields"].as_array().unwrap().len(), 100_000);
    assert_eq!(req.request["Fields"][99_999], json!({"FieldID": 99_999, "Value": "v99999"}));
    assert!(took.as_secs() < 10, "took {took:?}");
}
