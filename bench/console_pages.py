"""Server time of the console's pages: signs in as api@acme through the sign-in form, then
GETs each page COUNT times over one kept-alive connection and prints, per page, the p50 and
p99 of the time from sending the request to the last byte of the answer (loopback, so that is
the server's time plus a few tens of microseconds). Prints BENCH_CONSOLE {json} lines.

Usage: python3 bench/console_pages.py BASE_URL COUNT [CUSTOMER_ID] [ORDER_ID]
"""

import http.client
import json
import sys
import time
import urllib.parse


def main():
    base, count = sys.argv[1], int(sys.argv[2])
    customer = sys.argv[3] if len(sys.argv) > 3 else "1"
    order = sys.argv[4] if len(sys.argv) > 4 else "1"
    u = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)

    def request(method, path, body=None, cookies=None, headers=None):
        h = dict(headers or {})
        if cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        data = r.read()
        return r, data

    jar = {}

    def keep(r):
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                jar[name] = rest.split(";", 1)[0]

    r, _ = request("GET", "/console/login")
    keep(r)
    form = urllib.parse.urlencode({"client": "acme", "username": "api", "password": "correct horse battery",
                                   "csrf": jar["pb_csrf"]})
    r, _ = request("POST", "/console/login", form, jar, {"Content-Type": "application/x-www-form-urlencoded"})
    keep(r)
    if r.status != 303 or "pb_session" not in jar:
        sys.exit(f"sign-in failed: HTTP {r.status}")

    pages = {
        "dashboard (14 days)": "/console/dashboard",
        "work queue": "/console/queue",
        "order search": "/console/orders?status=COMPLETE",
        "order search by customer": f"/console/orders?customer={customer}",
        "order": f"/console/orders/{order}",
        "customer": f"/console/customers/{customer}",
        "inventory": "/console/inventory",
        "catalog": "/console/catalog",
    }
    for name, path in pages.items():
        times = []
        for _ in range(count):
            t0 = time.perf_counter()
            r, body = request("GET", path, cookies=jar)
            times.append((time.perf_counter() - t0) * 1000)
            if r.status != 200:
                sys.exit(f"{path}: HTTP {r.status}: {body[:300]!r}")
        times.sort()
        pick = lambda q: times[min(len(times) - 1, int(q * len(times)))]
        print("BENCH_CONSOLE " + json.dumps({"page": name, "path": path, "requests": count,
                                            "p50_ms": round(pick(0.5), 2), "p99_ms": round(pick(0.99), 2)}))


if __name__ == "__main__":
    main()
