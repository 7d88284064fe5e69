//! The WSDL and the help pages.

mod common;

use common::*;
use patchbay_soap::{decode_request, encode_result, operation_page, operations_page, wsdl, Limits, SoapVersion};
use quick_xml::events::Event;
use quick_xml::Reader;
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::process::Command;

const URL: &str = "http://example.test/v20/default.asmx";

/// Every element of the document as (local name, `name` attribute, all attributes).
fn elements(xml: &str) -> Vec<(String, HashMap<String, String>)> {
    let mut reader = Reader::from_str(xml);
    let mut out = Vec::new();
    loop {
        match reader.read_event().expect("the WSDL is well-formed") {
            Event::Start(e) | Event::Empty(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                let attrs = e
                    .attributes()
                    .map(|a| {
                        let a = a.expect("well-formed attribute");
                        (String::from_utf8(a.key.as_ref().to_vec()).unwrap(), a.unescape_value().unwrap().into_owned())
                    })
                    .collect();
                out.push((name, attrs));
            }
            Event::Eof => return out,
            _ => {}
        }
    }
}

#[test]
fn wsdl_names_every_operation_in_both_bindings() {
    let doc = wsdl(URL);
    let els = elements(&doc);
    let named =
        |tag: &str| -> Vec<&HashMap<String, String>> { els.iter().filter(|(n, _)| n == tag).map(|(_, a)| a).collect() };

    let root = &els[0];
    assert_eq!(root.0, "wsdl:definitions");
    assert_eq!(root.1["targetNamespace"], "http://api.myh2o.com/v20");

    let bindings: Vec<_> = named("wsdl:binding").iter().map(|a| a["name"].clone()).collect();
    assert_eq!(bindings, ["H2OAPIv20Soap", "H2OAPIv20Soap12"]);
    assert_eq!(named("soap:binding").len(), 1);
    assert_eq!(named("soap12:binding").len(), 1);
    let services = named("wsdl:service");
    assert_eq!(services.len(), 1);
    assert_eq!(services[0]["name"], "H2OAPIv20");
    let ports: Vec<_> = named("wsdl:port").iter().map(|a| a["name"].clone()).collect();
    assert_eq!(ports, ["H2OAPIv20Soap", "H2OAPIv20Soap12"]);
    assert_eq!(named("soap:address")[0]["location"], URL);
    assert_eq!(named("soap12:address")[0]["location"], URL);

    let actions11: HashSet<_> = named("soap:operation").iter().map(|a| a["soapAction"].clone()).collect();
    let actions12: HashSet<_> = named("soap12:operation").iter().map(|a| a["soapAction"].clone()).collect();
    let elements: HashSet<_> = named("s:element").iter().filter_map(|a| a.get("name").cloned()).collect();
    let types: Vec<_> = named("s:complexType")
        .iter()
        .chain(named("s:simpleType").iter())
        .filter_map(|a| a.get("name").cloned())
        .collect();
    let type_set: HashSet<_> = types.iter().cloned().collect();
    assert_eq!(type_set.len(), types.len(), "a type name is declared twice");

    for op in patchbay_api::operations() {
        let action = format!("http://api.myh2o.com/v20/{}", op.name);
        assert!(actions11.contains(&action), "SOAP 1.1 binding lacks {}", op.name);
        assert!(actions12.contains(&action), "SOAP 1.2 binding lacks {}", op.name);
        for name in [op.name.to_string(), format!("{}Response", op.name)] {
            assert!(elements.contains(&name), "no element {name}");
        }
        for name in [format!("{}Request", op.name), format!("{}Result", op.name), format!("{}Debug", op.name)] {
            assert!(type_set.contains(&name), "no type {name}");
        }
    }

    // Every tns: type an element refers to is declared.
    for (_, attrs) in els.iter().filter(|(n, _)| n == "s:element") {
        if let Some(t) = attrs.get("type").and_then(|t| t.strip_prefix("tns:")) {
            assert!(type_set.contains(t), "type {t} is referenced but not declared");
        }
    }
}

