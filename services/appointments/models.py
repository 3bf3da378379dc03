"""Appointments at service centres and clinics: locations with opening hours and counters, one row per counter and
time (a seat) so that a seat is taken by one booking at most, and the bookings themselves."""

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from services.accounts.models import District
from services.common.i18n import localized
from services.common.ids import uuid7
from services.common.models import TimeStampedModel


class Location(TimeStampedModel):
    """A service centre or clinic of a department, in a district, where some services' appointments take place."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    address_zh = models.CharField(_("address (Chinese)"), max_length=200)
    address_en = models.CharField(_("address (English)"), max_length=200)
    district = models.CharField(_("district"), max_length=20, choices=District.choices)
    department = models.ForeignKey(
        "catalogue.Department", on_delete=models.PROTECT, related_name="locations", verbose_name=_("department")
    )
    services = models.ManyToManyField(
        "catalogue.Service", blank=True, related_name="appointment_locations", verbose_name=_("services booked here")
    )
    slot_minutes = models.PositiveSmallIntegerField(
        _("minutes per appointment"), default=30, validators=[MinValueValidator(5), MaxValueValidator(240)]
    )
    counters = models.PositiveSmallIntegerField(
        _("counters open"),
        default=1,
        validators=[MaxValueValidator(50)],
        help_text=_("Residents seen at the same time. Fewer moves or cancels the bookings that no longer fit."),
    )
    is_active = models.BooleanField(_("taking bookings"), default=True)

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["district", "code"]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def address(self) -> str:
        return localized(self, "address")

    @property
    def slot_duration(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.slot_minutes)


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(models.Model):
    """When a location is open on a day of the week (public holidays closed; an adjusted working day on a weekend
    keeps Monday's hours)."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="hours", verbose_name=_("location"))
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["location", "weekday", "opens"]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class AppointmentStatus(models.TextChoices):
    HELD = "held", _("Held while you confirm")
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("Did not come")
    EXPIRED = "expired", _("Not confirmed in time")


class CancelReason(models.TextChoices):
    RESIDENT = "resident", _("Cancelled by you")
    MOVED = "moved", _("Moved to another time")
    CLOSED = "closed", _("The counter closed")


class Appointment(TimeStampedModel):
    """A resident's booking for an application at a location and time; a reschedule is a new booking that replaces
    the old one when confirmed."""

    public_id = models.UUIDField(_("public id"), default=uuid7, unique=True, editable=False)
    application = models.ForeignKey(
        "applications.Application",
        on_delete=models.CASCADE,
        related_name="appointments",
        verbose_name=_("application"),
    )
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="appointments", verbose_name=_("resident")
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("location")
    )
    starts_at = models.DateTimeField(_("time"))
    status = models.CharField(
        _("status"), max_length=12, choices=AppointmentStatus.choices, default=AppointmentStatus.HELD
    )
    hold_expires_at = models.DateTimeField(_("held until"), null=True, blank=True)
    replaces = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("moved from")
    )
    cancel_reason = models.CharField(_("why cancelled"), max_length=10, choices=CancelReason.choices, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    # Booked, the confirmation message not yet written: set by the booking, cleared by the message's writer (a task
    # published on commit, or the sweep when that was lost), so the booking holds its seat for no message.
    confirmation_due = models.BooleanField(_("confirmation to send"), default=False)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked by"),
    )

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["location", "starts_at"], name="appointment_day_view"),
            models.Index(fields=["starts_at"], name="appointment_to_remind", condition=Q(status="booked")),
            models.Index(fields=["updated_at"], name="appointment_to_confirm", condition=Q(confirmation_due=True)),
        ]

    def __str__(self):
        return f"{self.location} {self.starts_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("appointments:detail", kwargs={"public_id": self.public_id})

    @property
    def ends_at(self):
        return self.starts_at + self.location.slot_duration


class Seat(models.Model):
    """One counter at one time of a location: taken by one appointment at most (held or booked)."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="seats", verbose_name=_("location"))
    starts_at = models.DateTimeField(_("time"))
    counter = models.PositiveSmallIntegerField(_("counter"))
    appointment = models.OneToOneField(
        Appointment, on_delete=models.SET_NULL, null=True, blank=True, related_name="seat", verbose_name=_("taken by")
    )
    held_until = models.DateTimeField(_("held until"), null=True, blank=True)  # set while the taker confirms

    class Meta:
        verbose_name = _("seat")
        verbose_name_plural = _("seats")
        ordering = ["location", "starts_at", "counter"]
        constraints = [models.UniqueConstraint(fields=["location", "starts_at", "counter"], name="unique_seat")]

    def __str__(self):
        return f"{self.location_id} {self.starts_at:%Y-%m-%d %H:%M} #{self.counter}"


def free_seat_q(now) -> Q:
    """The seats nobody holds: never taken, released, or held past the hold's end."""
    return Q(appointment__isnull=True) | Q(held_until__lt=now)
