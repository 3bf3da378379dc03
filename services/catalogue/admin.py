from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from services.dynamic_forms.fields import display_answer, label_of
from services.dynamic_forms.forms import AnswersForm
from services.dynamic_forms.structure import form_steps

from .actions import form_version_publish
from .models import Category, Department, DocumentType, FormVersion, LifeEvent, Service


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "reference_prefix"]
    search_fields = ["code", "name_zh", "name_en"]


@admin.register(Category, LifeEvent, DocumentType)
class NamedEntryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "position"]
    list_editable = ["position"]
    search_fields = ["code", "name_zh", "name_en"]


class FormVersionInline(admin.TabularInline):
    model = FormVersion
    fields = ["number", "published_at", "preview"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("preview"))
    def preview(self, version):
        url = reverse("admin:catalogue_service_preview", args=[version.service_id])
        return format_html('<a href="{}?version={}">{}</a>', url, version.number, gettext("Preview"))


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["slug", "title_zh", "title_en", "department", "category", "processing_days", "is_active"]
    list_filter = ["department", "is_active", "life_events"]
    search_fields = ["slug", "title_zh", "title_en", "keywords_zh", "keywords_en"]
    list_select_related = ["department"]
    filter_horizontal = ["life_events", "document_types"]
    inlines = [FormVersionInline]
    fieldsets = [
        (None, {"fields": ["department", "slug", "category", "is_active", "assurance", "processing_days", "fee_rule"]}),
        (
            _("In both languages"),
            {"fields": ["title_zh", "title_en", "summary_zh", "summary_en", "keywords_zh", "keywords_en"]},
        ),
        (_("Finding and using it"), {"fields": ["life_events", "document_types", "eligibility_rules"]}),
        (
            _("Form"),
            {
                "fields": ["form_schema"],
                "description": _(
                    "A JSON Schema with x- hints (see services/dynamic_forms/fields.py). Saving a changed form "
                    "publishes it as a new version; drafts and applications keep the version they were filled with."
                ),
            },
        ),
    ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        version = form_version_publish(service=obj)
        messages.info(request, gettext("The form in use is version %(number)s.") % {"number": version.number})

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        return [path("<path:object_id>/preview/", preview, name="catalogue_service_preview"), *super().get_urls()]

    def preview_view(self, request, object_id):
        """Show a form version (the latest, or ?version=N) as residents see it: every step, every question."""
        service = self.get_object(request, unquote(object_id))
        if service is None:
            raise Http404
        if not self.has_view_permission(request, service):
            raise PermissionDenied
        versions = service.form_versions.all()
        number = request.GET.get("version", "")
        version = versions.filter(number=number).first() if number.isdigit() else versions.first()
        if version is None:
            raise Http404
        props = version.schema["properties"]
        notes = {
            name: gettext("Asked only when “%(question)s” is %(answer)s.")
            % {
                "question": label_of(prop["x-show-if"]["field"], props[prop["x-show-if"]["field"]]),
                "answer": " / ".join(
                    display_answer(props[prop["x-show-if"]["field"]], value)
                    for value in prop["x-show-if"].get("in", [prop["x-show-if"].get("equals")])
                ),
            }
            for name, prop in props.items()
            if "x-show-if" in prop
        }
        steps = [
            {
                "title": label_of(step["key"], step),
                "form": AnswersForm(schema=version.schema, names=step["fields"], notes=notes, prefix=step["key"]),
            }
            for step in form_steps(version.schema)
        ]
        context = {"service": service, "version": version, "versions": versions, "steps": steps}
        return render(request, "catalogue/form_preview.html", context)
