-- Create a draft, then submit it, on one connection per thread (so the two alternate strictly).
-- The session token comes in with wrk -H; the body is the service's valid answers (BENCH_CREATE_BODY).
local body = os.getenv("BENCH_CREATE_BODY")
local pending = nil

request = function()
  if pending then
    local path = "/api/v1/applications/" .. pending .. "/submit/"
    pending = nil
    return wrk.format("POST", path, {["Content-Type"] = "application/json"}, "")
  end
  return wrk.format("POST", "/api/v1/applications/", {["Content-Type"] = "application/json"}, body)
end

response = function(status, headers, response_body)
  if status == 201 then
    pending = response_body:match('"id":"([^"]+)"')
  end
end
