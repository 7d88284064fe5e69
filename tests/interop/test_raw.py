"""Raw HTTP checks that a generated client cannot express: WSDL addresses, JSON binding."""

import xml.etree.ElementTree as ET

import requests

from support import ACME_ADMIN

WSDL_NS = {
    "wsdl": "http://schemas.xmlsoap.org/wsdl/",
    "soap": "http://schemas.xmlsoap.org/wsdl/soap/",
    "soap12": "http://schemas.xmlsoap.org/wsdl/soap12/",
}


def service_addresses(xml: bytes) -> dict:
    root = ET.fromstring(xml)
    assert root.get("targetNamespace") == "http://api.myh2o.com/v20"
    out = {}
    for port in root.findall("wsdl:service[@name='H2OAPIv20']/wsdl:port", WSDL_NS):
        address = port.find("soap:address", WSDL_NS)
        if address is None:
            address = port.find("soap12:address", WSDL_NS)
        out[port.get("name")] = address.get("location")
    return out


def test_wsdl_addresses_follow_host_header(base_url):
    r = requests.get(f"{base_url}/v20/default.asmx?WSDL", headers={"Host": "example.test:1234"}, timeout=30)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/xml")
    assert service_addresses(r.content) == {
        "H2OAPIv20Soap": "http://example.test:1234/v20/default.asmx",
        "H2OAPIv20Soap12": "http://example.test:1234/v20/default.asmx",
    }


def test_wsdl_addresses_default_to_the_address_used(base_url):
    r = requests.get(f"{base_url}/v20/default.asmx?wsdl", timeout=30)
    assert r.status_code == 200
    assert set(service_addresses(r.content).values()) == {f"{base_url}/v20/default.asmx"}


def test_json_binding_with_basic_auth(base_url):
    auth = (f"{ACME_ADMIN['Username']}@{ACME_ADMIN['Client']}", ACME_ADMIN["Password"])
    r = requests.post(f"{base_url}/api/v20/Products_Query", json={"ProductID": 100}, auth=auth, timeout=30)
    assert r.status_code == 200
    body = r.json()
    assert body["Header"]["Success"] is True, body["Header"]
    assert body["Products"][0]["ID"] == 100


def test_json_binding_session(base_url):
    r = requests.post(f"{base_url}/api/v20/Sessions_Create", json={"Credentials": ACME_ADMIN}, timeout=30)
    key = r.json()["SessionKey"]
    r = requests.post(
        f"{base_url}/api/v20/Products_Query", json={"Session": {"SessionKey": key}, "ProductID": 99999}, timeout=30
    )
    assert r.status_code == 200
    header = r.json()["Header"]
    assert header["Success"] is False and header["Error_Code"] == "PR2023"


def test_health_endpoints(base_url):
    assert requests.get(f"{base_url}/healthz", timeout=30).status_code == 200
    assert requests.get(f"{base_url}/readyz", timeout=30).status_code == 200
    metrics = requests.get(f"{base_url}/metrics", timeout=30)
    assert metrics.status_code == 200
