"""The attached documents are the applications app's now (its migration 0008 renamed the table)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial"), ("applications", "0008_event_notes_and_attachments")]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="ApplicationDocument")])
    ]
