"""Clients are separate systems: one never sees another's data, whatever the ids."""

from decimal import Decimal

from support import assert_refused, new_customer, new_product, query_one


def test_globex_cannot_see_acmes_new_product(svc, acme, globex):
    pid = new_product(svc, acme, Name="Acme only")
    assert query_one(svc, acme, pid).Name == "Acme only"
    assert_refused(svc.Products_Query(Request={**globex, "ProductID": pid}), "PR2023")
    # Nor change it.
    res = svc.Products_Update(
        Request={**globex, "ID": pid, "CarrierID": 10, "ProductTypeID": 1, "Rate": Decimal("0.01")}
    )
    assert_refused(res, "PR2023")
    assert query_one(svc, acme, pid).Rate == Decimal("9.99")


def test_same_id_different_products(svc, acme, globex):
    a = query_one(svc, acme, 100)
    g = query_one(svc, globex, 100)
    assert a.Name == "Unlimited Talk & Text" and a.Rate == Decimal("35.00")
    assert g.Name == "Globex Fiber 1G" and g.Rate == Decimal("70.00")
    assert g.CarrierCode == "GLOBEXNET"


def test_globex_cannot_see_acmes_customer(svc, acme, globex):
    cid = new_customer(svc, acme)
    assert_refused(svc.Customers_Query(Request={**globex, "CustomerID": cid}), "C2002")

