"""The equivalence endpoint on a date before （十八） took effect (issue 12): 422 with a
Chinese message naming the rule's start, not a parameter lookup error."""

from jigong.certificates.models import QueryLog

API = "/api/v1/department"


def get(client, path, key, **params):
    return client.get(API + path, params, HTTP_X_API_KEY=key)


def test_equivalence_before_the_policy_names_its_start(client, key):
    early = get(client, "/equivalence", key, on="2020-01-01")
    assert early.status_code == 422
    detail = early.json()["detail"]
    assert "2020-01-01" in detail and "自2022-07-22起施行（依据（十八））" in detail
    assert "政策参数" not in detail and "没有有效取值" not in detail
    assert not QueryLog.objects.filter(channel="api_equivalence").exists()
    first_day = get(client, "/equivalence", key, on="2022-07-22")
    assert first_day.status_code == 200 and len(first_day.json()) == 3
