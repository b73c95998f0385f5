"""Documents attached to workflow steps: PDF or Office files, checked and stored safely.

A file is accepted only when its extension AND its content (magic bytes, and for the
zip-based Office formats the part that names the format) agree on one allowed type,
and its size is at most ``settings.JIGONG_UPLOAD_MAX_BYTES``. It is stored under
``MEDIA_ROOT/workflows/<yyyy>/<mm>/<random hex>.<ext>``: the user's file name never
reaches the path (it is kept, cleaned, for display and the download's file name), so
path traversal is impossible.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc .xls .ppt
ZIP = b"PK\x03\x04"

# extension -> (label, content family, zip part or ODF mimetype proving the format)
TYPES = {
    "pdf": ("PDF", "pdf", None),
    "doc": ("Word 97-2003", "ole2", None),
    "xls": ("Excel 97-2003", "ole2", None),
    "ppt": ("PowerPoint 97-2003", "ole2", None),
    "docx": ("Word", "ooxml", "word/"),
    "xlsx": ("Excel", "ooxml", "xl/"),
    "pptx": ("PowerPoint", "ooxml", "ppt/"),
    "odt": ("OpenDocument 文本", "odf", "application/vnd.oasis.opendocument.text"),
    "ods": ("OpenDocument 表格", "odf", "application/vnd.oasis.opendocument.spreadsheet"),
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}


def max_bytes() -> int:
    return int(getattr(settings, "JIGONG_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def root() -> Path:
    return Path(settings.MEDIA_ROOT) / "workflows"


@dataclass(frozen=True)
class Checked:
    """An uploaded file that passed the checks, not yet stored."""

    upload: object
    name: str  # cleaned display name
    ext: str
    size: int


def clean_name(raw: str) -> str:
    """The last path component, without control characters, at most 120 characters;
    for display and the download's file name only."""
    name = unicodedata.normalize("NFC", str(raw or ""))
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    return name[-120:]


def _refuse(raw_name: str, rule: str) -> ValidationError:
    return ValidationError(
        {
            "documents": [
                _("附件“%(n)s”：%(r)s") % {"n": clean_name(raw_name) or raw_name, "r": rule}
            ]
        }
    )


def _family(head: bytes, upload) -> tuple[str, str | None]:
    """The content family from the magic bytes and, for zips, the part naming the format."""
    if head.startswith(b"%PDF-"):
        return "pdf", None
    if head.startswith(OLE2):
        return "ole2", None
    if head.startswith(ZIP):
        upload.seek(0)
        try:
            with zipfile.ZipFile(upload) as z:
                names = z.namelist()
                if "mimetype" in names:
                    return "odf", z.read("mimetype").decode("ascii", "replace").strip()
                if "[Content_Types].xml" in names:
                    tops = {n.split("/", 1)[0] + "/" for n in names if "/" in n}
                    return "ooxml", next((p for p in ("word/", "xl/", "ppt/") if p in tops), None)
        except (zipfile.BadZipFile, OSError, ValueError):
            return "unknown", None
        finally:
            upload.seek(0)
    return "unknown", None


def check(upload) -> Checked:
    """Refuse a wrong type, an oversize or an unsafe name with a Chinese message naming
    the file, the value and the rule; return the checked file otherwise."""
    raw = getattr(upload, "name", "") or ""
    if "/" in raw or "\\" in raw or "\x00" in raw or raw.strip() in {".", ".."}:
        raise _refuse(raw, _("文件名不得包含路径（“/”“\\”或“..”）"))
    name = clean_name(raw)
    if not name:
        raise _refuse(raw, _("文件名为空"))
    ext = PurePosixPath(name).suffix.lower().lstrip(".")
    allowed = "、".join(f".{e}" for e in TYPES)
    if ext not in TYPES:
        raise _refuse(raw, _("扩展名“.%(e)s”不允许，只接受 %(a)s") % {"e": ext, "a": allowed})
    size = upload.size
    limit = max_bytes()
    if size > limit:
        raise _refuse(
            raw,
            _("大小 %(s)s 超过上限 %(l)s") % {"s": _mb(size), "l": _mb(limit)},
        )
    if size == 0:
        raise _refuse(raw, _("文件为空"))
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    label, family, proof = TYPES[ext]
    found, detail = _family(head, upload)
    if found != family or (proof is not None and detail != proof):
        raise _refuse(
            raw,
            _("文件内容不是扩展名所示的 %(t)s 文件（按文件内容检测），只接受 PDF 或 Office 文档")
            % {"t": label},
        )
    return Checked(upload, name, ext, size)


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB"


def store(checked: Checked) -> tuple[str, str]:
    """Write the file under a generated name; return (relative path, sha256)."""
    now = timezone.now()
    rel = f"{now:%Y}/{now:%m}/{secrets.token_hex(16)}.{checked.ext}"
    target = (root() / rel).resolve()
    if root().resolve() not in target.parents:  # cannot happen with a generated name
        raise ValueError("document path escapes the storage folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    upload = checked.upload
    upload.seek(0)
    with open(target, "xb") as out:
        chunks = (
            upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(65536), b"")
        )
        for chunk in chunks:
            digest.update(chunk)
            out.write(chunk)
    return rel, digest.hexdigest()


def path_of(rel: str) -> Path:
    """The absolute path of a stored document; refuses anything outside the folder."""
    target = (root() / rel).resolve()
    if root().resolve() not in target.parents:
        raise ValueError("document path escapes the storage folder")
    return target


def remove(rel: str) -> None:
    with contextlib.suppress(ValueError):
        path_of(rel).unlink(missing_ok=True)
