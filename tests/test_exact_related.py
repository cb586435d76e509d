"""Exact and related results apart, and one result set for the hits, facets and panels, on the
real full archive (issue 24).  The words are picked from corpus documents, none from the
development sets.  CI's full archive has no vectors: there the default mode is lexical (every
hit exact); the tests that need related documents take an archive with vectors (the full one
when it has them, else the quality archive)."""
from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from dalil.cli import main
from dalil.search.hybrid import EXACT_FIRST_K
from dalil.text.lang import detect_lang
from dalil.web.pages import facet_token

NONSENSE = "qzxvwjkq"


def _holding(archive, pattern: str, candidates: str) -> set[str]:
    """doc_ids of the documents whose text matches `pattern`, scanned over a broad lexical
    candidate list (`candidates`: a looser query than the one tested)."""
    rx = re.compile(pattern, re.I)
    found = archive.search(candidates, mode="lexical", limit=1000, facets=False)
    assert found.total < 1000
    return {h.doc_id for h in found.hits if rx.search(archive.document(h.doc_id).text)}


@pytest.fixture
def dense_archive(full, request):
    """An archive with vectors: the full one when built with them, else the quality archive."""
    return full if full.has_vectors() else request.getfixturevalue("quality_archive")


def test_rare_name_total_is_the_documents_holding_it(full):
    # An Austrian minister's name, in a handful of documents; the prefix query finds more.
    holding = _holding(full, r"(?<!\w)spindelegger(?!\w)", "spindeleg*")
    assert holding
    result = full.search("Spindelegger", limit=50)
    assert result.total == len(holding)
    exact = [h for h in result.hits if h.match == "exact"]
    shown = {h.doc_id for h in exact} | {d for h in exact for d in h.duplicates}
    assert shown >= holding
    assert all(h.matched_terms == ["spindelegger"] for h in exact)


def test_phrase_is_exact_only_where_it_occurs(full):
    phrase = r"(?<!\w)peaceful\W+change(?!\w)"
    holding = _holding(full, phrase, "peaceful change")
    words_apart = _holding(full, r"peaceful[\s\S]*change|change[\s\S]*peaceful", "peaceful change")
    assert holding and len(words_apart) > len(holding)    # the test can tell a phrase from its words
    for mode in ("lexical", *(("hybrid",) if full.has_vectors() else ())):
        result = full.search('"peaceful change"', mode=mode, limit=100)
        assert result.total == len(holding), mode
        for hit in result.hits:
            text = full.document(hit.doc_id).text
            assert (hit.match == "exact") == bool(re.search(phrase, text, re.I)), (mode, hit.doc_id)


def test_nonsense_word_has_no_exact_match(full):
    result = full.search(NONSENSE, limit=20)
    assert result.total == 0
    body = result.to_dict()
    assert body["no_exact"] is True and body["total"] == 0
    assert body["missing"] == [NONSENSE]
    assert all(h["match"] == "related" for h in body["hits"])
    assert body["related_total"] >= len(body["hits"])


def test_nonsense_word_offers_related_documents_after_the_line(dense_archive):
    result = dense_archive.search(NONSENSE, mode="hybrid", limit=5)
    assert result.total == 0 and result.no_exact
    assert result.hits and all(h.match == "related" for h in result.hits)
    assert result.related_total >= len(result.hits)


def test_exact_hits_come_first_and_hold_the_word(dense_archive):
    result = dense_archive.search("jubilation", mode="hybrid", limit=40)
    kinds = [h.match for h in result.hits]
    assert "exact" in kinds and "related" in kinds
    # The first hits keep the fused ranking's places, exact ones first among them; then the
    # other exact ones, then the related ones.
    head, rest = kinds[:EXACT_FIRST_K], kinds[EXACT_FIRST_K:]
    assert head == sorted(head, key=lambda k: k != "exact")
    assert rest == sorted(rest, key=lambda k: k != "exact")
    for hit in result.hits:
        holds = re.search(r"(?<!\w)jubilation(?!\w)", dense_archive.document(hit.doc_id).text, re.I)
        assert (hit.match == "exact") == bool(holds), hit.doc_id
    body = result.to_dict()
    assert body["total"] == result.total and body["related_total"] == result.related_total
    assert {"match", "matched_terms"} <= set(body["hits"][0])


