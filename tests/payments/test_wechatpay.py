"""The WeChat Pay API v3 adapter against a local server replaying answers recorded from WeChat Pay's documentation
(Native order, query by out_trade_no, refund, trade bill), signed as WeChat Pay signs them; notifications built as
its documentation shows (AEAD_AES_256_GCM resource). The keys are made for the test."""

import base64
import datetime as dt
import hashlib
import json
import re
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from services.applications.models import Application
from services.payments.models import Payment, PaymentStatus, Refund
from services.payments.providers.base import PAID, UNKNOWN, BadNotification, ProviderError
from services.payments.providers.wechatpay import WeChatPay, parse_trade_bill

MCHID, APPID, SERIAL = "1230000109", "wxd678efh567hg6787", "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
APIV3_KEY = "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb"  # 32 bytes, as WeChat Pay's APIv3 keys are
TRADE = "1217752501201407033233368018"
# Recorded from WeChat Pay's documentation (the query's example answer), with the test's order number.
TRANSACTION = {
    "amount": {"currency": "CNY", "payer_currency": "CNY", "payer_total": 4000, "total": 4000},
    "appid": APPID,
    "attach": "",
    "bank_type": "OTHERS",
    "mchid": MCHID,
    "out_trade_no": "",
    "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
    "success_time": "2018-06-08T10:34:56+08:00",
    "trade_state": "SUCCESS",
    "trade_state_desc": "支付成功",
    "trade_type": "NATIVE",
    "transaction_id": TRADE,
}
BILL = (
    "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,"
    "应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,"
    "费率,订单金额,申请退款金额,费率备注\n"
    "`2018-06-08 10:34:56,`wxd678efh567hg6787,`1230000109,`0,`,`4200000001,`{a},`oUpF8uMuA,`NATIVE,`SUCCESS,`OTHERS,"
    "`CNY,`40.00,`0.00,`0,`0,`0.00,`0.00,`,`,`HLT-2026-000001,`,`0.24000,`0.60%,`40.00,`0.00,`\n"
    "`2018-06-08 11:00:00,`wxd678efh567hg6787,`1230000109,`0,`,`4200000001,`{a},`oUpF8uMuA,`NATIVE,`REFUND,`OTHERS,"
    "`CNY,`0.00,`0.00,`5000000001,`{r},`15.00,`0.00,`ORIGINAL,`SUCCESS,`HLT-2026-000001,`,`-0.09000,`0.60%,`0.00,"
    "`15.00,`\n"
    "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\n"
    "`2,`40.00,`15.00,`0.00,`0.15000,`40.00,`15.00\n"
)


