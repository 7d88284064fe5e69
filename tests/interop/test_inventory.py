"""Inventory through zeep, over SOAP 1.1 and 1.2: every inventory operation of the WSDL.

Types and their identifier formats, items created one by one and in bulk (all or nothing),
the three ways to find an item, update semantics (absent or nil keeps, "" empties), assignment
to a customer and back, history, type deletion, and client isolation.

Assigning to a line (LineID, CustomerProductID, InventoryTypes_Assign/Unassign) needs a customer
service, and services come from orders (a later feature): no operation creates one. The bundled
demo (`serve --demo`) writes one for customer 1, so those tests use conftest's `demo_server`.

Both SOAP versions run against the same servers and databases, so every identifier is unique.
"""

import datetime
import itertools
import secrets
import xml.etree.ElementTree as ET

import pytest
import zeep
import zeep.transports
from zeep import xsd

from support import ACME_ADMIN, ACME_VIEWER, PORTS, SERVICE, assert_refused, login, new_customer

UNKNOWN = 987654321  # no item, customer, service or type has this id

_serials = itertools.count(secrets.randbelow(10**6) * 10**4)


def luhn_digit(payload: str) -> str:
    """The Luhn check digit completing `payload`."""
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str((10 - total % 10) % 10)


assert luhn_digit("7992739871") == "3"
assert luhn_digit("8901410321111851072") == "0"  # the seed's example ICCID, 89014103211118510720


def iccid() -> str:
    """A fresh valid 20-digit ICCID: 89, issuer 01410, a serial, the Luhn digit."""
    payload = f"8901410{next(_serials):012d}"
    return payload + luhn_digit(payload)


def bad_luhn(good: str) -> str:
    """`good` with a wrong check digit."""
    return good[:-1] + str((int(good[-1]) + 1) % 10)


def esn() -> str:
    """A fresh decimal ESN: manufacturer 159, an 8-digit serial up to 16777215."""
    return f"159{next(_serials) % 16_777_216:08d}"


def meid() -> str:
    """A fresh decimal MEID: manufacturer 2684354560, an 8-digit serial up to 16777215."""
    return f"2684354560{next(_serials) % 16_777_216:08d}"


def mdn() -> str:
    return f"512{next(_serials) % 10**7:07d}"


def ok(res):
    assert res.Header.Success is True, (res.Header.Error_Code, res.Header.Message)
    return res


def new_type(svc, framing, **fields) -> int:
    res = ok(svc.InventoryTypes_Create(Request={**framing, "InventoryType": fields}))
    assert isinstance(res.ID, int) and res.ID > 0
    return res.ID


def sim_type(svc, framing, **overrides) -> int:
    return new_type(
        svc, framing,
        **{
            "Type": "SIM_Card", "Identifier": "ICCID", "Name": f"Nano SIM {next(_serials)}",
            "RequiresProduct": True, "Format": "ICCID_DECIMAL", **overrides,
        },
    )


def phone_type(svc, framing, **overrides) -> int:
    return new_type(
        svc, framing,
        **{
            "Type": "Mobile_Device", "Identifier": "ESN/MEID", "Name": f"Phone X {next(_serials)}",
            "RequiresProduct": True, "Format": "ESN_OR_MEID_DECIMAL",
            "ItemFields": {"Field": [
                {"Label": "Color", "FieldType": "Drop Down List", "Options": {"Option": ["Black", "White"]},
                 "DefaultValue": "Black"},
                {"Label": "Box", "FieldType": "Text Box", "IsRequired": True},
            ]},
            **overrides,
        },
    )


def query_type(svc, framing, type_id):
    res = ok(svc.InventoryTypes_Query(Request={**framing, "ID": type_id}))
    types = list(res.InventoryTypes.InventoryType or []) if res.InventoryTypes else []
    assert len(types) == 1, types
    return types[0]


def type_ids(res) -> list:
    ok(res)
    return [t.ID for t in (res.InventoryTypes.InventoryType or [])] if res.InventoryTypes else []


def new_item(svc, framing, type_id, identifier, **fields) -> int:
    inventory = {"InventoryTypeID": type_id, "Identifier": identifier, **fields}
    res = ok(svc.Inventory_Create(Request={**framing, "Inventory": inventory}))
    assert isinstance(res.InventoryItemID, int) and res.InventoryItemID > 0
    return res.InventoryItemID


def item(svc, framing, item_id):
    res = ok(svc.Inventory_Query(Request={**framing, "InventoryID": item_id}))
    assert res.Inventory.ID == item_id
    return res.Inventory


def fields_of(inv) -> dict:
    return {f.Label: f.Value for f in (inv.Fields.Field if inv.Fields else [])}


def history(svc, framing, item_id) -> list:
    res = ok(svc.InventoryHistory_Query(Request={**framing, "InventoryItemID": item_id}))
    return list(res.History.Entry or []) if res.History else []


def update(svc, framing, **inventory):
    return svc.Inventory_Update(Request={**framing, "Inventory": inventory})


def raw_element(svc, operation: str, request: dict, name: str) -> ET.Element:
    """The one `name` element of an operation's response as sent, to tell an empty element
    (an empty string) from a left-out one (no value): zeep reads both as None."""
    with svc._client.settings(raw_response=True):
        raw = getattr(svc, operation)(Request=request)
    assert raw.status_code == 200, raw.text
    found = [e for e in ET.fromstring(raw.content).iter() if e.tag.split("}")[-1] == name]
    assert len(found) == 1, raw.text
    return found[0]


def is_empty_string(element: ET.Element, name: str) -> bool:
    """Whether `element` has a `name` child that is present and empty."""
    matches = [e for e in element if e.tag.split("}")[-1] == name]
    return len(matches) == 1 and not matches[0].text and len(matches[0]) == 0


def utc(d: datetime.datetime) -> datetime.datetime:
    return d if d.tzinfo else d.replace(tzinfo=datetime.timezone.utc)


# --------------------------------------------------------------------------------------------
# Inventory types


def test_types_create_and_query_every_field(svc, acme):
    sim = sim_type(
        svc, acme, Name="SIM cards", Description="Nano SIM", ProgrammingInstructions="Insert and power on",
        ProductIDs={"int": [100]},
    )
    t = query_type(svc, acme, sim)
    assert (t.ID, t.Type, t.Identifier, t.Name) == (sim, "SIM_Card", "ICCID", "SIM cards")
    assert t.RequiresProduct is True
    assert t.Status == "ACTIVE", "Status defaults to ACTIVE"
    assert t.Format == "ICCID_DECIMAL"
    assert t.Description == "Nano SIM"
    assert t.ProgrammingInstructions == "Insert and power on"
    assert list(t.ProductIDs.int) == [100]

    phones = phone_type(svc, acme, Fields={"Field": [{"Label": "Plan Tier", "Value": "Gold"}]})
    t = query_type(svc, acme, phones)
    assert (t.Type, t.Format) == ("Mobile_Device", "ESN_OR_MEID_DECIMAL")
    assert [(f.FieldID, f.Label, f.Value) for f in t.Fields.Field] == [(31, "Plan Tier", "Gold")]
    defs = t.ItemFields.Field
    assert [(d.Label, d.FieldType, d.IsRequired) for d in defs] == [
        ("Color", "Drop Down List", False),
        ("Box", "Text Box", True),
    ]
    assert all(isinstance(d.FieldID, int) and d.FieldID > 0 for d in defs), "the server numbers item fields"
    assert len({d.FieldID for d in defs}) == 2
    assert list(defs[0].Options.Option) == ["Black", "White"]
    assert defs[0].DefaultValue == "Black"


