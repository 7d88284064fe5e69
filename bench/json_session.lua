-- (a) Products_Query by ProductID 100 over the JSON binding, authenticated by a session.
-- Usage: wrk ... -s bench/json_session.lua http://HOST:PORT/api/v20/Products_Query -- SESSION_KEY
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "bench/"
dofile(dir .. "common.lua")

function init(args)
   local key = assert(args[1], "pass the session key after --")
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/json"
   wrk.body = '{"Session":{"SessionKey":"' .. key .. '"},"ProductID":100}'
end
