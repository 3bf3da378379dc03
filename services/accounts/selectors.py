from django.db.models import QuerySet

from .models import DepartmentMembership, ResidentProfile, User


def profile_for_user(*, user: User) -> ResidentProfile:
    """Return the user's resident profile, an unsaved empty one if they have none yet."""
    try:
        return user.profile
    except ResidentProfile.DoesNotExist:
        return ResidentProfile(user=user)


def department_ids_for_staff(*, user: User, roles: tuple[str, ...] | None = None) -> list[int]:
    """Return the ids of the departments whose applications this staff member works on."""
    memberships: QuerySet = DepartmentMembership.objects.filter(user=user)
    if roles:
        memberships = memberships.filter(role__in=roles)
    return list(memberships.values_list("department_id", flat=True))


def is_supervisor_of(*, user: User, department_id: int) -> bool:
    """Return whether the user supervises the department."""
    return DepartmentMembership.objects.filter(
        user=user, department_id=department_id, role=DepartmentMembership.Role.SUPERVISOR
    ).exists()
