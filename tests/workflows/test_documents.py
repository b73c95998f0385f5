"""Documents: type by content AND extension, size limit, generated storage names, and
downloads only within scope."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from jigong.workflows import documents as docs
from jigong.workflows import services
from jigong.workflows.models import BrochureFiling, Document
from tests.workflows.conftest import PDF, docx_bytes, make_brochure, pdf

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


def _refused(upload):
    with pytest.raises(ValidationError) as info:
        docs.check(upload)
    return info.value.message_dict["documents"][0]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("简章.pdf", PDF),
        ("简章.PDF", PDF),
        ("计划.docx", docx_bytes()),
        ("旧版.doc", docs.OLE2 + b"\x00" * 100),
        ("名单.xls", docs.OLE2 + b"\x00" * 100),
    ],
)
def test_accepted(name, content):
    c = docs.check(SimpleUploadedFile(name, content))
    assert c.name == name and c.size == len(content)


def test_exe_renamed_pdf_is_refused():
    msg = _refused(SimpleUploadedFile("招生简章.pdf", EXE))
    assert "招生简章.pdf" in msg and "文件内容不是扩展名所示的 PDF 文件" in msg


def test_pdf_renamed_docx_is_refused():
    assert "Word" in _refused(SimpleUploadedFile("计划.docx", PDF))


def test_zip_that_is_not_office_is_refused():
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("evil.sh", "rm -rf /")
    assert "文件内容不是" in _refused(SimpleUploadedFile("计划.xlsx", buf.getvalue()))


def test_wrong_extension_is_refused():
    msg = _refused(SimpleUploadedFile("setup.exe", PDF))
    assert "扩展名“.exe”不允许" in msg and ".pdf" in msg


def test_oversized_file_is_refused(settings):
    settings.JIGONG_UPLOAD_MAX_BYTES = 1024 * 1024
    msg = _refused(SimpleUploadedFile("大文件.pdf", PDF + b"0" * (1024 * 1024 + 500 * 1024)))
    assert msg == "附件“大文件.pdf”：大小 1.5 MB 超过上限 1.0 MB"


@pytest.mark.parametrize(
    "name", ["../../etc/passwd.pdf", "..\\..\\windows\\evil.pdf", "/etc/x.pdf", ".."]
)
def test_path_traversal_names_are_refused(name):
    assert "文件名不得包含路径" in _refused(ContentFile(PDF, name=name))


@pytest.mark.django_db
def test_stored_under_generated_name(world, settings):
    item = make_brochure(world, documents=[pdf("../简章.pdf")])  # Django keeps the basename
    d = Document.objects.get(item_id=item.pk, kind="brochure")
    assert d.name == "简章.pdf"
    assert "简章" not in d.path and ".." not in d.path
    stored = docs.path_of(d.path)
    assert stored.read_bytes() == PDF
    assert str(stored).startswith(str(settings.MEDIA_ROOT))


@pytest.mark.django_db
def test_bad_file_leaves_nothing(world, settings):
    with pytest.raises(ValidationError) as info:
        make_brochure(world, documents=[pdf(), SimpleUploadedFile("b.pdf", EXE)])
    assert "b.pdf" in info.value.message_dict["documents"][0]
    assert not BrochureFiling.objects.exists() and not Document.objects.exists()
    assert not list(settings.MEDIA_ROOT.rglob("*.pdf"))


@pytest.mark.django_db
def test_failed_transition_removes_its_files(world, settings):
    item = make_brochure(world)
    services.transition(actor=world.user_a, item=item, action="submit")
    before = set(settings.MEDIA_ROOT.rglob("*.pdf"))
    with pytest.raises(ValidationError):  # a return needs a reason
        services.transition(
            actor=world.district_a, item=item, action="return", documents=[pdf("意见.pdf")]
        )
    item.refresh_from_db()
    assert item.state == "submitted"
    assert set(settings.MEDIA_ROOT.rglob("*.pdf")) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("user_a", 200),
        ("district_a", 200),
        ("municipal", 200),
        ("user_b", 404),
        ("district_b", 404),
        ("department", 404),
        ("graduate", 404),
    ],
)
def test_download_only_within_scope(client, world, who, status):
    item = make_brochure(world)
    d = Document.objects.get(item_id=item.pk, kind="brochure")
    client.force_login(getattr(world, who))
    r = client.get(f"/workflows/documents/{d.pk}/")
    assert r.status_code == status
    if status == 200:
        assert b"".join(r.streaming_content) == PDF
        assert r["Content-Type"] == "application/pdf"
        assert "attachment" in r["Content-Disposition"]


@pytest.mark.django_db
def test_download_needs_login(client, world):
    item = make_brochure(world)
    d = Document.objects.get(item_id=item.pk, kind="brochure")
    r = client.get(f"/workflows/documents/{d.pk}/")
    assert r.status_code == 302
