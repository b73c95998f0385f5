"""Writes of reference data: the industry taxonomy and the major catalogue.

The data lives in editable YAML files under ``jigong/reference/data/``:

- ``industry.yaml``  the “6+5” key clusters and their 33 chains (plus 现代服务业), by year;
- ``majors.yaml``    a catalogue edition modelled on 《技工院校专业目录》（2018年修订）.

``load_reference_data`` upserts them by natural key (year+code, edition+code) and is
idempotent: a second run changes nothing and writes no audit row. Migration
``reference/0003_load_reference_data`` runs the same logic with historical models.
"""

import datetime
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import yaml
from django.utils.translation import gettext_lazy as _lazy

from jigong.core.acts import MUNICIPAL, act

DATA_PACKAGE = "jigong.reference"


@cache
def read_yaml(name: str) -> dict:
    """A data file of this package, parsed (cached; do not mutate)."""
    text = resources.files(DATA_PACKAGE).joinpath("data", name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


def industry_rows() -> list[dict]:
    """Flattened taxonomy: one dict per (year, cluster) with its chains for that year."""
    data = read_yaml("industry.yaml")
    first, last = data["years"]
    rows = []
    for year in range(first, last + 1):
        for cluster in data["clusters"]:
            lo, hi = cluster.get("years", (first, last))
            if not lo <= year <= hi:
                continue
            chains = [
                c
                for c in cluster["chains"]
                if c.get("years", (first, last))[0] <= year <= c.get("years", (first, last))[1]
            ]
            rows.append(
                {
                    "year": year,
                    "code": cluster["code"],
                    "name": cluster["name"],
                    "is_key": bool(cluster.get("key", True)),
                    "chains": [{"code": c["code"], "name": c["name"]} for c in chains],
                }
            )
    return rows


def catalogue() -> dict:
    """The catalogue edition and its majors (with ``category`` names resolved)."""
    data = read_yaml("majors.yaml")
    categories = {str(k): v for k, v in data["categories"].items()}
    edition = dict(data["edition"])
    edition["code"] = str(edition["code"])
    if not isinstance(edition["effective_from"], datetime.date):
        edition["effective_from"] = datetime.date.fromisoformat(str(edition["effective_from"]))
    majors = []
    for m in data["majors"]:
        code = str(m["code"])
        occupation = m.get("occupation") or ["", ""]
        majors.append(
            {
                "code": code,
                "name": m["name"],
                "category": categories[code[:2]],
                "levels": list(m["levels"]),
                "chains": list(m.get("chains", [])),
                "occupation_code": str(occupation[0]),
                "occupation_name": str(occupation[1]),
            }
        )
    return {"edition": edition, "majors": majors}


@dataclass
class LoadResult:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def add(self, label: str, created: bool, changed: bool) -> None:
        if created:
            self.created[label] = self.created.get(label, 0) + 1
        elif changed:
            self.updated[label] = self.updated.get(label, 0) + 1


def _upsert(model, lookup: dict, values: dict):
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **values), True, False
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    for k in changed:
        setattr(obj, k, values[k])
    if changed:
        obj.save(update_fields=changed)
    return obj, False, bool(changed)


def upsert_reference_data(cluster_model, chain_model, edition_model, major_model) -> LoadResult:
    """Upsert the YAML data into the given models (real or historical)."""
    result = LoadResult()
    for row in industry_rows():
        cluster, c, u = _upsert(
            cluster_model,
            {"year": row["year"], "code": row["code"]},
            {"name": row["name"], "is_key": row["is_key"]},
        )
        result.add("reference.IndustryCluster", c, u)
        for ch in row["chains"]:
            _, c, u = _upsert(
                chain_model,
                {"year": row["year"], "code": ch["code"]},
                {"name": ch["name"], "cluster_id": cluster.pk},
            )
            result.add("reference.IndustryChain", c, u)
    cat = catalogue()
    ed = cat["edition"]
    edition, c, u = _upsert(
        edition_model,
        {"code": ed["code"]},
        {"name": ed["name"], "effective_from": ed["effective_from"]},
    )
    result.add("reference.CatalogueEdition", c, u)
    for m in cat["majors"]:
        _, c, u = _upsert(
            major_model,
            {"edition_id": edition.pk, "code": m["code"]},
            {"name": m["name"], "category": m["category"], "levels": m["levels"]},
        )
        result.add("reference.Major", c, u)
    return result


@act(
    "reference.load",
    label=_lazy("加载参考数据"),
    roles=MUNICIPAL,
    model="reference.major",
    clause="（十六）",
    channels=("cli",),
    event="bulk_create",
)
def load_reference_data(*, actor=None) -> LoadResult:
    """Idempotently load the industry taxonomy and the major catalogue from the data
    files; one audit row per model that gained or changed rows. Run by the system
    (migrations, ``jigong demo``, a flushed test database) or the municipal bureau."""
    from django.apps import apps

    from jigong.core.services import bulk_created
    from jigong.reference.models import CatalogueEdition, IndustryChain, IndustryCluster, Major

    result = upsert_reference_data(IndustryCluster, IndustryChain, CatalogueEdition, Major)
    for label in sorted(set(result.created) | set(result.updated)):
        created, updated = result.created.get(label, 0), result.updated.get(label, 0)
        bulk_created(
            actor,
            apps.get_model(label),
            created + updated,
            f"加载参考数据：新增{created}条，更新{updated}条",
        )
    return result


