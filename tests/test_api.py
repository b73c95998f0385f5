"""/api/v1/: OpenAPI is published; staff endpoints answer within the caller's scope only."""

import pytest


@pytest.fixture
def client_for(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_openapi_schema_is_published(client, db):
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200
    assert "/api/v1/schools" in resp.json()["paths"]


def test_anonymous_gets_401(client, world):
    assert client.get("/api/v1/schools").status_code == 401


def test_school_user_lists_only_own_school(client_for, world):
    body = client_for(world.user_a).get("/api/v1/schools").json()
    assert [s["name"] for s in body["items"]] == [world.school_a.name]
    assert body["items"][0]["tier_label"] == "技师学院"


def test_school_user_cannot_read_another_school(client_for, world):
    c = client_for(world.user_a)
    assert c.get(f"/api/v1/schools/{world.school_b.pk}").status_code == 404
    assert c.get(f"/api/v1/schools/{world.school_a.pk}").status_code == 200


def test_district_and_municipal_scopes(client_for, world):
    names = {s["name"] for s in client_for(world.district_a).get("/api/v1/schools").json()["items"]}
    assert names == {world.school_a.name, world.school_a2.name}
    body = client_for(world.municipal).get("/api/v1/schools?tier=school").json()
    assert [s["name"] for s in body["items"]] == [world.school_b.name]


def test_department_user_reaches_no_register(client_for, world):
    assert client_for(world.department).get("/api/v1/schools").json()["items"] == []


def test_healthz_checks_the_database(client, db):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.json()["status"] == "ok"
