from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0008_event_notes_and_attachments"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="fee_fen",
            field=models.PositiveIntegerField(default=0, verbose_name="fee (fen)"),
        ),
        migrations.AddField(
            model_name="application",
            name="fee_status",
            field=models.CharField(
                choices=[("none", "No fee"), ("due", "To pay"), ("paid", "Paid"), ("waived", "Waived")],
                default="none",
                max_length=10,
                verbose_name="fee",
            ),
        ),
        migrations.AddField(
            model_name="application",
            name="fee_paid_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="fee paid at"),
        ),
        migrations.AlterField(
            model_name="applicationevent",
            name="note",
            field=models.CharField(
                blank=True,
                choices=[
                    ("intake_checked", "Intake checks done."),
                    ("routing_failed", "Routing failed after its retries; staff can retry it."),
                    ("routing_retried", "Routing retried."),
                    ("overdue", "Past its due date: the department's supervisors were notified."),
                    ("assigned", "Assigned to"),
                    ("fee_paid", "Fee paid."),
                ],
                max_length=30,
                verbose_name="note",
            ),
        ),
    ]
