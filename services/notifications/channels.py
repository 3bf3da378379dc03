"""The delivery channels (a registry: channel → how to send, who wants it, where to fall back) and the SMS and
push backends (registries too).

A channel raises PermanentFailure when trying again cannot help (no mobile number, address refused) and
TemporaryFailure when it may (gateway or mail server down); anything else counts as temporary.

Each HTTP gateway has a circuit breaker (in the cache, shared by the workers): after GATEWAY_CIRCUIT_FAILURES
temporary failures in a row it is left alone for GATEWAY_CIRCUIT_OPEN_SECONDS, and its messages fail at once
to their fallback channel instead of each waiting for the gateway's timeout, attempt after attempt.
"""

import json
import logging
import smtplib
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives

from services.accounts.models import User
from services.accounts.selectors import device_tokens_for_user, profile_for_user

from .models import Channel, Notification
from .rendering import Message

logger = logging.getLogger(__name__)


class PermanentFailure(Exception):
    """Sending through this channel cannot succeed; fall back to another."""


class TemporaryFailure(Exception):
    """Sending failed this time; try again later."""


class ConsoleSmsBackend:
    """Print text messages to standard output (development; a worker's log shows them)."""

    def send(self, *, to: str, text: str, reference: str) -> None:
        sys.stdout.write(f"SMS to {to} [{reference}]: {text}\n")
        sys.stdout.flush()


class HttpGatewaySmsBackend:
    """Post each text message as JSON to an HTTP SMS gateway: {"to", "text", "reference"} with a bearer token.

    ``reference`` is the same on every retry of one message, so a gateway that deduplicates on it never
    sends a message twice.
    """

    def send(self, *, to: str, text: str, reference: str) -> None:
        if not settings.SMS_GATEWAY_URL:
            raise PermanentFailure("SMS_GATEWAY_URL is not set")
        _post_to_gateway(
            "SMS gateway",
            url=settings.SMS_GATEWAY_URL,
            token=settings.SMS_GATEWAY_TOKEN,
            body={"to": to, "text": text, "reference": reference},
            timeout=settings.SMS_GATEWAY_TIMEOUT_SECONDS,
        )


def _post_to_gateway(name: str, *, url: str, token: str, body: dict, timeout: float) -> None:
    """Post ``body`` as JSON through the gateway's circuit breaker (module docstring)."""
    key = name.lower().replace(" ", "-")
    if cache.get(f"gateway-circuit-open:{key}"):
        raise PermanentFailure(f"{name} is failing (circuit open): another channel takes over")
    try:
        _post(name, url=url, token=token, body=body, timeout=timeout)
    except TemporaryFailure:
        _gateway_failed(name, key)
        raise
    cache.delete(f"gateway-failures:{key}")


def _gateway_failed(name: str, key: str) -> None:
    """Count a temporary failure of the gateway; open its circuit at GATEWAY_CIRCUIT_FAILURES in a row."""
    counter, seconds = f"gateway-failures:{key}", settings.GATEWAY_CIRCUIT_OPEN_SECONDS
    cache.add(counter, 0, seconds)
    try:
        failures = cache.incr(counter) or 0  # None: the cache is down, and there is no breaker
    except ValueError:  # expired between add and incr
        failures = 1
    if failures >= settings.GATEWAY_CIRCUIT_FAILURES:
        cache.set(f"gateway-circuit-open:{key}", True, seconds)
        cache.delete(counter)
        logger.warning("%s failed %d times in a row: circuit open for %d s", name, failures, seconds)


def _post(name: str, *, url: str, token: str, body: dict, timeout: float) -> None:
    """Post ``body`` as JSON with a bearer token. 2xx is sent; 4xx (but 408 and 429) is permanent; anything else,
    no connection or no answer within ``timeout`` seconds is temporary."""
    request = urllib.request.Request(  # noqa: S310 (the URL is the operator's setting)
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout):  # noqa: S310  # nosec B310  # the operator's URL
            return
    except urllib.error.HTTPError as exc:
        if 400 <= exc.code < 500 and exc.code not in (408, 429):
            raise PermanentFailure(f"{name} refused the message: HTTP {exc.code}") from exc
        raise TemporaryFailure(f"{name}: HTTP {exc.code}") from exc
    except OSError as exc:
        if isinstance(exc, TimeoutError) or isinstance(getattr(exc, "reason", None), TimeoutError):
            raise TemporaryFailure(f"{name}: no answer within {timeout:g} s") from exc
        raise TemporaryFailure(f"{name} unreachable: {exc}") from exc


SMS_BACKENDS = {"console": ConsoleSmsBackend, "http": HttpGatewaySmsBackend}


