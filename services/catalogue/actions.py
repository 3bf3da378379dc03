"""Writes on the catalogue; the admin, the load_catalogue command and new drafts call these."""

from django.db import transaction

from .models import Category, Department, DocumentType, FormVersion, LifeEvent, Service


def form_version_publish(*, service: Service) -> FormVersion:
    """Return the service's current form version, first publishing its form as a new version if it changed."""
    latest = service.form_versions.order_by("-number").first()
    if latest is not None and latest.schema == service.form_schema:
        return latest
    with transaction.atomic():
        Service.objects.select_for_update().filter(pk=service.pk).exists()  # one publisher per service at a time
        latest = service.form_versions.order_by("-number").first()
        if latest is not None and latest.schema == service.form_schema:
            return latest
        number = latest.number + 1 if latest else 1
        return FormVersion.objects.create(service=service, number=number, schema=service.form_schema)


@transaction.atomic
def catalogue_load(*, data: dict) -> int:
    """Create or update departments, categories, life events, document types and services from ``data``
    (services/catalogue/data.py's shape), checking each service and publishing changed forms; return the
    number of services. Loading the same data again changes nothing."""
    departments = {}
    for code, prefix, name_zh, name_en in data["departments"]:
        departments[code], _created = Department.objects.update_or_create(
            code=code, defaults={"reference_prefix": prefix, "name_zh": name_zh, "name_en": name_en}
        )
    for model, key in ((Category, "categories"), (LifeEvent, "life_events"), (DocumentType, "document_types")):
        for position, (code, name_zh, name_en) in enumerate(data[key]):
            model.objects.update_or_create(
                code=code, defaults={"name_zh": name_zh, "name_en": name_en, "position": position}
            )
    for spec in data["services"]:
        spec = dict(spec)
        life_events, documents = spec.pop("life_events"), spec.pop("document_types")
        service = Service.objects.filter(slug=spec["slug"]).first() or Service(slug=spec["slug"])
        for name, value in {**spec, "department": departments[spec["department"]]}.items():
            setattr(service, name, value)
        service.full_clean()
        service.save()
        service.life_events.set(LifeEvent.objects.filter(code__in=life_events))
        service.document_types.set(DocumentType.objects.filter(code__in=documents))
        form_version_publish(service=service)
    return len(data["services"])
