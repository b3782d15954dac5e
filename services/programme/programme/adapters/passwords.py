"""Password hashing with Argon2id (argon2-cffi's defaults follow RFC 9106)."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Verifying against this when the e-mail is unknown makes both answers take as long,
# so the login does not reveal which accounts exist.
_UNKNOWN_ACCOUNT_HASH = _hasher.hash("not a password of anyone")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _UNKNOWN_ACCOUNT_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
