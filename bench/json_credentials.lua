-- (c) Products_Query by ProductID 100 over the JSON binding with Credentials in the body
-- (a password check on every request).
-- Usage: wrk ... -s bench/json_credentials.lua http://HOST:PORT/api/v20/Products_Query -- USER CLIENT PASSWORD
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "bench/"
dofile(dir .. "common.lua")

function init(args)
   local user, client, password = args[1], args[2], args[3]
   assert(user and client and password, "pass USER CLIENT PASSWORD after --")
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/json"
   wrk.body = '{"Credentials":{"Username":"' .. user .. '","Password":"' .. password
      .. '","Client":"' .. client .. '"},"ProductID":100}'
end
