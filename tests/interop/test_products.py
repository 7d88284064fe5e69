"""Products_Create / Products_Query / Products_Update through zeep, over SOAP 1.1 and 1.2."""

from decimal import Decimal
from pathlib import Path

from support import ACME_ADMIN, ACME_VIEWER, assert_refused, login, new_product, query_one

# The file the server applies (conftest's `--settings`), named as it is given to apply.
SETTINGS = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "settings.toml"


def test_query_seeded_product(svc, acme):
    p = query_one(svc, acme, 100)
    assert p.ID == 100
    assert p.Name == "Unlimited Talk & Text"
    assert p.Description == "Unlimited talk and text, 5 GB data"
    assert p.WholesaleDescription == "UTT-5"
    assert p.Rate == Decimal("35.00") and isinstance(p.Rate, Decimal)
    assert p.Cost == Decimal("12.50")
    assert p.Taxes == Decimal("0")
    assert p.CarrierID == 10 and p.CarrierCode == "SIMWIRELESS"
    assert p.ProductTypeID == 1 and p.ProductTypeCode == "SERVICE"
    assert p.Recurring is True
    assert p.Prorate is True
    assert p.ActiveFlag is True
    assert p.CustomerClass == "All"
    assert p.ProductCategoryID == 7
    assert [(b.ID, b.Name) for b in p.BillProfiles.BillProfileItem] == [
        (1, "Residential Monthly"),
        (2, "Business Monthly"),
    ]
    assert [(t.ID, t.Description) for t in p.LineTypes.LineTypeItem] == [(3, "Wireless Voice")]
    assert sorted((a.Key, a.Value) for a in p.Attributes.Attribute) == [("network", "LTE"), ("tier", "gold")]
    assert sorted(p.AvailabilityLocations.AvailabilityLocation) == [
        "Available_BillCenter",
        "Available_On_Signup_Flag",
    ]
    assert [(f.FieldID, f.Label, f.Value) for f in p.Fields.Field] == [(31, "Plan Tier", "Gold")]
    assert p.Provisioning.Code1 == "UTT5" and p.Provisioning.Code2 == "FEAT-DATA5"
    assert p.Wireless.Voice_Flag is True and p.Wireless.SMS_Flag is True and p.Wireless.Data_Flag is True
    allowances = p.Wireless.Allowances.WirelessProductAllowance
    assert len(allowances) == 1
    assert allowances[0].Quantity == 5120 and allowances[0].Expiration_Days == 30


def test_query_by_credentials_instead_of_session(svc):
    p = query_one(svc, {"Credentials": ACME_ADMIN}, 101)
    assert p.Name == "Voicemail"
    assert p.Rate == Decimal("3.00")


def test_create_then_query(svc, acme):
    pid = new_product(svc, acme)
    p = query_one(svc, acme, pid)
    assert p.ID == pid
    assert p.Name == "Interop Plan"
    assert p.Description == "Created by the interop tests"
    assert p.Rate == Decimal("9.99") and isinstance(p.Rate, Decimal)
    assert p.Cost == Decimal("4.25")
    assert p.CarrierID == 10 and p.ProductTypeID == 1
    assert [(f.FieldID, f.Label, f.Value) for f in p.Fields.Field] == [(31, "Plan Tier", "Silver")]
    # One-item and two-item lists have the same shape.
    assert [b.ID for b in p.BillProfiles.BillProfileItem] == [1, 2]
    assert [t.ID for t in p.LineTypes.LineTypeItem] == [3]
    assert p.ActiveFlag is True


def test_create_then_update_then_query(svc, acme):
    pid = new_product(svc, acme)
    res = svc.Products_Update(
        Request={**acme, "ID": pid, "CarrierID": 10, "ProductTypeID": 1, "Rate": Decimal("12.50"), "Name": "Renamed"}
    )
    assert res.Header.Success is True, (res.Header.Error_Code, res.Header.Message)
    p = query_one(svc, acme, pid)
    assert p.Rate == Decimal("12.50")
    assert p.Name == "Renamed"
    # Fields left out keep their values.
    assert p.Cost == Decimal("4.25")
    assert p.Description == "Created by the interop tests"
    assert [(f.FieldID, f.Value) for f in p.Fields.Field] == [(31, "Silver")]
    assert [b.ID for b in p.BillProfiles.BillProfileItem] == [1, 2]


