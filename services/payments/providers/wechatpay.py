"""WeChat Pay API v3 (微信支付 APIv3), Native payments (a QR code the resident scans), as its documentation gives it:

- every request is signed: ``Authorization: WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",timestamp="…",
  serial_no="…",signature="…"``, the signature being RSA-SHA256 (PKCS#1 v1.5) with the merchant's API private key
  over ``"<METHOD>\\n<path and query>\\n<timestamp>\\n<nonce>\\n<body>\\n"``;
- answers and notifications are signed by WeChat Pay (``Wechatpay-Timestamp``, ``Wechatpay-Nonce``,
  ``Wechatpay-Signature``, ``Wechatpay-Serial``) over ``"<timestamp>\\n<nonce>\\n<body>\\n"``, checked with WeChat
  Pay's public key (the platform certificate's);
- a notification's ``resource`` is encrypted with AEAD_AES_256_GCM under the merchant's APIv3 key, with the
  resource's ``nonce`` and ``associated_data``; the plaintext is the transaction (or refund) as the query gives it.
"""

import base64
import datetime as dt
import hashlib
import json
import secrets
import time
from collections.abc import Mapping
from decimal import Decimal
from urllib.parse import urlencode, urlsplit

import requests
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from .base import (
    CLOSED,
    FAILED,
    PAID,
    PENDING,
    UNKNOWN,
    BadNotification,
    Checkout,
    Notice,
    ProviderError,
    ProviderPayment,
    StatementLine,
)

SCHEMA = "WECHATPAY2-SHA256-RSA2048"
MAX_SKEW_SECONDS = 300
# trade_state of a transaction → the portal's word (REFUND: paid, then refunded in part or whole).
STATES = {
    "SUCCESS": PAID,
    "REFUND": PAID,
    "NOTPAY": PENDING,
    "USERPAYING": PENDING,
    "CLOSED": CLOSED,
    "REVOKED": CLOSED,
    "PAYERROR": FAILED,
}


def _fen(yuan: str) -> int:
    return int(Decimal(yuan.strip() or "0") * 100)


