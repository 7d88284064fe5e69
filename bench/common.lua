-- Shared by the bench/*.lua wrk scripts: prints one machine-readable line at the end,
--   BENCH_RESULT {"requests":N,"duration_us":N,"rps":F,"p50_us":N,"p90_us":N,"p99_us":N,...}
-- which scripts/bench.sh parses (wrk's own --latency report is printed above it).
-- Scripts that read answers call check(status, body) from their response(): an answer that
-- is not HTTP 200 with Success=true counts in "failed", and the first one is printed as a
-- BENCH_FIRST_FAILURE line. (Defining response() makes wrk hand every body to Lua, so the
-- Products_Query scripts, which measure the bare server, do not.)

local threads = {}

function setup(thread)
   thread:set("tid", #threads)
   table.insert(threads, thread)
end

failed = 0
first_failure = nil

function check(status, body)
   if status == 200 and (body:find('"Success":%s*true') or body:find("<Success>true</Success>", 1, true)) then
      return
   end
   failed = failed + 1
   first_failure = first_failure or (status .. " " .. body:sub(1, 600))
end

-- The lines of a file, as a table.
function read_lines(path)
   local lines = {}
   for line in assert(io.open(path)):lines() do
      if line ~= "" then table.insert(lines, line) end
   end
   return lines
end

function done(summary, latency, requests)
   local e = summary.errors
   local errors = e.connect + e.read + e.write + e.timeout
   local failures, first = 0, nil
   for _, t in ipairs(threads) do
      failures = failures + (t:get("failed") or 0)
      first = first or t:get("first_failure")
   end
   io.write(string.format(
      'BENCH_RESULT {"requests":%d,"duration_us":%d,"rps":%.1f,"p50_us":%d,"p90_us":%d,"p99_us":%d,'
         .. '"max_us":%d,"socket_errors":%d,"non_2xx":%d,"failed":%d}\n',
      summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
      errors, e.status, failures))
   if first then
      io.write("BENCH_FIRST_FAILURE " .. first:gsub("\n", " ") .. "\n")
   end
end
