"""The container image's ENTRYPOINT: settings given as files become environment variables,
then the command runs in this process's place.

`PROGRAMME_DATABASE_URL_FILE=/run/secrets/programme-database-url` sets
PROGRAMME_DATABASE_URL to the file's content (trailing newline dropped), the convention of
the official PostgreSQL and Grafana images. So passwords live in secret files, never in
the compose file, the environment given to `docker run`, or `docker inspect`.
"""
import os
import re
import sys
from pathlib import Path

# Only the platform's own settings (shared/config.py): other programs' *_FILE variables
# mean something else.
SETTING_FILE = re.compile(r"((?:ASP|KAFKA)_\w+|\w+_DATABASE_URL)_FILE")


def settings_from_files(environ: dict[str, str]) -> dict[str, str]:
    resolved = dict(environ)
    for key, path in environ.items():
        match = SETTING_FILE.fullmatch(key)
        if match and not environ.get(match.group(1)):
            resolved[match.group(1)] = Path(path).read_text().rstrip("\r\n")
    return resolved


def main(argv: list[str]) -> None:
    if not argv:
        sys.exit("usage: python -m prodrun.launch COMMAND [ARG…]")
    os.execvpe(argv[0], argv, settings_from_files(dict(os.environ)))


if __name__ == "__main__":
    main(sys.argv[1:])
