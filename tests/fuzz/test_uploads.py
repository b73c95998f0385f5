"""Hypothesis over the upload forms: the import page (every kind the role may import)
and workflow documents (on the create forms and on every transition): random bytes,
wrong or missing extensions, huge and hostile names. Never a 5xx; garbage imports
nothing and the page says why in Chinese; a refused document leaves no row and no file."""

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st

from jigong.core.imports.base import kinds
from jigong.workflows.documents import clean_name
from jigong.workflows.models import BrochureFiling

from .conftest import FUZZ
from .harness import CJK, diff, post_and_check, table_counts
from .strategies import hostile_text

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXTENSIONS = ["pdf", "PDF", "docx", "xlsx", "xls", "csv", "exe", "php", "pdf.exe", "", "tar.gz"]


@st.composite
def uploads(draw, *, good: bytes | None = None):
    stem = draw(
        st.sampled_from(["招生简章", "file", "a" * 300, "../../etc/passwd"]) | hostile_text(40)
    )
    ext = draw(st.sampled_from(EXTENSIONS))
    name = f"{stem}.{ext}" if ext else stem
    name = name.replace("\x00", "") or "x"  # a NUL never reaches Django in a file name
    content = draw(
        st.one_of(
            st.binary(max_size=2000),
            st.just(good or b""),
            st.just(b"\xef\xbb\xbf" + "姓名,身份证号\n张三,1\n".encode()),
            st.just(PDF[:20]),
        )
    )
    while len(name.encode()) > 255:  # what a file system (and a browser) can name
        name = name[1:]
    return SimpleUploadedFile(name, content)


def _files_under(root) -> int:
    return sum(1 for p in root.rglob("*") if p.is_file()) if root.exists() else 0


@pytest.mark.django_db
def test_import_upload(fuzz_world):
    client, user = fuzz_world.clients["school"], fuzz_world.users["school"]
    keys = sorted(k for k, kind in kinds().items() if user.role in kind.roles)
    assert len(keys) >= 5, keys

    @FUZZ
    @given(st.sampled_from(keys), uploads(), st.sampled_from(["all", "valid", "zzz", ""]))
    def fuzz(key, upload, mode):
        before = table_counts()
        response = client.post(f"/imports/{key}/", {"file": upload, "mode": mode})
        assert response.status_code < 500, (key, upload.name, response.status_code)
        changed = diff(before, table_counts())
        assert not changed, f"{key} {upload.name!r}: garbage wrote {changed}"
        if response.status_code == 302:
            page = client.get(response["Location"])
            assert page.status_code == 200
            text = page.content.decode()
        else:
            assert response.status_code == 200, response.status_code
            text = response.context["form_error"]
        assert CJK.search(text), text[:200]

    fuzz()


@pytest.mark.django_db
def test_document_upload_on_create(fuzz_world):
    """The brochure form with one hostile document: refused with nothing written and no
    file left, or stored under a safe name."""
    client, user = fuzz_world.clients["school"], fuzz_world.users["school"]
    media = django_settings.MEDIA_ROOT

    @FUZZ
    @given(uploads(good=PDF), st.integers(2020, 2030))
    def fuzz(upload, year):
        data = {
            "year": str(year),
            "title": "重庆甲技师学院招生简章",
            "total_quota": "300",
            "target_groups": "应往届初高中毕业生",
            "tracks": "full_time",
            "contact": "023-12345678",
        }
        files_before = _files_under(media)
        outcome = post_and_check(
            client, user, "/brochure-filings/new/", data, files={"documents": upload}
        )
        if outcome.kind == "refused":
            assert _files_under(media) == files_before, f"{upload.name!r}: a refused file kept"
        else:  # stored as a PDF under its cleaned name, or not sent at all: Django drops
            # a file whose name has nothing printable (the draft needs no document)
            printable = "".join(c for c in upload.name if c.isprintable())
            dropped = printable in {"", ".", ".."}
            assert dropped or clean_name(upload.name).lower().endswith(".pdf"), upload.name

    fuzz()


@pytest.mark.django_db
def test_transition_form(fuzz_world):
    """Every transition of a workflow item, with a hostile comment and document, by the
    school and the bureaus, on the own item and the other school's."""
    w = fuzz_world
    own = BrochureFiling.objects.get(pk=w.objects["brochure"][0])
    other = w.objects["brochure"][1]
    actions = [*sorted({t.name for t in own.workflow.transitions}), "zzz", "../submit"]

    @FUZZ
    @given(
        st.sampled_from(["school", "district", "municipal"]),
        st.sampled_from(actions),
        st.booleans(),
        st.sampled_from(["", "请核对招生计划数", "同意"]) | hostile_text(2000),
        st.one_of(st.none(), uploads(good=PDF)),
    )
    def fuzz(role, action, other_school, comment, upload):
        pk = other if other_school and role != "municipal" else own.pk
        url = f"/workflows/brochure/{pk}/{action}/"
        files = {"documents": upload} if upload is not None else None
        files_before = _files_under(django_settings.MEDIA_ROOT)
        outcome = post_and_check(
            w.clients[role],
            w.users[role],
            url,
            {"comment": comment},
            files=files,
            expect_refused=pk == other,
        )
        if outcome.kind == "refused":
            assert _files_under(django_settings.MEDIA_ROOT) == files_before

    fuzz()