#[test]
fn wsdl_field_details() {
    let doc = wsdl(URL);
    // Header comes first in a result, in the wire order, with required booleans.
    let header = doc.split("<s:complexType name=\"Header\">").nth(1).unwrap().split("</s:complexType>").next().unwrap();
    let order: Vec<_> = ["Success", "Message", "SessionKey", "Impersonated", "Error_Code", "Error_Description"]
        .iter()
        .map(|n| header.find(&format!("name=\"{n}\"")).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{header}");
    assert!(header.contains("<s:element minOccurs=\"1\" maxOccurs=\"1\" name=\"Success\" type=\"s:boolean\" />"));
    assert!(header.contains(
        "<s:element minOccurs=\"0\" maxOccurs=\"1\" name=\"Message\" nillable=\"true\" type=\"s:string\" />"
    ));

    let result = doc
        .split("<s:complexType name=\"Products_QueryResult\">")
        .nth(1)
        .unwrap()
        .split("</s:complexType>")
        .next()
        .unwrap();
    let h = result.find("name=\"Header\"").unwrap();
    let p = result.find("name=\"Products\" type=\"tns:ArrayOfProduct").unwrap();
    let d = result.find("name=\"Debug\" type=\"tns:Products_QueryDebug\"").unwrap();
    assert!(h < p && p < d, "{result}");

    assert!(doc.contains("<s:complexType name=\"ArrayOfField\">\n        <s:sequence>\n          <s:element minOccurs=\"0\" maxOccurs=\"unbounded\" name=\"Field\" type=\"tns:CustomField\" />"));
    assert!(doc.contains("<s:simpleType name=\"CustomerClass\">"));
    assert!(doc.contains("<s:enumeration value=\"Residential\" />"));
}

#[test]
fn operations_and_operation_pages() {
    let page = operations_page("/v20/default.asmx");
    for op in patchbay_api::operations() {
        assert!(page.contains(&format!("<a href=\"/v20/default.asmx?op={0}\">{0}</a>", op.name)), "{page}");
    }
    assert!(page.contains("href=\"/v20/default.asmx?WSDL\""));

    let page = operation_page("Products_Create").expect("a page for Products_Create");
    assert!(
        page.contains("SOAPAction: &quot;http://api.myh2o.com/v20/Products_Create&quot;")
            || page.contains("SOAPAction: \"http://api.myh2o.com/v20/Products_Create\"")
    );
    assert!(page.contains("&lt;Products_Create xmlns=\"http://api.myh2o.com/v20\"&gt;"), "samples are HTML-escaped");
    assert!(page.contains("&lt;Rate&gt;decimal&lt;/Rate&gt;"));
    assert!(page.contains("&lt;CustomerClass&gt;All&lt;/CustomerClass&gt;"), "enum placeholder is the first member");
    assert!(page.contains("&lt;Fields&gt;"));
    assert!(page.contains("&lt;Products_CreateResult&gt;"));
    assert!(page.contains("http://schemas.xmlsoap.org/soap/envelope/"));
    assert!(page.contains("http://www.w3.org/2003/05/soap-envelope"));
    assert!(!page.contains("<Request>"), "raw XML would be rendered as tags");
    assert!(operation_page("Nope").is_none());
}

#[test]
fn operation_page_samples_decode() {
    // The SOAP 1.1 request sample, placeholders replaced, is a request the codec accepts.
    let page = operation_page("Products_Query").unwrap();
    let sample = page.split("<pre>").nth(1).unwrap().split("</pre>").next().unwrap();
    let xml = sample
        .split_once("\n\n")
        .unwrap()
        .1
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
        .replace(">int<", ">1<")
        .replace(">boolean<", ">true<");
    let call = decode_request(xml.as_bytes(), None, None, &Limits::default()).unwrap();
    assert_eq!(call.request["ProductID"], 1);
    assert_eq!(call.request["State"], "string");
}

/// zeep, a Python SOAP client, generates its proxy from the WSDL: it must load it, build
/// requests the codec reads, and read responses the codec writes. Needs python3 with zeep
/// (`pip install zeep`); CI installs it, and there a missing zeep fails the test rather than
/// letting an interoperability check pass unseen.
#[test]
fn zeep_reads_the_wsdl_and_talks_to_the_codec() {
    let has_zeep = Command::new("python3").args(["-c", "import zeep"]).output().is_ok_and(|o| o.status.success());
    if !has_zeep {
        assert!(std::env::var_os("CI").is_none(), "CI must install zeep (pip install zeep)");
        eprintln!("not run here: python3 with zeep is not installed (pip install zeep)");
        return;
    }
    let dir = std::env::temp_dir().join(format!("patchbay-soap-zeep-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let wsdl_path = dir.join("v20.wsdl");
    std::fs::write(&wsdl_path, wsdl(URL)).unwrap();
    let product = json!({
        "ID": 7, "Rate": "9.90", "Cost": "1.00", "Taxes": "0.00",
        "BillProfiles": [], "LineTypes": [], "Provisioning": {"Enabled": true},
        "CarrierID": 2, "CarrierCode": "C", "ProductTypeID": 3, "ProductTypeCode": "T",
        "Recurring": false, "BillInArrears": false, "Prorate": true, "OrderCompletionBilling": false,
        "CreatesOrder": false, "ActiveFlag": true, "CustomerClass": "Business", "Attributes": [],
        "AvailabilityLocations": [], "Fields": [{"FieldID": 1, "Value": "a"}],
    });
    let response = encode_result(
        SoapVersion::V11,
        &op("Products_Query"),
        &json!({"Header": {"Success": true, "Impersonated": false}, "Products": [product]}),
    );
    let response_path = dir.join("response.xml");
    std::fs::write(&response_path, response).unwrap();

    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/zeep_check.py");
    let mut cmd = Command::new("python3");
    cmd.arg(script).arg(&wsdl_path).arg(&response_path);
    cmd.args(patchbay_api::operations().iter().map(|o| o.name));
    let out = cmd.output().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "zeep failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));

    let mut requests = 0;
    for line in stdout.lines() {
        let Some(rest) = line.strip_prefix("REQUEST ") else {
            continue;
        };
        let (port, xml) = rest.split_once(' ').unwrap();
        let call = decode_request(xml.as_bytes(), None, None, &Limits::default())
            .unwrap_or_else(|e| panic!("{port}: {e:?}\n{xml}"));
        let expected = if port.ends_with("12") { SoapVersion::V12 } else { SoapVersion::V11 };
        assert_eq!(call.version, expected);
        assert_eq!(call.op.name, "Products_Create");
        assert_eq!(
            call.request,
            json!({
                "Session": {"SessionKey": "k"},
                "Debug": true,
                "Description": "Gold & <Silver>",
                "Rate": "9.90",
                "Fields": [{"FieldID": 7, "Value": "x"}],
                "CustomerClass": "Business",
                "BillProfileIDs": [1, 2],
            })
        );
        requests += 1;
    }
    assert_eq!(requests, 2, "{stdout}");
    assert!(stdout.contains("SUCCESS True"), "{stdout}");
    assert!(stdout.contains("PRODUCTS 1"), "{stdout}");
    assert!(stdout.contains("FIRST 7 9.90 Business 1"), "{stdout}");
}
