"""Load the industry taxonomy and the major catalogue from jigong/reference/data/*.yaml."""

from django.db import migrations


def load(apps, schema_editor):
    from jigong.reference.services import upsert_reference_data

    result = upsert_reference_data(
        apps.get_model("reference", "IndustryCluster"),
        apps.get_model("reference", "IndustryChain"),
        apps.get_model("reference", "CatalogueEdition"),
        apps.get_model("reference", "Major"),
    )
    AuditLog = apps.get_model("core", "AuditLog")
    for label in sorted(set(result.created) | set(result.updated)):
        created, updated = result.created.get(label, 0), result.updated.get(label, 0)
        AuditLog.objects.create(
            actor=None,
            actor_name="系统",
            action="bulk_create",
            object_type=label,
            after={"count": created + updated},
            message=f"迁移加载参考数据：新增{created}条，更新{updated}条",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("reference", "0002_load_districts"),
        ("core", "0001_initial"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