def pem_private(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def pem_public(key) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@pytest.fixture(scope="module")
def keys():
    return {
        "merchant": rsa.generate_private_key(public_exponent=65537, key_size=2048),
        "platform": rsa.generate_private_key(public_exponent=65537, key_size=2048),
    }


def wechatpay_headers(platform_key, body: str, *, timestamp: str | None = None) -> dict:
    """Sign an answer or a notification as WeChat Pay does."""
    timestamp, nonce = timestamp or str(int(time.time())), secrets.token_hex(16)
    message = f"{timestamp}\n{nonce}\n{body}\n".encode()
    signature = base64.b64encode(platform_key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()
    return {
        "Wechatpay-Timestamp": timestamp,
        "Wechatpay-Nonce": nonce,
        "Wechatpay-Signature": signature,
        "Wechatpay-Serial": "PUB_KEY_ID_0112340000000000",
    }


class Recording:
    """A local WeChat Pay: checks each request's signature with the merchant's public key, records it, and answers
    the recorded answer for its path, signed with the platform key."""

    def __init__(self, keys):
        self.keys, self.requests, self.answers = keys, [], {}
        recording = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):
                pass

            def _handle(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                recording.requests.append(
                    {"method": self.command, "path": self.path, "body": body, "signed": recording.verify(self, body)}
                )
                status, answer, content_type = recording.answers.get(
                    (self.command, urlsplit(self.path).path), (404, {}, "json")
                )
                text = answer if isinstance(answer, str) else json.dumps(answer, ensure_ascii=False)
                self.send_response(status)
                self.send_header("Content-Type", "application/json" if content_type == "json" else "text/plain")
                headers = wechatpay_headers(recording.keys["platform"], text)
                if content_type == "forged":
                    headers["Wechatpay-Signature"] = base64.b64encode(b"x" * 256).decode()
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(text.encode())

            do_GET = do_POST = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def verify(self, request, body: str) -> bool:
        schema, _, fields = request.headers["Authorization"].partition(" ")
        values = dict(re.findall(r'(\w+)="([^"]*)"', fields))
        message = f"{request.command}\n{request.path}\n{values['timestamp']}\n{values['nonce_str']}\n{body}\n"
        try:
            self.keys["merchant"].public_key().verify(
                base64.b64decode(values["signature"]), message.encode(), padding.PKCS1v15(), hashes.SHA256()
            )
        except Exception:
            return False
        return schema == "WECHATPAY2-SHA256-RSA2048" and values["mchid"] == MCHID and values["serial_no"] == SERIAL


@pytest.fixture
def wechatpay(settings, keys):
    recording = Recording(keys)
    settings.WECHATPAY_API_URL = recording.url
    settings.WECHATPAY_MCHID, settings.WECHATPAY_APPID, settings.WECHATPAY_SERIAL_NO = MCHID, APPID, SERIAL
    settings.WECHATPAY_PRIVATE_KEY = pem_private(keys["merchant"])
    settings.WECHATPAY_PLATFORM_PUBLIC_KEY = pem_public(keys["platform"])
    settings.WECHATPAY_APIV3_KEY = APIV3_KEY
    yield recording
    recording.server.shutdown()
    recording.server.server_close()


@pytest.fixture
def payment(unpaid, resident):
    return Payment.objects.create(
        application=unpaid,
        payer=resident,
        amount_fen=4000,
        provider="wechatpay",
        status=PaymentStatus.PENDING,
        expires_at=dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC),
    )


def notification(keys, transaction: dict, *, key: str = APIV3_KEY, timestamp: str | None = None) -> tuple[bytes, dict]:
    """A payment notification as WeChat Pay's documentation shows it, its resource encrypted with the APIv3 key."""
    nonce = secrets.token_hex(6)
    ciphertext = AESGCM(key.encode()).encrypt(nonce.encode(), json.dumps(transaction).encode(), b"transaction")
    envelope = {
        "id": "EV-2018022511223320873",
        "create_time": "2015-05-20T13:29:35+08:00",
        "resource_type": "encrypt-resource",
        "event_type": "TRANSACTION.SUCCESS",
        "summary": "支付成功",
        "resource": {
            "original_type": "transaction",
            "algorithm": "AEAD_AES_256_GCM",
            "ciphertext": base64.b64encode(ciphertext).decode(),
            "associated_data": "transaction",
            "nonce": nonce,
        },
    }
    body = json.dumps(envelope, ensure_ascii=False)
    return body.encode(), wechatpay_headers(keys["platform"], body, timestamp=timestamp)


pytestmark = pytest.mark.django_db


def test_a_native_order_is_signed_and_gives_the_code_url(wechatpay, payment):
    wechatpay.answers[("POST", "/v3/pay/transactions/native")] = (
        200,
        {"code_url": "weixin://wxpay/bizpayurl?pr=p4lpSuKzz"},
        "json",
    )

    checkout = WeChatPay().start(
        payment=payment, description="HLT-2026-000001 证书", notify_url="https://portal.example/n/", return_url=""
    )

    sent = wechatpay.requests[0]
    order = json.loads(sent["body"])
    assert checkout.url == "weixin://wxpay/bizpayurl?pr=p4lpSuKzz"
    assert sent["signed"]
    assert order["out_trade_no"] == payment.trade_number and order["amount"] == {"total": 4000, "currency": "CNY"}
    assert (order["mchid"], order["appid"]) == (MCHID, APPID)
    assert order["time_expire"] == "2026-12-07T18:00:00+08:00"


def test_the_query_reads_a_paid_transaction_and_an_unknown_order(wechatpay, payment):
    path = f"/v3/pay/transactions/out-trade-no/{payment.trade_number}"
    wechatpay.answers[("GET", path)] = (200, {**TRANSACTION, "out_trade_no": payment.trade_number}, "json")

    paid = WeChatPay().read(payment=payment)
    wechatpay.answers[("GET", path)] = (404, {"code": "ORDER_NOT_EXIST", "message": "订单不存在"}, "json")
    unknown = WeChatPay().read(payment=payment)

    assert (paid.status, paid.amount_fen, paid.reference) == (PAID, 4000, TRADE)
    assert unknown.status == UNKNOWN
    assert wechatpay.requests[0]["path"] == f"{path}?mchid={MCHID}" and wechatpay.requests[0]["signed"]


def test_an_answer_not_signed_by_wechatpay_is_refused(wechatpay, payment):
    path = f"/v3/pay/transactions/out-trade-no/{payment.trade_number}"
    wechatpay.answers[("GET", path)] = (200, {**TRANSACTION, "out_trade_no": payment.trade_number}, "forged")

    with pytest.raises(ProviderError) as error:
        WeChatPay().read(payment=payment)

    assert error.value.code == "SIGN_ERROR"


def test_a_notification_is_verified_and_decrypted(wechatpay, keys, payment):
    body, headers = notification(keys, {**TRANSACTION, "out_trade_no": payment.trade_number})

    notice = WeChatPay().verify(headers=headers, body=body)

    assert (notice.event_id, notice.trade_number, notice.status) == (
        "EV-2018022511223320873",
        payment.trade_number,
        PAID,
    )
    assert (notice.amount_fen, notice.reference) == (4000, TRADE)


@pytest.mark.parametrize("fault", ["tampered", "wrong key", "stale", "unsigned"])
def test_a_notification_not_from_wechatpay_is_refused(wechatpay, keys, payment, fault):
    transaction = {**TRANSACTION, "out_trade_no": payment.trade_number}
    stale = str(int(time.time()) - 600) if fault == "stale" else None
    body, headers = notification(
        keys, transaction, key="0" * 32 if fault == "wrong key" else APIV3_KEY, timestamp=stale
    )
    if fault == "tampered":
        body = body.replace(b"TRANSACTION.SUCCESS", b"TRANSACTION.REFUND")
    if fault == "unsigned":
        headers = {}

    with pytest.raises(BadNotification):
        WeChatPay().verify(headers=headers, body=body)


def test_the_portal_takes_a_wechatpay_notification(
    wechatpay, keys, payment, client, django_capture_on_commit_callbacks
):
    body, headers = notification(keys, {**TRANSACTION, "out_trade_no": payment.trade_number})

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/payments/notify/wechatpay/", data=body, content_type="application/json", headers=headers
        )

    payment.refresh_from_db()
    assert response.status_code == 200 and response.json()["code"] == "SUCCESS"
    assert (payment.status, payment.provider_reference) == (PaymentStatus.PAID, TRADE)
    assert Application.objects.get(pk=payment.application_id).status == "routed"


