-- Create a draft, then submit it, on one connection per thread (so the two alternate strictly).
-- The session token comes in with wrk -H; the body is the service's valid answers (BENCH_CREATE_BODY).
local body = os.getenv("BENCH_CREATE_BODY")
local pending = nil

local function json_headers()
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["Content-Type"] = "application/json"
  return headers
end

request = function()
  if pending then
    local path = "/api/v1/applications/" .. pending .. "/submit/"
    pending = nil
    return wrk.format("POST", path, json_headers(), "")
  end
  return wrk.format("POST", "/api/v1/applications/", json_headers(), body)
end

response = function(status, headers, response_body)
  if status == 201 then
    pending = response_body:match('"id":"([^"]+)"')
  end
end
