"""Checks the WSDL with zeep, a real SOAP client that generates its proxy from the WSDL.

Run by the `zeep_reads_the_wsdl_and_talks_to_the_codec` test in tests/wsdl.rs (which the
test skips when zeep is not installed). Arguments: the WSDL file, a SOAP 1.1
Products_Query response written by the codec, then the operation names both ports must
offer. Prints one request per SOAP version (for the Rust side to decode) and what zeep read
from the response.
"""
import sys

import zeep
from lxml import etree

wsdl, response, expected = sys.argv[1], sys.argv[2], set(sys.argv[3:])
client = zeep.Client(wsdl)

for port in ("H2OAPIv20Soap", "H2OAPIv20Soap12"):
    service = client.bind("H2OAPIv20", port)
    missing = expected - set(service._binding._operations)
    if missing:
        sys.exit(f"{port} lacks {sorted(missing)}")
    envelope = client.create_message(
        service,
        "Products_Create",
        Request={
            "Session": {"SessionKey": "k"},
            "Debug": True,
            "Description": "Gold & <Silver>",
            "Rate": "9.90",
            "Fields": {"Field": [{"FieldID": 7, "Value": "x"}]},
            "BillProfileIDs": {"int": [1, 2]},
            "CustomerClass": "Business",
        },
    )
    print("REQUEST", port, etree.tostring(envelope).decode())

service = client.bind("H2OAPIv20", "H2OAPIv20Soap")
operation = service._binding._operations["Products_Query"]
with open(response, "rb") as f:
    result = operation.process_reply(etree.fromstring(f.read()))
print("SUCCESS", result.Header.Success)
print("PRODUCTS", len(result.Products.Product))
first = result.Products.Product[0]
print("FIRST", first.ID, first.Rate, first.CustomerClass, len(first.Fields.Field))
