"""Queue latency of flow-through on an idle server: orders created one at a time with
SendOrders, for the manual provider (package 1001, HOSTEDVOICE), which takes an order and
leaves it SENT; each order's status is polled with Orders_Query every 2 ms from the moment its
NewOrders_Create answered until it is SENT. Prints one line: BENCH_FLOW_LATENCY {json}.

Usage: python3 bench/flow_latency.py BASE_URL SESSION_KEY CUSTOMER_ID COUNT
"""

import json
import sys
import time
import urllib.request


def call(base, op, body):
    req = urllib.request.Request(f"{base}/api/v20/{op}", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        answer = json.loads(r.read())
    if answer["Header"]["Success"] is not True:
        sys.exit(f"{op} failed: {answer['Header']}")
    return answer


def main():
    base, key, customer, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    session = {"Session": {"SessionKey": key}}
    waits = []
    for _ in range(count):
        created = call(base, "NewOrders_Create", {**session, "CustomerID": customer, "PackageID": 1001, "SendOrders": True})
        t0 = time.monotonic()
        order = created["Orders"][0]
        while True:
            status = call(base, "Orders_Query", {**session, "OrderID": order})["Order"]["Status"]
            if status != "NEW":
                break
            if time.monotonic() - t0 > 10:
                sys.exit(f"order {order} still NEW after 10 s")
            time.sleep(0.002)
        if status != "SENT":
            sys.exit(f"order {order} is {status}, not SENT")
        waits.append((time.monotonic() - t0) * 1000)
        time.sleep(0.02)
    waits.sort()
    pick = lambda q: waits[min(len(waits) - 1, int(q * len(waits)))]
    print("BENCH_FLOW_LATENCY " + json.dumps({"orders": count, "p50_ms": round(pick(0.50), 2),
                                              "p99_ms": round(pick(0.99), 2), "max_ms": round(waits[-1], 2)}))


if __name__ == "__main__":
    main()
