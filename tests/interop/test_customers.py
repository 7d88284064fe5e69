"""Customers_Create / Customers_Query through zeep, over SOAP 1.1 and 1.2."""

import datetime

from support import ADDRESS, assert_refused, new_customer, query_customer as query

def test_create_then_query(svc, acme):
    cid = new_customer(svc, acme)
    c = query(svc, acme, cid)
    assert c.CustomerID == cid
    assert c.CustomerClass == "Residential"
    assert c.FirstName == "Ada" and c.LastName == "Lovelace"
    assert c.CompanyName is None
    assert c.Status == "Open"
    assert c.BillProfileID == 1
    a = c.ServiceAddress
    assert isinstance(a.ID, int)
    assert (a.FirstName, a.LastName, a.Address1, a.Address2, a.City, a.State, a.Zip) == (
        "Ada", "Lovelace", "1200 Main St", "Suite 4", "Houston", "TX", "77002",
    )
    assert a.Country == "USA"
    assert isinstance(c.CreatedDate, datetime.datetime)
    assert [(f.FieldID, f.Label, f.Value) for f in c.Fields.Field] == [(31, "Plan Tier", "Bronze")]
    # A new customer has no services: the list is there and empty.
    assert c.Services is None or list(c.Services.Service or []) == []


def test_business_customer_defaults_to_pending(svc, acme):
    cid = new_customer(
        svc, acme, CustomerClass="Business", FirstName=None, LastName=None, CompanyName="Initech LLC",
        Status=None, Fields=None, BillProfileID=2,
    )
    c = query(svc, acme, cid)
    assert c.CustomerClass == "Business"
    assert c.CompanyName == "Initech LLC"
    assert c.Status == "Pending"
    assert c.BillProfileID == 2


def test_query_unknown_customer_is_C2002(svc, acme):
    assert_refused(svc.Customers_Query(Request={**acme, "CustomerID": 99999}), "C2002")


def test_create_zip_state_mismatch_is_S2010(svc, acme):
    res = svc.Customers_Create(
        Request={
            **acme,
            "CustomerClass": "Residential",
            "FirstName": "Ada",
            "LastName": "Lovelace",
            "ServiceAddress": {**ADDRESS, "State": "NY"},
        }
    )
    assert_refused(res, "S2010")
    assert res.CustomerID is None


def test_create_unknown_bill_profile_is_B2012(svc, acme):
    res = svc.Customers_Create(
        Request={**acme, "CustomerClass": "Residential", "FirstName": "A", "LastName": "B", "BillProfileID": 999}
    )
    assert_refused(res, "B2012")
