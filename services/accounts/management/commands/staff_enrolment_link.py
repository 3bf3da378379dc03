"""Print a staff member's one-time link to set up their authenticator app (the first administrator's, or when no
administrator or supervisor can issue one in the admin)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from services.accounts.actions import staff_enrolment_token
from services.accounts.models import User
from services.common.errors import NotAllowed


class Command(BaseCommand):
    help = "Print a staff member's one-time link to set up their authenticator app."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No account with the email {email}.")
        try:
            token = staff_enrolment_token(user=user, by=None)
        except NotAllowed as exc:
            raise CommandError(str(exc)) from None
        link = settings.PORTAL_URL.rstrip("/") + reverse("accounts:staff-enrol", args=[token])
        self.stdout.write(f"{link}\n(valid {settings.STAFF_ENROLMENT_HOURS} hours, once, for {user.email} signed in)")
