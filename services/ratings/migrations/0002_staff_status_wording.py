from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("ratings", "0001_initial")]

    operations = [
        migrations.AlterField(
            model_name="rating",
            name="step",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("submitted", "Submitted"),
                    ("routed", "Waiting for a caseworker"),
                    ("in_review", "In review"),
                    ("awaiting_information", "Waiting for the resident's information"),
                    ("approved", "Approved"),
                    ("rejected", "Rejected"),
                    ("withdrawn", "Withdrawn"),
                ],
                max_length=24,
                verbose_name="step rated",
            ),
        ),
    ]
