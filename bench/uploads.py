"""`make bench` (alone: BENCH_ONLY=uploads): uploads off the request path (issue 20, item 5).

4 clients upload 40 MP photos of about 9 MB at once through the API to gunicorn (4 workers, as the other paths);
each answer is timed (target: p99 ≤ 1 s), then one documents worker checks and cleans them all (a clamd of the
bench's own with one signature when clamd is installed, as tests/integration does) and its peak resident memory is
read (target: < 200 MiB). On a database of its own: no million applications needed.
"""

import datetime as dt
import http.client
import io
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

from bench.pg import db
from bench.run import PG, PORTAL, PORTAL_ENV, Server, Workers, create_database, log, manage, shell

CLIENTS, UPLOADS_PER_CLIENT = 4, 8
CLAMD = "/usr/sbin/clamd"


def photo() -> bytes:
    """A 7000 x 5700 (40 MP) photo-like JPEG of about 9 MB: a gradient under fine noise, quality 85."""
    from PIL import Image, ImageChops

    gradient = Image.linear_gradient("L").resize((7000, 5700))
    flipped = gradient.transpose(Image.Transpose.ROTATE_180)
    noisy = [ImageChops.add(g, Image.effect_noise(gradient.size, 20), scale=2) for g in (gradient, flipped, gradient)]
    out = io.BytesIO()
    Image.merge("RGB", noisy).save(out, "JPEG", quality=85)
    return out.getvalue()


def start_clamd(folder: Path) -> tuple[subprocess.Popen | None, str]:
    """Start a clamd whose database is one signature (no download needed); return it and its URL, or (None, "")."""
    if not os.path.exists(CLAMD):
        return None, ""
    (folder / "db").mkdir()
    signature = b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE".hex()
    (folder / "db" / "bench.ndb").write_text(f"Bench.Test.EICAR:0:*:{signature}\n")
    sock = folder / "clamd.sock"
    (folder / "clamd.conf").write_text(
        f"LocalSocket {sock}\nDatabaseDirectory {folder / 'db'}\nForeground yes\nStreamMaxLength 25M\n"
    )
    process = subprocess.Popen([CLAMD, f"--config-file={folder / 'clamd.conf'}"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 60
    while not sock.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1)
    return process, f"unix://{sock}"


def upload(token: str, body: bytes, boundary: str) -> tuple[float, int]:
    """POST one multipart upload; return its seconds and status."""
    host, port = PORTAL.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    started = time.monotonic()
    connection.request("POST", "/api/v1/documents/", body=body, headers={
        "X-Session-Token": token, "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Idempotency-Key": str(uuid.uuid4()),
    })  # fmt: skip
    response = connection.getresponse()
    response.read()
    connection.close()
    return time.monotonic() - started, response.status


def multipart(data: bytes, boundary: str) -> bytes:
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"document_type\"\r\n\r\nbench-photo\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"photo.jpg\"\r\n"
            "Content-Type: image/jpeg\r\n\r\n").encode()  # fmt: skip
    return head + data + f"\r\n--{boundary}--\r\n".encode()


def load(token: str, base: bytes) -> tuple[list[float], list[int]]:
    """CLIENTS threads upload UPLOADS_PER_CLIENT distinct photos each (bytes after the JPEG's end make each new)."""
    times, statuses, lock = [], [], threading.Lock()

    def client(number: int) -> None:
        for i in range(UPLOADS_PER_CLIENT):
            boundary = uuid.uuid4().hex
            seconds, status = upload(token, multipart(base + f"bench {number} {i}".encode(), boundary), boundary)
            with lock:
                times.append(seconds)
                statuses.append(status)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times, statuses


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def measure() -> str:
    """Run the uploads path and return its table."""
    folder = Path(tempfile.mkdtemp(prefix="bench-uploads-"))
    clamd, clamd_url = start_clamd(folder)
    env = {**PORTAL_ENV, "DATABASE_URL": f"{PG}/{db('bench_uploads')}", "DOCUMENT_SCANNER": "clamd" if clamd else "",
           "CLAMD_URL": clamd_url, "DOCUMENTS_STORAGE_OPTIONS": json.dumps({"location": str(folder / "documents")}),
           "UPLOAD_FILES_RATE": "100000/hour", "UPLOAD_BYTES_RATE": "100000000000/hour"}  # fmt: skip
    try:
        create_database("bench_uploads")
        manage(env, "migrate", "--noinput")
        token = shell(env, SETUP).splitlines()[-1]
        base = photo()
        log(f"uploads: {CLIENTS} clients x {UPLOADS_PER_CLIENT} photos of {len(base) / 1e6:.1f} MB (40 MP)")
        portal = Server("portal.wsgi", PORTAL, env)
        upload(token, multipart(base + b"warm", "warm"), "warm")  # a first request per path warms imports
        times, statuses = load(token, base)
        web_kib = portal.stop()
        pending_after = int(shell(env, PENDING).splitlines()[-1])
        worker, started = Workers("portal", "documents", env, count=1), time.monotonic()
        while int(shell(env, PENDING).splitlines()[-1]) and time.monotonic() - started < 900:
            time.sleep(1)
        processing = time.monotonic() - started
        worker_kib = worker.stop()
        outcome = shell(env, OUTCOME).splitlines()[-1]
    finally:
        if clamd:
            clamd.terminate()
        shutil.rmtree(folder, ignore_errors=True)
    return render(times, statuses, pending_after, processing, web_kib, worker_kib, outcome, bool(clamd))


SETUP = """
from bench.tools import _session_for
from services.accounts.models import User
from services.catalogue.models import DocumentType
from services.documents.models import Document
DocumentType.objects.get_or_create(code="bench-photo", defaults={"name_en": "Photo", "name_zh": "照片"})
user, _ = User.objects.get_or_create(email="uploads@bench.invalid")
Document.objects.filter(owner=user).delete()
print(_session_for(user))
"""
PENDING = "from services.documents.models import Document as D; print(D.objects.filter(scan_status='pending').count())"
OUTCOME = ("from django.db.models import Count; from services.documents.models import Document; "
           "print(dict(Document.objects.values_list('scan_status').annotate(n=Count('pk'))))")  # fmt: skip


def render(times, statuses, pending_after, processing, web_kib, worker_kib, outcome, scanned) -> str:
    p99, errors = percentile(times, 99) * 1000, sum(1 for status in statuses if status != 201)
    count = len(times)
    return "\n".join([
        f"\n# Uploads off the request path {dt.datetime.now():%Y-%m-%d %H:%M}", "",
        "| path | uploads | p50 ms | p99 ms | errors | target | met |", "|---|---:|---:|---:|---:|---|---|",
        f"| 40 MP photo, ~9 MB, {CLIENTS} clients at once (API, 201 once stored and sniffed) | {count} | "
        f"{percentile(times, 50) * 1000:.0f} | {p99:.0f} | {errors} | p99 ≤ 1 s | "
        f"{'yes' if p99 <= 1000 and not errors else '**no**'} |", "",
        f"Pending when the last upload answered (no worker runs meanwhile): {pending_after} of {count + 1} (one "
        f"a warm-up). One documents worker "
        f"({'virus check by clamd, one signature, then ' if scanned else 'no scanner, '}cleaning) took "
        f"{processing:.1f} s for them all ({(count + 1) / processing:.2f} a second, start-up included): {outcome}.",
        f"Peak resident memory: documents worker {worker_kib / 1024:.0f} MiB (target < 200 MiB: "
        f"{'yes' if worker_kib < 200 * 1024 else '**no**'}), web worker {web_kib / 1024:.0f} MiB.",
    ]) + "\n"  # fmt: skip