def test_types_query_filters(svc, acme):
    sim = sim_type(svc, acme, ProductIDs={"int": [100]})
    phones = phone_type(svc, acme, ProductIDs={"int": [102]})
    did = new_type(
        svc, acme, Type="Telephone_Number", Identifier="DID", Name="Austin DIDs",
        Fields={"Field": [{"Label": "Plan Tier", "Value": f"tier-{sim}"}]},
    )

    everything = type_ids(svc.InventoryTypes_Query(Request={**acme}))
    assert {sim, phones, did} <= set(everything)
    by_kind = type_ids(svc.InventoryTypes_Query(Request={**acme, "Type": "SIM_Card"}))
    assert sim in by_kind and phones not in by_kind and did not in by_kind
    by_product = type_ids(svc.InventoryTypes_Query(Request={**acme, "ProductID": 100}))
    assert sim in by_product and phones not in by_product
    # Package 1000 holds products 100 and 101.
    by_package = type_ids(svc.InventoryTypes_Query(Request={**acme, "PackageID": 1000}))
    assert sim in by_package and phones not in by_package
    by_field = type_ids(
        svc.InventoryTypes_Query(Request={**acme, "Field": {"Label": "Plan Tier", "Value": f"tier-{sim}"}})
    )
    assert by_field == [did]
    assert type_ids(svc.InventoryTypes_Query(Request={**acme, "ID": UNKNOWN})) == []
    assert_refused(svc.InventoryTypes_Query(Request={**acme, "ProductID": 999}), "PR2023")
    assert_refused(svc.InventoryTypes_Query(Request={**acme, "PackageID": 999}), "PK2013")


def test_types_create_refusals(svc, acme):
    cases = [
        ({"Type": "SIM_Card", "Identifier": "ICCID", "Name": "N", "Format": "ICCID_DECIMAL"}, "RequiresProduct"),
        ({"Type": "SIM_Card", "Identifier": "ICCID", "Name": "N", "RequiresProduct": True}, "Format"),
        ({"Type": "Mobile_Device", "Identifier": "ESN", "Name": "N", "RequiresProduct": True,
          "Format": "ICCID_DECIMAL"}, "Format"),
        ({"Type": "General", "Identifier": "Serial", "Name": "N", "Format": "ESN_DECIMAL"}, "Format"),
        ({"Type": "General", "Name": "N"}, "Identifier"),
        ({"ID": 5, "Type": "General", "Identifier": "Serial", "Name": "N"}, "ID"),
        ({"Type": "General", "Identifier": "Serial", "Name": "N",
          "ItemFields": {"Field": [{"Label": "C", "FieldType": "Drop Down List"}]}}, "Options"),
    ]
    for t, field in cases:
        res = svc.InventoryTypes_Create(Request={**acme, "InventoryType": t})
        assert_refused(res, "S2010")
        assert field in res.Header.Message, (t, res.Header.Message)
        assert res.ID is None
    res = svc.InventoryTypes_Create(
        Request={**acme, "InventoryType": {"Type": "General", "Identifier": "S", "Name": "N",
                                           "ProductIDs": {"int": [4242]}}}
    )
    assert_refused(res, "PR2023")


def test_types_update_absent_nil_and_empty(svc, acme):
    sim = sim_type(svc, acme, Name="SIMs", Description="Nano SIM", ProgrammingInstructions="Insert")
    ok(svc.InventoryTypes_Update(
        Request={**acme, "InventoryType": {"ID": sim, "Name": "SIMs v2", "Description": "",
                                           "ProgrammingInstructions": xsd.Nil}}
    ))
    t = query_type(svc, acme, sim)
    assert t.Name == "SIMs v2"
    raw = raw_element(svc, "InventoryTypes_Query", {**acme, "ID": sim}, "InventoryType")
    assert is_empty_string(raw, "Description"), "an empty Description replaces the old one"
    assert t.ProgrammingInstructions == "Insert", "nil leaves the stored value"
    assert (t.Identifier, t.Format, t.Status) == ("ICCID", "ICCID_DECIMAL", "ACTIVE"), "absent leaves alone"

    res = svc.InventoryTypes_Update(Request={**acme, "InventoryType": {"ID": sim, "Format": "ESN_DECIMAL"}})
    assert_refused(res, "S2010")
    assert "Format" in res.Header.Message, res.Header.Message
    assert_refused(svc.InventoryTypes_Update(Request={**acme, "InventoryType": {"Name": "x"}}), "S2010")
    assert_refused(svc.InventoryTypes_Update(Request={**acme, "InventoryType": {"ID": UNKNOWN, "Name": "x"}}), "S2010")
    assert query_type(svc, acme, sim).Name == "SIMs v2"


def test_types_update_item_fields_keeps_values_by_field_id(svc, acme):
    phones = phone_type(svc, acme)
    item_id = new_item(svc, acme, phones, esn(), Fields={"Field": [{"Label": "Box", "Value": "B-7"}]})
    color, box = query_type(svc, acme, phones).ItemFields.Field
    # Keep both fields by FieldID (renaming Box) and add a third.
    ok(svc.InventoryTypes_Update(Request={**acme, "InventoryType": {"ID": phones, "ItemFields": {"Field": [
        {"FieldID": color.FieldID, "Label": "Color", "FieldType": "Drop Down List",
         "Options": {"Option": ["Black", "White", "Blue"]}, "DefaultValue": "Black"},
        {"FieldID": box.FieldID, "Label": "Carton", "FieldType": "Text Box", "IsRequired": True},
        {"Label": "Received", "FieldType": "Date"},
    ]}}}))
    defs = query_type(svc, acme, phones).ItemFields.Field
    assert [(d.FieldID, d.Label) for d in defs][:2] == [(color.FieldID, "Color"), (box.FieldID, "Carton")]
    assert defs[2].Label == "Received" and defs[2].FieldID not in (color.FieldID, box.FieldID)
    assert list(defs[0].Options.Option) == ["Black", "White", "Blue"]
    values = fields_of(item(svc, acme, item_id))
    assert values.get("Carton") == "B-7", values
    assert values.get("Color") == "Black", values


def test_inactive_type_takes_no_new_items_until_activated(svc, acme):
    # The seed spells it INACITVE once; that spelling is accepted and read back as INACTIVE.
    routers = new_type(svc, acme, Type="General", Identifier="Serial", Name="Routers", Status="INACITVE")
    assert query_type(svc, acme, routers).Status == "INACTIVE"
    serial = f"RT-{next(_serials)}"
    res = svc.Inventory_Create(Request={**acme, "Inventory": {"InventoryTypeID": routers, "Identifier": serial}})
    assert_refused(res, "S2010")
    assert "INACTIVE" in res.Header.Message, res.Header.Message
    ok(svc.InventoryTypes_Update(Request={**acme, "InventoryType": {"ID": routers, "Status": "ACTIVE"}}))
    item_id = new_item(svc, acme, routers, serial)
    i = item(svc, acme, item_id)
    assert (i.Identifier, i.InventoryType, i.IdentifierLabel) == (serial, "General", "Serial")


