"""What a staff member may reach: one scope, built once per request, used by every staff access path (the admin's
pages and actions, document downloads on the web and in the API, bad-rating follow-ups, the dashboards)."""

from collections.abc import Mapping
from dataclasses import dataclass, field

from .models import DepartmentMembership
from .selectors import staff_mfa_missing

SUPERVISOR = DepartmentMembership.Role.SUPERVISOR


@dataclass(frozen=True)
class StaffScope:
    """The departments a user works in as staff, with their role in each; an administrator (an active staff
    superuser) reaches every department. Anyone else (a resident, an inactive account) reaches none."""

    roles: Mapping[int, str] = field(default_factory=dict)  # department id -> caseworker or supervisor
    is_staff: bool = False  # an active staff account
    is_admin: bool = False  # and a superuser: every department

    @property
    def department_ids(self) -> frozenset[int]:
        """The departments the user is a member of (an administrator may be of none, yet reaches all)."""
        return frozenset(self.roles) if self.is_staff else frozenset()

    @property
    def supervised_ids(self) -> frozenset[int]:
        """The departments the user supervises as a member."""
        return frozenset(d for d, role in self.roles.items() if role == SUPERVISOR) if self.is_staff else frozenset()

    def departments(self) -> frozenset[int] | None:
        """The departments whose work the user sees: None for every one (an administrator)."""
        return None if self.is_admin else self.department_ids

    def supervised(self) -> frozenset[int] | None:
        """The departments the user supervises: None for every one (an administrator)."""
        return None if self.is_admin else self.supervised_ids

    @property
    def works_anywhere(self) -> bool:
        return self.is_admin or bool(self.department_ids)

    @property
    def supervises_anywhere(self) -> bool:
        return self.is_admin or bool(self.supervised_ids)

    def works_in(self, department_id: int | None) -> bool:
        return self.is_admin or (department_id is not None and department_id in self.department_ids)

    def supervises(self, department_id: int | None) -> bool:
        return self.is_admin or (department_id is not None and department_id in self.supervised_ids)


NO_SCOPE = StaffScope()


def staff_scope_for(*, user) -> StaffScope:
    """Return the user's staff scope (one query for the memberships of an active staff account, none otherwise)."""
    if not (getattr(user, "is_authenticated", False) and user.is_active and user.is_staff):
        return NO_SCOPE
    roles = dict(DepartmentMembership.objects.filter(user=user).values_list("department_id", "role"))
    return StaffScope(roles=roles, is_staff=True, is_admin=user.is_superuser)


def staff_scope(request) -> StaffScope:
    """Return the staff scope of the request's user, built once per request: none at all for staff whose session
    was not signed in with two factors (STAFF_REQUIRE_MFA), so a password alone reaches no resident's data."""
    scope = getattr(request, "_staff_scope", None)
    if scope is None or scope[0] != request.user.pk:  # a login or logout within the request builds it again
        built = staff_scope_for(user=request.user)
        if built.is_staff and staff_mfa_missing(request=request):
            built = NO_SCOPE
        scope = request._staff_scope = (request.user.pk, built)
    return scope[1]