def test_filters_hold_for_related_documents_too(dense_archive):
    result = dense_archive.search(f"{NONSENSE} after:2012-01-01", mode="hybrid", limit=30)
    assert result.hits
    assert all(h.date and h.date >= "2012-01-01" for h in result.hits)


def test_facets_count_the_exact_set_and_their_links_open_as_many(full):
    query = "Weizsaecker OR Spindelegger OR jubilation"
    result = full.search(query, limit=10)
    assert result.total > 10
    releases = result.facets["release"]
    assert sum(releases.values()) == result.total
    assert sum(result.facets["lang"].values()) <= result.total
    for field in ("release", "year"):
        for value, n in result.facets[field].items():
            again = full.search(f"{query} {facet_token(field, value)}", limit=1, facets=False)
            assert again.total == n, (field, value)


def test_panels_count_the_documents_of_the_hits(full):
    found = full.search_set("Weizsaecker OR Spindelegger OR jubilation", limit=5)
    assert len(found.rows) == found.result.total == len(found.matching)
    timeline = full.timeline("Weizsaecker OR Spindelegger OR jubilation")
    assert timeline["documents"] == found.result.total


def test_timeline_people_graph_say_no_match(full_archive):
    runner = CliRunner()
    for command in ("timeline", "people", "graph"):
        out = runner.invoke(main, [command, "--db", str(full_archive), NONSENSE])
        assert out.exit_code == 0, out.output
        assert out.output.strip().splitlines() == [f"no match: no document contains {NONSENSE}"]


def test_timeline_takes_a_query_in_another_language(full_archive, full):
    # Arabic "Austria": the gazetteer bridges it without vectors; the timeline counts the
    # documents holding its English name, as search's exact matches do.
    english = full.search("austria", mode="lexical", limit=1, facets=False).total
    assert full.timeline("النمسا")["documents"] == english > 0
    assert full.people("النمسا")["documents"] == english
    if full.has_vectors():
        assert full.search("النمسا", mode="hybrid", limit=1, facets=False).total == english
    out = CliRunner().invoke(main, ["timeline", "--db", str(full_archive), "النمسا"])
    assert out.exit_code == 0 and re.search(r"^\d{4}-\d\d\s+\d+", out.output, re.M), out.output


def test_search_cli_prints_the_two_groups(full_archive):
    out = CliRunner().invoke(main, ["search", "--db", str(full_archive), NONSENSE])
    assert out.exit_code == 0
    assert out.output.splitlines()[0].startswith(f"no document contains {NONSENSE}")


def test_search_json_contract(full_archive):
    out = CliRunner().invoke(main, ["search", "--db", str(full_archive), "--json", "Spindelegger"])
    body = json.loads(out.output)
    assert {"total", "related_total", "no_exact", "missing", "hits", "facets"} <= set(body)
    assert body["no_exact"] is False and body["missing"] == []
    assert body["hits"][0]["match"] == "exact" and body["hits"][0]["matched_terms"] == ["spindelegger"]


def test_search_page_says_what_contains_the_words_then_what_is_related(dense_archive):
    from starlette.testclient import TestClient
    from dalil.web.app import create_app
    with TestClient(create_app(dense_archive)) as client:       # `with`: the app's lifespan runs
        page = client.get("/", params={"q": "jubilation", "mode": "hybrid"}).text
        empty = client.get("/", params={"q": NONSENSE, "mode": "hybrid"}).text
    total = dense_archive.search("jubilation", mode="hybrid", limit=1, facets=False).total
    summary = page.index(f"{total} documents contain jubilation")
    assert summary < page.index("Related in meaning")
    assert f"No document contains {NONSENSE}" in empty and "Related in meaning" in empty


def test_query_language_by_its_words_not_its_names():
    # A French word and a place name whose first part is an English preposition.
    assert detect_lang("enlèvement In Salah") == "fr"
    assert detect_lang("otages In Salah") == "fr"
    assert detect_lang("hostages In Salah") == "en"


def test_highlights_only_what_matched(dense_archive):
    result = dense_archive.search("otages In Salah", mode="hybrid", limit=10)
    assert result.lang == "fr"
    for hit in result.hits:
        marked = {hit.snippet[s:e].lower() for s, e in hit.highlights}
        assert "in" not in marked, hit.doc_id