def test_type_and_format_change_only_while_the_type_is_empty(svc, acme):
    busy = sim_type(svc, acme)
    new_item(svc, acme, busy, iccid())
    change = {"Type": "Mobile_Device", "Format": "ESN_DECIMAL"}
    res = svc.InventoryTypes_Update(Request={**acme, "InventoryType": {"ID": busy, **change}})
    assert_refused(res, "S2010")
    assert "has items" in res.Header.Message, res.Header.Message
    assert (query_type(svc, acme, busy).Type, query_type(svc, acme, busy).Format) == ("SIM_Card", "ICCID_DECIMAL")

    empty = sim_type(svc, acme)
    ok(svc.InventoryTypes_Update(Request={**acme, "InventoryType": {"ID": empty, **change}}))
    t = query_type(svc, acme, empty)
    assert (t.Type, t.Format) == ("Mobile_Device", "ESN_DECIMAL")
    new_item(svc, acme, empty, esn())  # the new format applies
    res = svc.Inventory_Create(Request={**acme, "Inventory": {"InventoryTypeID": empty, "Identifier": iccid()}})
    assert_refused(res, "S2010")


def test_item_field_values_are_checked_and_normalized(svc, acme):
    kits = new_type(svc, acme, Type="General", Identifier="Serial", Name="Kits", ItemFields={"Field": [
        {"Label": "Received", "FieldType": "Date"},
        {"Label": "Refurbished", "FieldType": "Check Box", "DefaultValue": "false"},
    ]})
    serial = f"KIT-{next(_serials)}"
    item_id = new_item(svc, acme, kits, serial, Fields={"Field": [{"Label": "Received", "Value": "2026-01-10"}]})
    assert fields_of(item(svc, acme, item_id)) == {"Received": "2026-01-10", "Refurbished": "false"}
    ok(update(svc, acme, ID=item_id, Fields={"Field": [{"Label": "Refurbished", "Value": "Yes"}]}))
    assert fields_of(item(svc, acme, item_id))["Refurbished"] == "true"
    for field, value in [("Received", "2026-02-30"), ("Refurbished", "maybe")]:
        res = update(svc, acme, ID=item_id, Fields={"Field": [{"Label": field, "Value": value}]})
        assert_refused(res, "S2010")
        assert "Fields/Field[1]/Value" in res.Header.Message, res.Header.Message
    res = update(svc, acme, ID=item_id, Fields={"Field": [{"Label": "Weight", "Value": "1"}]})
    assert_refused(res, "S2010")
    assert "Weight" in res.Header.Message, res.Header.Message
    assert fields_of(item(svc, acme, item_id)) == {"Received": "2026-01-10", "Refurbished": "true"}


def test_types_delete_refuses_a_type_with_items(svc, acme):
    sim = sim_type(svc, acme)
    new_item(svc, acme, sim, iccid())
    res = svc.InventoryTypes_Delete(Request={**acme, "ID": sim})
    assert_refused(res, "S2010")
    assert "still has 1 inventory item" in res.Header.Message, res.Header.Message
    assert query_type(svc, acme, sim).ID == sim, "the refused type is still there"

    empty = sim_type(svc, acme)
    ok(svc.InventoryTypes_Delete(Request={**acme, "ID": empty}))
    assert type_ids(svc.InventoryTypes_Query(Request={**acme, "ID": empty})) == []
    assert empty not in type_ids(svc.InventoryTypes_Query(Request={**acme}))
    # Gone: deleting it again, or putting items in it, is refused.
    assert_refused(svc.InventoryTypes_Delete(Request={**acme, "ID": empty}), "S2010")
    res = svc.Inventory_Create(Request={**acme, "Inventory": {"InventoryTypeID": empty, "Identifier": iccid()}})
    assert_refused(res, "S2010")


# --------------------------------------------------------------------------------------------
# Items: create and query


def test_create_and_query_every_field(svc, acme):
    phones = phone_type(svc, acme)
    device, number = meid(), mdn()
    item_id = new_item(
        svc, acme, phones, device,
        InventoryType="Mobile_Device", Note="from the warehouse",
        Status="UNAVAILABLE", UnavailableReasonID=1,
        AssignedDate=datetime.datetime(2026, 1, 15, 8, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=-6))),
        Fields={"Field": [{"Label": "Box", "Value": "B-7"}]},
        Wireless={"MSID": "3125550000", "MSL": "123456", "MDN": number},
    )
    i = item(svc, acme, item_id)
    assert i.Identifier == device
    assert i.IdentifierLabel == "ESN/MEID", "filled from the type"
    assert (i.InventoryTypeID, i.InventoryType) == (phones, "Mobile_Device")
    assert i.InventoryDescription == query_type(svc, acme, phones).Name
    assert i.Status == "UNAVAILABLE"
    assert (i.UnavailableReasonID, i.UnavailableReasonDescription) == (1, "Damaged")
    assert i.Note == "from the warehouse"
    assert i.CustomerID is None
    assert i.AssignedDate == datetime.datetime(2026, 1, 15, 14, 30, tzinfo=datetime.timezone.utc), i.AssignedDate
    assert fields_of(i) == {"Color": "Black", "Box": "B-7"}, "the default fills Color"
    assert (i.Wireless.MSID, i.Wireless.MSL, i.Wireless.MDN) == ("3125550000", "123456", number)

    # The three ways to find it.
    assert ok(svc.Inventory_Query(Request={**acme, "MDN": number})).Inventory.ID == item_id
    by_identifier = svc.Inventory_Query(Request={**acme, "Inventory": {"Identifier": device}})
    assert ok(by_identifier).Inventory.ID == item_id, "Type defaults to Mobile_Device"
    typed = svc.Inventory_Query(Request={**acme, "Inventory": {"Identifier": device, "Type": "Mobile_Device"}})
    assert ok(typed).Inventory.ID == item_id
    assert_refused(
        svc.Inventory_Query(Request={**acme, "Inventory": {"Identifier": device, "Type": "SIM_Card"}}), "I2019"
    )


def test_sim_card_by_identifier_and_type(svc, acme):
    sim = sim_type(svc, acme)
    card = iccid()
    item_id = new_item(svc, acme, sim, card)
    res = ok(svc.Inventory_Query(Request={**acme, "Inventory": {"Identifier": card, "Type": "SIM_Card"}}))
    i = res.Inventory
    assert (i.ID, i.Identifier, i.InventoryType, i.IdentifierLabel) == (item_id, card, "SIM_Card", "ICCID")
    assert i.Status == "AVAILABLE", "Status defaults to AVAILABLE"
    # Without Type it is looked for among Mobile_Devices.
    assert_refused(svc.Inventory_Query(Request={**acme, "Inventory": {"Identifier": card}}), "I2019")
    # Surrounding spaces are not part of an identifier.
    spaced = iccid()
    spaced_id = new_item(svc, acme, sim, f"  {spaced} ")
    assert item(svc, acme, spaced_id).Identifier == spaced
    res = ok(svc.Inventory_Query(Request={**acme, "Inventory": {"Identifier": spaced, "Type": "SIM_Card"}}))
    assert res.Inventory.ID == spaced_id
    # A 19-digit ICCID (18 digits and the check digit) is an ICCID too.
    short = f"890141{next(_serials):012d}"
    short += luhn_digit(short)
    short_id = new_item(svc, acme, sim, short)
    res = ok(svc.Inventory_Query(Request={**acme, "Inventory": {"Identifier": short, "Type": "SIM_Card"}}))
    assert res.Inventory.ID == short_id


