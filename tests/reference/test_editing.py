"""The municipal bureau keeps the industry taxonomy (by year) and the major catalogue."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jigong.core.models import AuditLog
from jigong.reference import services
from jigong.reference.models import IndustryChain, IndustryCluster, Major


@pytest.fixture
def chain(world):
    return IndustryChain.objects.filter(year=2025).select_related("cluster").first()


def test_municipal_edits_a_chain_through_the_page(client, world, chain):
    client.force_login(world.municipal)
    page = client.get(f"/industry-chains/{chain.pk}/")
    assert f"/industry-chains/{chain.pk}/edit/" in page.content.decode()
    resp = client.post(
        f"/industry-chains/{chain.pk}/edit/", {"cluster": chain.cluster_id, "name": "新名称产业链"}
    )
    assert resp.status_code == 302
    chain.refresh_from_db()
    assert chain.name == "新名称产业链"
    row = AuditLog.objects.filter(object_type="reference.industrychain").latest("id")
    assert row.actor == world.municipal and row.after == {"name": "新名称产业链"}


@pytest.mark.parametrize("who", ["district_a", "user_a"])
def test_other_roles_may_read_but_not_edit(client, world, chain, who):
    client.force_login(getattr(world, who))
    page = client.get(f"/industry-chains/{chain.pk}/").content.decode()
    assert "/edit/" not in page
    assert "复制到新年度" not in client.get("/industry-chains/").content.decode()
    resp = client.post(
        f"/industry-chains/{chain.pk}/edit/", {"cluster": chain.cluster_id, "name": "篡改"}
    )
    assert resp.status_code == 403
    chain.refresh_from_db()
    assert chain.name != "篡改"
    with pytest.raises(PermissionDenied):
        services.industry_chain_update(
            actor=getattr(world, who), chain=chain, name="篡改", cluster=chain.cluster
        )


def test_chain_cannot_move_to_another_years_cluster(world, chain):
    other = IndustryCluster.objects.exclude(year=chain.year).first()
    with pytest.raises(ValidationError) as exc:
        services.industry_chain_update(
            actor=world.municipal, chain=chain, name=chain.name, cluster=other
        )
    assert str(other.year) in exc.value.message_dict["cluster"][0]


def test_copy_a_year_then_edit_it(client, world):
    n2025 = IndustryChain.objects.filter(year=2025).count()
    client.force_login(world.municipal)
    resp = client.post("/industry-chains/copy-year/", {"from_year": 2025, "to_year": 2026})
    assert resp.status_code == 302
    assert IndustryChain.objects.filter(year=2026).count() == n2025
    assert IndustryChain.objects.filter(year=2025).count() == n2025
    again = client.post("/industry-chains/copy-year/", {"from_year": 2025, "to_year": 2026})
    assert "该年度已有产业目录" in again.content.decode()
    assert IndustryChain.objects.filter(year=2026).count() == n2025


def test_add_a_chain_to_a_year(client, world):
    cluster = IndustryCluster.objects.filter(year=2025).first()
    client.force_login(world.municipal)
    resp = client.post(
        "/industry-chains/add/?year=2025",
        {"cluster": cluster.pk, "code": "X99", "name": "低空经济"},
    )
    assert resp.status_code == 302
    assert IndustryChain.objects.get(year=2025, code="X99").name == "低空经济"
    dup = client.post(
        "/industry-chains/add/?year=2025", {"cluster": cluster.pk, "code": "X99", "name": "重复"}
    )
    assert dup.status_code == 200
    assert "年度“2025”、代码“X99”的记录已存在" in dup.content.decode()


def test_major_levels_required(client, world):
    major = Major.objects.first()
    client.force_login(world.municipal)
    resp = client.post(
        f"/majors/{major.pk}/edit/", {"name": major.name, "category": major.category}
    )
    assert resp.status_code == 200
    major.refresh_from_db()
    resp = client.post(
        f"/majors/{major.pk}/edit/",
        {"name": "新专业名", "category": major.category, "levels": ["intermediate"]},
    )
    assert resp.status_code == 302
    major.refresh_from_db()
    assert (major.name, major.levels) == ("新专业名", ["intermediate"])
