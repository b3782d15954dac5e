"""Languages: French first, then German and English, for every text a person reads."""
from __future__ import annotations

import re
from pathlib import Path

from flask import Flask, request
from flask_babel import Babel, gettext

from shared.text import N_

LANGUAGES = ("fr", "de", "en")
DEFAULT_LANGUAGE = "fr"
LANGUAGE_COOKIE = "asp_lang"
SHARED_TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


def select_language() -> str:
    asked = request.args.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
    if asked in LANGUAGES:
        return asked
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE)


def init_i18n(app: Flask, service_translations: Path | None) -> None:
    directories = [str(SHARED_TRANSLATIONS)]
    if service_translations is not None:
        directories.append(str(service_translations))
    app.config["BABEL_DEFAULT_LOCALE"] = DEFAULT_LANGUAGE
    app.config["BABEL_DEFAULT_TIMEZONE"] = "Europe/Zurich"
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(directories)
    Babel(app, locale_selector=select_language)

    @app.after_request
    def remember_language(response):
        asked = request.args.get("lang")
        if asked in LANGUAGES:
            response.set_cookie(LANGUAGE_COOKIE, asked, max_age=365 * 24 * 3600, samesite="Lax")
        response.headers.setdefault("Content-Language", select_language())
        return response


# marshmallow and webargs speak English; their messages are translated on the way out.
# Each entry: the English message as a pattern, and the msgid with the same placeholders.
_VALIDATION_MESSAGES = [
    (r"Missing data for required field\.", N_("This field is required.")),
    (r"Field may not be null\.", N_("This field may not be empty (null).")),
    (r"Unknown field\.", N_("Unknown field: it is not accepted here.")),
    (r"Not a valid string\.", N_("Must be a text.")),
    (r"Not a valid integer\.", N_("Must be a whole number.")),
    (r"Not a valid number\.", N_("Must be a number.")),
    (r"Not a valid boolean\.", N_("Must be true or false.")),
    (r"Not a valid date\.", N_("Must be a date (YYYY-MM-DD).")),
    (r"Not a valid datetime\.", N_("Must be a date and time (ISO 8601).")),
    (r"Not a valid aware datetime\.", N_("Must be a date and time with its time zone (ISO 8601).")),
    (r"Not a valid email address\.", N_("Must be an e-mail address.")),
    (r"Not a valid URL\.", N_("Must be a web address (URL).")),
    (r"Not a valid list\.", N_("Must be a list.")),
    (r"Not a valid mapping type\.", N_("Must be an object.")),
    (r"Not a valid UUID\.", N_("Must be an identifier (UUID).")),
    (r"Invalid type\.", N_("Wrong type.")),
    (r"Invalid input type\.", N_("Wrong type.")),
    (r"Invalid value\.", N_("Invalid value.")),
    (r"Shorter than minimum length (?P<min>\d+)\.", N_("Must have at least %(min)s characters.")),
    (r"Longer than maximum length (?P<max>\d+)\.", N_("Must have at most %(max)s characters.")),
    (r"Length must be between (?P<min>\d+) and (?P<max>\d+)\.", N_("Must have between %(min)s and %(max)s characters.")),
    (r"Length must be (?P<equal>\d+)\.", N_("Must have exactly %(equal)s characters.")),
    (r"Must be greater than or equal to (?P<min>[-\d.]+) and less than or equal to (?P<max>[-\d.]+)\.", N_("Must be between %(min)s and %(max)s.")),
    (r"Must be greater than or equal to (?P<min>[-\d.]+)\.", N_("Must be at least %(min)s.")),
    (r"Must be less than or equal to (?P<max>[-\d.]+)\.", N_("Must be at most %(max)s.")),
    (r"Must be one of: (?P<choices>.*)\.", N_("Must be one of: %(choices)s.")),
    (r"Use lower-case letters, digits and dashes only\.", N_("Use lower-case letters, digits and dashes only.")),
    (r"Invalid JSON body\.", N_("The request body is not valid JSON.")),
    (r"Special numeric values \(nan or infinity\) are not permitted\.", N_("Must be a finite number.")),
    (r"Number too large\.", N_("The number is too large.")),
]
_COMPILED = [(re.compile(f"^{pattern}$"), msgid) for pattern, msgid in _VALIDATION_MESSAGES]


def translate_validation_message(message: str) -> str:
    for pattern, msgid in _COMPILED:
        match = pattern.match(message)
        if match:
            return gettext(msgid, **match.groupdict())
    return message


def translate_errors(errors):
    """Translate every message in a marshmallow error tree, keeping its shape."""
    if isinstance(errors, dict):
        return {key: translate_errors(value) for key, value in errors.items()}
    if isinstance(errors, list):
        return [translate_errors(item) for item in errors]
    if isinstance(errors, str):
        return translate_validation_message(errors)
    return errors
