"""Flow-through through zeep, over SOAP 1.1 and 1.2, against a server running its worker: an
order created with SendOrders reaches the fixture's simulated provider and comes back COMPLETE
by itself, the line gets the MDN the provider assigned, and Events_Query (an extension, in the
served WSDL like every operation) tells the story.
"""

import json
import time

import pytest
import zeep
import zeep.transports

from support import PORTS, SERVICE, login, new_customer


@pytest.fixture(scope="module")
def flow_client(flow_server) -> zeep.Client:
    transport = zeep.transports.Transport(timeout=30, operation_timeout=30)
    return zeep.Client(f"{flow_server.base}/v20/default.asmx?WSDL", transport=transport)


@pytest.fixture
def flow(flow_client, soap_version):
    svc = flow_client.bind(SERVICE, PORTS[soap_version])
    return svc, {"Session": {"SessionKey": login(svc)}}


def ok(res):
    assert res.Header.Success is True, (res.Header.Error_Code, res.Header.Message)
    return res


def test_an_order_marked_to_send_completes_by_itself(flow):
    svc, acme = flow
    customer = new_customer(svc, acme)
    created = ok(svc.NewOrders_Create(Request={**acme, "CustomerID": customer, "PackageID": 1000, "SendOrders": True}))
    order, line = created.Orders.int[0], created.Lines.int[0]

    deadline = time.monotonic() + 10
    while True:
        q = ok(svc.Orders_Query(Request={**acme, "OrderID": order}))
        if q.Order.Status == "COMPLETE":
            break
        assert time.monotonic() < deadline, f"order {order} is still {q.Order.Status}"
        time.sleep(0.05)

    c = ok(svc.Customers_Query(Request={**acme, "CustomerID": customer}))
    service = next(s for s in c.Customer.Services.Service if s.ID == line)
    assert service.TN.startswith("555") and len(service.TN) == 10, service.TN
    assert {p.Status for p in service.Products.Product} == {"ACTIVE"}

    events = ok(svc.Events_Query(Request={**acme, "OrderID": order}))
    names = [e.Name for e in reversed(events.Events.Event)]
    assert names == ["order.created", "order.status_changed", "order.status_changed", "order.status_changed",
                     "order.completed"], names
    moves = [(d["from"], d["to"]) for d in (json.loads(e.Data) for e in reversed(events.Events.Event))
             if "from" in d]
    assert moves == [("NEW", "SENT"), ("SENT", "CONFIRMED"), ("CONFIRMED", "COMPLETE")]
    completed = ok(svc.Events_Query(Request={**acme, "OrderID": order, "Names": {"string": ["order.completed"]}}))
    assert [e.Name for e in completed.Events.Event] == ["order.completed"]
