-- FakePay's signed payment notifications (bench/tools21.py writes them), each thread sending its own share once
-- before it starts again (again: a repeat the portal recognises).
local counter, lines, i = 0, {}, 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  local n = 0
  for line in io.lines(os.getenv("BENCH_NOTIFY_FILE")) do
    if n % 4 == id then lines[#lines + 1] = line end
    n = n + 1
  end
end

function request()
  i = i % #lines + 1
  local timestamp, signature, body = lines[i]:match("([^\t]+)\t([^\t]+)\t(.*)")
  wrk.headers["Fakepay-Timestamp"] = timestamp
  wrk.headers["Fakepay-Signature"] = signature
  wrk.headers["Content-Type"] = "application/json"
  return wrk.format("POST", "/payments/notify/fake/", nil, body)
end
