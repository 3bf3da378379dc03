"""The circumstances app's part of a resident's personal data: the changes reported about them."""

from services.accounts.privacy import register

from .models import Change


def export_changes(user):
    """Return each change reported about the resident: kind, facts, date, and where it stands per department."""
    changes = Change.objects.filter(user=user).prefetch_related("acknowledgements__department").order_by("created_at")
    rows = [
        {
            "kind": change.kind,
            "effective_date": change.effective_date,
            "facts": change.facts,
            "reported_at": change.created_at,
            "departments": {ack.department.code: ack.status for ack in change.acknowledgements.all()},
        }
        for change in changes
    ]
    return rows, []


def erase_changes(user) -> None:
    """Forget the changes reported about the resident (their acknowledgements with them)."""
    Change.objects.filter(user=user).delete()


register(app_label="circumstances", section="changes_of_circumstances", export_for=export_changes,
         erase_for=erase_changes)  # fmt: skip
