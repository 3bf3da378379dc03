import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("applications", "0009_application_fee"), ("catalogue", "0003_catalogue_terms_and_form_versions")]

    operations = [
        migrations.AlterField(
            model_name="application",
            name="status",
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
                default="draft",
                max_length=24,
                verbose_name="status",
            ),
        ),
        migrations.AlterField(
            model_name="applicationevent",
            name="from_status",
            field=models.CharField(
                blank=True,
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
                verbose_name="from",
            ),
        ),
        migrations.AlterField(
            model_name="applicationevent",
            name="to_status",
            field=models.CharField(
                blank=True,
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
                verbose_name="to",
            ),
        ),
        migrations.AddField(
            model_name="informationrequest",
            name="event",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="information_request",
                to="applications.applicationevent",
            ),
        ),
        migrations.AddField(
            model_name="informationrequest",
            name="document_types",
            field=models.ManyToManyField(
                blank=True, related_name="+", to="catalogue.documenttype", verbose_name="documents asked for"
            ),
        ),
        migrations.AlterField(
            model_name="informationrequest",
            name="items",
            field=models.JSONField(default=list, verbose_name="anything else asked for"),
        ),
    ]
