"""Secrets the embedded run makes itself on first start, in the data folder."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

SIGNING_KEY = "jwt-signing.pem"
PUBLIC_KEY = "jwt-public.pem"
SESSION_SECRET = "session-secret"


def _write_once(path: Path, content: bytes, mode: int) -> None:
    """Write atomically; if another process won the race, keep its file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
    try:
        os.link(temporary, path)  # fails if the file exists: first writer wins
    except FileExistsError:
        pass
    finally:
        temporary.unlink()


def ensure_keys(keys_dir: Path) -> None:
    signing = keys_dir / SIGNING_KEY
    if not signing.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        _write_once(signing, key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()), 0o600)
    public = keys_dir / PUBLIC_KEY
    if not public.exists():
        key = serialization.load_pem_private_key(signing.read_bytes(), password=None)
        _write_once(public, key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo), 0o644)
    secret = keys_dir / SESSION_SECRET
    if not secret.exists():
        _write_once(secret, secrets.token_hex(32).encode(), 0o600)


def read_key(keys_dir: Path, name: str) -> bytes:
    ensure_keys(keys_dir)
    return (keys_dir / name).read_bytes()


def key_id(public_pem: bytes) -> str:
    import hashlib
    return hashlib.sha256(public_pem).hexdigest()[:16]
