-- Create and submit in one call, each request with an Idempotency-Key of its own, as the app sends (bench/growth.py):
-- every submission leaves a key record for the purge. The session token comes in with wrk -H; the body is the
-- service's valid answers (BENCH_CREATE_BODY) with the submit flag added.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

local body = os.getenv("BENCH_CREATE_BODY"):gsub("}%s*$", ', "submit": true}')
local sent = 0

function request()
  sent = sent + 1
  local headers = {["Content-Type"] = "application/json"}
  for name, value in pairs(wrk.headers) do
    headers[name] = value
  end
  headers["Idempotency-Key"] = string.format("growth-%d-%d-%d", os.time(), thread_number, sent)
  return wrk.format("POST", "/api/v1/applications/", headers, body)
end