class ConsolePushBackend:
    """Print push messages to standard output (development; a worker's log shows them)."""

    def send(self, *, tokens: list[str], title: str, body: str, reference: str, path: str) -> None:
        sys.stdout.write(f"Push to {len(tokens)} device(s) [{reference}]: {title} {path}\n")
        sys.stdout.flush()


class HttpGatewayPushBackend:
    """Post each push message as JSON to an HTTP push gateway (which speaks APNs and FCM): {"tokens", "title",
    "body", "reference", "path"} with a bearer token, one request for all the recipient's phones.

    ``reference`` is the same on every retry of one message, so a gateway that deduplicates on it never pushes
    a message twice; ``path`` is the portal page the app opens.
    """

    def send(self, *, tokens: list[str], title: str, body: str, reference: str, path: str) -> None:
        if not settings.PUSH_GATEWAY_URL:
            raise PermanentFailure("PUSH_GATEWAY_URL is not set")
        _post_to_gateway(
            "Push gateway",
            url=settings.PUSH_GATEWAY_URL,
            token=settings.PUSH_GATEWAY_TOKEN,
            body={"tokens": tokens, "title": title, "body": body, "reference": reference, "path": path},
            timeout=settings.PUSH_GATEWAY_TIMEOUT_SECONDS,
        )


PUSH_BACKENDS = {"console": ConsolePushBackend, "http": HttpGatewayPushBackend}


def send_in_app(notification: Notification, message: Message) -> None:
    """Nothing to send: the inbox shows a delivered in-app notification, worded when it is read."""


def send_email(notification: Notification, message: Message) -> None:
    domain = urlsplit(settings.PORTAL_URL).hostname or "portal"
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text,
        to=[notification.recipient.email],
        # The same Message-ID on every attempt lets mail systems drop a duplicate.
        headers={"Message-ID": f"<{notification.public_id}@{domain}>"},
    )
    email.attach_alternative(message.html, "text/html")
    try:
        email.send()
    except smtplib.SMTPRecipientsRefused as exc:
        raise PermanentFailure(f"the mail server refused the address: {exc}") from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise TemporaryFailure(f"mail server: {exc}") from exc


def send_sms(notification: Notification, message: Message) -> None:
    phone = getattr(getattr(notification.recipient, "profile", None), "phone", "")
    if not phone:
        raise PermanentFailure("no mobile number in the profile")
    SMS_BACKENDS[settings.SMS_BACKEND]().send(to=phone, text=message.sms, reference=str(notification.public_id))


def send_push(notification: Notification, message: Message) -> None:
    if not settings.PUSH_ENABLED:
        raise PermanentFailure("push is switched off (PUSH_ENABLED)")
    tokens = device_tokens_for_user(user=notification.recipient)
    if not tokens:
        raise PermanentFailure("no registered device")  # unregistered since the message was made
    PUSH_BACKENDS[settings.PUSH_BACKEND]().send(
        tokens=tokens,
        title=message.subject,
        body=message.body,
        reference=str(notification.public_id),
        path=notification.payload.get("path", ""),
    )


def wanted_by_everyone(user: User) -> bool:
    return True


def wants_email(user: User) -> bool:
    return profile_for_user(user=user).notify_by_email  # staff (no profile): the default, yes


def wants_sms(user: User) -> bool:
    return profile_for_user(user=user).notify_by_sms


def wants_push(user: User) -> bool:
    return settings.PUSH_ENABLED and bool(device_tokens_for_user(user=user))  # a registered phone is the choice


@dataclass(frozen=True)
class ChannelSpec:
    """One channel: how a message is sent, whether a recipient wants it, and which channels take over (in
    order, the first not tried yet) when it fails for good, chosen or not: an information request must not be
    missed."""

    send: Callable[[Notification, Message], None]
    wanted_by: Callable[[User], bool]
    fallback: tuple[Channel, ...] = ()


CHANNELS: dict[Channel, ChannelSpec] = {
    # The inbox is the record: every message, and it cannot fail.
    Channel.IN_APP: ChannelSpec(send=send_in_app, wanted_by=wanted_by_everyone),
    Channel.EMAIL: ChannelSpec(send=send_email, wanted_by=wants_email, fallback=(Channel.SMS,)),
    Channel.SMS: ChannelSpec(send=send_sms, wanted_by=wants_sms, fallback=(Channel.EMAIL,)),
    # No fallback: a push only points to the message the inbox already has, and a dead token (4xx) is no reason
    # to send an email or SMS the resident did not choose (those they chose have their own rows).
    Channel.PUSH: ChannelSpec(send=send_push, wanted_by=wants_push),
}
