"""The OpenAPI 3.1 description of /api/v1/ (served at /api/v1/openapi.json). The documents'
fields are docs/operations.md#the-kpis-json's; the schemas here name their top-level keys."""

from __future__ import annotations

from typing import Any

from analysis import metrics, support
from analysis.alerts import CONTRACT_KEYS

VERSION = "1"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(keys: list[str] | tuple[str, ...], **props: Any) -> dict:
    properties = {k: props.get(k, {}) for k in keys} | {k: v for k, v in props.items() if k not in keys}
    return {"type": "object", "required": list(keys), "properties": properties}


def _answers(schema: dict, *errors: int) -> dict:
    said = {
        400: "a bad parameter",
        401: "no token, or one that is malformed, unknown or revoked, or whose account is disabled",
        403: "the token's account may not do this in this organisation",
        404: "no such organisation or rollout for this token (another tenant's is answered so too)",
        409: "a load for this organisation is already running",
        413: "the file is too big",
        422: "the file was refused whole; nothing from it was stored",
        429: "over 60 requests a minute for this token (see Retry-After)",
    }
    found = {"200": {"description": "OK", "content": {"application/json": {"schema": schema}}}}
    for status in (401, 429, *errors):
        found[str(status)] = {"description": said[status], "content": {"application/json": {"schema": _ref("Error")}}}
    return found


def _params(*names: str) -> list[dict]:
    known: dict[str, dict[str, Any]] = {
        "org": {"name": "org", "in": "path", "required": True, "description": "the organisation's id or name"},
        "rollout": {"name": "rollout", "in": "path", "required": True, "description": "the rollout's id or name"},
        "as_of": {
            "name": "as_of",
            "in": "query",
            "description": "YYYY-MM-DD (default: the newest usage day)",
            "schema": {"type": "string", "format": "date"},
        },
        "window": {
            "name": "window",
            "in": "query",
            "description": "days (default: the rollout's window)",
            "schema": {"type": "integer", "minimum": 1},
        },
    }
    return [{"schema": {"type": "string"}, **known[n]} if known[n]["in"] == "path" else known[n] for n in names]


def description() -> dict:
    listed = {"type": "array"}
    alerts = {**listed, "items": _ref("Alert")}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Uptake API",
            "version": VERSION,
            "description": "Read-only figures and red flags, and loads, for scripts while the app runs. "
            "Authenticate with an API token made on Your account: Authorization: Bearer uptake_... "
            "A token acts as its account: the same organisations and role as its pages.",
        },
        "components": {
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": _object(["error"], error={"type": "string"}),
                "Organisation": _object(["id", "name", "time_zone"]),
                "Rollout": _object(["id", "name", "cohorts", "window_days", "target_adoption", "target_age_days"]),
                "Alert": _object(CONTRACT_KEYS),
                "Kpis": _object(
                    [
                        "org",
                        "rollout",
                        "as_of",
                        "window_days",
                        "cohorts",
                        "support",
                        "alerts",
                        "not_computable",
                        "actions",
                        "lessons",
                        "phases",
                    ],
                    cohorts={"type": "object", "additionalProperties": _object(metrics.COHORT_KEYS)},
                    support=_object(support.SUPPORT_KEYS),
                    alerts=alerts,
                ),
                "Load": _object(
                    [
                        "upload_id",
                        "format",
                        "rows_read",
                        "rows_loaded",
                        "rows_updated",
                        "rows_rejected",
                        "rows_duplicate",
                        "unknown_people",
                        "messages",
                    ]
                ),
            },
        },
        "security": [{"token": []}],
        "paths": {
            "/api/v1/orgs": {
                "get": {
                    "summary": "the organisations this token may see",
                    "responses": _answers({**listed, "items": _ref("Organisation")}),
                }
            },
            "/api/v1/orgs/{org}/rollouts": {
                "get": {
                    "summary": "the organisation's rollouts",
                    "parameters": _params("org"),
                    "responses": _answers({**listed, "items": _ref("Rollout")}, 404),
                }
            },
            "/api/v1/orgs/{org}/alerts": {
                "get": {
                    "summary": "the red flags of every rollout (`alerts --json`)",
                    "parameters": _params("org", "as_of"),
                    "responses": _answers(alerts, 400, 404),
                }
            },
            "/api/v1/orgs/{org}/rollouts/{rollout}/kpis": {
                "get": {
                    "summary": "the rollout's figures (`kpis --json`)",
                    "parameters": _params("org", "rollout", "as_of", "window"),
                    "responses": _answers(_ref("Kpis"), 400, 404),
                }
            },
            "/api/v1/orgs/{org}/rollouts/{rollout}/alerts": {
                "get": {
                    "summary": "the rollout's red flags (`alerts --json`)",
                    "parameters": _params("org", "rollout", "as_of"),
                    "responses": _answers(alerts, 400, 404),
                }
            },
            "/api/v1/orgs/{org}/loads": {
                "post": {
                    "summary": "load a roster, usage or tickets file (client_uploader and provider roles)",
                    "parameters": _params("org"),
                    "requestBody": {
                        "required": True,
                        "content": {
                            "multipart/form-data": {
                                "schema": _object(
                                    ["file", "kind"],
                                    file={"type": "string", "contentMediaType": "application/octet-stream"},
                                    kind={"enum": ["roster", "usage", "tickets"]},
                                    rollout={"type": "string", "description": "a roster needs it"},
                                    format={"type": "string", "description": "auto (default), canonical, a format"},
                                    as_of={
                                        "type": "string",
                                        "format": "date",
                                        "description": "a roster only: the day it holds from (default today)",
                                    },
                                )
                            }
                        },
                    },
                    "responses": _answers(_ref("Load"), 400, 403, 404, 409, 413, 422),
                }
            },
            "/api/v1/openapi.json": {
                "get": {"summary": "this description", "security": [], "responses": {"200": {"description": "OK"}}}
            },
        },
    }