def test_query_unknown_is_I2019(svc, acme):
    assert_refused(svc.Inventory_Query(Request={**acme, "InventoryID": UNKNOWN}), "I2019")
    assert_refused(svc.Inventory_Query(Request={**acme, "MDN": "0000000000"}), "I2019")
    assert_refused(svc.Inventory_Query(Request={**acme, "Inventory": {"Identifier": esn()}}), "I2019")
    assert_refused(
        svc.Inventory_Query(Request={**acme, "Inventory": {"Identifier": iccid(), "Type": "SIM_Card"}}), "I2019"
    )
    # Nothing to look for, or a kind that cannot be looked up by identifier.
    assert_refused(svc.Inventory_Query(Request={**acme}), "S2010")
    assert_refused(
        svc.Inventory_Query(Request={**acme, "Inventory": {"Identifier": "x", "Type": "General"}}), "S2010"
    )


def test_identifiers_are_checked_against_the_format(svc, acme):
    sim = sim_type(svc, acme)
    phones = phone_type(svc, acme)
    box = {"Field": [{"Label": "Box", "Value": "B"}]}
    new_item(svc, acme, phones, esn(), Fields=box)
    new_item(svc, acme, phones, meid(), Fields=box)
    good = iccid()
    cases = [
        (sim, bad_luhn(iccid()), "Luhn"),
        (sim, "79" + good[2:], "89"),
        (sim, good[:18], "19 or 20 digits"),
        (sim, esn(), "19 or 20 digits"),
        (phones, "25616777215", "manufacturer"),  # ESN manufacturer code above 255
        (phones, "268435456016777216", "serial"),  # MEID serial above 16777215
        (phones, good, "ESN"),
    ]
    for type_id, identifier, rule in cases:
        inventory = {"InventoryTypeID": type_id, "Identifier": identifier, "Fields": box}
        res = svc.Inventory_Create(Request={**acme, "Inventory": inventory})
        assert_refused(res, "S2010")
        assert "Identifier" in res.Header.Message and rule in res.Header.Message, (identifier, res.Header.Message)
        assert res.InventoryItemID is None


def test_create_refusals(svc, acme):
    sim = sim_type(svc, acme)
    phones = phone_type(svc, acme)
    taken = iccid()
    new_item(svc, acme, sim, taken)
    cases = [
        ({"InventoryTypeID": sim, "Identifier": iccid(), "CustomerID": 1}, "CustomerID"),
        ({"InventoryTypeID": UNKNOWN, "Identifier": iccid()}, "InventoryTypeID"),
        ({"Identifier": iccid()}, "InventoryTypeID"),
        ({"InventoryTypeID": sim, "InventoryType": "Mobile_Device", "Identifier": iccid()}, "InventoryType"),
        ({"InventoryTypeID": sim, "Identifier": iccid(), "Status": "BATCHED"}, "Status"),
        ({"InventoryTypeID": sim, "Identifier": iccid(), "UnavailableReasonID": 1}, "UnavailableReasonID"),
        ({"InventoryTypeID": sim, "Identifier": taken}, "already exists"),
        ({"InventoryTypeID": phones, "Identifier": esn()}, "Box"),  # a required item field
        ({"InventoryTypeID": phones, "Identifier": esn(),
          "Fields": {"Field": [{"Label": "Box", "Value": "B"}, {"Label": "Color", "Value": "Red"}]}}, "Color"),
    ]
    for inventory, word in cases:
        res = svc.Inventory_Create(Request={**acme, "Inventory": inventory})
        assert_refused(res, "S2010")
        assert word in res.Header.Message, (inventory, res.Header.Message)


# --------------------------------------------------------------------------------------------
# Bulk create


def test_bulk_create_returns_ids_in_request_order(svc, acme):
    sim = sim_type(svc, acme)
    cards = [iccid() for _ in range(5)]
    res = ok(svc.Inventory_Bulk_Create(
        Request={**acme, "InventoryItems": {"Inventory": [{"InventoryTypeID": sim, "Identifier": c} for c in cards]}}
    ))
    ids = list(res.InventoryItemIDs.int)
    assert len(ids) == 5 and len(set(ids)) == 5, ids
    assert [item(svc, acme, i).Identifier for i in ids] == cards
    # A one-item list has the same shape.
    one = ok(svc.Inventory_Bulk_Create(
        Request={**acme, "InventoryItems": {"Inventory": [{"InventoryTypeID": sim, "Identifier": iccid()}]}}
    ))
    assert len(one.InventoryItemIDs.int) == 1


def test_bulk_create_with_a_bad_iccid_writes_nothing(svc, acme):
    sim = sim_type(svc, acme)
    cards = [iccid() for _ in range(5)]
    bad = bad_luhn(iccid())
    cards[2] = bad
    res = svc.Inventory_Bulk_Create(
        Request={**acme, "InventoryItems": {"Inventory": [{"InventoryTypeID": sim, "Identifier": c} for c in cards]}}
    )
    assert_refused(res, "S2010")
    message = res.Header.Message
    assert f"item 3 ({bad})" in message and "Luhn" in message, message
    assert "1 item(s) refused" in message, message
    assert res.InventoryItemIDs is None or not list(res.InventoryItemIDs.int or []), "no ids for a refusal"
    for good in (cards[0], cards[4]):
        assert_refused(
            svc.Inventory_Query(Request={**acme, "Inventory": {"Identifier": good, "Type": "SIM_Card"}}), "I2019"
        )
    # The good ones can then be created: nothing of the refused request was left behind.
    del cards[2]
    res = ok(svc.Inventory_Bulk_Create(
        Request={**acme, "InventoryItems": {"Inventory": [{"InventoryTypeID": sim, "Identifier": c} for c in cards]}}
    ))
    assert len(res.InventoryItemIDs.int) == 4


def test_bulk_create_names_every_failure(svc, acme):
    sim = sim_type(svc, acme)
    taken = iccid()
    new_item(svc, acme, sim, taken)
    fresh = [iccid() for _ in range(4)]
    cards = [fresh[0], fresh[1], fresh[1], taken, fresh[3]]
    res = svc.Inventory_Bulk_Create(
        Request={**acme, "InventoryItems": {"Inventory": [{"InventoryTypeID": sim, "Identifier": c} for c in cards]}}
    )
    assert_refused(res, "S2010")
    message = res.Header.Message
    assert "2 item(s) refused" in message, message
    assert f"item 3 ({fresh[1]})" in message and "duplicates item 2" in message, message
    assert f"item 4 ({taken})" in message and "already exists" in message, message
    assert_refused(
        svc.Inventory_Query(Request={**acme, "Inventory": {"Identifier": fresh[0], "Type": "SIM_Card"}}), "I2019"
    )
    assert_refused(svc.Inventory_Bulk_Create(Request={**acme, "InventoryItems": {"Inventory": []}}), "S2010")


# --------------------------------------------------------------------------------------------
# Update