def test_a_refund_is_sent_signed(wechatpay, payment):
    wechatpay.answers[("POST", "/v3/refund/domestic/refunds")] = (
        200,
        {
            "refund_id": "50000000382019052709732678859",
            "out_refund_no": "1217752501201407033233368018",
            "transaction_id": TRADE,
            "out_trade_no": payment.trade_number,
            "channel": "ORIGINAL",
            "user_received_account": "招商银行信用卡0403",
            "create_time": "2020-12-01T16:18:12+08:00",
            "status": "PROCESSING",
            "amount": {"total": 4000, "refund": 1500, "payer_total": 4000, "payer_refund": 1500, "currency": "CNY"},
        },
        "json",
    )
    refund = Refund(payment=payment, amount_fen=1500, reason="只办理了一份")

    reference = WeChatPay().refund(refund=refund)

    sent = json.loads(wechatpay.requests[0]["body"])
    assert reference == "50000000382019052709732678859"
    assert sent["amount"] == {"refund": 1500, "total": 4000, "currency": "CNY"}
    assert sent["out_refund_no"] == refund.refund_number and wechatpay.requests[0]["signed"]


def test_the_statement_comes_from_the_trade_bill_checked_by_its_hash(wechatpay):
    bill = BILL.format(a="a" * 32, r="r" * 32)
    digest = hashlib.sha1(bill.encode()).hexdigest()  # noqa: S324 - the bill's hash as WeChat Pay gives it
    download = f"{wechatpay.url}/v3/billdownload/file?token=6XIv5TUPto7pByrTQKhd6kwvyKLG2uY2wMMR8cNXqaA"
    wechatpay.answers[("GET", "/v3/bill/tradebill")] = (
        200,
        {"hash_type": "SHA1", "hash_value": digest, "download_url": download},
        "json",
    )
    wechatpay.answers[("GET", "/v3/billdownload/file")] = (200, bill, "text")

    lines = WeChatPay().statement(day=dt.date(2018, 6, 8))
    wechatpay.answers[("GET", "/v3/bill/tradebill")] = (
        200,
        {"hash_type": "SHA1", "hash_value": "0" * 40, "download_url": download},
        "json",
    )
    with pytest.raises(ProviderError):
        WeChatPay().statement(day=dt.date(2018, 6, 8))

    assert [(line.trade_number, line.amount_fen, line.refunded_fen) for line in lines] == [("a" * 32, 4000, 1500)]
    assert wechatpay.requests[0]["path"] == "/v3/bill/tradebill?bill_date=2018-06-08"


def test_a_bill_with_no_rows_is_an_empty_statement():
    header = BILL.splitlines()[0]
    assert parse_trade_bill(f"{header}\n总交易单数,应结订单总金额\n`0,`0.00\n") == []
