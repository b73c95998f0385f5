from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("schools", "0001_initial"),
        ("training", "0003_list_order_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="trainingrecord",
            index=models.Index(
                fields=["year", "school", "is_social", "revenue"], name="training_rec_revenue"
            ),
        ),
    ]
