"""Constants and helpers shared by the interop tests."""

from decimal import Decimal

SERVICE = "H2OAPIv20"
PORTS = {"soap11": "H2OAPIv20Soap", "soap12": "H2OAPIv20Soap12"}

ACME_ADMIN = {"Username": "api", "Password": "correct horse battery", "Client": "acme"}
ACME_VIEWER = {"Username": "viewer", "Password": "viewer pass 123", "Client": "acme"}
GLOBEX_ADMIN = {"Username": "api", "Password": "another strong pass", "Client": "globex"}


def login(svc, credentials=ACME_ADMIN) -> str:
    res = svc.Sessions_Create(Request={"Credentials": credentials})
    assert res.Header.Success is True, (res.Header.Error_Code, res.Header.Message)
    assert res.SessionKey
    return res.SessionKey


def assert_refused(res, code):
    """An operation refused in the Header (not a SOAP Fault) with the given seed error code."""
    assert res.Header.Success is False, f"expected {code}, got success"
    assert res.Header.Error_Code == code, (res.Header.Error_Code, res.Header.Message)
    assert res.Header.Error_Description


def new_product(svc, framing, **overrides) -> int:
    request = {
        **framing,
        "CarrierID": 10,
        "ProductTypeID": 1,
        "Name": "Interop Plan",
        "Description": "Created by the interop tests",
        "Code1": "IOP",
        "Rate": Decimal("9.99"),
        "Cost": Decimal("4.25"),
        "Fields": {"Field": [{"FieldID": 31, "Value": "Silver"}]},
        "BillProfileIDs": {"int": [1, 2]},
        "LineTypeIDs": {"int": [3]},
        **overrides,
    }
    res = svc.Products_Create(Request=request)
    assert res.Header.Success is True, (res.Header.Error_Code, res.Header.Message)
    assert isinstance(res.ProductID, int) and res.ProductID > 0
    return res.ProductID


def query_one(svc, framing, product_id):
    res = svc.Products_Query(Request={**framing, "ProductID": product_id})
    assert res.Header.Success is True, (res.Header.Error_Code, res.Header.Message)
    assert len(res.Products.Product) == 1
    return res.Products.Product[0]


ADDRESS = {
    "FirstName": "Ada",
    "LastName": "Lovelace",
    "Address1": "1200 Main St",
    "Address2": "Suite 4",
    "City": "Houston",
    "State": "TX",
    "Zip": "77002",
}


def new_customer(svc, framing, **overrides) -> int:
    request = {
        **framing,
        "CustomerClass": "Residential",
        "FirstName": "Ada",
        "LastName": "Lovelace",
        "ServiceAddress": ADDRESS,
        "BillProfileID": 1,
        "Status": "Open",
        "Fields": {"Field": [{"Label": "Plan Tier", "Value": "Bronze"}]},
        **overrides,
    }
    res = svc.Customers_Create(Request=request)
    assert res.Header.Success is True, (res.Header.Error_Code, res.Header.Message)
    assert isinstance(res.CustomerID, int) and res.CustomerID > 0
    return res.CustomerID


def query_customer(svc, framing, customer_id):
    res = svc.Customers_Query(Request={**framing, "CustomerID": customer_id})
    assert res.Header.Success is True, (res.Header.Error_Code, res.Header.Message)
    return res.Customer
