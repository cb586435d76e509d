"""People resolution on real documents: forms, OCR damage, aliases, withheld senders, Arabic script."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from dalil.cli import main
from dalil.intel.forms import parse_form


@pytest.fixture(scope="module")
def archive(intel_archive):
    return intel_archive


def test_forms_parse_names_addresses_and_withheld():
    f = parse_form("Mills, Cheryl D <MillsCD@state.gov>")
    assert (f.first, f.last, f.middle, f.local) == ("cheryl", "mills", "d", "millscd")
    assert parse_form("H [mailto:HDR22@clintonemail.com]").local == "hdr22"
    assert parse_form("abedinh©state.goy").local == "abedinh"
    assert parse_form("Cheryl Mills <").cut is True
    assert parse_form("B6").withheld and parse_form("").withheld and parse_form("<").withheld
    assert parse_form("Jake Sullivan").first == "jacob"


def test_people_records_have_counts_and_dates(archive):
    people = archive.people()["people"]
    by_name = {p["name"]: p for p in people}
    h = by_name["Hillary Clinton"]
    assert h["sent"] > 50 and h["received"] > 50
    assert h["first"] >= "2009-01-01" and h["last"] <= "2013-12-31"
    assert any("hrod17" in f.lower() for f in h["forms"]) and "H" in h["forms"]
    assert by_name["Cheryl Mills"]["received"] > 10
    ids = [p["id"] for p in people]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("form", ["H", "HRC", "hrod17@clintonemail.com", "HDR22@clintonemail.com", "Evergreen",
                                  "H <hrod17@clintonemailcom>", "Hillary Clinton"])
def test_aliases_of_hillary_clinton(archive, form):
    p = archive.person(form)
    assert p is not None and p.name == "Hillary Clinton", form


@pytest.mark.parametrize("form,name", [
    ("Mills, Cheryl D", "Cheryl Mills"), ("Cheryl Mills", "Cheryl Mills"), ("'millscd@state.gov'", "Cheryl Mills"),
    ("abedinh@state.goy", "Huma Abedin"), ("abedinh?state,gov", "Huma Abedin"),
    ("Abedin, Huma <AbedinH©state.gov>", "Huma Abedin"), ("sbwhoeop", "Sidney Blumenthal"),
    ("Sullivan, Jacob 3", "Jacob Sullivan"), ("Jake Sullivan", "Jacob Sullivan"),
])
def test_forms_resolve_across_damage(archive, form, name):
    p = archive.person(form)
    assert p is not None and p.name == name, (form, p and p.name)


def test_links_store_method_and_confidence(archive):
    rows = archive.store.db.execute("SELECT form, method, confidence FROM person_forms").fetchall()
    methods = {r[1] for r in rows}
    assert {"address", "name", "alias-table"} <= methods
    assert all(0 < r[2] <= 1 for r in rows)
    row = archive.store.db.execute("SELECT method FROM person_forms WHERE form='H'").fetchone()
    assert row[0] == "alias-table"


def test_withheld_sender_is_not_guessed(archive):
    db = archive.store.db
    withheld = db.execute("SELECT sent FROM persons WHERE id=0").fetchone()[0]
    assert withheld > 0
    assert archive.person("B6") is None or archive.person("B6").id == 0
    assert archive.same_person("B6", "H") == (False, 0.0)


def test_same_person(archive):
    same, conf = archive.same_person("H", "hrod17@clintonemail.com")
    assert same and conf >= 0.9
    same, conf = archive.same_person("Mills, Cheryl D <MillsCD@state.gov>", "Huma Abedin")
    assert not same and conf > 0
    assert archive.same_person("H", "no such person anywhere") == (False, 0.0)


def test_arabic_name_finds_latin_person(archive):
    p = archive.person("شيريل ميلز")
    assert p is not None and p.name == "Cheryl Mills" and p.method == "transliteration"
    assert archive.person("هيلاري كلينتون").name == "Hillary Clinton"


def test_people_cli_json(archive):
    out = CliRunner().invoke(main, ["people", "--json", "--db", archive.path, "libya"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    p = data["people"][0]
    assert set(p) == {"id", "name", "kind", "forms", "sent", "received", "first", "last"}
    assert p["kind"] in ("person", "list", "feed", "system")
    assert len(p["first"]) == 10 and p["first"][4] == "-"


def test_bare_surname_names_the_dominant_bearer(full):
    # The whole corpus has a header printed once as just "Clinton": the bare surname must still
    # name Hillary Clinton, not a one-message person of that form.
    assert full.store.db.execute("SELECT 1 FROM person_forms WHERE form='Clinton'").fetchone()
    assert full.person("Clinton").name == "Hillary Clinton"
    assert full.same_person("Clinton", "H")[0]
    assert full.person("Mills").name == "Cheryl Mills"


def test_arabic_common_noun_names_nobody(full):
    # اتفاق ("agreement"), اجتماع ("meeting"), السفارة ("the embassy"): consonant skeletons that fit
    # some correspondent's surname in the whole corpus, but words of the dictionary.  عابدين is a
    # word too, and the name of a main correspondent.
    assert full.person("اتفاق") is None and full.person("اجتماع") is None and full.person("السفارة") is None
    assert full.person("عابدين").name == "Huma Abedin"
