"""API v1 views of the applications app, by subject (one module each)."""
