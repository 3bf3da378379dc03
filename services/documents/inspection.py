"""What an uploaded file really is: sniffed in the request, processed in the documents queue.

In the request (``sniff_upload``, cheap: nothing decoded, the file never read whole): the type from the first bytes,
the size, the name's extension agreeing with the content, an image's pixel count from its header (over
DOCUMENT_MAX_PIXELS it is refused before it is decoded) and a PDF that is also a ZIP (from its end). Its refusals are
a ValidationFailed whose message names the file.

In the documents worker (``process``, the heavy part): JPEG and PNG are decoded and encoded again (EXIF/GPS and
anything appended are dropped), HEIC/HEIF converted to JPEG, a PDF read (pages) and refused when it can run anything
(scripts, launch or form-submitting actions, attached files, XFA forms), is protected or damaged. Its refusals are a
``Refused`` with a code; ``refusal_message`` words a code in the reader's language when it is shown.
Both run under explicit decompression limits: Pillow's MAX_IMAGE_PIXELS and pypdf's ``PDF_LIMITS``.
"""

import io
import os
import unicodedata
import warnings
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

import pillow_heif
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps
from pypdf import PdfReader, apply_configuration
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from services.common.errors import ValidationFailed

from .models import Refusal, refusal_message

pillow_heif.register_heif_opener()

MAX_NAME_LENGTH = 100
SIGNATURE_BYTES = 12  # all ``sniff`` looks at (a HEIF brand ends at byte 12)


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


# pypdf's limits, set here rather than left to its defaults (75 MB per stream and more): what a 10 MB PDF may
# decompress to per stream, and how large its trees and arrays may be, for a worker that stays under 200 MiB.
PDF_LIMITS = {
    "maximum_declared_stream_length": 20_000_000,
    "array_based_stream_maximum_output_length": 20_000_000,
    "zlib_maximum_output_length": 20_000_000,
    "lzw_maximum_output_length": 20_000_000,
    "run_length_maximum_output_length": 20_000_000,
    "brotli_maximum_output_length": 20_000_000,
    "jbig2_maximum_output_length": 20_000_000,
    "image_maximum_buffer_size": 20_000_000,
    "stream_decoding_work_maximum_length": 60_000_000,
    "page_tree_maximum_entries": 10_000,
    "array_maximum_element_count": 100_000,
    "dictionary_maximum_element_count": 100_000,
    "jbig2dec_binary": None,  # never start an external decoder
}


# Pillow keeps 4 bytes a pixel: a JPEG with more pixels is decoded at a smaller scale (still legible: 12 MP is a
# phone's photo, an A4 page at 400 dpi), so a documents worker stays under 200 MiB whatever the photo.
DECODE_BUDGET_PIXELS = 12_000_000


class Refused(Exception):
    """The worker refuses the file; ``code`` is a Refusal."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Sniffed:
    name: str  # safe for display and Content-Disposition
    kind: str  # a key of KINDS
    content_type: str  # as uploaded (HEIC becomes JPEG once processed)
    extension: str  # of the file stored until it is processed


@dataclass(frozen=True)
class Processed:
    name: str
    content_type: str
    data: bytes  # what is kept
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


def sniff_upload(*, name: str, file: IO[bytes], size: int, max_bytes: int) -> Sniffed:
    """Check what an upload of ``size`` bytes is from its first bytes and headers, without decoding it or reading it
    whole; raise ValidationFailed with a clear message otherwise."""
    name = safe_display_name(name)
    if not size:
        _refuse(_("“%(name)s” is empty. Choose the file again.") % {"name": name})
    if size > max_bytes:
        _refuse(_("“%(name)s” is larger than %(limit)s.") % {"name": name, "limit": filesizeformat(max_bytes)})
    file.seek(0)
    key = sniff(file.read(SIGNATURE_BYTES))
    if key is None:
        _refuse(
            _("“%(name)s” is not a PDF, JPEG, PNG or HEIC file. Upload a scan or photo in one of these formats.")
            % {"name": name}
        )
    kind = KINDS[key]
    extension = os.path.splitext(name)[1].lower()
    if extension not in kind.extensions:
        _refuse(
            _("The name of “%(name)s” does not match its content, which is %(kind)s. Rename it to end in %(ext)s.")
            % {"name": name, "kind": kind.label, "ext": kind.extensions[0]}
        )
    if kind.pillow_format is None:
        # A ZIP reader looks for the central directory from the end, so a PDF with one is also a ZIP (a polyglot):
        # it could carry anything past the type check. Refuse it rather than store two files in one.
        if zipfile.is_zipfile(file):  # reads the end only
            _refuse(
                _("“%(name)s” has another file hidden inside it. Save or print it again as a plain PDF.")
                % {"name": name}
            )
    else:
        try:
            file.seek(0)
            with _open_image(file, kind):  # the header only: the pixels are decoded in the worker
                pass
        except Refused as exc:
            _refuse(refusal_message(exc.code, name))
    return Sniffed(name=name, kind=key, content_type=kind.content_type, extension=kind.extensions[0])


def _refuse(message: str):
    raise ValidationFailed(message, errors={"file": [message]})


def process(*, kind: str, name: str, data: bytes) -> Processed:
    """Decode and clean what was sniffed as ``kind``; raise Refused with the reason's code otherwise."""
    if KINDS[kind].pillow_format is None:
        return Processed(name=name, content_type=KINDS[kind].content_type, data=data, pages=_pdf_pages(data))
    cleaned, content_type = _reencode_image(data, KINDS[kind])
    if kind == "heic":
        name = f"{os.path.splitext(name)[0]}.jpg"
    return Processed(name=name, content_type=content_type, data=cleaned, pages=1)


