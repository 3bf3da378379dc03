"""The admin site staff work in: signed in through the portal's one login (allauth: throttled), and, unless the
embedded demo switched it off, with two-factor authentication (an authenticator app) used in this session."""

from django.contrib.admin import AdminSite
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from services.accounts.selectors import staff_mfa_missing


class PortalAdminSite(AdminSite):
    site_header = _("Citizen services: staff workspace")
    site_title = _("Staff workspace")
    # Listing the apps asks every model admin for its permissions (queries for several): the home page lists
    # them, and the other pages, the queue among them, carry no sidebar listing them again on every request.
    enable_nav_sidebar = False

    def get_app_list(self, request, app_label=None):
        """The apps the user may open, built only when a page shows them."""
        return SimpleLazyObject(lambda: super(PortalAdminSite, self).get_app_list(request, app_label))

    def has_permission(self, request):
        if not super().has_permission(request):
            return False
        return not staff_mfa_missing(request=request)

    def login(self, request, extra_context=None):
        """Send the visitor through the portal's login, the two-factor set-up or the code, and back."""
        next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            next_url = reverse("admin:index", current_app=self.name)
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(next_url, reverse("account_login"))
        if not (user.is_active and user.is_staff):
            raise PermissionDenied  # signed in as a resident: the staff workspace is not theirs
        missing = staff_mfa_missing(request=request)
        if missing == "setup":
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        if missing == "code":
            return redirect_to_login(next_url, reverse("mfa_reauthenticate"))
        return HttpResponseRedirect(next_url)
