"""Person.id_number: sealed (AES-256-GCM) and hashed (HMAC-SHA256) by jigong.core.pii;
the plain column is backfilled in batches, then dropped. Reversible (decrypts back)."""

from django.db import migrations, models

import jigong.core.pii

CONTEXT = "students.person.id_number"
BATCH = 5000


def seal_all(apps, schema_editor):
    from jigong.core import pii

    model = apps.get_model("students", "Person")
    qs = model._base_manager.using(schema_editor.connection.alias).order_by("pk")
    if not qs.exists():
        return
    seal, digest = pii.sealer(CONTEXT), pii.digester()
    last = 0
    while True:
        rows = list(qs.filter(pk__gt=last).only("pk", "id_number")[:BATCH])
        if not rows:
            break
        for r in rows:
            r.id_number_enc = seal(r.id_number)
            r.id_number_hmac = digest(r.id_number)
        model._base_manager.using(schema_editor.connection.alias).bulk_update(
            rows, ["id_number_enc", "id_number_hmac"], batch_size=500
        )
        last = rows[-1].pk


def open_all(apps, schema_editor):
    from jigong.core import pii

    model = apps.get_model("students", "Person")
    qs = model._base_manager.using(schema_editor.connection.alias).order_by("pk")
    last = 0
    while True:
        rows = list(qs.filter(pk__gt=last).only("pk", "id_number_enc")[:BATCH])
        if not rows:
            break
        for r in rows:
            r.id_number = pii.open_(r.id_number_enc, CONTEXT)
        model._base_manager.using(schema_editor.connection.alias).bulk_update(
            rows, ["id_number"], batch_size=500
        )
        last = rows[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("students", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="person",
            name="id_number",
            field=models.CharField(max_length=18, null=True, verbose_name="身份证号"),
        ),
        migrations.AddField(
            model_name="person",
            name="id_number_enc",
            field=jigong.core.pii.SealedField(plain="id_number", verbose_name="身份证号（加密）"),
        ),
        migrations.AddField(
            model_name="person",
            name="id_number_hmac",
            field=jigong.core.pii.DigestField(null=True, plain="id_number", verbose_name="身份证号"),
        ),
        migrations.RunPython(seal_all, open_all, elidable=False),
        migrations.AlterField(
            model_name="person",
            name="id_number_hmac",
            field=jigong.core.pii.DigestField(unique=True, plain="id_number", verbose_name="身份证号"),
        ),
        migrations.RemoveField(
            model_name="person",
            name="id_number",
        ),
    ]

