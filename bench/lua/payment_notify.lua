-- FakePay's signed payment notifications (bench/tools21.py writes them), each thread sending its own share in turn.
-- Where each thread stopped is written to "<file>.sent" at the end and read at the start, so the measured run
-- goes on after the uncounted warm-up instead of repeating it (a repeat is a cheaper answer: "duplicate");
-- bench/issue21.py reads it to check that every notification sent paid its payment.
local file = os.getenv("BENCH_NOTIFY_FILE")
local counter, threads, lines = 0, {}, {}
i = 0  -- a global: done() reads it with thread:get

function setup(thread)
  thread:set("id", counter)
  threads[#threads + 1] = thread
  counter = counter + 1
end

function init(args)
  local sent = io.open(file .. ".sent")
  if sent then
    local n = 0
    for line in sent:lines() do
      if n == id then i = tonumber(line) end
      n = n + 1
    end
    sent:close()
  end
  local n = 0
  for line in io.lines(file) do
    if n % 4 == id then lines[#lines + 1] = line end
    n = n + 1
  end
end

function request()
  i = i + 1  -- past the end it starts again: bench/issue21.py then says the file was too short
  local timestamp, signature, body = lines[(i - 1) % #lines + 1]:match("([^\t]+)\t([^\t]+)\t(.*)")
  wrk.headers["Fakepay-Timestamp"] = timestamp
  wrk.headers["Fakepay-Signature"] = signature
  wrk.headers["Content-Type"] = "application/json"
  return wrk.format("POST", "/payments/notify/fake/", nil, body)
end

function done(summary, latency, requests)
  local sent = io.open(file .. ".sent", "w")
  for _, thread in ipairs(threads) do
    sent:write(thread:get("i"), "\n")
  end
  sent:close()
end
