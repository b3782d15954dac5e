"""The partners' domain rules, without a database."""
from datetime import date

import pytest

from shared.errors import Conflict, Invalid

from partners.domain import model

TODAY = date(2026, 5, 4)


@pytest.mark.parametrize("first, second", [
    ("Société de jeunesse", "societe de JEUNESSE"),
    ("Paroisse St-Martin", "paroisse st martin"),
    ("  Chœur  mixte ", "choeur mixte"),
    ("École primaire", "ECOLE PRIMAIRE"),
])
def test_names_that_differ_only_by_case_accents_or_punctuation_are_the_same(first, second):
    assert model.name_key(first) == model.name_key(second)


def test_different_names_stay_different():
    assert model.name_key("Paroisse réformée") != model.name_key("Paroisse catholique")


def test_a_duplicate_name_is_a_conflict_naming_the_partner_already_there():
    with pytest.raises(Conflict) as raised:
        model.check_unique_name("societe de JEUNESSE", {model.name_key("Société de jeunesse"): "Société de jeunesse"})
    assert raised.value.field == "name" and raised.value.params == {"name": "Société de jeunesse"}


def test_a_name_of_punctuation_only_is_refused():
    with pytest.raises(Invalid):
        model.clean_name(" -- ")


@pytest.mark.parametrize("typed, stored", [
    ("www.paroisse.ch", "https://www.paroisse.ch"),
    ("http://ecole.example.ch/contact", "http://ecole.example.ch/contact"),
    ("", ""),
])
def test_websites_are_kept_with_their_scheme(typed, stored):
    assert model.clean_website(typed) == stored


@pytest.mark.parametrize("typed", ["javascript:alert(1)", "not a site", "ftp://files.example.ch", "www"])
def test_only_web_addresses_are_accepted_as_websites(typed):
    with pytest.raises(Invalid) as raised:
        model.clean_website(typed)
    assert raised.value.field == "website"


def test_roles_are_kept_once_in_their_canonical_order():
    assert model.clean_roles(["venue", "co_organiser", "venue"]) == ["co_organiser", "venue"]


def test_themes_are_kept_once_whatever_their_case():
    assert model.clean_themes(["Jeunesse", "jeunesse ", "Aînés"]) == ["Jeunesse", "Aînés"]


@pytest.mark.parametrize("current, new", [("identified", "active"), ("contacted", "engaged"),
                                          ("active", "inactive"), ("identified", "inactive")])
def test_a_partnership_moves_forward_without_a_reason(current, new):
    assert model.check_status_change(current, new, "", TODAY, date(2026, 1, 1), TODAY) is True


@pytest.mark.parametrize("current, new", [("active", "contacted"), ("engaged", "identified"),
                                          ("inactive", "active")])
def test_moving_back_needs_a_reason(current, new):
    with pytest.raises(Invalid) as raised:
        model.check_status_change(current, new, "  ", TODAY, None, TODAY)
    assert raised.value.field == "reason"
    assert model.check_status_change(current, new, "Départ du responsable", TODAY, None, TODAY)


def test_the_same_status_again_is_no_change():
    assert model.check_status_change("active", "active", "", TODAY, None, TODAY) is False


def test_a_status_change_cannot_be_in_the_future_or_before_the_last_one():
    with pytest.raises(Invalid, match="advance"):
        model.check_status_change("identified", "contacted", "", date(2026, 5, 5), None, TODAY)
    with pytest.raises(Invalid) as raised:
        model.check_status_change("identified", "contacted", "", date(2026, 1, 1), date(2026, 2, 1), TODAY)
    assert raised.value.field == "changed_on"


def test_links_say_what_they_join():
    model.check_link("a", "partner", "b", "works_with")
    model.check_link("a", "event", "e-1", "involved")
    for args, field in ((("a", "partner", "a", "works_with"), "target_id"),
                        (("a", "partner", "b", "involved"), "relation"),
                        (("a", "event", "e-1", "works_with"), "relation"),
                        (("a", "survey", "s", "involved"), "target_type")):
        with pytest.raises(Invalid) as raised:
            model.check_link(*args)
        assert raised.value.field == field


def test_links_between_two_partners_have_no_direction():
    assert model.undirected("b", "partner", "a") == model.undirected("a", "partner", "b") == ("a", "b")
    assert model.undirected("b", "event", "a") == ("b", "a")
