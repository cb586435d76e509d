"""Person filters reach a person by a nickname of the given name, or the given name of a nickname
(Ken / Kenneth), in Latin and Arabic script, through the nickname list (dalil/text/nicknames.py):
no list of persons.  The names are correspondents of the corpus; no words of the development sets."""
from __future__ import annotations

from dalil.text.nicknames import name_variants


def _persons(archive, query: str) -> list[str]:
    result = archive.search(query, mode="lexical", limit=1, facets=False)
    return [name for p in result.people for _, name in p.persons]


def _docs(archive, query: str) -> set[str]:
    return set(archive.search_set(query, mode="lexical", limit=1, facets=False).matching)


def test_nickname_list_both_ways():
    assert "kenneth" in name_variants("Ken") and "ken" in name_variants("kenneth")
    assert "victoria" in name_variants("tori") and "ronald" in name_variants("Ron")
    assert not name_variants("merten") and not name_variants("") and not name_variants("o'neil")


def test_latin_nickname_names_the_person(full):
    assert _persons(full, 'from:"Ken Merten"')[0] == "Kenneth Merten"
    assert _persons(full, 'to:"Tori Nuland"')[0] == "Victoria Nuland"


def test_arabic_nickname_names_the_person(full):
    assert _persons(full, 'from:"كين ميرتن"')[0] == "Kenneth Merten"
    assert _persons(full, 'from:"رون شليشر"')[0] == "Ronald Schlicher"
    # The same person, so the same documents as his full name.
    nick = _docs(full, 'from:"كين ميرتن"')
    assert nick and nick == _docs(full, 'from:"Kenneth Merten"')


def test_a_nickname_of_another_given_name_names_nobody(full):
    """Must not fire: Ken is no Victoria, and the surname still has to match."""
    for query in ('from:"Ken Nuland"', 'from:"كين نولاند"', 'from:"Ron Merten"'):
        assert "Victoria Nuland" not in _persons(full, query) and "Kenneth Merten" not in _persons(full, query), query
