"""A credential is issued on approval, signed with the department's key, verified by anyone through the public page
and API (valid, revoked, expired, forged), and revoked by its department."""

import base64
import datetime as dt
import json
import re

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from services.applications.actions import application_decide
from services.credentials import tokens
from services.credentials.actions import credential_revoke, credential_token, signing_key_rotate
from services.credentials.models import State
from services.events.models import TYPE_PREFIX, Event
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def verify_api(token):
    return APIClient().get("/api/v1/credentials/verify/", {"token": token}).json()


def verify_page(client, token) -> str:
    return client.get("/credentials/verify/", {"token": token}, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_approval_issues_the_services_credential_with_its_event(approved, credential_type):
    credential = approved.credentials.get()

    assert credential.holder == approved.applicant and credential.department == credential_type.department
    assert credential.claims["reference"] == approved.reference and credential.claims["full_name"] == "Li Lei"
    assert credential.state() == State.ACTIVE
    assert credential.valid_until.date() == (credential.valid_from + dt.timedelta(days=365)).date()
    issued = Event.objects.get(type=f"{TYPE_PREFIX}credential.issued")
    assert issued.subject == str(credential.public_id) and "Li Lei" not in json.dumps(issued.data)


def test_a_rejection_issues_nothing(credential_type, service):
    application = ApplicationFactory(in_review=True, service=service)
    application_decide(application=application, by=application.assignee, approve=False, reason="No.")
    assert not application.credentials.exists()


def test_issue_verify_revoke_verify_through_the_page_and_the_api(
    client, credential, django_capture_on_commit_callbacks
):
    token = credential.token

    assert verify_api(token)["result"] == "valid"  # its status is now in the cache
    assert "Valid" in verify_page(client, token)

    with django_capture_on_commit_callbacks(execute=True):
        credential_revoke(credential=credential)

    assert verify_api(token)["result"] == "revoked"  # at once: the revocation's commit dropped the cached status
    assert "Revoked" in verify_page(client, token)
    assert Event.objects.filter(type=f"{TYPE_PREFIX}credential.revoked", subject=str(credential.public_id)).exists()


def test_an_expired_credential(credential):
    credential.valid_until = timezone.now() - dt.timedelta(days=1)
    credential.save()
    assert verify_api(credential.token)["result"] == "expired"


def test_a_forged_or_tampered_token_is_forged(client, credential):
    header, payload, signature = credential.token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["exp"] += 10 * 365 * 86400  # ten more years
    tampered = ".".join([header, base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("="), signature])
    _kid, private_jwk, _public = tokens.new_key_pair()  # a key no department published
    forged = tokens.sign(payload=claims, private_jwk=private_jwk)

    for token in (tampered, forged, "not-a-token"):
        assert verify_api(token)["result"] == "forged"
        assert verify_api(token)["claims"] == {}
    assert "Not genuine" in verify_page(client, forged)
    assert APIClient().get("/api/v1/credentials/verify/").status_code == 400


def test_the_qr_code_shows_only_what_the_holder_chose(client, credential):
    client.force_login(credential.holder)

    page = client.get(f"/credentials/{credential.public_id}/", {"show": ["full_name"]}).content.decode()

    token = re.search(r'<code class="token">([\w.\-]+)</code>', page).group(1)
    assert "<svg" in page
    assert verify_api(token) | {"valid_from": None, "valid_until": None} == {
        "result": "valid", "type": "family-doctor", "type_name": "家庭医生签约凭证",
        "issuer": credential.department.code, "valid_from": None, "valid_until": None,
        "claims": {"full_name": "Li Lei"},
    }  # fmt: skip
    assert verify_api(credential_token(credential=credential, claims={}))["claims"] == {}


def test_keys_rotate_and_what_old_keys_signed_still_verifies(client, credential):
    old_kid = json.loads(base64.urlsafe_b64decode(credential.token.split(".")[0] + "=="))["kid"]

    new_key = signing_key_rotate(department=credential.department)

    kids = {key["kid"] for key in client.get("/credentials/jwks.json").json()["keys"]}
    assert kids == {old_kid, new_key.kid}
    assert all("d" not in key for key in client.get("/credentials/jwks.json").json()["keys"])  # public halves only
    assert verify_api(credential.token)["result"] == "valid"
    fresh = credential_token(credential=credential, claims={})
    assert json.loads(base64.urlsafe_b64decode(fresh.split(".")[0] + "=="))["kid"] == new_key.kid


def test_another_persons_credential_is_a_404(client, credential, resident):
    client.force_login(resident)
    assert client.get(f"/credentials/{credential.public_id}/").status_code == 404
    assert client.get("/credentials/").status_code == 200


def test_a_new_credential_supersedes_the_earlier_one(approved, credential_type, service):
    earlier = approved.credentials.get()
    again = ApplicationFactory(in_review=True, service=service, applicant=approved.applicant)

    application_decide(application=again, by=again.assignee, approve=True)

    later = again.credentials.get()
    earlier.refresh_from_db()
    assert later.supersedes == earlier and earlier.status == State.REVOKED
