"""Payments: which provider, how long a payment may take, the local fake provider, WeChat Pay's credentials."""

from .env import env

# The adapter (services.payments.providers.PROVIDERS): "fake" (the local FakePay server) or "wechatpay".
PAYMENT_PROVIDER = env("PAYMENT_PROVIDER", default="fake")
# A payment not completed this long after it started expires (the provider is told, so it refuses it too).
PAYMENT_EXPIRY_MINUTES = env.int("PAYMENT_EXPIRY_MINUTES", default=15)
# The local fake provider that `make run` starts (python -m services.payments.fakeserver) and the tests use.
FAKEPAY_URL = env("FAKEPAY_URL", default="http://127.0.0.1:8765")
FAKEPAY_SECRET = env("FAKEPAY_SECRET", default="fakepay-local-secret")
# WeChat Pay API v3: the merchant's number and app, its API certificate's serial number and private key (PEM), WeChat
# Pay's public key (PEM) that signs answers and notifications, and the APIv3 key that encrypts notifications.
WECHATPAY_API_URL = env("WECHATPAY_API_URL", default="https://api.mch.weixin.qq.com")
WECHATPAY_MCHID = env("WECHATPAY_MCHID", default="")
WECHATPAY_APPID = env("WECHATPAY_APPID", default="")
WECHATPAY_SERIAL_NO = env("WECHATPAY_SERIAL_NO", default="")
WECHATPAY_PRIVATE_KEY = env("WECHATPAY_PRIVATE_KEY", default="")
WECHATPAY_PLATFORM_PUBLIC_KEY = env("WECHATPAY_PLATFORM_PUBLIC_KEY", default="")
WECHATPAY_APIV3_KEY = env("WECHATPAY_APIV3_KEY", default="")
