"""The OpenAPI document, checked by tools nobody here wrote: openapi-spec-validator reads it as
OpenAPI 3.1, and jsonschema checks real answers of the JSON binding against its schemas."""

import xml.etree.ElementTree as ET

import jsonschema
import requests
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from support import ACME_ADMIN, ADDRESS

BASIC = (f"{ACME_ADMIN['Username']}@{ACME_ADMIN['Client']}", ACME_ADMIN["Password"])


def openapi(base_url) -> dict:
    r = requests.get(f"{base_url}/api/v20/openapi.json", timeout=30)
    assert r.status_code == 200
    return r.json()


def result_validator(doc: dict, operation: str) -> jsonschema.Draft202012Validator:
    """A validator for the 200 answer of `operation`, resolving the document's $refs."""
    schema = doc["paths"][f"/api/v20/{operation}"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    registry = Registry().with_resource("urn:patchbay-openapi", Resource(contents=doc, specification=DRAFT202012))
    wrapped = {"$ref": "urn:patchbay-openapi#" + schema["$ref"][1:]}
    return jsonschema.Draft202012Validator(wrapped, registry=registry)


def test_the_document_is_valid_openapi_3_1(base_url):
    doc = openapi(base_url)
    assert doc["openapi"].startswith("3.1")
    validate(doc)  # raises with the offending path if the document is not valid


def test_every_wsdl_operation_has_a_json_path(base_url):
    wsdl = requests.get(f"{base_url}/v20/default.asmx?WSDL", timeout=30)
    port_type = ET.fromstring(wsdl.content).find("wsdl:portType", {"wsdl": "http://schemas.xmlsoap.org/wsdl/"})
    soap_ops = {op.get("name") for op in port_type}
    doc = openapi(base_url)
    json_ops = {path.removeprefix("/api/v20/") for path in doc["paths"]}
    assert soap_ops and soap_ops == json_ops, (soap_ops ^ json_ops)
    for path, item in doc["paths"].items():
        summary = item["post"]["summary"]
        assert summary and summary == summary.strip(), (path, summary)


def test_answers_match_their_schemas(base_url):
    doc = openapi(base_url)
    calls = [
        ("Products_Query", {"ProductID": 100}),
        ("Products_Query", {"ProductID": 99999}),  # a refusal has the same shape
        ("Customers_Create", {"CustomerClass": "Business", "CompanyName": "Schema Check LLC"}),
        ("InventoryTypes_Query", {}),
        ("Sessions_Validate", {}),
    ]
    for operation, request in calls:
        r = requests.post(f"{base_url}/api/v20/{operation}", json=request, auth=BASIC, timeout=30)
        assert r.status_code == 200, r.text
        body = r.json()
        errors = sorted(result_validator(doc, operation).iter_errors(body), key=lambda e: list(e.path))
        assert not errors, (operation, [f"{list(e.path)}: {e.message}" for e in errors], body)
    customer_id = requests.post(
        f"{base_url}/api/v20/Customers_Create",
        json={"CustomerClass": "Residential", "FirstName": "Ada", "LastName": "Lovelace", "ServiceAddress": ADDRESS},
        auth=BASIC,
        timeout=30,
    ).json()["CustomerID"]
    customer = requests.post(
        f"{base_url}/api/v20/Customers_Query", json={"CustomerID": customer_id}, auth=BASIC, timeout=30
    ).json()
    assert customer["Header"]["Success"] is True, customer
    assert not list(result_validator(doc, "Customers_Query").iter_errors(customer)), customer
