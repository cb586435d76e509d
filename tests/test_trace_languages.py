"""Claims in languages dalil is not tuned for (Spanish, Italian, Portuguese, German, Turkish),
traced against the quality archive: the English source is found and the verdict is not thrown
off by the language (capitalized institution nouns, negation in the verb, a German day)."""
import pytest

VERMA = {"C05777468", "C05772122"}          # Verma to Clinton, 18 December 2010: the McCain amendment
REINES = {"C05764217", "C05764219"}         # Reines on Sri Lanka: "I have to let PJ respond"
CASES = [
    ("es", "Según un correo publicado por el Departamento de Estado, Richard Verma informó a Clinton el 18 de "
           "diciembre de 2010 que la enmienda de McCain sobre el preámbulo del tratado START sería derrotada.", VERMA),
    ("it", "Secondo un'email pubblicata dal Dipartimento di Stato, Richard Verma scrisse a Clinton il 18 dicembre "
           "2010 che l'emendamento di McCain sul preambolo del trattato START sarebbe stato respinto.", VERMA),
    ("de", "Laut einer vom Außenministerium veröffentlichten E-Mail schrieb Richard Verma am 18. Dezember 2010 an "
           "Clinton, dass der Änderungsantrag von McCain zur Präambel des START-Vertrags scheitern werde.", VERMA),
    ("pt", "Segundo um e-mail divulgado pelo Departamento de Estado, Philippe Reines respondeu sobre o Sri Lanka "
           "que não sabia o que tinha sido executado e que deixaria PJ responder.", REINES),
    ("tr", "Dışişleri Bakanlığı'nın yayımladığı bir e-postaya göre, Philippe Reines Sri Lanka konusunda neyin "
           "uygulandığını gerçekten bilmediğini ve yanıtı PJ'ye bırakacağını yazdı.", REINES),
]


@pytest.mark.parametrize("lang,text,gold", CASES, ids=[c[0] for c in CASES])
def test_claim_in_another_language_finds_its_source(quality_archive, lang, text, gold):
    report = quality_archive.trace(text)
    assert report.article.lang == lang
    assert len(report.claims) == 1, [c.claim.text for c in report.claims]   # "18." ends no sentence
    claim = report.claims[0]
    docs = {d for e in claim.evidence[:5] for d in (e.doc_id, *e.duplicates)}
    assert gold & docs, [e.doc_id for e in claim.evidence]
    assert claim.verdict.label == "supported", claim.verdict.explanation
    if lang == "es" or lang == "de":
        assert claim.claim.meta.get("date") == "2010-12-18" or any(t.kind == "date" for t in claim.terms)
