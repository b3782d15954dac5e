"""Check the translation catalogues next to this file; exit 1 and say why if one is not complete.

For every message in fr, de and en: the msgstr is filled in, not fuzzy (compile would skip it),
and has the same placeholders as the msgid (`%(name)s`, `%%`, or a stray `%`).
German is Swiss German: no "ß". Run after `make extract-messages`:

    .venv/bin/python shared/translations/check_catalogues.py
"""
import re
import sys
from pathlib import Path

from babel.messages.pofile import read_po

LANGUAGES = ("fr", "de", "en")
PLACEHOLDER = re.compile(r"%(?:\(\w+\)[a-z]|%)?")


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def problems(language: str) -> list[str]:
    path = Path(__file__).parent / language / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return [f"{path}: missing"]
    with path.open("rb") as f:
        catalog = read_po(f)
    found = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        where = f"{language} {ids[0]!r}"
        if message.fuzzy:
            found.append(f"{where}: fuzzy")
        for string in strings:
            if not string:
                found.append(f"{where}: not translated")
            elif placeholders(string) != placeholders(ids[-1]):
                found.append(f"{where}: placeholders {sorted(placeholders(string))}, "
                             f"expected {sorted(placeholders(ids[-1]))}")
            elif language == "de" and "ß" in string:
                found.append(f"{where}: write 'ss', not 'ß' (Swiss German)")
    return found


if __name__ == "__main__":
    all_problems = [problem for language in LANGUAGES for problem in problems(language)]
    print("\n".join(all_problems) or "Catalogues complete: " + ", ".join(LANGUAGES))
    sys.exit(1 if all_problems else 0)
