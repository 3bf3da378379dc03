"""Routing as data in the admin: teams, ordered rules with their conditions and a dry run, and life-event
bundles (the routing dashboard is the staff workspace's: services.caseworker)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from services.accounts.models import District
from services.accounts.permissions import staff_scope_for
from services.applications.models import Application
from services.catalogue.models import Service

from .conditions import RoutingFacts
from .models import Bundle, BundleService, RoutingCondition, RoutingRule, Team
from .selectors import routing_decide, routing_facts


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name_zh", "name_en", "department", "code", "auto_assign"]
    list_filter = ["department", "auto_assign"]
    search_fields = ["code", "name_zh", "name_en"]
    filter_horizontal = ["members"]
    list_select_related = ["department"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "members":
            kwargs["queryset"] = db_field.related_model.objects.filter(
                is_staff=True, memberships__isnull=False
            ).distinct()
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class RoutingConditionInline(admin.TabularInline):
    model = RoutingCondition
    extra = 1


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["position", "name", "conditions_summary", "team", "priority", "is_active"]
    list_display_links = ["name"]
    list_editable = ["position", "is_active"]
    list_filter = ["is_active", "team__department"]
    search_fields = ["name"]
    inlines = [RoutingConditionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("team__department").prefetch_related("conditions")

    @admin.display(description=_("conditions"))
    def conditions_summary(self, rule):
        return "; ".join(str(condition) for condition in rule.conditions.all()) or gettext("always")

    def get_urls(self):
        dry_run = self.admin_site.admin_view(self.dry_run_view)
        return [path("dry-run/", dry_run, name="routing_routingrule_dry_run"), *super().get_urls()]

    def dry_run_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = DryRunForm(request.GET or None, user=request.user)
        decision = facts = None
        if form.is_valid():
            service, facts = form.service_and_facts()
            decision = routing_decide(service=service, facts=facts)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Routing dry run"),
            "opts": self.model._meta,
            "form": form,
            "facts": facts,
            "decision": decision,
        }
        return TemplateResponse(request, "admin/routing/dry_run.html", context)


class DryRunForm(forms.Form):
    """Either an application's reference, or the facts of an imagined application."""

    reference = forms.CharField(label=_("Application reference"), required=False, max_length=20)
    service = forms.ModelChoiceField(label=_("Service"), queryset=Service.objects.all(), required=False)
    district = forms.ChoiceField(label=_("District"), choices=[("", "—"), *District.choices], required=False)
    age = forms.IntegerField(label=_("Age"), min_value=0, max_value=150, required=False)
    answers = forms.JSONField(label=_("Answers (JSON)"), required=False, help_text='{"urgent": true}')

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        data = super().clean()
        if data.get("reference"):
            data["application"] = (
                Application.objects.visible_to_staff(staff_scope_for(user=self.user))
                .select_related("service", "applicant")
                .filter(reference=data["reference"].strip())
                .first()
            )
            if data["application"] is None:
                self.add_error("reference", gettext("No such application in your queues."))
        elif not data.get("service"):
            raise forms.ValidationError(gettext("Give an application reference or choose a service."))
        if data.get("answers") is not None and not isinstance(data["answers"], dict):
            self.add_error("answers", gettext('Answers are a JSON object, e.g. {"urgent": true}.'))
        return data

    def service_and_facts(self) -> tuple[Service, RoutingFacts]:
        data = self.cleaned_data
        if data.get("application"):
            return data["application"].service, routing_facts(application=data["application"])
        service = data["service"]
        facts = RoutingFacts(
            service=service.slug,
            category=service.category,
            district=data["district"],
            age=data["age"],
            answers=data["answers"] or {},
        )
        return service, facts


class BundleServiceInline(admin.TabularInline):
    model = BundleService
    extra = 1
    autocomplete_fields = ["service"]


@admin.register(Bundle)
class BundleAdmin(admin.ModelAdmin):
    list_display = ["title_zh", "title_en", "slug", "is_active"]
    prepopulated_fields = {"slug": ["title_en"]}
    inlines = [BundleServiceInline]
