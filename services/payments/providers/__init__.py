"""Payment providers by code: the adapters of services.payments.providers.base's interface."""

from collections.abc import Callable

from django.conf import settings

from .base import Provider
from .fake import FakePay
from .wechatpay import WeChatPay

PROVIDERS: dict[str, Callable[[], Provider]] = {"fake": FakePay, "wechatpay": WeChatPay}


def payment_provider(code: str = "") -> Provider:
    """Return the adapter of the provider ``code`` (settings.PAYMENT_PROVIDER by default)."""
    return PROVIDERS[code or settings.PAYMENT_PROVIDER]()