def test_update_replaces_lists(svc, acme):
    pid = new_product(svc, acme)
    res = svc.Products_Update(
        Request={**acme, "ID": pid, "CarrierID": 10, "ProductTypeID": 1, "BillProfileIDs": {"int": [2]}}
    )
    assert res.Header.Success is True, (res.Header.Error_Code, res.Header.Message)
    assert [b.ID for b in query_one(svc, acme, pid).BillProfiles.BillProfileItem] == [2]


def test_query_unknown_product_is_PR2023(svc, acme):
    res = svc.Products_Query(Request={**acme, "ProductID": 99999})
    assert_refused(res, "PR2023")


def test_update_unknown_product_is_PR2023(svc, acme):
    res = svc.Products_Update(
        Request={**acme, "ID": 99999, "CarrierID": 10, "ProductTypeID": 1, "Rate": Decimal("1.00")}
    )
    assert_refused(res, "PR2023")


def test_create_unknown_provider_is_CA2014(svc, acme):
    res = svc.Products_Create(Request={**acme, "CarrierID": 999, "ProductTypeID": 1, "Rate": Decimal("1.00")})
    assert_refused(res, "CA2014")
    assert res.ProductID is None


def test_create_without_required_field_is_S2010(svc, acme):
    res = svc.Products_Create(Request={**acme, "ProductTypeID": 1, "Rate": Decimal("1.00")})
    assert_refused(res, "S2010")


def test_readonly_user_cannot_create(svc):
    viewer = {"Session": {"SessionKey": login(svc, ACME_VIEWER)}}
    res = svc.Products_Create(Request={**viewer, "CarrierID": 10, "ProductTypeID": 1, "Rate": Decimal("1.00")})
    assert_refused(res, "S2017")
    # ...but may query.
    assert query_one(svc, viewer, 100).ID == 100


def _origin(header, needle):
    """`<file>:<line>` of the `header` table holding the first line containing `needle`."""
    lines = SETTINGS.read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if needle in line)
    table = max(i for i in range(at) if lines[i].strip() == header)
    return f"{SETTINGS}:{table + 1}"


def test_catalog_query_lists_packages_and_products_with_their_origin(svc, acme):
    res = svc.Catalog_Query(Request={**acme})
    assert res.Header.Success is True, (res.Header.Error_Code, res.Header.Message)
    packages = {k.PackageID: k for k in res.Packages.Package}
    starter = packages[1000]
    assert starter.Name == "Wireless Starter"
    assert starter.CarrierID == 10 and starter.CarrierCode == "SIMWIRELESS" and starter.LineTypeID == 3
    assert starter.LineTypeName == "Wireless Voice"
    assert [(p.ProductID, p.Name) for p in starter.Products.Product] == [
        (100, "Unlimited Talk & Text"),
        (101, "Voicemail"),
    ]
    assert starter.Origin == _origin("[[clients.packages]]", 'name = "Wireless Starter"')
    assert packages[1001].Origin == _origin("[[clients.packages]]", 'name = "Hosted Voice Seat"')
    products = {p.ProductID: p for p in res.Products.Product}
    plan = products[100]
    assert plan.Name == "Unlimited Talk & Text" and plan.Code1 == "UTT5" and plan.ProductTypeCode == "SERVICE"
    assert isinstance(plan.Rate, Decimal) and plan.ActiveFlag is True
    assert plan.Origin == _origin("[[clients.products]]", 'name = "Unlimited Talk & Text"')
    assert products[104].ActiveFlag is False, "inactive products are listed too"

    # A product made through the API has no origin.
    pid = new_product(svc, acme)
    res = svc.Catalog_Query(Request={**acme})
    made = next(p for p in res.Products.Product if p.ProductID == pid)
    assert made.Name == "Interop Plan" and made.Origin is None
