"""Secrets at rest: the cookie-signing key, the accounts' TOTP secrets and the notification
webhooks' URLs and signing secrets are stored encrypted
(Fernet: AES-128-CBC with HMAC-SHA256) under a key kept outside the database, so a copy of the
database alone can neither forge a sign-in cookie nor read an authenticator's secret.

The key is, first found:
- the environment variable UPTAKE_SECRET_KEY (then no key file is read or made), or
- the key file beside the database, <database folder>/secrets/<database name>.key
  (data/secrets/uptake.key by default; data/secrets/ is not in git), made on first start with
  mode 0600 and 43 random characters.

A key is any random text of at least 32 characters; the Fernet key is derived from it with
HKDF-SHA256. Several keys (comma-separated in the variable, one a line in the file) rotate it:
the first encrypts, all decrypt, and a value under an older key is encrypted again with the first
when the database is opened.

On open (analysis/store.py) every stored secret is checked: plaintext ones (from a database made
before this) are encrypted; a database whose secrets are encrypted but whose key is missing or
different stops with a SecretKeyError that says what to do. A new key is never made for such a
database: that would sign everyone out and break every authenticator.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

ENV = "UPTAKE_SECRET_KEY"
PREFIX = "fernet:"  # marks an encrypted value (a plaintext secret never contains ':')
MIN_KEY = 32


class SecretKeyError(RuntimeError):
    """The secret key is missing, malformed or not the database's; the message says what to do."""


def key_file(db_path: str) -> Path | None:
    """Where the key file of a database lives (None for an in-memory database)."""
    if db_path == ":memory:":
        return None
    db = Path(db_path).resolve()
    return db.parent / "secrets" / f"{db.stem}.key"


def encrypt(store, text: str) -> str:
    return PREFIX + store.secret_box.encrypt(text.encode()).decode()


def decrypt(store, value: str) -> str:
    if not value.startswith(PREFIX):
        raise SecretKeyError("a secret in the database is not encrypted: restart the app to encrypt it")
    try:
        return store.secret_box.decrypt(value[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        raise SecretKeyError("a secret in the database does not open with this key") from None


def open_box(store) -> MultiFernet:
    """The store's box, after checking that its key opens every stored secret, encrypting the
    plaintext ones and re-encrypting those under an older key (one transaction)."""
    stored = _stored(store)
    texts, source = _keys(store.path, any(v.startswith(PREFIX) for _, _, v in stored))
    fernets = [Fernet(_derive(text)) for text in texts]
    box = MultiFernet(fernets)
    updates, unopened = [], 0
    for table, ident, value in stored:
        if not value.startswith(PREFIX):
            updates.append((table, ident, box.encrypt(value.encode())))
            continue
        token = value[len(PREFIX) :].encode()
        try:
            fernets[0].decrypt(token)
        except InvalidToken:
            try:
                updates.append((table, ident, box.rotate(token)))
            except InvalidToken:
                unopened += 1
    if unopened:
        raise SecretKeyError(
            f"the secret key from {source} does not open this database's secrets ({unopened} of {len(stored)}: "
            f"the cookie-signing key, two-step sign-in secrets and notification webhooks): use the key the database {store.path} was "
            f"made with (its backup's secrets/ file, or the {ENV} it ran with). No new key is made, as that "
            "would sign everyone out and break every authenticator."
        )
    if updates:
        with store.transaction(housekeeping="the sealed secrets, re-encrypted") as cur:
            for table, ident, token in updates:
                cur.execute(UPDATES[table], [PREFIX + token.decode(), ident])
    return box


def _stored(store) -> list[tuple[str, object, str]]:
    cur = store.cursor()
    tables = {t for (t,) in cur.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if not {"app_settings", "accounts"} <= tables:  # a database held at an early migration (tests)
        return []
    found = [
        ("app_settings", k, v)
        for k, v in cur.execute("SELECT key, value FROM app_settings WHERE key = 'cookie_key'").fetchall()
    ]
    found += [
        ("accounts", a, s)
        for a, s in cur.execute("SELECT account_id, totp_secret FROM accounts WHERE totp_secret IS NOT NULL").fetchall()
    ]
    if "webhooks" in tables:  # notification webhooks (analysis/notify/webhooks.py): URL and signing secret
        for w, url, secret in cur.execute("SELECT webhook_id, url, secret FROM webhooks").fetchall():
            found += [("webhooks.url", w, url)] + ([("webhooks.secret", w, secret)] if secret else [])
    return found


# table (.column) of a stored secret -> the statement that rewrites it (value, id)
UPDATES = {
    "app_settings": "UPDATE app_settings SET value = ? WHERE key = ?",
    "accounts": "UPDATE accounts SET totp_secret = ? WHERE account_id = ?",
    "webhooks.url": "UPDATE webhooks SET url = ? WHERE webhook_id = ?",
    "webhooks.secret": "UPDATE webhooks SET secret = ? WHERE webhook_id = ?",
}


def _keys(db_path: str, has_encrypted: bool) -> tuple[list[str], str]:
    """The key texts (first one encrypts) and where they came from."""
    if os.environ.get(ENV, "").strip():
        return _checked(os.environ[ENV].split(","), ENV), ENV
    path = key_file(db_path)
    if path is None:
        return [secrets.token_urlsafe(32)], "a key made for this in-memory database"
    try:
        return _checked(path.read_text().splitlines(), str(path)), str(path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise SecretKeyError(f"cannot read the secret key file {path}: {exc.strerror}") from None
    if has_encrypted:
        raise SecretKeyError(
            f"the database {db_path} has encrypted secrets but its key is not here: put back {path} "
            f"(mode 0600) from the backup the database came from, or set {ENV}. No new key is made, "
            "as that would sign everyone out and break every authenticator."
        )
    return [_new_key_file(path)], str(path)


def _checked(texts: list[str], source: str) -> list[str]:
    keys = [t.strip() for t in texts if t.strip()]
    if not keys or any(len(k) < MIN_KEY for k in keys):
        raise SecretKeyError(
            f"{source}: a secret key is random text of at least {MIN_KEY} characters "
            "(several, for rotation: comma-separated in the variable, one a line in the file)"
        )
    return keys


def _new_key_file(path: Path) -> str:
    key = secrets.token_urlsafe(32)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return _checked(path.read_text().splitlines(), str(path))[0]
    with os.fdopen(fd, "w") as out:
        os.fchmod(out.fileno(), 0o600)
        out.write(key + "\n")
    return key


def _derive(text: str) -> bytes:
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"uptake secretbox 1").derive(text.encode())
    return base64.urlsafe_b64encode(raw)
