"""Load Chongqing's 38 区县 and three functional zones from jigong.standards.regions."""

from django.db import migrations


def load(apps, schema_editor):
    from jigong.standards import regions

    District = apps.get_model("reference", "District")
    for r in regions.ALL:
        District.objects.update_or_create(
            code=r.code,
            defaults={
                "name": r.name,
                "short_name": r.short,
                "kind": r.kind,
                "group": r.group,
                "subgroup": r.subgroup,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("reference", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
