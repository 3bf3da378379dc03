import services.catalogue.fees
from django.db import migrations, models


def fee_rules_from_yuan(apps, schema_editor):
    """Carry each service's fee in yuan over to a fixed fee rule in fen."""
    Service = apps.get_model("catalogue", "Service")
    for service in Service.objects.exclude(fee_yuan=0):
        service.fee_rule = {"amount_fen": int(service.fee_yuan * 100)}
        service.save(update_fields=["fee_rule"])


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0003_catalogue_terms_and_form_versions"),
    ]

    operations = [
        migrations.AddField(
            model_name="service",
            name="fee_rule",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text='Empty for a free service, or e.g. {"amount_fen": 2000, "per": "copies", "waived_if": [{"kind": "answer", "field": "low_income", "equals": true}]} (amounts in fen: ¥20.00 is 2000).',
                validators=[services.catalogue.fees.validate_fee_rule],
                verbose_name="fee rule",
            ),
        ),
        migrations.RunPython(fee_rules_from_yuan, migrations.RunPython.noop),
        migrations.RemoveField(model_name="service", name="fee_yuan"),
    ]
