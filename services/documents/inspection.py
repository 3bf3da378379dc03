"""What an uploaded file really is: its type sniffed from the bytes, its name made safe, images cleaned.

Accepted: PDF (stored as uploaded), JPEG and PNG (re-encoded, which drops EXIF/GPS and anything appended),
HEIC/HEIF (converted to JPEG). The name's extension must agree with the content. An image over
DOCUMENT_MAX_PIXELS is refused from its header, before it is decoded; a PDF that can run anything (scripts, launch
or form-submitting actions, attached files, XFA forms) is refused before a caseworker's browser can open it. Every
refusal is a ValidationFailed whose message names the file and says what to do.
"""

import io
import os
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass

import pillow_heif
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from services.common.errors import ValidationFailed

pillow_heif.register_heif_opener()

MAX_NAME_LENGTH = 100


@dataclass(frozen=True)
class Kind:
    label: str
    content_type: str
    extensions: tuple[str, ...]
    pillow_format: str | None = None  # images are decoded and re-encoded with Pillow


KINDS = {
    "pdf": Kind("PDF", "application/pdf", (".pdf",)),
    "jpeg": Kind("JPEG", "image/jpeg", (".jpg", ".jpeg"), "JPEG"),
    "png": Kind("PNG", "image/png", (".png",), "PNG"),
    "heic": Kind("HEIC", "image/heic", (".heic", ".heif"), "HEIF"),
}
ACCEPTED_EXTENSIONS = tuple(ext for kind in KINDS.values() for ext in kind.extensions)
HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
# What in a PDF runs something or carries another file: keys of a dictionary, and the kinds (/S) of action.
PDF_ACTIVE_KEYS = {"/JS", "/JavaScript", "/EmbeddedFiles", "/EF", "/XFA", "/RichMedia"}
PDF_ACTIVE_ACTIONS = {
    "/JavaScript",
    "/Launch",
    "/SubmitForm",
    "/ImportData",
    "/GoToE",
    "/RichMediaExecute",
    "/Rendition",
}


@dataclass(frozen=True)
class Inspected:
    name: str  # safe for display and Content-Disposition
    content_type: str
    data: bytes  # what is stored
    pages: int


def safe_display_name(raw: str) -> str:
    """Return the last path segment of ``raw`` without control or format characters, for display only."""
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    # Cc: CR, LF, NUL...; Cf: bidi overrides that make "gpj.exe" look like "exe.jpg"; Cs, Co, Cn: not text.
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C")).replace('"', "")
    name = name.strip(" .")
    stem, ext = os.path.splitext(name)
    if len(name) > MAX_NAME_LENGTH:
        name = stem[: MAX_NAME_LENGTH - len(ext[:10])] + ext[:10]
    return name or "document"


def sniff(data: bytes) -> str | None:
    """Return the key of the kind the bytes start as, or None: only the signature at offset 0 counts."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[4:8] == b"ftyp" and data[8:12] in HEIF_BRANDS:
        return "heic"
    return None


def inspect_upload(*, name: str, data: bytes, max_bytes: int) -> Inspected:
    """Check an upload and return what to store; raise ValidationFailed with a clear message otherwise."""
    name = safe_display_name(name)
    if not data:
        _refuse(_("“%(name)s” is empty. Choose the file again.") % {"name": name})
    if len(data) > max_bytes:
        _refuse(_("“%(name)s” is larger than %(limit)s.") % {"name": name, "limit": filesizeformat(max_bytes)})
    key = sniff(data)
    if key is None:
        _refuse(
            _("“%(name)s” is not a PDF, JPEG, PNG or HEIC file. Upload a scan or photo in one of these formats.")
            % {"name": name}
        )
    kind = KINDS[key]
    stem, extension = os.path.splitext(name)
    extension = extension.lower()
    if extension not in kind.extensions:
        _refuse(
            _("The name of “%(name)s” does not match its content, which is %(kind)s. Rename it to end in %(ext)s.")
            % {"name": name, "kind": kind.label, "ext": kind.extensions[0]}
        )
    if kind.pillow_format is None:
        return Inspected(name=name, content_type=kind.content_type, data=data, pages=_pdf_pages(name, data))
    cleaned, content_type = _reencode_image(name, data, kind)
    if key == "heic":
        name = f"{stem}.jpg"
    return Inspected(name=name, content_type=content_type, data=cleaned, pages=1)


def _refuse(message: str):
    raise ValidationFailed(message, errors={"file": [message]})


def _pdf_pages(name: str, data: bytes) -> int:
    # A ZIP reader looks for the central directory from the end, so a PDF with one is also a ZIP (a polyglot):
    # it could carry anything past the type check. Refuse it rather than store two files in one.
    if zipfile.is_zipfile(io.BytesIO(data)):
        _refuse(
            _("“%(name)s” has another file hidden inside it. Save or print it again as a plain PDF.") % {"name": name}
        )
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            _refuse(_("“%(name)s” is protected with a password. Upload a copy without one.") % {"name": name})
        pages = len(reader.pages)
        active = _pdf_is_active(reader)
    except ValidationFailed:
        raise
    except Exception:  # pypdf raises many kinds of error on a broken file: each means the same to the resident
        pages = 0
    if not pages:
        _refuse(_("“%(name)s” is damaged or incomplete and cannot be opened. Save it again.") % {"name": name})
    if active:
        _refuse(
            _("“%(name)s” contains scripts, actions or attached files. Print it to a new PDF and upload that.")
            % {"name": name}
        )
    return pages


def _pdf_is_active(reader: PdfReader) -> bool:
    """Whether any object reachable from the document's catalogue is a script, a running action or a file."""
    seen, stack = set(), [reader.trailer["/Root"]]
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in seen:
                continue
            seen.add((item.idnum, item.generation))
            item = item.get_object()
        if isinstance(item, DictionaryObject):  # streams too: their dictionary, never their content
            if PDF_ACTIVE_KEYS & set(item) or item.get("/S") in PDF_ACTIVE_ACTIONS:
                return True
            if item.get("/Type") == "/EmbeddedFile":
                return True
            stack.extend(value for key, value in item.items() if key != "/Parent")
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return False


def _reencode_image(name: str, data: bytes, kind: Kind) -> tuple[bytes, str]:
    """Decode the image and encode its pixels again: EXIF (GPS included), comments and trailing bytes are dropped."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[kind.pillow_format]) as image:
                if image.width * image.height > settings.DOCUMENT_MAX_PIXELS:  # from the header, before decoding
                    raise Image.DecompressionBombError(f"{image.width}x{image.height}")
                image.load()
                pixels = ImageOps.exif_transpose(image)  # keep the photo upright once its orientation tag is gone
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        _refuse(_("“%(name)s” has too many pixels. Take the photo at a lower resolution.") % {"name": name})
    except Exception:  # a truncated or corrupt image: Pillow's errors vary by format
        _refuse(_("“%(name)s” is damaged or incomplete and cannot be opened. Save it again.") % {"name": name})
    pixels.info = {}  # no EXIF, XMP, ICC or text chunks are carried over
    out = io.BytesIO()
    if kind.pillow_format == "PNG":
        pixels.save(out, "PNG", optimize=True)
        return out.getvalue(), "image/png"
    pixels.convert("RGB").save(out, "JPEG", quality=90, optimize=True)
    return out.getvalue(), "image/jpeg"
