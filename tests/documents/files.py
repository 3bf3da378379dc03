"""Sample files for the upload tests, made here rather than shipped."""

import io
import zipfile

import pillow_heif
from PIL import ExifTags, Image
from pypdf import PdfWriter

EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (31.0, 14.0, 0.0),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (121.0, 28.0, 0.0),
}


def pdf(pages: int = 2, *, password: str = "") -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _exif_with_gps() -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Orientation] = 6  # taken sideways: the stored image must be turned upright
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(GPS)
    return exif


def image(fmt: str, *, size=(60, 40), gps: bool = True) -> bytes:
    """An image in ``fmt`` (JPEG, PNG or HEIF), with a GPS position in its EXIF unless ``gps`` is False."""
    pillow_heif.register_heif_opener()
    picture = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    options = {"exif": _exif_with_gps().tobytes()} if gps else {}
    picture.save(out, fmt, **options)
    return out.getvalue()


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.exe", b"MZ" + b"\0" * 100)
    return out.getvalue()


ELF = b"\x7fELF\x02\x01\x01\x00" + b"\0" * 200
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>'
