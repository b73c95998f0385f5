"""Load Chongqing's 38 区县 and three functional zones from jigong.standards.regions."""

from django.db import migrations


def load(apps, schema_editor):
    from jigong.reference.services import upsert_districts

    upsert_districts(apps.get_model("reference", "District"))


class Migration(migrations.Migration):
    dependencies = [("reference", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
