from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.common.ids import uuid7
from services.common.models import TimeStampedModel

from .validators import validate_resident_id


class District(models.TextChoices):
    """Shanghai's 16 districts (市辖区)."""

    HUANGPU = "huangpu", _("Huangpu")
    XUHUI = "xuhui", _("Xuhui")
    CHANGNING = "changning", _("Changning")
    JINGAN = "jingan", _("Jing'an")
    PUTUO = "putuo", _("Putuo")
    HONGKOU = "hongkou", _("Hongkou")
    YANGPU = "yangpu", _("Yangpu")
    MINHANG = "minhang", _("Minhang")
    BAOSHAN = "baoshan", _("Baoshan")
    JIADING = "jiading", _("Jiading")
    PUDONG = "pudong", _("Pudong New Area")
    JINSHAN = "jinshan", _("Jinshan")
    SONGJIANG = "songjiang", _("Songjiang")
    QINGPU = "qingpu", _("Qingpu")
    FENGXIAN = "fengxian", _("Fengxian")
    CHONGMING = "chongming", _("Chongming")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """One account for residents and staff; the email address is the login."""

    email = models.EmailField(_("email address"), unique=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.email


class ResidentProfile(TimeStampedModel):
    """Facts about a resident, entered once and reused by every application."""

    class Language(models.TextChoices):
        ZH_HANS = "zh-hans", "简体中文"
        EN = "en", "English"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    legal_name = models.CharField(_("legal name"), max_length=100, blank=True, db_index=True)
    id_number = models.CharField(
        _("resident ID number"),
        max_length=18,
        null=True,
        blank=True,
        db_index=True,
        validators=[validate_resident_id],
    )
    # Set when a verified identity (services.identity) filled the name, ID number and date of birth: they are then
    # locked, and the ID number is this account's alone. A number typed by hand is only a claim: others may hold it.
    identity_verified_at = models.DateTimeField(_("identity verified at"), null=True, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    district = models.CharField(_("district"), max_length=20, choices=District.choices, blank=True)
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=Language.choices, default=Language.ZH_HANS
    )
    # Messages always reach the in-app inbox; these add the channels the resident chose.
    notify_by_email = models.BooleanField(_("email me when something happens"), default=True)
    notify_by_sms = models.BooleanField(_("send me text messages (SMS)"), default=False)
    # 长者版: larger text, higher contrast and a simpler layout (a class on <html>, CSS only).
    elder_mode = models.BooleanField(_("elder mode (larger text, higher contrast)"), default=False)

    class Meta:
        verbose_name = _("resident profile")
        verbose_name_plural = _("resident profiles")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"],
                condition=models.Q(identity_verified_at__isnull=False),
                name="unique_verified_id_number",
            )
        ]

    def __str__(self):
        return self.legal_name or str(self.user)

    @property
    def is_identity_verified(self) -> bool:
        return self.identity_verified_at is not None

    @property
    def is_complete(self) -> bool:
        return all([self.legal_name, self.id_number, self.date_of_birth, self.phone, self.district])


class DepartmentMembership(TimeStampedModel):
    """A staff member's role in a department: caseworkers work its queue, supervisors also assign."""

    class Role(models.TextChoices):
        CASEWORKER = "caseworker", _("Caseworker")
        SUPERVISOR = "supervisor", _("Supervisor")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    department = models.ForeignKey("catalogue.Department", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CASEWORKER)

    class Meta:
        verbose_name = _("department membership")
        verbose_name_plural = _("department memberships")
        constraints = [models.UniqueConstraint(fields=["user", "department"], name="unique_membership")]

    def __str__(self):
        return f"{self.user} · {self.department} · {self.get_role_display()}"


class Device(TimeStampedModel):
    """A resident's phone registered for push notifications (one row per push token)."""

    class Platform(models.TextChoices):
        IOS = "ios", "iOS"
        ANDROID = "android", "Android"

    # The device's id in the API's addresses (DELETE /api/v1/devices/<id>/): a push token never travels in a URL.
    public_id = models.UUIDField(_("public id"), default=uuid7, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="devices")
    platform = models.CharField(_("platform"), max_length=10, choices=Platform.choices)
    token = models.CharField(_("push token"), max_length=255, unique=True)

    class Meta:
        verbose_name = _("push device")
        verbose_name_plural = _("push devices")

    def __str__(self):
        return f"{self.get_platform_display()} · {self.user}"


class DataExport(TimeStampedModel):
    """A resident's "export my data": a zip (data.json and their documents) built in the background, downloadable
    only by its owner until it expires."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to start")
        RUNNING = "running", _("Being prepared")
        READY = "ready", _("Ready to download")
        FAILED = "failed", _("Failed")

    public_id = models.UUIDField(_("public id"), default=uuid7, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    stored_name = models.CharField(_("name in storage"), max_length=100, blank=True, editable=False)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="export_user_created"),
            models.Index(fields=["status", "updated_at"], name="export_unfinished"),  # the sweep
        ]

    def __str__(self):
        return f"{self.user} · {self.created_at:%Y-%m-%d}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.READY, self.Status.FAILED)
