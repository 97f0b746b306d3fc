-- One kind of API client for wrk: `-- <submit|poll> <job id> <seed>`, with
-- WRK_THINK_MS and WRK_API_KEY in the environment. With a think time, each connection pauses
-- for an exponentially distributed time before every request (the first
-- included), as independent users do, instead of firing in lockstep; wrk's
-- latency counts from sending a request to its complete response, not the pause.
local think_ms = tonumber(os.getenv("WRK_THINK_MS") or "0")
local auth = "Bearer " .. (os.getenv("WRK_API_KEY") or "")
local request_text

function init(args)
  math.randomseed(tonumber(args[3]) or 7)
  if args[1] == "submit" then
    local body = '{"source_lang": "en", "target_langs": ["de"], '
      .. '"article": {"title": "Brief", "body": "Allies met in Vilnius on Monday."}}'
    request_text = wrk.format("POST", "/v1/jobs", {["Content-Type"] = "application/json", ["Authorization"] = auth}, body)
  else
    request_text = wrk.format("GET", "/v1/jobs/" .. args[2], {["Authorization"] = auth})
  end
end

function request()
  return request_text
end

-- wrk asks for delay() only if the script defines it: the closed loop must not.
if think_ms > 0 then
  function delay()
    return -math.log(1 - math.random()) * think_ms
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests": %d, "p50_us": %d, "p99_us": %d, "errors": %d}\n',
    summary.requests, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
