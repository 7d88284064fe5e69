"""Orders through zeep, over SOAP 1.1 and 1.2: the five order operations of the served WSDL.

A customer and a SIM are made through the API; a line is ordered with NewOrders_Create and
completed with Orders_Update, and the effects are read back with Customers_Query and
Inventory_Query; then a Suspend, Orders_Query and Orders_Search, product changes (Change,
PackageChange, Orders_Update Lines), a whole-account Disconnect, and refusals read from the
Header. Both SOAP versions run against one server and database, so identifiers are unique.
"""

import datetime
import itertools
import secrets
from decimal import Decimal

from support import assert_refused, new_customer, query_customer

UNKNOWN = 987654321  # no customer, order or service has this id

_serials = itertools.count(secrets.randbelow(10**6) * 10**4)
UTC = datetime.timezone.utc


def luhn_digit(payload: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str((10 - total % 10) % 10)


def iccid() -> str:
    payload = f"8901410{next(_serials):012d}"
    return payload + luhn_digit(payload)


def tn() -> str:
    return f"513{next(_serials) % 10**7:07d}"


def ok(res):
    assert res.Header.Success is True, (res.Header.Error_Code, res.Header.Message)
    return res


def new_sim(svc, framing):
    """An AVAILABLE SIM of a new SIM_Card type: (item id, ICCID)."""
    t = ok(svc.InventoryTypes_Create(Request={**framing, "InventoryType": {
        "Type": "SIM_Card", "Identifier": "ICCID", "Name": f"Order SIMs {next(_serials)}",
        "RequiresProduct": True, "Format": "ICCID_DECIMAL", "ProductIDs": {"int": [100]},
    }})).ID
    card = iccid()
    res = ok(svc.Inventory_Create(Request={**framing, "Inventory": {"InventoryTypeID": t, "Identifier": card}}))
    return res.InventoryItemID, card


def ints(array) -> list:
    """The values of an ArrayOfInt (`<Orders><int>…</int></Orders>`)."""
    return list(array.int or []) if array is not None else []


def found(res) -> list:
    ok(res)
    return [o.OrderID for o in (res.Orders.Order or [])] if res.Orders is not None else []


def service(customer, line_id):
    matches = [s for s in (customer.Services.Service or []) if s.ID == line_id]
    assert len(matches) == 1, (line_id, customer)
    return matches[0]


def products(svc, framing, customer_id, line_id) -> list:
    """(ProductID, Status) of the line's products, as Customers_Query shows them."""
    s = service(query_customer(svc, framing, customer_id), line_id)
    return [(p.ProductID, p.Status) for p in (s.Products.Product or [])]


def product(svc, framing, customer_id, line_id, cp_id):
    s = service(query_customer(svc, framing, customer_id), line_id)
    (p,) = [p for p in s.Products.Product if p.ID == cp_id]
    return p


def complete(svc, framing, order_id, **extra):
    ok(svc.Orders_Update(Request={**framing, "OrderID": order_id, "Status": "COMPLETE", **extra}))


def new_line(svc, framing, customer_id, **extra):
    """A completed Wireless Starter line (products 100 and 101 ACTIVE): its id."""
    res = ok(svc.NewOrders_Create(Request={**framing, "CustomerID": customer_id, "PackageID": 1000, **extra}))
    for order_id in ints(res.Orders):
        complete(svc, framing, order_id)
    (line,) = ints(res.Lines)
    return line


def test_a_line_is_ordered_completed_suspended_and_found(svc, acme):
    customer = new_customer(svc, acme)
    sim_id, sim = new_sim(svc, acme)
    number = tn()
    res = ok(svc.NewOrders_Create(Request={
        **acme, "CustomerID": customer, "PackageID": 1000, "WirelessICCID": sim, "ReconnectTN": number,
        "AdditionalProducts": {"Product": [{"ProductID": 101, "Rate": Decimal("2.50"), "Quantity": 2}]},
    }))
    orders, lines = ints(res.Orders), ints(res.Lines)
    assert len(orders) == 1 and len(lines) == 1, (orders, lines)
    order, line = orders[0], lines[0]

    q = ok(svc.Orders_Query(Request={**acme, "OrderID": order}))
    assert (q.Order.OrderID, q.Order.CustomerID) == (order, customer)
    assert (q.Order.Order_Type, q.Order.Status) == ("NEW", "NEW")
    assert q.Order.PON == f"PB{order:08d}"
    assert (q.Order.Carrier_ID, q.Order.Carrier) == (10, "Simulated Wireless")
    assert isinstance(q.Order.Created_Date, datetime.datetime)
    assert q.Suspend is None and q.Disconnect is None and q.Change is None
    (added,) = q.AddLine.Lines.Line
    assert (added.LineID, added.TN, added.PackageID) == (line, number, 1000)
    assert [(p.ProductID, p.Rate, p.Quantity) for p in added.Products.Product] == [
        (100, Decimal("35.00"), 1), (101, Decimal("3.00"), 1), (101, Decimal("2.50"), 2)
    ]
    assert products(svc, acme, customer, line) == [(100, "PENDING"), (101, "PENDING"), (101, "PENDING")]
    inv = ok(svc.Inventory_Query(Request={**acme, "InventoryID": sim_id})).Inventory
    assert (inv.Status, inv.CustomerID) == ("ASSIGNED", customer)

    # COMPLETE applies the order, dated CompletionDate; a second COMPLETE changes nothing.
    done = datetime.datetime(2026, 3, 1, tzinfo=UTC)
    complete(svc, acme, order, CompletionDate=done)
    line_state = service(query_customer(svc, acme, customer), line)
    assert [(p.ProductID, p.Status) for p in line_state.Products.Product] == [
        (100, "ACTIVE"), (101, "ACTIVE"), (101, "ACTIVE")
    ]
    assert all(p.ActivatedDate == done for p in line_state.Products.Product), line_state
    assert line_state.TN == number
    assert [i.ID for i in line_state.Inventory.Inventory] == [sim_id]
    complete(svc, acme, order, CompletionDate=datetime.datetime(2026, 4, 1, tzinfo=UTC))
    again = service(query_customer(svc, acme, customer), line)
    assert [(p.ID, p.Status, p.ActivatedDate) for p in again.Products.Product] == [
        (p.ID, p.Status, p.ActivatedDate) for p in line_state.Products.Product
    ]
    assert ok(svc.Orders_Query(Request={**acme, "OrderID": order})).Order.CompletionDate == done

    # Suspend by TN, then complete it: ACTIVE becomes DENIED.
    res = ok(svc.Orders_Create(Request={**acme, "Suspend": {"TN": number, "SuspendType": "ALL"}}))
    (suspend,) = list(res.OrderIDs.OrderID)
    q = ok(svc.Orders_Query(Request={**acme, "OrderID": suspend}))
    assert q.Order.Order_Type == "DENY"
    assert (q.Suspend.CustomerID, q.Suspend.Status, q.Suspend.SuspendType) == (customer, "NEW", "ALL")
    assert (q.Suspend.TN, q.Suspend.LineID) == (number, line)
    assert q.AddLine is None and q.Restore is None
    assert products(svc, acme, customer, line) == [(100, "ACTIVE"), (101, "ACTIVE"), (101, "ACTIVE")]
    ok(svc.Orders_Update(Request={**acme, "OrderID": suspend, "Status": "SENT", "StatusNote": "sent by zeep"}))
    q = ok(svc.Orders_Query(Request={**acme, "OrderID": suspend}))
    assert (q.Suspend.Status, q.Suspend.StatusNote) == ("SENT", "sent by zeep")
    complete(svc, acme, suspend)
    assert products(svc, acme, customer, line) == [(100, "DENIED"), (101, "DENIED"), (101, "DENIED")]

    # Orders_Search: by customer, by status, both (AND), several values (OR), paged, detailed.
    assert found(svc.Orders_Search(Request={**acme, "CustomerID": [customer]})) == [order, suspend]
    complete_orders = found(svc.Orders_Search(Request={**acme, "Status": ["COMPLETE"]}))
    assert {order, suspend} <= set(complete_orders)
    res = ok(svc.Orders_Search(Request={**acme, "Status": ["COMPLETE"], "OrderID": complete_orders[-3:]}))
    assert all(o.Status == "COMPLETE" for o in res.Orders.Order)
    assert found(svc.Orders_Search(Request={**acme, "CustomerID": [customer], "Status": ["NEW", "SENT"]})) == []
    assert found(svc.Orders_Search(Request={**acme, "CustomerID": [customer], "OrderType": ["DENY"]})) == [suspend]
    other = new_customer(svc, acme)
    other_order = ints(ok(svc.NewOrders_Create(
        Request={**acme, "CustomerID": other, "PackageID": 1000}
    )).Orders)
    assert found(svc.Orders_Search(Request={**acme, "CustomerID": [customer, other]})) == [order, suspend, *other_order]
    assert found(svc.Orders_Search(Request={**acme, "CustomerID": [other], "Status": ["NEW"]})) == other_order
    assert found(svc.Orders_Search(Request={**acme, "TN": [number]})) == [order, suspend]
    assert found(svc.Orders_Search(Request={**acme, "Identifier": [sim]})) == [order]
    page = ok(svc.Orders_Search(Request={**acme, "CustomerID": [customer], "PageSize": 1, "Page": 2}))
    assert [o.OrderID for o in page.Orders.Order] == [suspend]
    assert (page.HasMore, page.RecordCount) == (False, 2)
    page = ok(svc.Orders_Search(Request={**acme, "CustomerID": [customer], "PageSize": 1}))
    assert [o.OrderID for o in page.Orders.Order] == [order]
    assert (page.HasMore, page.RecordCount) == (True, 2)
    res = ok(svc.Orders_Search(Request={**acme, "OrderID": [order], "ShowServiceDetails": True}))
    (o,) = res.Orders.Order
    assert (o.PON, o.Order_Type, o.Carrier_ID, o.CompletionDate) == (f"PB{order:08d}", "NEW", 10, done)
    assert [s.ID for s in o.Services.Service] == [line]
    assert [p.Status for p in o.Services.Service[0].Products.Product] == ["DENIED", "DENIED", "DENIED"]

    # Restore, then disconnect the whole account: the SIM goes back to AVAILABLE.
    (restore,) = list(ok(svc.Orders_Create(Request={**acme, "Restore": {"LineID": line}})).OrderIDs.OrderID)
    assert ok(svc.Orders_Query(Request={**acme, "OrderID": restore})).Restore.LineID == line
    complete(svc, acme, restore)
    assert products(svc, acme, customer, line) == [(100, "ACTIVE"), (101, "ACTIVE"), (101, "ACTIVE")]
    res = ok(svc.Orders_Create(
        Request={**acme, "Disconnect": {"CustomerID": customer, "InventoryItemStatus": "AVAILABLE"}}
    ))
    (disconnect,) = list(res.OrderIDs.OrderID)
    q = ok(svc.Orders_Query(Request={**acme, "OrderID": disconnect}))
    assert (q.Order.Order_Type, q.Disconnect.LineID, q.Disconnect.InventoryItemStatus) == (
        "DISCONNECT", line, "AVAILABLE"
    )
    complete(svc, acme, disconnect)
    assert products(svc, acme, customer, line) == [(100, "DISCONNECTED"), (101, "DISCONNECTED"), (101, "DISCONNECTED")]
    assert query_customer(svc, acme, customer).Status == "Closed"
    inv = ok(svc.Inventory_Query(Request={**acme, "InventoryID": sim_id})).Inventory
    assert (inv.Status, inv.CustomerID) == ("AVAILABLE", None)


def test_product_changes_through_change_package_change_and_update_lines(svc, acme):
    customer = new_customer(svc, acme)
    line = new_line(svc, acme, customer)
    s = service(query_customer(svc, acme, customer), line)
    cp = {p.ProductID: p.ID for p in s.Products.Product}

    # Change: add, change and remove products of the line; two providers, two orders.
    res = ok(svc.Orders_Create(Request={**acme, "Change": {"Lines": {"Change": [{"LineID": line, "Products": {
        "Add": [{"ProductID": 103, "Rate": Decimal("10.00"), "Quantity": 2}],
        "Change": [{"CustomerProductID": cp[100], "Rate": Decimal("30.00"), "Quantity": 3}],
        "Remove": [{"CustomerProductID": cp[101]}],
    }}]}}}))
    orders = list(res.OrderIDs.OrderID)
    assert len(orders) == 2, orders
    by_carrier = {}
    for order_id in orders:
        q = ok(svc.Orders_Query(Request={**acme, "OrderID": order_id}))
        assert q.Order.Order_Type == "CHANGE_FEATURE"
        by_carrier[q.Order.Carrier_ID] = q
    assert sorted(by_carrier) == [10, 12], "product 103 is provider 12's, the others provider 10's"
    (added,) = by_carrier[12].Change.Lines.Change
    assert [(a.ProductID, a.Rate, a.Quantity) for a in added.Products.Add] == [(103, Decimal("10.00"), 2)]
    (changed,) = by_carrier[10].Change.Lines.Change
    assert changed.LineID == line
    assert [(c.CustomerProductID, c.Rate, c.Quantity) for c in changed.Products.Change] == [
        (cp[100], Decimal("30.00"), 3)
    ]
    assert [r.CustomerProductID for r in changed.Products.Remove] == [cp[101]]
    for order_id in orders:
        complete(svc, acme, order_id)
    p100 = product(svc, acme, customer, line, cp[100])
    assert (p100.Rate, p100.Quantity, p100.Status) == (Decimal("30.00"), 3, "ACTIVE")
    assert product(svc, acme, customer, line, cp[101]).Status == "DISCONNECTED"
    assert (103, "ACTIVE") in products(svc, acme, customer, line)

    # PackageChange: the line moves to package 1001 (product 104) on completion.
    res = ok(svc.Orders_Create(Request={**acme, "PackageChange": {"LineID": line, "PackageID": 1001, "Prorate": True}}))
    for order_id in res.OrderIDs.OrderID:
        complete(svc, acme, order_id, CompletionDate=datetime.datetime(2026, 5, 1, tzinfo=UTC))
    s = service(query_customer(svc, acme, customer), line)
    assert s.PackageID == 1001
    assert [p.ProductID for p in s.Products.Product if p.Status == "ACTIVE"] == [103, 104]
    p100 = product(svc, acme, customer, line, cp[100])
    assert (p100.Status, p100.BilledThroughDate) == ("DISCONNECTED", datetime.datetime(2026, 5, 1, tzinfo=UTC))

    # Orders_Update Lines (<Lines><OrderLineUpdateItem>…): a product added to an open order.
    (suspend,) = list(ok(svc.Orders_Create(Request={**acme, "Suspend": {"LineID": line}})).OrderIDs.OrderID)
    ok(svc.Orders_Update(Request={**acme, "OrderID": suspend, "Lines": {"OrderLineUpdateItem": [
        {"LineID": line, "Products": {"Add": [{"ProductID": 101, "Rate": Decimal("1.50")}]}}
    ]}}))
    pending = [p for p in service(query_customer(svc, acme, customer), line).Products.Product if p.Status == "PENDING"]
    assert [(p.ProductID, p.Rate) for p in pending] == [(101, Decimal("1.50"))]
    complete(svc, acme, suspend)
    statuses = dict((p.ID, p.Status) for p in service(query_customer(svc, acme, customer), line).Products.Product)
    assert statuses[pending[0].ID] == "DENIED", "added as ACTIVE, then the completed suspend denies it"
    # Final: its Lines can no longer change.
    res = svc.Orders_Update(Request={**acme, "OrderID": suspend, "Lines": {"OrderLineUpdateItem": [
        {"LineID": line, "Products": {"Add": [{"ProductID": 101}]}}
    ]}})
    assert_refused(res, "S2010")
    assert "Lines" in res.Header.Message, res.Header.Message


def test_refusals_are_read_from_the_header(svc, acme):
    customer = new_customer(svc, acme)
    res = svc.Orders_Query(Request={**acme, "OrderID": UNKNOWN})
    assert_refused(res, "O2002")
    assert str(UNKNOWN) in res.Header.Message
    assert res.Order is None
    assert_refused(svc.Orders_Create(Request={**acme}), "O2003")
    res = svc.Orders_Create(Request={**acme, "Suspend": {"LineID": UNKNOWN}, "Restore": {"LineID": UNKNOWN}})
    assert_refused(res, "S2010")
    assert "Suspend" in res.Header.Message and "Restore" in res.Header.Message, res.Header.Message
    res = svc.NewOrders_Create(Request={**acme, "CustomerID": UNKNOWN, "PackageID": 1000})
    assert_refused(res, "C2002")
    assert ints(res.Orders) == [] and ints(res.Lines) == []
    assert_refused(svc.NewOrders_Create(Request={**acme, "CustomerID": customer, "PackageID": 4242}), "PK2013")
    res = svc.NewOrders_Create(Request={
        **acme, "CustomerID": customer, "PackageID": 1000,
        "AdditionalProducts": {"Product": [{"ProductID": 101, "Quantity": 0}]},
    })
    assert_refused(res, "S2010")
    assert "AdditionalProducts/Product[1]/Quantity" in res.Header.Message, res.Header.Message
    assert_refused(svc.NewOrders_Create(Request={**acme, "CustomerID": customer, "PackageID": 1000, "ESN": "15900000001"}),
                   "I2019")
    assert_refused(svc.Orders_Create(Request={**acme, "Suspend": {"LineID": UNKNOWN}}), "L2024")

    line = new_line(svc, acme, customer)
    res = svc.Orders_Create(Request={**acme, "Suspend": {"LineID": line, "SuspendType": "OUTGOING"}})
    assert_refused(res, "S2010")
    assert "Suspend/SuspendType" in res.Header.Message, res.Header.Message
    assert_refused(svc.Orders_Create(Request={**acme, "Restore": {"LineID": line}}), "O2001")
    assert_refused(svc.Orders_Create(Request={**acme, "Suspend": {"LineID": line, "CustomerID": new_customer(svc, acme)}}),
                   "N2001")

    (order,) = found(svc.Orders_Search(Request={**acme, "CustomerID": [customer]}))
    for status in ["NEW", "CANCELED", "NOT_SPECIFIED"]:
        res = svc.Orders_Update(Request={**acme, "OrderID": order, "Status": status})
        assert_refused(res, "S2010")
        assert "Status" in res.Header.Message, res.Header.Message
    res = svc.Orders_Update(Request={**acme, "OrderID": order, "StatusNote": "no status"})
    assert_refused(res, "S2010")
    assert "StatusNote" in res.Header.Message
    res = svc.Orders_Update(Request={**acme, "OrderID": order, "ProcessID": 99})
    assert_refused(res, "PC2001")
    assert_refused(svc.Orders_Update(Request={**acme, "OrderID": UNKNOWN, "Status": "COMPLETE"}), "O2002")
    res = svc.Orders_Search(Request={**acme, "Page": 2})
    assert_refused(res, "S2010")
    assert "Page" in res.Header.Message
    assert ok(svc.Orders_Query(Request={**acme, "OrderID": order})).Order.Status == "COMPLETE"
