"""E-mail through the SMTP server named in the app's secrets: the [smtp] section of
.streamlit/secrets.toml (UPTAKE_SECRETS_FILE names another file):

    [smtp]
    host = "smtp.example.com"
    port = 587
    starttls = true
    user = "uptake@example.com"
    password = "..."
    from = "Uptake <uptake@example.com>"
"""

from __future__ import annotations

import os
import smtplib
import ssl
import tomllib
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

TIMEOUT = 20  # seconds


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    starttls: bool = True
    user: str | None = None
    password: str | None = None
    sender: str = "uptake@localhost"


def secrets_file() -> Path:
    return Path(os.environ.get("UPTAKE_SECRETS_FILE", ".streamlit/secrets.toml"))


def smtp_settings(path: Path | None = None) -> SmtpSettings | None:
    """The [smtp] section of the secrets file, or None when there is none (e-mail is then not sent:
    the outbox keeps trying and the Administration page says why)."""
    path = path or secrets_file()
    try:
        section = tomllib.loads(path.read_text()).get("smtp")
    except FileNotFoundError:
        return None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"cannot read the SMTP settings in {path}: {exc}") from None
    if not isinstance(section, dict) or not section.get("host"):
        return None
    return SmtpSettings(
        host=str(section["host"]),
        port=int(section.get("port", 587)),
        starttls=bool(section.get("starttls", True)),
        user=section.get("user") or None,
        password=section.get("password") or None,
        sender=str(section.get("from") or section.get("user") or "uptake@localhost"),
    )


def message(
    settings: SmtpSettings,
    to: str,
    subject: str,
    body: str,
    attachment: tuple[str, bytes] | None = None,
) -> EmailMessage:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = settings.sender, to, subject
    mail.set_content(body)
    if attachment:
        name, data = attachment
        mail.add_attachment(data, maintype="application", subtype="pdf", filename=name)
    return mail


NOT_SET_UP = "e-mail is not set up: add an [smtp] section to the app's secrets (docs/operations.md)"


def send(settings: SmtpSettings, mail: EmailMessage) -> None:
    """Send one message; raises OSError (smtplib's errors are OSErrors) when it is not taken."""
    with smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT) as smtp:
        if settings.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.user and settings.password:
            smtp.login(settings.user, settings.password)
        smtp.send_message(mail)
