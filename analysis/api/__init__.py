"""The read-only JSON API for scripts while the app runs (/api/v1/, served by ui/api_routes.py),
and what the command line shares with it. No Streamlit here.

- tokens.py: per-account API tokens (random, shown once, stored as SHA-256), made and revoked on
  *Your account*; a token acts as its account, scoped like the pages.
- rate.py: at most 60 requests a minute per token.
- documents.py: the JSON documents (`kpis --json`, `alerts --json`, the organisations and
  rollouts), the same for the command line and the API.
- answers.py: each route's answer (status and JSON) for an account, every read through
  analysis.scope.open_scope.
- openapi.py: the OpenAPI description served at /api/v1/openapi.json.
"""
