-- The bare DRF create that publishes a Celery task on commit.
wrk.method = "POST"
wrk.path = "/items/create/"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"name": "bench"}'
