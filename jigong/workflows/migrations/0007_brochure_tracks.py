"""A brochure's tracks (issue 16). Existing brochures get what /enrol/ guessed before
there was a field: one naming 企业在岗职工 or 非全日制 in its 招生对象 offers both tracks,
any other full-time only."""

from django.db import migrations, models
from django.db.models import Q

PART_TIME_WORDS = ("企业在岗职工", "非全日制")  # the guess of public_selectors until 0007


def forwards(apps, schema_editor):
    BrochureFiling = apps.get_model("workflows", "BrochureFiling")
    named = Q()
    for word in PART_TIME_WORDS:
        named |= Q(target_groups__contains=word)
    BrochureFiling.objects.filter(named).update(tracks="both")


class Migration(migrations.Migration):
    dependencies = [("workflows", "0006_tier_upgrade")]

    operations = [
        migrations.AddField(
            model_name="brochurefiling",
            name="tracks",
            field=models.CharField(
                choices=[
                    ("full_time", "全日制"),
                    ("part_time", "非全日制"),
                    ("both", "全日制、非全日制"),
                ],
                default="full_time",
                error_messages={
                    "invalid_choice": "学习形式“%(value)s”：应为“全日制”“非全日制”或“全日制、非全日制”之一"
                },
                help_text="本简章招收全日制、非全日制或两者",
                max_length=12,
                verbose_name="学习形式",
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True),
    ]
