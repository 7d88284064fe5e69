-- Orders_Search over the JSON binding, authenticated by a session; answers are checked (see
-- check() in common.lua). Two kinds:
--   customer FIRST LAST [PAGE_SIZE]        CustomerID: a random customer of FIRST..LAST
--   status STATUSES CARRIERS PAGE_SIZE     Status and CarrierID: one of the comma-separated
--                                          statuses and one of the carrier ids, at random
-- With a PAGE_SIZE the request asks for Page 1 of that size; without, for every match.
-- Usage: wrk ... -s bench/orders_search.lua http://HOST:PORT/api/v20/Orders_Search -- SESSION_KEY KIND ...
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "bench/"
dofile(dir .. "common.lua")

local key, kind, a, b, paging

local function split(s)
   local out = {}
   for x in s:gmatch("[^,]+") do table.insert(out, x) end
   return out
end

function init(args)
   key = assert(args[1], "pass SESSION_KEY KIND ... after --")
   kind = assert(args[2], "pass the kind: customer or status")
   if kind == "customer" then
      a, b = tonumber(assert(args[3])), tonumber(assert(args[4]))
   elseif kind == "status" then
      a, b = split(assert(args[3])), split(assert(args[4]))
   else
      error("kind must be customer or status, not " .. kind)
   end
   paging = args[5] and args[5] ~= "" and string.format(',"PageSize":%d,"Page":1', tonumber(args[5])) or ""
   math.randomseed(2000 + tid)
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/json"
end

function request()
   local filter
   if kind == "customer" then
      filter = string.format('"CustomerID":[%d]', math.random(a, b))
   else
      filter = string.format('"Status":["%s"],"CarrierID":[%s]', a[math.random(#a)], b[math.random(#b)])
   end
   local body = '{"Session":{"SessionKey":"' .. key .. '"},' .. filter .. paging .. "}"
   return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
   check(status, body)
end
