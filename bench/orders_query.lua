-- Orders_Query of a random order of FIRST..LAST over the JSON binding, authenticated by a
-- session; answers are checked (see check() in common.lua).
-- Usage: wrk ... -s bench/orders_query.lua http://HOST:PORT/api/v20/Orders_Query -- SESSION_KEY FIRST LAST
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "bench/"
dofile(dir .. "common.lua")

local key, first, last

function init(args)
   key = assert(args[1], "pass SESSION_KEY FIRST LAST after --")
   first, last = tonumber(assert(args[2])), tonumber(assert(args[3]))
   math.randomseed(1000 + tid)
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/json"
end

function request()
   local body = string.format('{"Session":{"SessionKey":"%s"},"OrderID":%d}', key, math.random(first, last))
   return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
   check(status, body)
end