class WeChatPay:
    code = "wechatpay"

    def __init__(self):
        self.base_url = settings.WECHATPAY_API_URL.rstrip("/")
        self.mchid, self.appid = settings.WECHATPAY_MCHID, settings.WECHATPAY_APPID
        self.serial_no = settings.WECHATPAY_SERIAL_NO
        self.private_key = serialization.load_pem_private_key(settings.WECHATPAY_PRIVATE_KEY.encode(), None)
        self.platform_key = serialization.load_pem_public_key(settings.WECHATPAY_PLATFORM_PUBLIC_KEY.encode())
        self.apiv3_key = settings.WECHATPAY_APIV3_KEY.encode()

    # --- the signature scheme --------------------------------------------------------------------------------

    def authorization(self, method: str, path: str, body: str, *, timestamp: str = "", nonce: str = "") -> str:
        """Return the Authorization header of a request (``path`` with its query)."""
        timestamp, nonce = timestamp or str(int(time.time())), nonce or secrets.token_hex(16)
        message = f"{method}\n{path}\n{timestamp}\n{nonce}\n{body}\n".encode()
        signature = base64.b64encode(self.private_key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()
        return (
            f'{SCHEMA} mchid="{self.mchid}",nonce_str="{nonce}",timestamp="{timestamp}",'
            f'serial_no="{self.serial_no}",signature="{signature}"'
        )

    def signed_by_wechatpay(self, headers: Mapping[str, str], body: str) -> bool:
        """Return whether WeChat Pay signed this answer or notification, within five minutes."""
        timestamp, nonce = headers.get("Wechatpay-Timestamp", ""), headers.get("Wechatpay-Nonce", "")
        try:
            if abs(time.time() - int(timestamp)) > MAX_SKEW_SECONDS:
                return False
            signature = base64.b64decode(headers.get("Wechatpay-Signature", ""), validate=True)
            message = f"{timestamp}\n{nonce}\n{body}\n".encode()
            self.platform_key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
        except (ValueError, InvalidSignature):
            return False
        return True

    def decrypt(self, resource: dict) -> dict:
        """Return the content of a notification's AEAD_AES_256_GCM-encrypted resource."""
        if resource.get("algorithm") != "AEAD_AES_256_GCM":
            raise BadNotification("unknown algorithm")
        try:
            plaintext = AESGCM(self.apiv3_key).decrypt(
                resource["nonce"].encode(),
                base64.b64decode(resource["ciphertext"]),
                (resource.get("associated_data") or "").encode(),
            )
            return json.loads(plaintext)
        except (KeyError, ValueError, InvalidTag) as exc:
            raise BadNotification("the resource does not decrypt") from exc

    def _call(self, method: str, path: str, payload: dict | None = None, *, signed=True) -> tuple[int, dict | str]:
        """Send a signed request; return the status and the answer, refused unless WeChat Pay signed it (``signed``:
        the bill download is the one answer that is not signed, its hash is checked instead)."""
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")) if payload is not None else ""
        headers = {
            "Authorization": self.authorization(method, path, body),
            "Accept": "application/json",
            "Content-Type": "application/json",
        }
        try:
            response = requests.request(
                method, self.base_url + path, data=body.encode() or None, headers=headers, timeout=10
            )
        except requests.RequestException as exc:
            raise ProviderError(f"WeChat Pay unreachable: {exc.__class__.__name__}") from exc
        text = response.content.decode()
        if signed and not self.signed_by_wechatpay(response.headers, text):
            raise ProviderError("WeChat Pay's answer is not signed by WeChat Pay", code="SIGN_ERROR")
        is_json = response.headers.get("Content-Type", "").startswith("application/json")
        return response.status_code, (json.loads(text) if is_json and text else text)

    def _ok(self, status: int, answer) -> dict:
        if status >= 400:
            answer = answer if isinstance(answer, dict) else {}
            raise ProviderError(answer.get("message", "refused"), code=answer.get("code", str(status)))
        return answer

    # --- the adapter ------------------------------------------------------------------------------------------

    def start(self, *, payment, description: str, notify_url: str, return_url: str) -> Checkout:
        order = {
            "appid": self.appid,
            "mchid": self.mchid,
            "description": description[:127],
            "out_trade_no": payment.trade_number,
            "time_expire": payment.expires_at.astimezone(dt.timezone(dt.timedelta(hours=8))).isoformat(
                timespec="seconds"
            ),
            "notify_url": notify_url,
            "amount": {"total": payment.amount_fen, "currency": "CNY"},
        }
        answer = self._ok(*self._call("POST", "/v3/pay/transactions/native", order))
        return Checkout(reference="", url=answer["code_url"])  # WeChat Pay names the transaction once paid

    def read(self, *, payment) -> ProviderPayment:
        path = f"/v3/pay/transactions/out-trade-no/{payment.trade_number}?{urlencode({'mchid': self.mchid})}"
        status, answer = self._call("GET", path)
        if status == 404:
            return ProviderPayment(status=UNKNOWN)
        answer = self._ok(status, answer)
        return ProviderPayment(
            status=STATES.get(answer.get("trade_state"), UNKNOWN),
            reference=answer.get("transaction_id", ""),
            amount_fen=answer.get("amount", {}).get("total"),
        )

    def verify(self, *, headers: Mapping[str, str], body: bytes) -> Notice:
        text = body.decode("utf-8", errors="replace")
        if not self.signed_by_wechatpay(headers, text):
            raise BadNotification("bad signature or timestamp")
        try:
            envelope = json.loads(text)
            transaction = self.decrypt(envelope["resource"])
            return Notice(
                event_id=str(envelope["id"]),
                trade_number=str(transaction["out_trade_no"]),
                status=STATES.get(transaction.get("trade_state"), UNKNOWN),
                amount_fen=int(transaction["amount"]["total"]),
                reference=str(transaction.get("transaction_id", "")),
                resource=transaction,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise BadNotification("not a WeChat Pay transaction notification") from exc

    def refund(self, *, refund) -> str:
        request = {
            "out_trade_no": refund.payment.trade_number,
            "out_refund_no": refund.refund_number,
            "reason": refund.reason[:80],
            "amount": {"refund": refund.amount_fen, "total": refund.payment.amount_fen, "currency": "CNY"},
        }
        answer = self._ok(*self._call("POST", "/v3/refund/domestic/refunds", request))
        if answer.get("status") not in ("SUCCESS", "PROCESSING"):
            raise ProviderError("refund refused", code=answer.get("status", ""))
        return answer["refund_id"]

    def statement(self, *, day: dt.date) -> list[StatementLine]:
        """Return the day's transactions from the trade bill (交易账单): its download URL, then the bill itself."""
        bill = self._ok(*self._call("GET", f"/v3/bill/tradebill?{urlencode({'bill_date': day.isoformat()})}"))
        url = urlsplit(bill["download_url"])
        status, text = self._call("GET", url.path + (f"?{url.query}" if url.query else ""), signed=False)
        self._ok(status, text)
        if (
            not isinstance(text, str)
            or hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest() != bill["hash_value"].lower()
        ):
            raise ProviderError("the trade bill does not match its hash", code="HASH_ERROR")
        return parse_trade_bill(text)


def parse_trade_bill(text: str) -> list[StatementLine]:
    """Return the lines of a trade bill: a header row, then one row per payment or refund, each field prefixed
    with a backquote, then the totals; a payment's refunds add up on its line."""
    rows = [line.split(",") for line in text.strip().splitlines()]
    header = [name.strip().lstrip("\ufeff") for name in rows[0]]
    lines: dict[str, dict] = {}
    for row in rows[1:]:
        if not row[0].startswith("`"):
            break  # the totals (总交易单数,…) follow the rows
        fields = dict(zip(header, (field.strip().lstrip("`") for field in row), strict=False))
        line = lines.setdefault(
            fields["商户订单号"], {"reference": fields["微信订单号"], "amount_fen": 0, "refunded_fen": 0}
        )
        if fields["交易状态"] == "SUCCESS":
            line["amount_fen"] = _fen(fields["订单金额"])
        elif fields["交易状态"] == "REFUND":
            line["refunded_fen"] += _fen(fields["退款金额"])
            line["amount_fen"] = line["amount_fen"] or _fen(fields["订单金额"])
    return [StatementLine(trade_number=number, **line) for number, line in lines.items()]
