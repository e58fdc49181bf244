"""The JSON API under /api/v1 (flask-smorest, OpenAPI 3.1), the personal API tokens behind it, and
the webhooks (webhooks/)."""
