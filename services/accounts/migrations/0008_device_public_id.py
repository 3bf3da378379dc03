import uuid

from django.db import migrations, models


def give_each_device_an_id(apps, schema_editor):
    Device = apps.get_model("accounts", "Device")
    for device in Device.objects.filter(public_id__isnull=True).only("pk"):
        Device.objects.filter(pk=device.pk).update(public_id=uuid.uuid4())


class Migration(migrations.Migration):
    """Devices get a public id for the API's addresses (DELETE /api/v1/devices/<id>/): added empty, filled row by
    row (a default would give every existing row the same one), then made unique and required."""

    dependencies = [("accounts", "0007_id_number_claims")]

    operations = [
        migrations.AddField(model_name="device", name="public_id", field=models.UUIDField(null=True, editable=False)),
        migrations.RunPython(give_each_device_an_id, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="device",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name="public id"),
        ),
    ]
