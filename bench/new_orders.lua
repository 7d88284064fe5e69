-- NewOrders_Create, authenticated by a session: package PACKAGE (its products), one additional
-- product PRODUCT and a SIM named by WirelessICCID. Every request takes the next unused ICCID
-- of ICCID_FILE (thread t of THREADS takes lines t+1, t+1+THREADS, …, so none is used twice)
-- and the next customer of FIRST..LAST in turn. FORMAT is json (POST /api/v20/NewOrders_Create)
-- or soap11 (POST /v20/default.asmx). Answers are checked (see check() in common.lua); a run
-- longer than the ICCIDs last shows as failed requests.
-- Usage: wrk ... -s bench/new_orders.lua URL -- SESSION_KEY ICCID_FILE THREADS FIRST LAST \
--            [PACKAGE=1000] [PRODUCT=103] [FORMAT=json]
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "bench/"
dofile(dir .. "common.lua")

local key, iccids, first, count, package, product, soap
local i, threads = 0, 1

function init(args)
   key = assert(args[1], "pass SESSION_KEY ICCID_FILE THREADS FIRST LAST after --")
   local all = read_lines(assert(args[2], "pass the ICCID file"))
   threads = tonumber((assert(args[3], "pass the number of wrk threads")))
   first = tonumber((assert(args[4], "pass the first customer id")))
   count = tonumber((assert(args[5], "pass the last customer id"))) - first + 1
   package = tonumber(args[6] or "1000")
   product = tonumber(args[7] or "103")
   soap = (args[8] or "json") == "soap11"
   iccids = {}
   for n = tid + 1, #all, threads do table.insert(iccids, all[n]) end
   wrk.method = "POST"
   if soap then
      wrk.headers["Content-Type"] = "text/xml; charset=utf-8"
      wrk.headers["SOAPAction"] = '"http://api.myh2o.com/v20/NewOrders_Create"'
   else
      wrk.headers["Content-Type"] = "application/json"
   end
end

function request()
   i = i + 1
   local iccid = iccids[i] or iccids[#iccids] -- past the end: a SIM already taken, refused
   local customer = first + ((i - 1) * threads + tid) % count
   local body
   if soap then
      body = '<?xml version="1.0" encoding="utf-8"?>'
         .. '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
         .. '<soap:Body><NewOrders_Create xmlns="http://api.myh2o.com/v20"><Request>'
         .. '<Session><SessionKey>' .. key .. '</SessionKey></Session>'
         .. '<CustomerID>' .. customer .. '</CustomerID><PackageID>' .. package .. '</PackageID>'
         .. '<WirelessICCID>' .. iccid .. '</WirelessICCID>'
         .. '<AdditionalProducts><Product><ProductID>' .. product .. '</ProductID></Product></AdditionalProducts>'
         .. '</Request></NewOrders_Create></soap:Body></soap:Envelope>'
   else
      body = string.format(
         '{"Session":{"SessionKey":"%s"},"CustomerID":%d,"PackageID":%d,'
            .. '"AdditionalProducts":[{"ProductID":%d}],"WirelessICCID":"%s"}',
         key, customer, package, product, iccid)
   end
   return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
   check(status, body)
end