def _pdf_pages(data: bytes) -> int:
    try:
        with apply_configuration(**PDF_LIMITS):
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise Refused(Refusal.PROTECTED)
            pages = len(reader.pages)
            active = _pdf_is_active(reader)
    except Refused:
        raise
    except Exception:  # pypdf raises many kinds of error on a broken file (or one past its limits): all are damage
        pages = 0
    if not pages:
        raise Refused(Refusal.DAMAGED)
    if active:
        raise Refused(Refusal.ACTIVE)
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


@contextmanager
def _open_image(file: IO[bytes], kind: Kind):
    """Open the image from its header (Pillow reads no further until the pixels are loaded), refusing more than
    DOCUMENT_MAX_PIXELS before anything is decoded."""
    Image.MAX_IMAGE_PIXELS = settings.DOCUMENT_MAX_PIXELS  # Pillow's own limit, explicitly the portal's
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file, formats=[kind.pillow_format]) as image:
                if image.width * image.height > settings.DOCUMENT_MAX_PIXELS:
                    raise Image.DecompressionBombError(f"{image.width}x{image.height}")
                yield image
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise Refused(Refusal.TOO_MANY_PIXELS) from None
    except Refused:
        raise
    except Exception:  # a truncated or corrupt image: Pillow's errors vary by format
        raise Refused(Refusal.DAMAGED) from None


def _decode_within_budget(image: Image.Image) -> None:
    """Have a JPEG over DECODE_BUDGET_PIXELS decoded at 1/2, 1/4 or 1/8 of its size (libjpeg's DCT scaling, no
    full-size copy first), the first that fits: a 40 MP photo costs 40 MB of pixels instead of 160 MB."""
    if image.format != "JPEG" or image.width * image.height <= DECODE_BUDGET_PIXELS:
        return
    factor = next((f for f in (2, 4, 8) if (image.width // f) * (image.height // f) <= DECODE_BUDGET_PIXELS), 8)
    image.draft("RGB", (-(-image.width // factor), -(-image.height // factor)))


def _reencode_image(data: bytes, kind: Kind) -> tuple[bytes, str]:
    """Decode the image and encode its pixels again: EXIF (GPS included), comments and trailing bytes are dropped.

    One copy of the pixels at a time where it can be (turned upright in place, converted only when not RGB already,
    a large JPEG decoded at a smaller scale)."""
    with _open_image(io.BytesIO(data), kind) as image:
        try:
            _decode_within_budget(image)
            image.load()
            ImageOps.exif_transpose(image, in_place=True)  # keep the photo upright once its orientation tag is gone
        except Exception:
            raise Refused(Refusal.DAMAGED) from None
        image.info = {}  # no EXIF, XMP, ICC or text chunks are carried over
        out = io.BytesIO()
        if kind.pillow_format == "PNG":
            image.save(out, "PNG", optimize=True)
            return out.getvalue(), "image/png"
        pixels = image if image.mode in ("RGB", "L") else image.convert("RGB")
        pixels.save(out, "JPEG", quality=90)
        return out.getvalue(), "image/jpeg"
