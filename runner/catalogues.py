"""The translation catalogues: one for shared/ (and the runner), one per service.

    python -m runner.catalogues extract [SERVICE]   # refresh .pot and fr/de/en .po from the code
    python -m runner.catalogues check     # every message translated, placeholders kept

`make extract-messages` runs both. Each service owns services/<s>/<s>/translations, so
work on two services never touches the same catalogue; at run time the service's
catalogue is merged over the shared one.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

REPO = Path(__file__).resolve().parent.parent
LANGUAGES = ("fr", "de", "en")
PLACEHOLDER = re.compile(r"%(?:\(\w+\)[a-z]|%)?")


def catalogues() -> dict[Path, list[str]]:
    """Catalogue folder -> the source folders its messages are extracted from."""
    found = {REPO / "shared" / "translations": ["shared", "runner"]}
    for folder in sorted(REPO.glob("services/*/*/translations")):
        found[folder] = [str(folder.parent.parent.relative_to(REPO))]
    return found


PYBABEL = str(Path(sys.executable).with_name("pybabel"))


def extract_template(sources: list[str], template: Path) -> None:
    _run([PYBABEL, "extract", "-F", "babel.cfg", "-k", "N_", "--no-location", "--sort-output",
          "-o", str(template), *sources])


def extract(only: str | None = None) -> None:
    """Refresh every catalogue, or only the one of service `only` (or "shared")."""
    for folder, sources in catalogues().items():
        if only and folder.parent.name != only:
            continue
        template = folder / "messages.pot"
        extract_template(sources, template)
        for language in LANGUAGES:
            exists = (folder / language / "LC_MESSAGES" / "messages.po").exists()
            command = ["update", "--no-fuzzy-matching", "--ignore-obsolete"] if exists else ["init"]
            _run([PYBABEL, *command, "-i", str(template), "-d", str(folder), "-l", language])


def _run(command: list[str]) -> None:
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def problems(folder: Path, language: str) -> list[str]:
    path = folder / language / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return [f"{path}: missing"]
    with path.open("rb") as handle:
        catalog = read_po(handle)
    found = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        where = f"{path.relative_to(REPO)} {ids[0]!r}"
        if message.fuzzy:
            found.append(f"{where}: fuzzy (compile would skip it)")
        for string in strings:
            if not string:
                found.append(f"{where}: not translated")
            elif placeholders(string) != placeholders(ids[-1]):
                found.append(f"{where}: placeholders {sorted(placeholders(string))}, "
                             f"expected {sorted(placeholders(ids[-1]))}")
            elif language == "de" and "ß" in string:
                found.append(f"{where}: write 'ss', not 'ß' (Swiss German)")
    return found


def untranslated_in_code(scratch: Path) -> list[str]:
    """Messages in the code that a catalogue does not have yet (extract was not run)."""
    missing = []
    for folder, sources in catalogues().items():
        template = scratch / f"{folder.parent.name}.pot"
        extract_template(sources, template)
        with template.open("rb") as handle:
            wanted = {m.id for m in read_po(handle) if m.id}
        with (folder / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            known = {m.id for m in read_po(handle) if m.id}
        missing += [f"{folder.relative_to(REPO)}: {message!r} is not in the catalogue"
                    for message in sorted(wanted - known, key=str)]
    return missing


def check() -> list[str]:
    return [problem for folder in catalogues() for language in LANGUAGES
            for problem in problems(folder, language)]


if __name__ == "__main__":
    if sys.argv[1:2] == ["extract"]:
        extract(*sys.argv[2:3])
    elif sys.argv[1:] != ["check"]:
        sys.exit(__doc__)
    found = check()
    print("\n".join(found) or "Catalogues complete: " + ", ".join(str(f.relative_to(REPO)) for f in catalogues()))
    sys.exit(1 if found else 0)
