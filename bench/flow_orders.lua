-- NewOrders_Create with SendOrders, authenticated by a session: package PACKAGE (its products)
-- for the next customer of FIRST..LAST in turn, to be sent by flow-through at once. Answers
-- are checked (see check() in common.lua).
-- Usage: wrk ... -s bench/flow_orders.lua URL -- SESSION_KEY THREADS FIRST LAST [PACKAGE=1000]
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "bench/"
dofile(dir .. "common.lua")

local key, first, count, package
local i, threads = 0, 1

function init(args)
   key = assert(args[1], "pass SESSION_KEY THREADS FIRST LAST after --")
   threads = tonumber((assert(args[2], "pass the number of wrk threads")))
   first = tonumber((assert(args[3], "pass the first customer id")))
   count = tonumber((assert(args[4], "pass the last customer id"))) - first + 1
   package = tonumber(args[5] or "1000")
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/json"
end

function request()
   i = i + 1
   local customer = first + ((i - 1) * threads + tid) % count
   local body = string.format(
      '{"Session":{"SessionKey":"%s"},"CustomerID":%d,"PackageID":%d,"SendOrders":true}', key, customer, package)
   return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
   check(status, body)
end
