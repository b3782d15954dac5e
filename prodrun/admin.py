"""Operator commands that need no one signed in yet.

    python -m prodrun.admin create-account EMAIL "Display name" ROLE [COMMUNE…]

Creates a staff account in the programme service's database (PROGRAMME_DATABASE_URL),
e.g. the first regional admin of a new deployment; everything else is then done through
the pages or the API. The password is read from ASP_ACCOUNT_PASSWORD, or asked for.
An account that exists already is left as it is.
"""
from __future__ import annotations

import getpass
import os
import sys

from programme.adapters import repository as repo
from programme.bootstrap import definition as programme
from programme.service_layer import handlers
from shared.config import load_settings
from shared.errors import DomainError
from shared.http.auth import ROLES
from shared.service import ServiceRuntime


def ensure_account(runtime: ServiceRuntime, email: str, display_name: str, password: str,
                   role: str, communes: list[str]) -> bool:
    """True if the account was created, False if it existed."""
    with runtime.unit_of_work() as uow:
        if repo.account_by_email(uow.session, email) is not None:
            return False
        handlers.create_account(uow, email, display_name, password, role, communes)
    return True


def main(argv: list[str]) -> None:
    if len(argv) < 4 or argv[0] != "create-account" or argv[3] not in ROLES:
        sys.exit(__doc__ + f"\nROLE is one of: {', '.join(ROLES)}")
    email, display_name, role, communes = argv[1], argv[2], argv[3], argv[4:]
    password = os.environ.get("ASP_ACCOUNT_PASSWORD") or getpass.getpass(f"Password for {email}: ")
    if len(password) < 12:
        sys.exit("Choose a password of at least 12 characters.")
    runtime = ServiceRuntime(programme, load_settings())
    try:
        created = ensure_account(runtime, email, display_name, password, role, communes)
    except DomainError as error:
        sys.exit(f"{error.field or 'account'}: {error}")
    print(f"{email}: {'created' if created else 'exists already, left unchanged'}")


if __name__ == "__main__":
    main(sys.argv[1:])
