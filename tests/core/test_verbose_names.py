"""Readers see object types by Chinese names (issue 19 point 10): every model of jigong
has a Chinese verbose_name, and every object type an act writes (a model or not, like
the signing keys) has a Chinese name in the audit log."""

import re

from django.apps import apps

HAN = re.compile(r"[\u4e00-\u9fff]")


def test_every_jigong_model_has_a_chinese_verbose_name():
    english = [
        f"{m._meta.label}: {m._meta.verbose_name}"
        for m in apps.get_models()
        if m.__module__.startswith("jigong.")
        and not (
            HAN.search(str(m._meta.verbose_name)) and HAN.search(str(m._meta.verbose_name_plural))
        )
    ]
    assert not english, english


def test_the_city_audit_log_names_signing_key_changes_in_chinese(client, world):
    from jigong.certificates.key_acts import OBJECT_TYPE
    from jigong.core.models import AuditLog
    from jigong.core.services import audit

    audit(world.municipal, AuditLog.Action.OTHER, object_type=OBJECT_TYPE, message="轮换")
    client.force_login(world.municipal)
    page = client.get("/audit-log/").content.decode()
    assert "证书签名密钥" in page
    assert OBJECT_TYPE not in re.sub(r"<[^>]*>", " ", page.replace('value="', ""))
