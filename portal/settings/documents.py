"""Residents' documents: their private storage, upload limits, virus scanning, how downloads are sent."""

from .core import STORAGES
from .env import BASE_DIR, DEBUG, env

# Residents' documents: private, never under MEDIA_URL or any public URL; only the permission-checked
# download view serves them. S3-compatible object storage: DOCUMENTS_STORAGE_BACKEND and its OPTIONS as JSON.
STORAGES["documents"] = {
    "BACKEND": env("DOCUMENTS_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"),
    "OPTIONS": env.json("DOCUMENTS_STORAGE_OPTIONS", default={"location": str(BASE_DIR / "private" / "documents")}),
}
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)
# Uploads are hashed as they are read (services/common/uploads.py); one over FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) is
# written to a temporary file in FILE_UPLOAD_TEMP_DIR, which the documents' storage on the same disk renames into
# place (elsewhere: copied, or sent to the bucket, from that file). Empty: the system's temporary folder.
FILE_UPLOAD_HANDLERS = [
    "services.common.uploads.HashingMemoryFileUploadHandler",
    "services.common.uploads.HashingTemporaryFileUploadHandler",
]
FILE_UPLOAD_TEMP_DIR = env("FILE_UPLOAD_TEMP_DIR", default="") or None
# An image with more pixels is refused from its header, before it is decoded: a 280 KB PNG of 9400 x 9400 pixels
# cost a web worker 7.8 s and 769 MB under Pillow's own limit (89 MP). 40 MP is a phone's largest photo and more.
DOCUMENT_MAX_PIXELS = 40_000_000
# Malware scanning: "clamd" (required outside DEBUG) or empty to switch it off (the embedded mode's default,
# where documents are usable at once). With a scanner, a document stays pending until it answers "clean".
DOCUMENT_SCANNER = env("DOCUMENT_SCANNER", default="" if DEBUG else "clamd")
CLAMD_URL = env("CLAMD_URL", default="unix:///run/clamav/clamd.ctl")  # or tcp://127.0.0.1:3310
DOCUMENT_SCAN_SWEEP_AFTER_SECONDS = env.int("DOCUMENT_SCAN_SWEEP_AFTER_SECONDS", default=600)
# Behind nginx, let it send the file: the view checks access, then answers with X-Accel-Redirect to this
# internal location (which maps onto the documents' storage location). Empty: Django streams the file.
DOCUMENTS_X_ACCEL_REDIRECT = env("DOCUMENTS_X_ACCEL_REDIRECT", default="")
