"""The provider's name and logo, printed on the cover of every report pack (an administration
setting, kept in the app's settings table: app_settings, migration 003).

The logo is a PNG or JPEG of at most 200 KB, recognised by its first bytes (never by its file
name or the type a browser claims) and opened once to check it is a whole image, so a pack
never fails on it later."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

from analysis.access import Principal
from analysis.auth.accounts import require_admin
from analysis.auth.app_settings import set_setting, setting
from analysis.store import Store

MAX_LOGO_BYTES = 200 * 1024
MAX_NAME = 80
MAGIC = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
_NAME_KEY, _LOGO_KEY = "provider_name", "provider_logo"


class BrandingError(ValueError):
    pass


@dataclass(frozen=True)
class Branding:
    name: str  # "" when none is set
    logo: bytes | None  # PNG or JPEG bytes
    logo_type: str | None  # image/png or image/jpeg


def image_type(data: bytes) -> str | None:
    """image/png or image/jpeg by the file's first bytes; None for anything else."""
    return next((kind for magic, kind in MAGIC.items() if data.startswith(magic)), None)


def branding(store: Store) -> Branding:
    name = setting(store, _NAME_KEY) or ""
    stored = setting(store, _LOGO_KEY)
    logo = base64.b64decode(stored) if stored else None
    return Branding(name, logo, image_type(logo) if logo else None)


def set_provider_name(store: Store, actor: Principal, name: str) -> str:
    """Sets the provider's name (blank: none); returns it as stored (one line, trimmed)."""
    require_admin(actor)
    clean = " ".join(name.split())
    if len(clean) > MAX_NAME:
        raise BrandingError(f"the name is {len(clean)} characters long: at most {MAX_NAME}")
    set_setting(store, _NAME_KEY, clean)
    return clean


def check_logo(data: bytes) -> str:
    """The logo's type (image/png or image/jpeg), else BrandingError saying what is wrong."""
    if len(data) > MAX_LOGO_BYTES:
        raise BrandingError(f"the logo is {len(data) // 1024:,} KB: at most {MAX_LOGO_BYTES // 1024} KB")
    kind = image_type(data)
    if kind is None:
        raise BrandingError("the logo is not a PNG or JPEG image")
    from PIL import Image  # Pillow comes with fpdf2 (the PDF pack); loaded only here

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # decodes it whole: a truncated or forged file fails here, not in a pack
            opened = image.format
    except Exception:
        raise BrandingError("the logo cannot be read as an image (a damaged or incomplete file?)") from None
    if {"PNG": "image/png", "JPEG": "image/jpeg"}.get(opened or "") != kind:
        raise BrandingError("the logo is not a PNG or JPEG image")
    return kind


def set_provider_logo(store: Store, actor: Principal, data: bytes | None) -> None:
    """Stores the logo (None removes it) once check_logo accepts it."""
    require_admin(actor)
    if data is None:
        set_setting(store, _LOGO_KEY, "")
        return
    check_logo(data)
    set_setting(store, _LOGO_KEY, base64.b64encode(data).decode("ascii"))
