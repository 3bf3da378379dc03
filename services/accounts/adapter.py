"""allauth's emails as the portal's own: its name and address from the settings (never the request's host), the
subjects marked like the portal's text messages, in the reader's language."""

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils.translation import gettext as _

from services.common.i18n import is_chinese


class PortalAccountAdapter(DefaultAccountAdapter):
    def format_email_subject(self, subject: str) -> str:
        # Chinese puts no space after its full-width bracket: 【一网通办】请确认…
        return f"{_('[Shanghai One-Stop]')}{'' if is_chinese() else ' '}{subject}"

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        super().send_mail(template_prefix, email, {**context, "portal_url": settings.PORTAL_URL.rstrip("/")})
