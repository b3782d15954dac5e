"""Every text a person reads is translated: fr, de and en, placeholders kept."""
from runner.catalogues import check, untranslated_in_code


def test_every_catalogue_is_complete():
    assert check() == []


def test_every_message_in_the_code_is_in_its_catalogue(tmp_path):
    assert untranslated_in_code(tmp_path) == []
