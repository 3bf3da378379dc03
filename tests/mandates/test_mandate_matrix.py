"""The mandate matrix, generated from the URL configuration like the cross-account test: for every resident web
route and API operation that names an object, the agent of resident A with an active, expired, revoked or
out-of-scope mandate. Only an active mandate whose scope takes in the application's service opens A's
applications (and what hangs on them) and offers; everything else of A's stays a 404, as for a stranger."""

import datetime as dt

import pytest
from django.utils import timezone

from services.mandates.models import Mandate
from tests.api.test_cross_account import (  # the same walk of the URL configuration and the same objects
    CASES,
    OBJECT_KWARGS,
    PUBLIC,
    _area,
    _call,
    _client,
    _kwargs_of,
    _url,
    object_routes,
    world,  # noqa: F401 (a fixture)
)
from tests.factories import ServiceFactory, UserFactory

pytestmark = pytest.mark.django_db

# The objects a mandate opens to its agent: the applications of the person it is for, and their parts, the
# benefits offered to them (to take up for them), and (a mandate for every service, as these active ones are) the
# person's changes of circumstances.
OPENED = {"application", "information_request", "entitlement", "change"}
STATES = ["active", "expired", "revoked", "out_of_scope"]


def mandate_in(state: str, *, grantor, grantee, service) -> Mandate:
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    mandate = Mandate.objects.create(
        grantor=grantor,
        grantee=grantee,
        basis=Mandate.Basis.POWER_OF_ATTORNEY,
        status=Mandate.Status.REVOKED if state == "revoked" else Mandate.Status.ACTIVE,
        valid_from=yesterday - dt.timedelta(days=30),
        valid_until=yesterday if state == "expired" else None,
        all_services=state != "out_of_scope",
    )
    if state == "out_of_scope":
        mandate.services.add(ServiceFactory(department=service.department))
    return mandate


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize(("route", "method"), CASES)
def test_an_agent_reaches_only_what_an_active_mandate_in_scope_opens(route, method, state, world, service):  # noqa: F811
    owner, objects = world
    pattern = dict(object_routes())[route]
    names = [OBJECT_KWARGS[(_area(route), kwarg)] for kwarg in _kwargs_of(pattern)]
    kwargs = {kwarg: objects[name] for kwarg, name in zip(_kwargs_of(pattern), names, strict=True)}
    agent = UserFactory()
    mandate_in(state, grantor=owner, grantee=agent, service=service)

    answer = _call(_client(route, agent), method, _url(route, kwargs))

    if answer.status_code == 405:
        return  # a function view refusing the method, whoever asks (the cross-account test checks the owner)
    opened = state == "active" and {name for name in names if name not in PUBLIC} <= OPENED
    if opened:
        assert answer.status_code != 404, (answer.status_code, answer.content[:300])
    else:
        assert answer.status_code == 404, (answer.status_code, answer.content[:300])
