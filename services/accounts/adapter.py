"""allauth's emails as the portal's own: its name and address from the settings (never the request's host), the
subjects marked like the portal's text messages, in the reader's language. They (email verification, password
reset, security notices) leave through the notifications' email queue, retried with backoff, instead of being sent
inside the request: a mail server that is down or slow no longer fails a sign-up or a password reset."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.utils.translation import gettext as _

from services.common.i18n import is_chinese
from services.common.tasks import publish


class PortalAccountAdapter(DefaultAccountAdapter):
    def format_email_subject(self, subject: str) -> str:
        # Chinese puts no space after its full-width bracket: 【一网通办】请确认…
        return f"{_('[Shanghai One-Stop]')}{'' if is_chinese() else ' '}{subject}"

    def send_mail(self, template_prefix: str, email: str, context_data: dict) -> None:
        request = context.request
        message = self.render_mail(
            template_prefix,
            email,
            {
                "request": request,
                "email": email,
                "current_site": get_current_site(request),
                **context_data,
                "portal_url": settings.PORTAL_URL.rstrip("/"),
            },
        )
        html = next((body for body, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), "")
        # At once, as allauth would send it (a broker that is down is logged: the resident asks for it again).
        publish(
            "services.notifications.tasks.send_account_email",
            (
                {
                    "subject": message.subject,
                    "body": message.body,
                    "content_subtype": message.content_subtype,
                    "html": html,
                    "from_email": message.from_email,
                    "to": message.to,
                },
            ),
        )
