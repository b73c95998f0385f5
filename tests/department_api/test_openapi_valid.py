"""/api/v1/openapi.json is a valid OpenAPI 3.1 document, read as Swagger UI reads it.

Swagger UI parses the served text strictly: a key twice in one object is a "duplicated
mapping key" and the docs do not render. Python's json.loads keeps the last value
silently, so the document is read here with a hook that refuses duplicates.
"""

import json

import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator


class DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs):
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise DuplicateKey(f"duplicated key {key!r} among {[k for k, _ in pairs]}")
        seen[key] = value
    return seen


@pytest.fixture
def document(client, db):
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200
    return resp.content.decode("utf-8")


def test_no_object_holds_a_key_twice(document):
    json.loads(document, object_pairs_hook=_no_duplicates)


def test_document_is_valid_openapi_3_1(document):
    spec = json.loads(document, object_pairs_hook=_no_duplicates)
    assert spec["openapi"].startswith("3.1")
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in OpenAPIV31SpecValidator(spec).iter_errors()
    ]
    assert errors == []


def test_batch_file_answer_is_declared_as_a_file(document):
    """The result file of the batch upload: CSV or Excel, documented once under 200."""
    spec = json.loads(document, object_pairs_hook=_no_duplicates)
    ok = spec["paths"]["/api/v1/department/verify/batch/file"]["post"]["responses"]["200"]
    assert set(ok["content"]) == {
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
