from django.contrib import admin

from .models import Department, Service


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "reference_prefix"]
    search_fields = ["code", "name_zh", "name_en"]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["slug", "title_zh", "title_en", "department", "processing_days", "is_active"]
    list_filter = ["department", "is_active"]
    search_fields = ["slug", "title_zh", "title_en"]
    list_select_related = ["department"]