def test_update_absent_nil_and_empty(svc, acme):
    sim = sim_type(svc, acme)
    item_id = new_item(svc, acme, sim, iccid(), Note="keep", Wireless={"MSID": "1111", "MSL": "2222"})

    # Absent and nil leave the stored values.
    ok(update(svc, acme, ID=item_id, Wireless={"MSL": "2222"}))
    ok(update(svc, acme, ID=item_id, Note=xsd.Nil, Wireless={"MSID": xsd.Nil, "MDN": xsd.Nil}))
    i = item(svc, acme, item_id)
    assert i.Note == "keep"
    assert (i.Wireless.MSID, i.Wireless.MSL) == ("1111", "2222")

    # "" empties the Note; inside Wireless only the given MSID changes.
    ok(update(svc, acme, ID=item_id, Note="", Wireless={"MSID": "9999"}))
    i = item(svc, acme, item_id)
    assert (i.Wireless.MSID, i.Wireless.MSL) == ("9999", "2222")
    raw = raw_element(svc, "Inventory_Query", {**acme, "InventoryID": item_id}, "Inventory")
    assert is_empty_string(raw, "Note"), "the Note is now an empty string, sent as <Note/>"

    # The history records each real change, and nothing for the no-op updates.
    changes = [(e.Action, e.Field, e.OldValue, e.NewValue) for e in history(svc, acme, item_id)]
    assert changes[0][0] == "CREATED"
    assert ("UPDATED", "Note", "keep", None) in changes or ("UPDATED", "Note", "keep", "") in changes, changes
    assert ("UPDATED", "Wireless/MSID", "1111", "9999") in changes, changes
    assert len(changes) == 3, changes


def test_update_fields_and_reason(svc, acme):
    phones = phone_type(svc, acme)
    item_id = new_item(svc, acme, phones, esn(), Fields={"Field": [{"Label": "Box", "Value": "B-1"}]})
    ok(update(svc, acme, ID=item_id, Fields={"Field": [{"Label": "Color", "Value": "White"}]}))
    assert fields_of(item(svc, acme, item_id)) == {"Color": "White", "Box": "B-1"}, "the other field stays"

    ok(update(svc, acme, ID=item_id, Status="UNAVAILABLE", UnavailableReasonID=2))
    i = item(svc, acme, item_id)
    assert (i.Status, i.UnavailableReasonID, i.UnavailableReasonDescription) == ("UNAVAILABLE", 2, "Lost")
    # Zero is a value, not "absent": it clears the reason.
    ok(update(svc, acme, ID=item_id, UnavailableReasonID=0))
    i = item(svc, acme, item_id)
    assert i.Status == "UNAVAILABLE" and i.UnavailableReasonID is None
    ok(update(svc, acme, ID=item_id, Status="AVAILABLE"))
    assert item(svc, acme, item_id).Status == "AVAILABLE"


def test_update_by_identifier(svc, acme):
    sim = sim_type(svc, acme)
    card = iccid()
    item_id = new_item(svc, acme, sim, card)
    ok(update(svc, acme, Identifier=card, InventoryTypeID=sim, Note="by type id"))
    assert item(svc, acme, item_id).Note == "by type id"
    ok(update(svc, acme, Identifier=card, InventoryType="SIM_Card", Note="by kind"))
    assert item(svc, acme, item_id).Note == "by kind"
    assert_refused(update(svc, acme, Identifier=iccid(), InventoryTypeID=sim, Note="x"), "I2019")
    assert_refused(update(svc, acme, Identifier=card, Note="x"), "S2010")  # which type?


def test_update_refusals_change_nothing(svc, acme):
    sim = sim_type(svc, acme)
    card = iccid()
    item_id = new_item(svc, acme, sim, card, Note="old")
    cases = [
        ({"Wireless": {"MDN": mdn()}}, "MDN"),
        ({"Identifier": iccid()}, "Identifier"),
        ({"CustomerID": 1}, "CustomerID"),
        ({"InventoryType": "Mobile_Device"}, "InventoryType"),
        ({"UnavailableReasonID": 1}, "UnavailableReasonID"),
        ({"Status": "BATCHED"}, "Status"),
    ]
    for extra, field in cases:
        res = update(svc, acme, ID=item_id, Note="new", **extra)
        assert_refused(res, "S2010")
        assert field in res.Header.Message, (extra, res.Header.Message)
    assert_refused(update(svc, acme, ID=UNKNOWN, Note="x"), "I2019")
    assert_refused(update(svc, acme, Note="x"), "S2010")
    i = item(svc, acme, item_id)
    assert (i.Identifier, i.Note, i.Status) == (card, "old", "AVAILABLE")


def test_bulk_update_is_all_or_nothing(svc, acme):
    sim = sim_type(svc, acme)
    cards = [iccid() for _ in range(3)]
    ids = list(ok(svc.Inventory_Bulk_Create(Request={**acme, "InventoryItems": {"Inventory": [
        {"InventoryTypeID": sim, "Identifier": c, "Note": "old"} for c in cards
    ]}})).InventoryItemIDs.int)
    unknown = iccid()
    res = svc.Inventory_Bulk_Update(Request={**acme, "InventoryItems": {"Inventory": [
        {"ID": ids[0], "Note": "new"},
        {"Identifier": cards[1], "InventoryTypeID": sim, "Note": "new"},
        {"Identifier": unknown, "InventoryTypeID": sim, "Note": "new"},
        {"Identifier": cards[2], "InventoryType": "SIM_Card", "Wireless": {"MDN": mdn()}},
    ]}})
    assert_refused(res, "S2010")
    message = res.Header.Message
    assert f"item 3 ({unknown})" in message and f"item 4 ({cards[2]})" in message and "MDN" in message, message
    assert [item(svc, acme, i).Note for i in ids] == ["old", "old", "old"], "nothing changed"

    ok(svc.Inventory_Bulk_Update(Request={**acme, "InventoryItems": {"Inventory": [
        {"ID": ids[0], "Note": "new", "Wireless": {"MSID": "42"}},
        {"Identifier": cards[1], "InventoryType": "SIM_Card", "Note": ""},
        {"ID": ids[2], "Note": xsd.Nil, "Wireless": {"MSL": "7"}},
    ]}}))
    first, second, third = (item(svc, acme, i) for i in ids)
    assert (first.Note, first.Wireless.MSID) == ("new", "42")
    raw = raw_element(svc, "Inventory_Query", {**acme, "InventoryID": ids[1]}, "Inventory")
    assert is_empty_string(raw, "Note"), "an empty Note in a bulk update empties it too"
    assert (third.Note, third.Wireless.MSL) == ("old", "7")
    last = history(svc, acme, ids[0])[-1]
    assert (last.Operation, last.Action, last.Field) == ("Inventory_Bulk_Update", "UPDATED", "Wireless/MSID")
    # The same item twice in one request is refused.
    res = svc.Inventory_Bulk_Update(Request={**acme, "InventoryItems": {"Inventory": [
        {"ID": ids[0], "Note": "a"}, {"ID": ids[0], "Note": "b"},
    ]}})
    assert_refused(res, "S2010")
    assert item(svc, acme, ids[0]).Note == "new"


# --------------------------------------------------------------------------------------------
# Assignment and history


