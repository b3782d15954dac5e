"""Reading a commune's partner list as people keep it: French headers and values, their
synonyms, one error report per row. Pure Python: the cells come in as text.

Accepted headers (case, accents and punctuation do not matter) — the first of each list
is the one the export writes:

| field | headers |
| --- | --- |
| name (required) | Nom, Name, Nom du partenaire, Partenaire, Organisation, Organisme, Institution, Raison sociale |
| kind (required) | Type, Kind, Catégorie, Type de partenaire, Genre |
| address | Adresse, Address, Adresse postale |
| website | Site web, Site internet, Site, Website, Web, Internet, URL |
| themes | Thèmes, Thème, Thématiques, Thématique, Domaines, Domaine, Themes |
| status | Statut, Status, État, État du partenariat |
| status_since | Depuis le, Depuis, Date du statut, Status since, Since |
| roles | Rôles, Rôle, Roles, Role |
| notes | Remarques, Remarque, Notes, Note, Commentaires, Commentaire |
| regional | Régional, Partenaire régional, Regional |
| contact_name | Contact, Personne de contact, Nom du contact, Contact person |
| contact_function | Fonction, Fonction du contact, Function |
| contact_email | E-mail, Email, Courriel, Mail, Adresse e-mail |
| contact_phone | Téléphone, Tél, Tel, Phone, Natel, Mobile |

Values of Type, Statut and Rôles are read in French, German or English (see VALUES); lists
(Thèmes, Rôles) are separated by commas or semicolons; dates as 31.12.2025, 31/12/2025 or
2025-12-31. A row whose name is a regional partner's joins that partner instead of
copying it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from shared.errors import DomainError, Invalid
from shared.text import N_

from partners.domain import model

HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("Nom", "Name", "Nom du partenaire", "Partenaire", "Organisation", "Organisme",
             "Institution", "Raison sociale"),
    "kind": ("Type", "Kind", "Catégorie", "Type de partenaire", "Genre"),
    "address": ("Adresse", "Address", "Adresse postale"),
    "website": ("Site web", "Site internet", "Site", "Website", "Web", "Internet", "URL"),
    "themes": ("Thèmes", "Thème", "Thématiques", "Thématique", "Domaines", "Domaine", "Themes"),
    "status": ("Statut", "Status", "État", "État du partenariat"),
    "status_since": ("Depuis le", "Depuis", "Date du statut", "Status since", "Since"),
    "roles": ("Rôles", "Rôle", "Roles", "Role"),
    "notes": ("Remarques", "Remarque", "Notes", "Note", "Commentaires", "Commentaire"),
    "regional": ("Régional", "Partenaire régional", "Regional"),
    "contact_name": ("Contact", "Personne de contact", "Nom du contact", "Contact person"),
    "contact_function": ("Fonction", "Fonction du contact", "Function"),
    "contact_email": ("E-mail", "Email", "Courriel", "Mail", "Adresse e-mail"),
    "contact_phone": ("Téléphone", "Tél", "Tel", "Phone", "Natel", "Mobile"),
}
REQUIRED = ("name", "kind")
CONTACT_FIELDS = ("contact_name", "contact_function", "contact_email", "contact_phone")
MAX_ROWS = 2000
LIMITS = {"name": 200, "address": 300, "website": 300, "notes": 5000, "contact_name": 120,
          "contact_function": 120, "contact_email": 254, "contact_phone": 40}

# Values in the three languages; the first is the French label the export writes.
VALUES: dict[str, dict[str, tuple[str, ...]]] = {
    "kind": {
        "association": ("Association", "Asso", "Verein"),
        "school": ("École", "School", "Schule", "Établissement scolaire", "École primaire"),
        "parish": ("Paroisse", "Parish", "Pfarrei", "Église", "Kirchgemeinde"),
        "business": ("Entreprise", "Business", "Commerce", "Unternehmen"),
        "municipal_service": ("Service communal", "Municipal service", "Administration communale",
                              "Commune", "Gemeindedienst"),
        "social_service": ("Service social", "Social service", "Services sociaux", "Sozialdienst"),
        "health": ("Santé", "Health", "Soins", "Gesundheit"),
        "club": ("Club ou société", "Club", "Société", "Société locale", "Club or society"),
        "other": ("Autre", "Other", "Divers", "Andere"),
    },
    "status": {
        "identified": ("Identifié", "Identifiée", "Identified", "Identifiziert"),
        "contacted": ("Contacté", "Contactée", "Contacted", "Kontaktiert"),
        "engaged": ("Engagé", "Engagée", "Engaged", "Engagiert"),
        "active": ("Actif", "Active", "Aktiv"),
        "inactive": ("Inactif", "Inactive", "Inaktiv"),
    },
    "roles": {
        "co_organiser": ("Co-organisateur", "Co-organisatrice", "Coorganisateur", "Co-organiser",
                         "Mitveranstalter"),
        "venue": ("Lieu", "Salle", "Lieu d'accueil", "Venue", "Ort"),
        "relay": ("Relais", "Relai", "Relay", "Multiplicateur", "Multiplikator"),
        "funder": ("Financeur", "Financement", "Funder", "Sponsor", "Geldgeber"),
        "expert": ("Expert", "Experte", "Expertise"),
        "other": ("Autre", "Other", "Andere"),
    },
}
YES = {"oui", "yes", "ja", "x", "1", "vrai", "true"}
NO = {"", "non", "no", "nein", "0", "faux", "false"}
_LOOKUP = {kind: {model.name_key(word): code for code, words in values.items()
                  for word in (code, *words)} for kind, values in VALUES.items()}
_HEADER_LOOKUP = {model.name_key(header): name for name, headers in HEADERS.items()
                  for header in headers}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^[0-9+()./ -]{6,40}$")


def french_label(kind: str, code: str) -> str:
    return VALUES[kind][code][0]


def header_label(field_name: str) -> str:
    return HEADERS[field_name][0]


@dataclass
class RowResult:
    line: int
    values: dict[str, str]
    errors: dict[str, list[tuple[str, dict]]] = field(default_factory=dict)
    cleaned: dict = field(default_factory=dict)
    joins: str | None = None  # the regional partner this row joins, by id

    @property
    def valid(self) -> bool:
        return not self.errors

    def add_error(self, field_name: str, message: str, **params) -> None:
        self.errors.setdefault(field_name, []).append((message, params))


def map_headers(headers: list[str]) -> dict[int, str]:
    """Column index -> field; raises Invalid(field="file") naming what is wrong."""
    columns: dict[int, str] = {}
    unknown, doubled = [], []
    for index, header in enumerate(headers):
        key = model.name_key(header or "")
        if not key:
            continue  # an empty header cell: spreadsheets often carry blank columns
        name = _HEADER_LOOKUP.get(key)
        if name is None:
            unknown.append(header.strip())
        elif name in columns.values():
            doubled.append(header.strip())
        else:
            columns[index] = name
    if unknown:
        raise Invalid(N_("Unknown columns: %(columns)s. Accepted columns: %(accepted)s "
                         "(and their synonyms listed on the import page)."),
                      field="file", columns=", ".join(f"« {h} »" for h in unknown),
                      accepted=", ".join(header_label(name) for name in HEADERS))
    if doubled:
        raise Invalid(N_("Columns given twice: %(columns)s."), field="file",
                      columns=", ".join(f"« {h} »" for h in doubled))
    missing = [header_label(name) for name in REQUIRED if name not in columns.values()]
    if missing:
        raise Invalid(N_("Missing columns: %(columns)s."), field="file",
                      columns=", ".join(f"« {h} »" for h in missing))
    return columns


def split_list(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;,\n]", text) if part.strip()]


def parse_day(text: str) -> date | None:
    for pattern in ("%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d", "%d.%m.%y"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


def check_rows(headers: list[str], rows: list[list[str]], taken: dict[str, str],
               regional: dict[str, tuple[str, str]], today: date) -> list[RowResult]:
    """Every non-empty row checked. `taken`: name key -> name of the commune's partners;
    `regional`: name key -> (partner id, name) of regional partners the commune has not joined."""
    columns = map_headers(headers)
    if len(rows) > MAX_ROWS:
        raise Invalid(N_("The file has more than %(max)s rows: split it into several files."),
                      field="file", max=MAX_ROWS)
    results, seen = [], {}
    for offset, cells in enumerate(rows):
        values = {name: (cells[index] if index < len(cells) else "").strip()
                  for index, name in columns.items()}
        if not any(values.values()):
            continue
        result = RowResult(line=offset + 2, values=values)  # line 1 holds the headers
        _check_row(result, today)
        _check_name(result, taken, regional, seen)
        results.append(result)
    if not results:
        raise Invalid(N_("The file has no partner rows under its headers."), field="file")
    return results


def _check_row(row: RowResult, today: date) -> None:
    values, cleaned = row.values, row.cleaned
    for name, longest in LIMITS.items():
        if name not in CONTACT_FIELDS and len(values.get(name, "")) > longest:
            row.add_error(name, N_("Must have at most %(max)s characters."), max=longest)
    for name in ("kind", "status"):
        _code(row, name, values.get(name, ""), required=name == "kind")
    cleaned.setdefault("status", "identified")
    cleaned["roles"] = []
    for word in split_list(values.get("roles", "")):
        code = _LOOKUP["roles"].get(model.name_key(word))
        if code is None:
            row.add_error("roles", N_("Unknown role « %(value)s »."), value=word)
        elif code not in cleaned["roles"]:
            cleaned["roles"].append(code)
    _check_simple_fields(row, today)
    _check_contact(row)


def _code(row: RowResult, name: str, text: str, required: bool) -> None:
    if not text:
        if required:
            row.add_error(name, N_("This field is required."))
        return
    code = _LOOKUP[name].get(model.name_key(text))
    if code is None:
        row.add_error(name, N_("Unknown value « %(value)s »."), value=text)
    else:
        row.cleaned[name] = code


def _check_simple_fields(row: RowResult, today: date) -> None:
    values, cleaned = row.values, row.cleaned
    for name, rule in (("name", model.clean_name), ("website", model.clean_website),
                       ("themes", lambda text: model.clean_themes(split_list(text)))):
        try:
            cleaned[name] = rule(values.get(name, ""))
        except DomainError as error:
            row.add_error(name, error.message, **error.params)
    cleaned["address"] = values.get("address", "")
    cleaned["notes"] = values.get("notes", "")
    since = values.get("status_since", "")
    if since:
        day = parse_day(since)
        if day is None:
            row.add_error("status_since", N_("Must be a date such as 31.12.2025."))
        elif day > today:
            row.add_error("status_since", N_("This date is in the future."))
        else:
            cleaned["status_since"] = day.isoformat()
    regional = model.name_key(values.get("regional", ""))
    if regional not in YES | NO:
        row.add_error("regional", N_("Answer oui or non."))
    cleaned["regional"] = regional in YES


def _check_contact(row: RowResult) -> None:
    """Contact columns may hold several people, one per line within the cell (as the export
    writes them): the n-th line of each column describes the n-th person."""
    columns = {name: row.values.get(name, "").splitlines() for name in CONTACT_FIELDS}
    count = max(len(lines) for lines in columns.values())
    contacts = []
    for index in range(count):
        contact = {name: (lines[index].strip() if index < len(lines) else "")
                   for name, lines in columns.items()}
        if not any(contact.values()):
            continue
        if not contact["contact_name"]:
            row.add_error("contact_name", N_("A contact person needs a name."))
        for name, value in contact.items():
            if len(value) > LIMITS[name]:
                row.add_error(name, N_("Must have at most %(max)s characters."), max=LIMITS[name])
        if contact["contact_email"] and not _EMAIL.match(contact["contact_email"]):
            row.add_error("contact_email", N_("Must be an e-mail address."))
        if contact["contact_phone"] and not _PHONE.match(contact["contact_phone"]):
            row.add_error("contact_phone", N_("Must be a phone number such as 032 422 00 00."))
        contacts.append(contact)
    row.cleaned["contacts"] = contacts


def _check_name(row: RowResult, taken: dict[str, str], regional: dict[str, tuple[str, str]],
                seen: dict[str, int]) -> None:
    name = row.cleaned.get("name")
    if not name:
        return
    key = model.name_key(name)
    if key in seen:
        row.add_error("name", N_("Same partner as on line %(line)s."), line=seen[key])
    elif key in taken:
        row.add_error("name", N_("The commune already works with %(name)s: a partner's name appears once."),
                      name=taken[key])
    elif key in regional:
        row.joins = regional[key][0]
    elif row.cleaned.get("regional"):
        row.add_error("regional", N_("There is no regional partner of this name: the regional staff register them."))
    seen.setdefault(key, row.line)
