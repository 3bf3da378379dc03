from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotencyKey(models.Model):
    """One unsafe request made with an ``Idempotency-Key`` header, and the response to replay for it."""

    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, verbose_name=_("caller"))
    key = models.CharField(_("key"), max_length=255)
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=255)
    request_hash = models.CharField(_("request hash"), max_length=64)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.RUNNING)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True)
    response_body = models.TextField(_("response body"), null=True)  # its JSON as sent, replayed as it is
    response_headers = models.JSONField(_("response headers"), default=dict)  # those worth replaying: Location
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="api_idempotency_key_unique_per_user")]

    def __str__(self):
        return f"{self.method} {self.path} [{self.key}]"
