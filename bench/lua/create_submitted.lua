-- Create and submit in one call ("submit": true), with an Idempotency-Key of its own, as the app sends each call;
-- the session token comes in with wrk -H, the body is the service's valid answers (BENCH_CREATE_BODY, a JSON
-- object) with the submit flag added. A key is this run's start, the thread and the call's number: never one an
-- earlier run (the uncounted warm-up's second) has used.
local counter = 0
local body = os.getenv("BENCH_CREATE_BODY"):gsub("}%s*$", ', "submit": true}')

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  started, i, headers = os.time(), 0, {["Content-Type"] = "application/json"}
  for name, value in pairs(wrk.headers) do headers[name] = value end  -- the token of wrk -H
end

function request()
  i = i + 1
  headers["Idempotency-Key"] = string.format("bench-%d-%d-%d", started, id, i)
  return wrk.format("POST", "/api/v1/applications/", headers, body)
end