def test_assign_to_customer_then_unassign_with_note(svc, acme):
    sim = sim_type(svc, acme)
    customer = new_customer(svc, acme)
    item_id = new_item(svc, acme, sim, iccid())
    before = datetime.datetime.now(datetime.timezone.utc)

    ok(svc.Inventory_Assign(Request={**acme, "InventoryItemID": item_id, "CustomerID": customer}))
    i = item(svc, acme, item_id)
    assert (i.Status, i.CustomerID) == ("ASSIGNED", customer)
    assert isinstance(i.AssignedDate, datetime.datetime), i.AssignedDate
    assert abs(utc(i.AssignedDate) - before) < datetime.timedelta(minutes=5), (i.AssignedDate, before)
    # Assigning again to the same customer is harmless; to another one is refused.
    ok(svc.Inventory_Assign(Request={**acme, "InventoryItemID": item_id, "CustomerID": customer}))
    other = new_customer(svc, acme, FirstName="Grace", LastName="Hopper")
    res = svc.Inventory_Assign(Request={**acme, "InventoryItemID": item_id, "CustomerID": other})
    assert_refused(res, "S2010")
    assert "another customer" in res.Header.Message, res.Header.Message
    # Update may name the current customer but not move the item or change its status.
    ok(update(svc, acme, ID=item_id, CustomerID=customer, Note="in use"))
    assert_refused(update(svc, acme, ID=item_id, CustomerID=other), "S2010")
    assert_refused(update(svc, acme, ID=item_id, Status="AVAILABLE"), "S2010")
    assert item(svc, acme, item_id).CustomerID == customer

    ok(svc.Inventory_Unassign(Request={**acme, "InventoryItemID": item_id, "Note": "returned by customer"}))
    i = item(svc, acme, item_id)
    assert i.Status == "AVAILABLE", "Status defaults to AVAILABLE"
    assert i.CustomerID is None and i.AssignedDate is None
    assert i.Note == "returned by customer", "the unassign note shows on the item"
    res = svc.Inventory_Unassign(Request={**acme, "InventoryItemID": item_id})
    assert_refused(res, "S2010")
    assert "not assigned" in res.Header.Message, res.Header.Message
    # Now free, it can go to the other customer.
    ok(svc.Inventory_Assign(Request={**acme, "InventoryItemID": item_id, "CustomerID": other}))
    assert item(svc, acme, item_id).CustomerID == other

    entries = history(svc, acme, item_id)
    assert [e.Action for e in entries] == ["CREATED", "ASSIGNED", "ASSIGNED", "UPDATED", "UNASSIGNED", "ASSIGNED"], [
        (e.Action, e.Field) for e in entries
    ]
    unassigned = entries[4]
    assert unassigned.Note == "returned by customer"
    assert unassigned.OldValue == f"customer {customer}" and unassigned.NewValue == "AVAILABLE"
    assert (unassigned.UserID, unassigned.Username) == (1, "api")
    assert unassigned.Operation == "Inventory_Unassign"
    assert entries[1].Operation == "Inventory_Assign" and entries[1].NewValue == f"customer {customer}"
    assert (entries[3].Field, entries[3].NewValue) == ("Note", "in use")
    dates = [utc(e.Date) for e in entries]
    assert dates == sorted(dates), "oldest first"
    assert entries[0].Operation == "Inventory_Create"


def test_unassign_to_unavailable_with_reason(svc, acme):
    sim = sim_type(svc, acme)
    customer = new_customer(svc, acme)
    item_id = new_item(svc, acme, sim, iccid())
    ok(svc.Inventory_Assign(Request={**acme, "InventoryItemID": item_id, "CustomerID": customer}))
    # Refusals first: none changes the assignment.
    assert_refused(svc.Inventory_Unassign(Request={**acme, "InventoryItemID": UNKNOWN}), "I2019")
    assert_refused(svc.Inventory_Unassign(Request={**acme, "InventoryItemID": item_id, "Status": "ASSIGNED"}), "S2010")
    assert_refused(
        svc.Inventory_Unassign(Request={**acme, "InventoryItemID": item_id, "UnavailableReasonID": 1}), "S2010"
    )
    assert_refused(
        svc.Inventory_Unassign(
            Request={**acme, "InventoryItemID": item_id, "Status": "UNAVAILABLE", "UnavailableReasonID": 42}
        ),
        "S2010",
    )
    assert item(svc, acme, item_id).CustomerID == customer

    ok(svc.Inventory_Unassign(Request={
        **acme, "InventoryItemID": item_id, "Status": "UNAVAILABLE", "UnavailableReasonID": 2, "Note": "lost",
    }))
    i = item(svc, acme, item_id)
    assert (i.Status, i.UnavailableReasonID, i.UnavailableReasonDescription) == ("UNAVAILABLE", 2, "Lost")
    assert i.CustomerID is None and i.Note == "lost"
    res = svc.Inventory_Assign(Request={**acme, "InventoryItemID": item_id, "CustomerID": customer})
    assert_refused(res, "S2010")
    assert "UNAVAILABLE" in res.Header.Message, res.Header.Message
    last = history(svc, acme, item_id)[-1]
    assert (last.Action, last.NewValue, last.Note) == ("UNASSIGNED", "UNAVAILABLE", "lost")


def test_assign_refusals(svc, acme):
    sim = sim_type(svc, acme)
    customer = new_customer(svc, acme)
    item_id = new_item(svc, acme, sim, iccid())

    def assign(**target):
        return svc.Inventory_Assign(Request={**acme, "InventoryItemID": item_id, **target})

    assert_refused(assign(CustomerID=UNKNOWN), "C2002")
    assert_refused(assign(LineID=UNKNOWN), "L2024")
    assert_refused(assign(CustomerID=customer, LineID=UNKNOWN), "L2024")
    assert_refused(assign(CustomerID=UNKNOWN, LineID=UNKNOWN), "C2002")
    res = assign(CustomerID=customer, CustomerProductID=UNKNOWN)
    assert_refused(res, "S2010")
    assert "CustomerProductID" in res.Header.Message, res.Header.Message
    res = assign()
    assert_refused(res, "S2010")
    assert "CustomerID" in res.Header.Message, res.Header.Message
    assert_refused(
        svc.Inventory_Assign(Request={**acme, "InventoryItemID": UNKNOWN, "CustomerID": customer}), "I2019"
    )
    i = item(svc, acme, item_id)
    assert (i.Status, i.CustomerID, i.AssignedDate) == ("AVAILABLE", None, None), "no refusal changed anything"
    assert [e.Action for e in history(svc, acme, item_id)] == ["CREATED"]

    unavailable = new_item(svc, acme, sim, iccid(), Status="UNAVAILABLE")
    res = svc.Inventory_Assign(Request={**acme, "InventoryItemID": unavailable, "CustomerID": customer})
    assert_refused(res, "S2010")
    assert "UNAVAILABLE" in res.Header.Message, res.Header.Message


