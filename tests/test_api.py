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
    r = client_for(world.department).get("/api/v1/schools")
    assert r.status_code == 403 and "无权查看技工院校名册" in r.json()["detail"]


def test_healthz_checks_the_database(client, db):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.json()["status"] == "ok"


def test_malformed_json_gets_a_chinese_message(client, world):
    from jigong.public import services

    key = services.api_key_create(
        actor=world.municipal, name="市征兵办", scopes=["verify:batch"], rate_per_minute=600
    ).key
    resp = client.post(
        "/api/v1/department/verify/batch",
        data="{not json",
        content_type="application/json",
        headers={"X-API-Key": key},
    )
    assert resp.status_code == 400
    assert "无法解析" in resp.json()["detail"] and "JSON" in resp.json()["detail"]


def test_huge_pagination_values_are_refused_not_a_server_error(client, world):
    client.force_login(world.municipal)
    resp = client.get("/api/v1/schools?limit=5&offset=9223372036854775808")
    assert resp.status_code == 422
    resp = client.get("/api/v1/schools?limit=100000")
    assert resp.status_code == 422
    assert client.get("/api/v1/schools?limit=2&offset=1").json()["count"] == 3
