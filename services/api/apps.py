from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "services.api"
    verbose_name = _("API")

    def ready(self):
        from . import schema  # noqa: F401  registers the OpenAPI extensions (X-Session-Token, strict bodies)
        from .session_users import on_user_saved_or_deleted  # here: it reads the user model, loaded by now

        # The app's signed-in user is kept in the cache: any change to a user's row must drop it (session_users.py).
        post_save.connect(on_user_saved_or_deleted, sender=settings.AUTH_USER_MODEL, dispatch_uid="session-user-saved")
        post_delete.connect(on_user_saved_or_deleted, sender=settings.AUTH_USER_MODEL, dispatch_uid="session-user-gone")
