from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CaseworkerConfig(AppConfig):
    name = "services.caseworker"
    verbose_name = _("Caseworker workspace")


class PortalAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin on the portal's own site (services.caseworker.sites): staff sign in with two factors."""

    default = False  # named in INSTALLED_APPS in place of django.contrib.admin; not this package's own config
    default_site = "services.caseworker.sites.PortalAdminSite"
