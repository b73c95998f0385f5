"""Seal the TOTP secrets stored in plain hex (jigong/security/totp_keys.py)."""

from django.db import migrations


def seal_keys(apps, schema_editor):
    from jigong.security import totp_keys

    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    for device in TOTPDevice.objects.exclude(key__startswith=totp_keys.MARK).only("id", "key"):
        TOTPDevice.objects.filter(pk=device.pk).update(key=totp_keys.seal(device.key))


def open_keys(apps, schema_editor):
    from jigong.security import totp_keys

    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    for device in TOTPDevice.objects.filter(key__startswith=totp_keys.MARK).only("id", "key"):
        TOTPDevice.objects.filter(pk=device.pk).update(key=totp_keys.secret(device.key).hex())


class Migration(migrations.Migration):
    dependencies = [("otp_totp", "0003_add_timestamps")]

    operations = [migrations.RunPython(seal_keys, open_keys)]
