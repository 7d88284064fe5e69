-- Shared by the bench/*.lua wrk scripts: prints one machine-readable line at the end,
--   BENCH_RESULT {"requests":N,"duration_us":N,"rps":F,"p50_us":N,"p90_us":N,"p99_us":N,...}
-- which scripts/bench.sh parses (wrk's own --latency report is printed above it).

function done(summary, latency, requests)
   local e = summary.errors
   local errors = e.connect + e.read + e.write + e.timeout
   io.write(string.format(
      'BENCH_RESULT {"requests":%d,"duration_us":%d,"rps":%.1f,"p50_us":%d,"p90_us":%d,"p99_us":%d,'
         .. '"max_us":%d,"socket_errors":%d,"non_2xx":%d}\n',
      summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
      errors, e.status))
end
