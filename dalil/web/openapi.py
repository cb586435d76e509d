"""The OpenAPI 3.1 description of the JSON API, served at /openapi.json."""
from __future__ import annotations

_ERROR = {"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _ok(schema: str, description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


_DOC_ID = {"name": "doc_id", "in": "path", "required": True, "schema": {"type": "string"},
           "example": "C05739794"}
_NULLABLE_STR = {"type": ["string", "null"]}

SCHEMA = {
    "openapi": "3.1.0",
    "info": {"title": "dalil", "version": "1",
             "description": "Search released email archives and trace claims to their sources. "
                            "Same JSON contracts as the `dalil` command line."},
    "paths": {
        "/api/search": {"get": {
            "summary": "Search the archive",
            "description": 'Query syntax: words (all must match), "phrases", OR, -exclusion, prefix*, and '
                           "filters from: to: cc: subject: doc: release: exemption: after:YYYY-MM-DD "
                           "before:YYYY-MM-DD lang:. Facets of the whole result set are in the response.",
            "parameters": [
                {"name": "q", "in": "query", "required": True, "schema": {"type": "string"},
                 "example": "libya from:sullivan after:2011-01-01"},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000,
                                                             "default": 10}},
                {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}},
                {"name": "mode", "in": "query", "schema": {"type": "string", "enum": ["lexical", "dense", "hybrid"]}},
                {"name": "lang", "in": "query", "schema": {"type": "string"}, "description": "Query language"},
            ],
            "responses": {"200": _ok("SearchResult", "Hits and facets"), "400": _ERROR}}},
        "/api/documents/{doc_id}": {"get": {
            "summary": "One document (as `dalil show --json`)", "parameters": [_DOC_ID],
            "responses": {"200": _ok("Document", "The document"), "404": _ERROR}}},
        "/api/documents/{doc_id}/duplicates": {"get": {
            "summary": "Other documents carrying the same email", "parameters": [_DOC_ID],
            "responses": {"200": _ok("Duplicates", "Duplicates"), "404": _ERROR}}},
        "/api/trace": {"post": {
            "summary": "Trace an article's claims to their sources (as `dalil trace --json`)",
            "requestBody": {"required": True, "content": {
                "text/plain": {"schema": {"type": "string"}},
                "text/html": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "object", "required": ["text"],
                                                 "properties": {"text": {"type": "string"}}}},
                "multipart/form-data": {"schema": {"type": "object", "properties": {
                    "text": {"type": "string"}, "file": {"type": "string", "format": "binary"}}}}}},
            "responses": {"200": _ok("TraceReport", "The report"), "400": _ERROR, "413": _ERROR,
                          "422": _ERROR}}},
        "/api/status": {"get": {
            "summary": "Archive counts and failed inputs (as `dalil status --json`)",
            "responses": {"200": _ok("Status", "Counts")}}},
    },
    "components": {"schemas": {
        "Error": {"type": "object", "required": ["error"], "properties": {"error": {
            "type": "object", "required": ["status", "code", "message"],
            "properties": {"status": {"type": "integer"}, "code": {"type": "string"},
                           "message": {"type": "string"}}}}},
        "Hit": {"type": "object", "required": ["doc_id", "score", "subject", "from", "date", "page", "snippet"],
                "properties": {
                    "doc_id": {"type": "string"}, "score": {"type": "number"}, "subject": _NULLABLE_STR,
                    "from": _NULLABLE_STR, "date": {"type": ["string", "null"], "format": "date"},
                    "page": {"type": ["integer", "null"]}, "snippet": {"type": "string"},
                    "highlights": {"type": "array", "description": "[start, end) character spans in snippet",
                                   "items": {"type": "array", "items": {"type": "integer"},
                                             "minItems": 2, "maxItems": 2}},
                    "release": _NULLABLE_STR, "duplicates": {"type": "array", "items": {"type": "string"}}}},
        "SearchResult": {"type": "object", "required": ["query", "total", "hits", "facets"], "properties": {
            "query": {"type": "string"}, "total": {"type": "integer"}, "lang": _NULLABLE_STR,
            "mode": {"type": "string"}, "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
            "facets": {"type": "object", "description": "release, exemption, sender, year, lang → {value: count}",
                       "additionalProperties": {"type": "object", "additionalProperties": {"type": "integer"}}},
            "expansions": {"type": "object"}, "took_ms": {"type": "number"}}},
        "Message": {"type": "object", "properties": {
            "from": _NULLABLE_STR, "to": {"type": "array", "items": {"type": "string"}},
            "cc": {"type": "array", "items": {"type": "string"}}, "date": _NULLABLE_STR,
            "date_raw": _NULLABLE_STR, "subject": _NULLABLE_STR, "body": {"type": "string"},
            "attachments": {"type": "array", "items": {"type": "string"}}}},
        "Document": {"type": "object",
                     "required": ["doc_id", "case", "release", "release_date", "disposition", "exemptions",
                                  "pages", "messages", "text"],
                     "properties": {
                         "doc_id": {"type": "string"}, "case": _NULLABLE_STR, "release": _NULLABLE_STR,
                         "release_date": _NULLABLE_STR, "disposition": _NULLABLE_STR,
                         "exemptions": {"type": "array", "items": {"type": "string"}},
                         "pages": {"type": "integer"},
                         "messages": {"type": "array", "items": {"$ref": "#/components/schemas/Message"}},
                         "text": {"type": "string"}, "title": _NULLABLE_STR, "source_format": {"type": "string"},
                         "lang": _NULLABLE_STR, "page_status": {"type": "array", "items": {"type": "object"}}}},
        "Duplicates": {"type": "object", "required": ["doc_id", "duplicates"], "properties": {
            "doc_id": {"type": "string"}, "method": {"type": "string", "enum": ["exact", "near"]},
            "duplicates": {"type": "array", "items": {"type": "object", "properties": {
                "doc_id": {"type": "string"}, "release": _NULLABLE_STR, "similarity": {"type": "number"}}}}}},
        "Status": {"type": "object", "required": ["documents", "messages", "by_status", "by_release", "failures"],
                   "properties": {
                       "documents": {"type": "integer"}, "messages": {"type": "integer"},
                       "by_status": {"type": "object", "additionalProperties": {"type": "integer"}},
                       "by_release": {"type": "object", "additionalProperties": {"type": "integer"}},
                       "failures": {"type": "array", "items": {"type": "object", "properties": {
                           "path": {"type": "string"}, "reason": _NULLABLE_STR}}}}},
        "TraceReport": {"type": "object", "required": ["article", "claims"], "properties": {
            "article": {"type": "object", "properties": {"lang": _NULLABLE_STR, "title": _NULLABLE_STR,
                                                         "date": _NULLABLE_STR}},
            "claims": {"type": "array", "items": {"type": "object", "properties": {
                "text": {"type": "string"}, "start": {"type": "integer"}, "end": {"type": "integer"},
                "kind": {"type": "string", "enum": ["content", "metadata"]},
                "verdict": {"type": "string", "enum": ["supported", "partly_supported", "contradicted", "not_found"]},
                "confidence": {"type": "number", "minimum": 0, "maximum": 1},
                "explanation": {"type": "string"},
                "evidence": {"type": "array", "items": {"type": "object", "properties": {
                    "doc_id": {"type": "string"}, "duplicates": {"type": "array", "items": {"type": "string"}},
                    "release": _NULLABLE_STR, "page": {"type": ["integer", "null"]},
                    "start": {"type": "integer"}, "end": {"type": "integer"}, "quote": {"type": "string"},
                    "score": {"type": "number"}}}},
                "metadata_checks": {"type": "array", "items": {"type": "object", "properties": {
                    "field": {"type": "string", "enum": ["sender", "recipient", "date", "subject"]},
                    "claimed": {}, "found": {}, "ok": {"type": "boolean"}}}}}}}}},
    }},
}
