from django.urls import path

from jigong.certificates import batch, printing, views

app_name = "certificates"

urlpatterns = [
    path(
        "graduation-certificates/print/",
        batch.batch_print,
        name="graduationcertificate_print_batch",
    ),
    path(
        "graduation-certificates/<int:pk>/print/",
        printing.certificate_print,
        name="graduationcertificate_print",
    ),
    *views.graduation_certificates.urls(app_name),
    *views.skill_certificates.urls(app_name),
    *views.query_log.urls(app_name),
    path(
        "registrations/<int:pk>/graduate/",
        views.registration_graduate,
        name="registration_graduate",
    ),
    path(
        "graduation-certificates/<int:pk>/revoke/",
        views.certificate_revoke,
        name="certificate_revoke",
    ),
    path(
        "graduation-certificates/<int:pk>/reissue/",
        views.certificate_reissue,
        name="certificate_reissue",
    ),
    path(
        "graduation-certificates/<int:pk>/exchange/",
        views.certificate_exchange,
        name="certificate_exchange",
    ),
    path(
        "graduation-certificates/<int:pk>/codes/",
        views.certificate_codes,
        name="certificate_codes",
    ),
    path(
        "graduation-certificates/<int:pk>/codes/<int:code_pk>/revoke/",
        views.certificate_code_revoke,
        name="certificate_code_revoke",
    ),
]