def test_service_inventory_refusals(svc, acme):
    """Refusals that need no line (the main server has none); none may change an item. The
    line itself is exercised on the demo server below."""
    dids = new_type(svc, acme, Type="Telephone_Number", Identifier="DID", Name="DIDs", ProductIDs={"int": [101]})
    numbers = [f"737{next(_serials) % 10**7:07d}" for _ in range(2)]
    ids = list(ok(svc.Inventory_Bulk_Create(Request={**acme, "InventoryItems": {"Inventory": [
        {"InventoryTypeID": dids, "Identifier": n} for n in numbers
    ]}})).InventoryItemIDs.int)

    def types_assign(**request):
        return svc.InventoryTypes_Assign(Request={**acme, **request})

    def types_unassign(**request):
        return svc.InventoryTypes_Unassign(Request={**acme, **request})

    assert_refused(types_assign(Identifiers={"string": numbers}, LineID=UNKNOWN, CustomerProductID=UNKNOWN), "L2024")
    assert_refused(types_assign(Identifiers={"string": ["0000000000"]}, LineID=UNKNOWN, CustomerProductID=1), "L2024")
    res = types_assign(Identifiers={"string": numbers}, LineID=UNKNOWN)
    assert_refused(res, "S2010")
    assert "CustomerProductID" in res.Header.Message, res.Header.Message
    res = types_assign(Identifiers={"string": numbers}, CustomerProductID=1)
    assert_refused(res, "S2010")
    assert "LineID" in res.Header.Message, res.Header.Message
    res = types_assign(Identifiers={"string": []}, LineID=UNKNOWN, CustomerProductID=1)
    assert_refused(res, "S2010")
    assert "Identifiers" in res.Header.Message, res.Header.Message

    assert_refused(types_unassign(Identifiers={"string": numbers[:1]}, LineID=UNKNOWN), "L2024")
    assert_refused(
        types_unassign(Identifiers={"string": numbers[:1]}, LineID=UNKNOWN, InventoryStatus="UNAVAILABLE"), "L2024"
    )
    res = types_unassign(Identifiers={"string": numbers[:1]})
    assert_refused(res, "S2010")
    assert "LineID" in res.Header.Message, res.Header.Message
    assert_refused(types_unassign(Identifiers={"string": [" "]}, LineID=UNKNOWN), "S2010")

    # Inventory_Assign names a service the same way: the customer is checked first.
    customer = new_customer(svc, acme)
    assert_refused(svc.Inventory_Assign(Request={**acme, "InventoryItemID": ids[0], "LineID": UNKNOWN}), "L2024")
    assert_refused(
        svc.Inventory_Assign(Request={**acme, "InventoryItemID": ids[0], "CustomerID": UNKNOWN, "LineID": UNKNOWN}),
        "C2002",
    )
    assert_refused(
        svc.Inventory_Assign(Request={**acme, "InventoryItemID": ids[0], "CustomerID": customer, "LineID": UNKNOWN}),
        "L2024",
    )
    for i in ids:
        got = item(svc, acme, i)
        assert (got.Status, got.CustomerID) == ("AVAILABLE", None)
        assert [e.Action for e in history(svc, acme, i)] == ["CREATED"]


def test_history_of_unknown_item_is_I2019(svc, acme):
    assert_refused(svc.InventoryHistory_Query(Request={**acme, "InventoryItemID": UNKNOWN}), "I2019")
    assert_refused(svc.InventoryHistory_Query(Request={**acme}), "S2010")


# --------------------------------------------------------------------------------------------
# Roles and clients


def test_readonly_user_may_query_but_not_change(svc, acme):
    sim = sim_type(svc, acme)
    item_id = new_item(svc, acme, sim, iccid())
    viewer = {"Session": {"SessionKey": login(svc, ACME_VIEWER)}}
    res = svc.Inventory_Create(Request={**viewer, "Inventory": {"InventoryTypeID": sim, "Identifier": iccid()}})
    assert_refused(res, "S2017")
    assert_refused(update(svc, viewer, ID=item_id, Note="x"), "S2017")
    assert_refused(svc.InventoryTypes_Delete(Request={**viewer, "ID": sim}), "S2017")
    assert item(svc, viewer, item_id).ID == item_id
    assert sim in type_ids(svc.InventoryTypes_Query(Request={**viewer}))
    assert [e.Action for e in history(svc, viewer, item_id)] == ["CREATED"]


def test_globex_cannot_see_acmes_inventory(svc, acme, globex):
    name = f"Acme SIMs {next(_serials)}"
    sim = sim_type(svc, acme, Name=name)
    card, number = iccid(), mdn()
    item_id = new_item(svc, acme, sim, card, Note="acme", Wireless={"MDN": number})

    assert_refused(svc.Inventory_Query(Request={**globex, "InventoryID": item_id}), "I2019")
    assert_refused(
        svc.Inventory_Query(Request={**globex, "Inventory": {"Identifier": card, "Type": "SIM_Card"}}), "I2019"
    )
    assert_refused(svc.Inventory_Query(Request={**globex, "MDN": number}), "I2019")
    assert_refused(update(svc, globex, ID=item_id, Note="globex"), "I2019")
    assert_refused(svc.InventoryHistory_Query(Request={**globex, "InventoryItemID": item_id}), "I2019")
    assert_refused(svc.Inventory_Unassign(Request={**globex, "InventoryItemID": item_id}), "I2019")
    res = ok(svc.InventoryTypes_Query(Request={**globex}))
    names = [t.Name for t in (res.InventoryTypes.InventoryType or [])] if res.InventoryTypes else []
    assert name not in names
    # Nor change or delete acme's type (ids are per client: globex has no type with this id yet).
    assert sim not in type_ids(svc.InventoryTypes_Query(Request={**globex})), "precondition: ids differ"
    assert_refused(svc.InventoryTypes_Update(Request={**globex, "InventoryType": {"ID": sim, "Name": "x"}}), "S2010")
    assert_refused(svc.InventoryTypes_Delete(Request={**globex, "ID": sim}), "S2010")
    assert query_type(svc, acme, sim).Name == name

    # Globex's own type and item with the same identifier are separate.
    gsim = sim_type(svc, globex, Name="Globex SIMs")
    gitem = new_item(svc, globex, gsim, card, Note="globex")
    assert item(svc, globex, gitem).Note == "globex"
    i = item(svc, acme, item_id)
    assert (i.InventoryTypeID, i.Identifier, i.Note) == (sim, card, "acme"), "acme's item is untouched"


# --------------------------------------------------------------------------------------------
# Lines: a second server with the bundled demo, whose customer 1 has a wireless line

DEMO_CUSTOMER = 1
DEMO_TN = "5125550100"
DEMO_SIM = "8901410000000000001" + luhn_digit("8901410000000000001")  # the first demo SIM


@pytest.fixture(scope="module")
def demo_client(demo_server) -> zeep.Client:
    transport = zeep.transports.Transport(timeout=30, operation_timeout=30)
    return zeep.Client(f"{demo_server.base}/v20/default.asmx?WSDL", transport=transport)


@pytest.fixture
def demo(demo_client, soap_version):
    """The demo server's service proxy for this SOAP version, with an acme admin session."""
    svc = demo_client.bind(SERVICE, PORTS[soap_version])
    return svc, {"Session": {"SessionKey": login(svc, ACME_ADMIN)}}


def demo_line(svc, framing):
    """Customer 1's line: its id, {ProductID: customer product id}, and the identifiers on it."""
    customer = ok(svc.Customers_Query(Request={**framing, "CustomerID": DEMO_CUSTOMER})).Customer
    services = list(customer.Services.Service) if customer.Services else []
    assert len(services) == 1, services
    line = services[0]
    products = {p.ProductID: p.ID for p in line.Products.Product}
    on_line = [i.Identifier for i in (line.Inventory.Inventory if line.Inventory else [])]
    return line.ID, products, on_line


