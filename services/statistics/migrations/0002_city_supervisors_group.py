from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "City supervisors"


def create_group(apps, schema_editor):
    """Create the city supervisors' group with the city view's permission (a staff member put in it sees the
    city view: the role above departments)."""
    app_config = apps.get_app_config("statistics")
    app_config.models_module = True  # create_permissions skips an app it thinks has no models
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group, Permission = apps.get_model("auth", "Group"), apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(Permission.objects.get(content_type__app_label="statistics", codename="view_city"))


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [("statistics", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_group, remove_group)]
