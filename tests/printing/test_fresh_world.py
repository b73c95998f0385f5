"""A fresh world prints certificates (issue 14): the demo creates the signing key when
none exists, as `jigong up` (scripts/setup.sh) does, instead of every print answering 409
until someone runs `jigong keys create`."""

import io

from django.core.management import call_command

from jigong.certificates import signing
from jigong.certificates.models import CertificateStatus, GraduationCertificate
from jigong.core.models import Role, User


def test_the_demo_world_prints_without_a_manual_key(db, settings, tmp_path, client):
    settings.JIGONG_KEYS_DIR = tmp_path / "keys"  # no key yet: a fresh machine
    out = io.StringIO()
    call_command("demo", "--scale", "small", "--no-progress", stdout=out)
    keys = signing.store().keys()
    assert len(keys) == 1, out.getvalue()
    assert "签名密钥" in out.getvalue()
    cert = GraduationCertificate.objects.filter(status=CertificateStatus.VALID).first()
    clerk = User.objects.filter(role=Role.SCHOOL, school=cert.school).first()
    client.force_login(clerk)
    r = client.get(f"/graduation-certificates/{cert.pk}/print/")
    assert r.status_code == 200, r.content.decode()[:500]
    assert 'method="post"' in r.content.decode()