def test_demo_line_holds_its_sim_and_did(demo):
    svc, acme = demo
    line, products, on_line = demo_line(svc, acme)
    assert sorted(products) == [100, 101]
    assert DEMO_SIM in on_line and DEMO_TN in on_line, on_line
    sim = ok(svc.Inventory_Query(Request={**acme, "Inventory": {"Identifier": DEMO_SIM, "Type": "SIM_Card"}}))
    assert (sim.Inventory.Status, sim.Inventory.CustomerID) == ("ASSIGNED", DEMO_CUSTOMER)
    assigned = history(svc, acme, sim.Inventory.ID)[-1]
    # The demo orders the line with the SIM (NewOrders_Create), as an integration would.
    assert (assigned.Action, assigned.Operation) == ("ASSIGNED", "NewOrders_Create")
    assert assigned.NewValue == f"customer {DEMO_CUSTOMER}, service {line}"


def test_types_assign_and_unassign_dids_on_a_line(demo):
    svc, acme = demo
    line, products, _ = demo_line(svc, acme)
    dids = new_type(svc, acme, Type="Telephone_Number", Identifier="DID", Name="Interop DIDs",
                    ProductIDs={"int": [101]})
    numbers = [f"737{next(_serials) % 10**7:07d}" for _ in range(3)]
    ids = list(ok(svc.Inventory_Bulk_Create(Request={**acme, "InventoryItems": {"Inventory": [
        {"InventoryTypeID": dids, "Identifier": n} for n in numbers
    ]}})).InventoryItemIDs.int)

    def types_assign(identifiers, **request):
        return svc.InventoryTypes_Assign(Request={**acme, "Identifiers": {"string": identifiers}, **request})

    # Refusals, none of which assigns anything.
    missing = f"737{next(_serials) % 10**7:07d}"
    res = types_assign([numbers[0], missing], LineID=line, CustomerProductID=products[101])
    assert_refused(res, "I2019")
    assert missing in res.Header.Message, res.Header.Message
    res = types_assign(numbers[:1], LineID=line, CustomerProductID=products[100])
    assert_refused(res, "S2010")
    assert "not associated" in res.Header.Message, res.Header.Message
    assert_refused(types_assign(numbers[:1], LineID=line, CustomerProductID=UNKNOWN), "S2010")
    assert_refused(types_assign(numbers[:1], LineID=UNKNOWN, CustomerProductID=products[101]), "L2024")
    assert [item(svc, acme, i).Status for i in ids] == ["AVAILABLE"] * 3

    ok(types_assign(numbers[:2], LineID=line, CustomerProductID=products[101]))
    for i in ids[:2]:
        got = item(svc, acme, i)
        assert (got.Status, got.CustomerID) == ("ASSIGNED", DEMO_CUSTOMER)
        assert isinstance(got.AssignedDate, datetime.datetime)
    assert item(svc, acme, ids[2]).Status == "AVAILABLE"
    on_line = demo_line(svc, acme)[2]
    assert numbers[0] in on_line and numbers[1] in on_line and numbers[2] not in on_line, on_line
    last = history(svc, acme, ids[0])[-1]
    assert (last.Action, last.Operation) == ("ASSIGNED", "InventoryTypes_Assign")
    assert last.NewValue == f"customer {DEMO_CUSTOMER}, service {line}, customer product {products[101]}"

    def types_unassign(identifiers, **request):
        return svc.InventoryTypes_Unassign(Request={**acme, "Identifiers": {"string": identifiers}, **request})

    assert_refused(types_unassign(numbers[2:], LineID=line), "I2019")  # not on the line
    assert_refused(types_unassign(numbers[:1], LineID=line, InventoryStatus="BATCHED"), "S2010")
    ok(types_unassign(numbers[:1], LineID=line, InventoryStatus="UNAVAILABLE"))
    ok(types_unassign(numbers[1:2], LineID=line))
    first, second = item(svc, acme, ids[0]), item(svc, acme, ids[1])
    assert (first.Status, first.CustomerID, first.AssignedDate) == ("UNAVAILABLE", None, None)
    assert (second.Status, second.CustomerID) == ("AVAILABLE", None), "InventoryStatus defaults to AVAILABLE"
    on_line = demo_line(svc, acme)[2]
    assert not set(numbers) & set(on_line), on_line
    assert DEMO_TN in on_line, "the demo's own DID stays"
    last = history(svc, acme, ids[0])[-1]
    assert (last.Action, last.Operation, last.NewValue) == ("UNASSIGNED", "InventoryTypes_Unassign", "UNAVAILABLE")
    assert last.OldValue == f"customer {DEMO_CUSTOMER}, service {line}"


def test_inventory_assign_to_a_line(demo):
    svc, acme = demo
    line, products, _ = demo_line(svc, acme)
    sims = sim_type(svc, acme, ProductIDs={"int": [100]})
    cards = [iccid() for _ in range(3)]
    a, b, c = (new_item(svc, acme, sims, card) for card in cards)
    other = new_customer(svc, acme)

    def assign(item_id, **target):
        return svc.Inventory_Assign(Request={**acme, "InventoryItemID": item_id, **target})

    # The identifiers given must agree with each other.
    assert_refused(assign(c, CustomerID=other, LineID=line), "N2001")
    assert_refused(assign(c, CustomerID=other, CustomerProductID=products[100]), "N2001")
    assert_refused(assign(c, CustomerID=UNKNOWN, LineID=line), "C2002")
    res = assign(c, LineID=line, CustomerProductID=products[101])  # product 101 does not go with these SIMs
    assert_refused(res, "S2010")
    assert "not associated" in res.Header.Message, res.Header.Message
    assert (item(svc, acme, c).Status, item(svc, acme, c).CustomerID) == ("AVAILABLE", None)

    # A LineID alone is enough: the customer follows from the line.
    ok(assign(a, LineID=line))
    assert (item(svc, acme, a).Status, item(svc, acme, a).CustomerID) == ("ASSIGNED", DEMO_CUSTOMER)
    ok(assign(b, CustomerID=DEMO_CUSTOMER, LineID=line, CustomerProductID=products[100]))
    assert item(svc, acme, b).CustomerID == DEMO_CUSTOMER
    on_line = demo_line(svc, acme)[2]
    assert cards[0] in on_line and cards[1] in on_line and cards[2] not in on_line, on_line
    res = assign(a, CustomerID=other)
    assert_refused(res, "S2010")
    assert "another customer" in res.Header.Message, res.Header.Message

    # Off the line: by id with Inventory_Unassign, or by identifier with InventoryTypes_Unassign.
    ok(svc.Inventory_Unassign(Request={**acme, "InventoryItemID": a, "Note": "swapped"}))
    ok(svc.InventoryTypes_Unassign(Request={**acme, "Identifiers": {"string": [cards[1]]}, "LineID": line}))
    for i in (a, b):
        got = item(svc, acme, i)
        assert (got.Status, got.CustomerID) == ("AVAILABLE", None)
    assert item(svc, acme, a).Note == "swapped"
    on_line = demo_line(svc, acme)[2]
    assert not set(cards) & set(on_line) and DEMO_SIM in on_line, on_line
    unassigned = history(svc, acme, a)[-1]
    assert (unassigned.Action, unassigned.Note) == ("UNASSIGNED", "swapped")
    assert unassigned.OldValue == f"customer {DEMO_CUSTOMER}, service {line}"
