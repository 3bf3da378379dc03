"""Claimed resident ID numbers, settled by staff who saw the evidence: superusers, and staff holding the permission
``identity.resolve_idnumberclaim`` (the resident-data role, given as a group). The staff workspace already needs
two factors; every look and every decision goes to the audit log."""

from django.contrib import admin, messages
from django.template.loader import render_to_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from services.audit.actions import audit_record
from services.audit.models import AuditAction
from services.common.errors import NotAllowed

from .actions import identity_claim_confirm
from .models import IdNumberClaim
from .selectors import id_number_claimants, id_number_claims


@admin.register(IdNumberClaim)
class IdNumberClaimAdmin(admin.ModelAdmin):
    """Each unverified ID number typed into a profile, with everyone who holds the same number and what each has
    shown (profile facts, linked identities, wallet documents). Confirming one makes the number that account's
    alone, locked as verified; the other claims are released, and everyone is told in words that name nobody."""

    list_display = ["id_number", "legal_name", "user", "created_at"]
    search_fields = ["=id_number"]
    show_full_result_count = False
    fields = ["user", "legal_name", "id_number", "date_of_birth", "created_at", "claimants"]
    readonly_fields = fields
    actions = ["confirm_claim"]

    def get_queryset(self, request):
        return id_number_claims()

    def _may_resolve(self, request) -> bool:
        return request.user.is_superuser or request.user.has_perm("identity.resolve_idnumberclaim")

    def has_module_permission(self, request):
        return self._may_resolve(request)

    def has_view_permission(self, request, obj=None):
        return self._may_resolve(request)

    def has_resolve_permission(self, request):
        return self._may_resolve(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if self._may_resolve(request) and request.method == "GET":
            audit_record(action=AuditAction.VIEW_ID_CLAIM, request=request, detail=request.GET.get("q", "")[:100])
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        claim = self.get_object(request, object_id)
        if claim is not None and response.status_code == 200:
            audit_record(action=AuditAction.VIEW_ID_CLAIM, request=request, detail=claim.id_number)
        return response

    @admin.display(description=_("Everyone holding this number"))
    def claimants(self, claim):
        claimants = id_number_claimants(id_number=claim.id_number)
        return render_to_string("admin/identity/claimants.html", {"claimants": claimants})

    @admin.action(description=_("Confirm the ID number for this account (evidence seen)"), permissions=["resolve"])
    def confirm_claim(self, request, queryset):
        claims = list(queryset[:2])
        if len(claims) != 1:
            self.message_user(request, gettext("Choose exactly one claim to confirm."), messages.ERROR)
            return
        [claim] = claims
        try:
            identity_claim_confirm(claim=claim)
        except NotAllowed as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        detail = f"{claim.id_number} {claim.user.email}"
        audit_record(action=AuditAction.RESOLVE_ID_CLAIM, request=request, detail=detail)
        self.message_user(request, gettext("The ID number is now %(email)s's alone; the other claims were released.")
                          % {"email": claim.user.email})  # fmt: skip
