-- (b) Products_Query by ProductID 100 over SOAP 1.1, authenticated by a session.
-- Usage: wrk ... -s bench/soap11_session.lua http://HOST:PORT/v20/default.asmx -- SESSION_KEY
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "bench/"
dofile(dir .. "common.lua")

function init(args)
   local key = assert(args[1], "pass the session key after --")
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "text/xml; charset=utf-8"
   wrk.headers["SOAPAction"] = '"http://api.myh2o.com/v20/Products_Query"'
   wrk.body = '<?xml version="1.0" encoding="utf-8"?>'
      .. '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
      .. '<soap:Body><Products_Query xmlns="http://api.myh2o.com/v20"><Request>'
      .. '<Session><SessionKey>' .. key .. '</SessionKey></Session>'
      .. '<ProductID>100</ProductID>'
      .. '</Request></Products_Query></soap:Body></soap:Envelope>'
end
