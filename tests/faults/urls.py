"""The project's URLs plus views that fail the way a server can fail, for
tests/faults/test_outage.py (the error handlers are the project's own)."""

from django.urls import path

from jigong import urls as project


def unexpected(request):
    raise ZeroDivisionError("secret detail 42")


def media_write_on_full_disk(request):
    # /dev/full answers every write with ENOSPC: a real full-disk error from the kernel
    with open("/dev/full", "wb") as out:
        out.write(b"x" * 4096)
        out.flush()


urlpatterns = [
    path("fault/unexpected/", unexpected),
    path("api/v1/fault/unexpected/", unexpected),
    path("fault/disk-full/", media_write_on_full_disk),
    path("api/v1/fault/disk-full/", media_write_on_full_disk),
    *project.urlpatterns,
]

handler403 = project.handler403
handler500 = project.handler500
