-- Create and submit in one call ("submit": true); the session token comes in with wrk -H, the body is the
-- service's valid answers (BENCH_CREATE_BODY, a JSON object) with the submit flag added.
wrk.method = "POST"
wrk.path = "/api/v1/applications/"
wrk.headers["Content-Type"] = "application/json"
wrk.body = os.getenv("BENCH_CREATE_BODY"):gsub("}%s*$", ', "submit": true}')
