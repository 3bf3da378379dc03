from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from services.common.errors import NotAllowed


class AuditAction(models.TextChoices):
    LIST = "list", _("listed or searched applications")
    VIEW = "view", _("viewed the application")
    VIEW_DOCUMENT = "view_document", _("opened a document")
    EXPORT = "export", _("exported the application")
    CLAIM = "claim", _("claimed the application")
    RELEASE = "release", _("released the application")
    ASSIGN = "assign", _("assigned the application")
    REQUEST_INFORMATION = "request_information", _("asked the resident for information")
    APPROVE = "approve", _("approved the application")
    REJECT = "reject", _("rejected the application")
    NOTE = "note", _("added an internal note")
    VIEW_CHANGE = "view_change", _("viewed a change of circumstances")
    ACKNOWLEDGE_CHANGE = "acknowledge_change", _("acknowledged a change of circumstances")
    VIEW_ID_CLAIM = "view_id_claim", _("looked at claims of a resident ID number")
    RESOLVE_ID_CLAIM = "resolve_id_claim", _("confirmed a resident ID number for an account")


class AuditRole(models.TextChoices):
    CASEWORKER = "caseworker", _("Caseworker")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMINISTRATOR = "administrator", _("Portal administrator")
    AGENT = "agent", _("Your agent, acting under a mandate")


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise NotAllowed("The audit log is append-only.")

    def delete(self):
        raise NotAllowed("The audit log is append-only.")


class AuditEntry(models.Model):
    """One staff look at, or action on, an application or document: who, in which role, what, when, from where.

    Append-only: a row is never changed or deleted (the ORM refuses, and so does a PostgreSQL trigger). The
    application and document are kept without a database constraint (and the reference copied), so that purging
    a draft never touches the log.
    """

    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        db_index=False,  # audit_actor covers it
        related_name="audit_entries",
        verbose_name=_("who"),
    )
    role = models.CharField(_("role"), max_length=20, choices=AuditRole.choices)
    department = models.ForeignKey(
        "catalogue.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    action = models.CharField(_("what"), max_length=30, choices=AuditAction.choices)
    application = models.ForeignKey(
        "applications.Application",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # audit_application covers it
        null=True,
        blank=True,
        related_name="audit_entries",
        verbose_name=_("application"),
    )
    reference = models.CharField(_("reference"), max_length=20, blank=True, db_index=True)
    document = models.ForeignKey(
        "documents.Document",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        blank=True,
        related_name="audit_entries",
        verbose_name=_("document"),
    )
    ip_address = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["application", "-created_at"], name="audit_application"),
            models.Index(fields=["actor", "-created_at"], name="audit_actor"),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_id} {self.action} {self.reference}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise NotAllowed("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise NotAllowed("The audit log is append-only.")
