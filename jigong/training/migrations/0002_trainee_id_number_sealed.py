"""TrainingRecord.trainee_id_number: sealed (AES-256-GCM) and hashed (HMAC-SHA256) by jigong.core.pii;
the plain column is backfilled in batches, then dropped. Reversible (decrypts back)."""

from django.db import migrations, models

import jigong.core.pii

CONTEXT = "training.trainingrecord.trainee_id_number"
BATCH = 5000


def seal_all(apps, schema_editor):
    from jigong.core import pii

    model = apps.get_model("training", "TrainingRecord")
    qs = model._base_manager.using(schema_editor.connection.alias).order_by("pk")
    if not qs.exists():
        return
    seal, digest = pii.sealer(CONTEXT), pii.digester()
    last = 0
    while True:
        rows = list(qs.filter(pk__gt=last).only("pk", "trainee_id_number")[:BATCH])
        if not rows:
            break
        for r in rows:
            r.trainee_id_number_enc = seal(r.trainee_id_number)
            r.trainee_id_number_hmac = digest(r.trainee_id_number)
        model._base_manager.using(schema_editor.connection.alias).bulk_update(
            rows, ["trainee_id_number_enc", "trainee_id_number_hmac"], batch_size=500
        )
        last = rows[-1].pk


def open_all(apps, schema_editor):
    from jigong.core import pii

    model = apps.get_model("training", "TrainingRecord")
    qs = model._base_manager.using(schema_editor.connection.alias).order_by("pk")
    last = 0
    while True:
        rows = list(qs.filter(pk__gt=last).only("pk", "trainee_id_number_enc")[:BATCH])
        if not rows:
            break
        for r in rows:
            r.trainee_id_number = pii.open_(r.trainee_id_number_enc, CONTEXT)
        model._base_manager.using(schema_editor.connection.alias).bulk_update(
            rows, ["trainee_id_number"], batch_size=500
        )
        last = rows[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="trainingrecord",
            name="trainee_id_number",
            field=models.CharField(max_length=18, null=True, verbose_name="学员身份证号"),
        ),
        migrations.AddField(
            model_name="trainingrecord",
            name="trainee_id_number_enc",
            field=jigong.core.pii.SealedField(plain="trainee_id_number", verbose_name="学员身份证号（加密）"),
        ),
        migrations.AddField(
            model_name="trainingrecord",
            name="trainee_id_number_hmac",
            field=jigong.core.pii.DigestField(null=True, plain="trainee_id_number", verbose_name="学员身份证号"),
        ),
        migrations.RunPython(seal_all, open_all, elidable=False),
        migrations.AlterField(
            model_name="trainingrecord",
            name="trainee_id_number_hmac",
            field=jigong.core.pii.DigestField(db_index=True, plain="trainee_id_number", verbose_name="学员身份证号"),
        ),
        migrations.RemoveField(
            model_name="trainingrecord",
            name="trainee_id_number",
        ),
    ]

