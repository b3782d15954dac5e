"""Migrations from the command line.

    python -m runner.migrate upgrade [SERVICE…]          apply (all services by default)
    python -m runner.migrate revision SERVICE "message"  autogenerate a new revision
"""
import sys

from alembic import command

from shared.config import load_settings
from shared.db.migrations import alembic_config, upgrade
from runner.services import BY_NAME, DEFINITIONS


def main(argv: list[str]) -> None:
    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if argv[:1] == ["upgrade"]:
        for definition in [BY_NAME[name] for name in argv[1:]] or DEFINITIONS:
            upgrade(definition, settings.database_url(definition.name))
            print(f"{definition.name}: up to date")
    elif argv[:1] == ["revision"] and len(argv) == 3:
        definition = BY_NAME[argv[1]]
        config = alembic_config(definition, settings.database_url(definition.name))
        command.upgrade(config, "head")
        command.revision(config, message=argv[2], autogenerate=True)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
