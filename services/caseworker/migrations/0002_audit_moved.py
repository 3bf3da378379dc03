"""The audit log is the audit app's now (its migration 0001 renamed the table)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("caseworker", "0001_initial"), ("audit", "0001_initial")]

    operations = [migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="AuditEntry")])]
