"""Prometheus metrics (/metrics): who may read them, and how often their database figures are counted again."""

from .env import env

# The bearer token Prometheus sends (Authorization: Bearer ...); empty: /metrics is a 404.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
# The queue depths, overdue counts and the like are counted at most this often, whichever pod is scraped.
METRICS_CACHE_SECONDS = env.int("METRICS_CACHE_SECONDS", default=15)
