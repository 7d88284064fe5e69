"""An acknowledged write survives kill -9, and several processes share one database.

A second server process is started on the same database as the session's server, writes
through the JSON binding, and is killed with SIGKILL straight after the write is acknowledged.
The write must then be readable through the other process, and through a freshly started one.
"""

from __future__ import annotations

import signal
import subprocess
import time

import requests
from conftest import BINARY, ROOT

AUTH = ("api@acme", "correct horse battery")


def _start(database_url: str) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [str(BINARY), "serve", "--listen", "127.0.0.1:0", "--database", database_url],
        cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if line.startswith("listening on "):
            return proc, line.split("listening on ", 1)[1].strip()
    proc.kill()
    raise AssertionError("second server did not start")


def _call(base: str, op: str, body: dict) -> dict:
    r = requests.post(f"{base}/api/v20/{op}", json=body, auth=AUTH, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def test_acknowledged_writes_survive_kill_9_and_are_seen_by_other_processes(server, database_url):
    proc, other = _start(database_url)
    try:
        created = []
        for i in range(20):
            result = _call(other, "Customers_Create", {"CustomerClass": "Business", "CompanyName": f"Durable {i}"})
            assert result["Header"]["Success"] is True, result
            created.append(result["CustomerID"])
        product = _call(other, "Products_Create", {"CarrierID": 10, "ProductTypeID": 1, "Rate": "12.34"})
        assert product["Header"]["Success"] is True, product
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)

    for customer_id, i in zip(created, range(20)):
        seen = _call(server.base, "Customers_Query", {"CustomerID": customer_id})
        assert seen["Header"]["Success"] is True, seen
        assert seen["Customer"]["CompanyName"] == f"Durable {i}"
    # The catalog change made by the other process reaches this one's configuration cache.
    time.sleep(0.6)
    q = _call(server.base, "Products_Query", {"ProductID": product["ProductID"]})
    assert q["Products"][0]["Rate"] == "12.34", q

    proc, again = _start(database_url)
    try:
        seen = _call(again, "Customers_Query", {"CustomerID": created[-1]})
        assert seen["Customer"]["CompanyName"] == "Durable 19"
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