def major_chain_codes() -> dict[str, list[str]]:
    """Major code → codes of the industry chains it serves (from majors.yaml)."""
    return {m["code"]: m["chains"] for m in catalogue()["majors"]}


def upsert_districts(district_model) -> int:
    """Chongqing's 38 区县 and the functional zones from jigong.standards.regions."""
    from jigong.standards import regions

    for r in regions.ALL:
        district_model.objects.update_or_create(
            code=r.code,
            defaults={
                "name": r.name,
                "short_name": r.short,
                "kind": r.kind,
                "group": r.group,
                "subgroup": r.subgroup,
            },
        )
    return len(regions.ALL)


def ensure_reference_data() -> None:
    """Reload reference rows when a flushed test database lost what migrations loaded."""
    from jigong.reference.models import District

    if not District.objects.exists():
        upsert_districts(District)
        load_reference_data(actor=None)


# --- editing by the municipal bureau (audited, scope-checked) ---------------------------


@act(
    "industry_chain.create",
    label=_lazy("新增产业链"),
    roles=MUNICIPAL,
    model="reference.industrychain",
    clause="（十六）",
    channels=("page", "admin"),
    event="create",
)
def industry_chain_create(*, actor, cluster, code: str, name: str):
    """A chain of a cluster, in the cluster's year."""
    from jigong.core import services as core
    from jigong.reference.models import IndustryChain

    return core.create(
        actor, IndustryChain, cluster=cluster, year=cluster.year, code=code.strip(), name=name
    )


@act(
    "industry_chain.update",
    label=_lazy("修改产业链"),
    roles=MUNICIPAL,
    model="reference.industrychain",
    clause="（十六）",
    channels=("page", "admin"),
)
def industry_chain_update(*, actor, chain, name: str, cluster):
    """Rename a chain or move it to another cluster of the same year."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from jigong.core import services as core

    if cluster.year != chain.year:
        raise ValidationError(
            {
                "cluster": [
                    _("产业集群“%(c)s”属于%(cy)s年：须选择%(y)s年的产业集群")
                    % {"c": cluster.name, "cy": cluster.year, "y": chain.year}
                ]
            }
        )
    return core.update(actor, chain, name=name, cluster=cluster)


@act(
    "industry_taxonomy.copy_year",
    label=_lazy("复制产业目录到新年度"),
    roles=MUNICIPAL,
    model="reference.industrychain",
    clause="（十六）",
    channels=("page",),
    event="bulk_create",
)
def taxonomy_copy_year(*, actor, from_year: int, to_year: int) -> int:
    """Start a new year's industry taxonomy as a copy of an earlier one, to be edited."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from jigong.core.services import bulk_created
    from jigong.reference.models import IndustryChain, IndustryCluster

    if IndustryCluster.objects.filter(year=to_year).exists():
        raise ValidationError(
            {"to_year": [_("目标年度“%(y)s”：该年度已有产业目录，不能重复复制") % {"y": to_year}]}
        )
    clusters = list(IndustryCluster.objects.filter(year=from_year).prefetch_related("chains"))
    if not clusters:
        raise ValidationError(
            {"from_year": [_("来源年度“%(y)s”：该年度没有产业目录") % {"y": from_year}]}
        )
    count = 0
    for cluster in clusters:
        chains = list(cluster.chains.all())
        cluster.pk, cluster.year = None, to_year
        cluster.save()
        IndustryChain.objects.bulk_create(
            IndustryChain(cluster=cluster, year=to_year, code=c.code, name=c.name) for c in chains
        )
        count += 1 + len(chains)
    bulk_created(actor, IndustryChain, count, f"由{from_year}年复制{to_year}年产业目录")
    return count


@act(
    "major.update",
    label=_lazy("修改专业目录专业"),
    roles=MUNICIPAL,
    model="reference.major",
    clause="（十六）",
    channels=("page", "admin"),
)
def major_update(*, actor, major, name: str, category: str, levels: list[str]):
    """A catalogue major's name, category and class levels."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from jigong.core import services as core

    if not levels:
        raise ValidationError({"levels": [_("培养层次：至少选择一个班级层次")]})
    return core.update(actor, major, name=name, category=category, levels=list(levels))


@act(
    "platform_setting.adjust",
    label=_lazy("调整平台设定"),
    roles=MUNICIPAL,
    model="reference.parameteradjustment",
    reason=True,
    channels=("page",),
    event="create",
)
def platform_setting_adjust(*, actor, values: dict, start: datetime.date, reason: str):
    """Set platform values (``source: platform``: the policy states no figure) from
    ``start`` (today or later) on: one record, one audit row; every lookup of the
    policy parameters uses them from then on (``jigong.reference.platform``)."""
    from django.db import transaction
    from django.utils import timezone

    from jigong.core import services as core
    from jigong.policy import parameters
    from jigong.reference import platform
    from jigong.reference.models import ParameterAdjustment

    clean = platform.check_values(values, start, timezone.localdate())
    row = core.create(
        actor,
        ParameterAdjustment,
        values=clean,
        start=start,
        reason=reason,
        created_by=actor if actor is not None and actor.pk else None,
        audit_message=f"原因：{reason}"[:255],
    )
    parameters.refresh()
    transaction.on_commit(parameters.refresh)
    return row
