"""Users and access (issue 27, part 3): a user sees only the collections granted to them, through
every route of the web server and every read of `Archive.for_user`; tokens, sessions and CSRF;
the audit log; argon2 password hashes; the access store on both backends.

The archive: real FOIA documents of one release in collection "open", and documents of another
release in collection "closed", among them a re-release (new DocNo) of an "open" email, so that
duplicates, threads and people cross the line between the two.  The secrets a user of "open" must
never see: every doc_id of "closed", its release's name, and words that occur only in its texts
(found from the corpus here, not written down)."""
from __future__ import annotations

import collections
import json
import re
import shutil
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from dalil import Archive
from dalil.web.app import create_app
from dalil.web.openapi import SCHEMA

OPEN_RELEASE, CLOSED_RELEASE = "HRC_Email_296", "HRCEmail_Feb13thWeb"
N_OPEN, N_CLOSED = 60, 30
COPY_ID = "C05999991"
PASSWORD = "a long enough pass"
WORD = re.compile(r"[a-z]{8,}")
NAME = re.compile(r"\b[A-Z][a-z]{7,}\b")


@pytest.fixture(scope="module")
def world(tmp_path_factory, corpus_dir):
    root = tmp_path_factory.mktemp("access")
    open_dir, closed_dir = root / "in" / OPEN_RELEASE, root / "in" / CLOSED_RELEASE
    open_dir.mkdir(parents=True)
    closed_dir.mkdir(parents=True)
    open_files = sorted((corpus_dir / OPEN_RELEASE).glob("*.txt"))[:N_OPEN]
    for p in open_files:
        shutil.copy(p, open_dir / p.name)
    for p in sorted((corpus_dir / CLOSED_RELEASE).glob("*.txt"))[:N_CLOSED]:
        shutil.copy(p, closed_dir / p.name)
    # A re-release of an open email under a new DocNo, in the closed collection.
    original = max(open_files, key=lambda p: p.stat().st_size)
    (closed_dir / f"{COPY_ID}.txt").write_bytes(original.read_bytes().replace(original.stem.encode(), COPY_ID.encode()))
    db = root / "dalil.db"
    archive = Archive(str(db))
    assert archive.ingest([str(open_dir)], workers=1, collection="open").failed == 0
    assert archive.ingest([str(closed_dir)], workers=1, collection="closed").failed == 0
    # Names (capitalized words) of the closed texts that no open text holds, nor a calendar or the UI.
    import calendar
    ui = "".join(p.read_text(encoding="utf-8") for p in (Path(__file__).parent.parent / "dalil" / "web").rglob("*")
                 if p.suffix in (".html", ".json", ".js")).lower()
    common = {d.lower() for d in [*calendar.day_name, *calendar.month_name] if d}
    open_words = set()
    for p in open_dir.glob("*.txt"):
        open_words |= set(WORD.findall(p.read_text(errors="ignore").lower()))
    counts = collections.Counter()
    for p in closed_dir.glob("*.txt"):
        names = {w.lower() for w in NAME.findall(p.read_text(errors="ignore"))}
        counts.update(w for w in names - open_words - common if w not in ui)
    words = [w for w, _ in counts.most_common(3)]
    closed_ids = sorted(archive.store.collection_doc_ids(["closed"]))
    open_ids = sorted(archive.store.collection_doc_ids(["open"]))
    assert len(closed_ids) == N_CLOSED + 1 and len(open_ids) == N_OPEN
    archive.add_user("rita", "reader", PASSWORD)
    archive.grant("rita", "open")
    archive.add_user("ed", "editor", PASSWORD)
    archive.grant("ed", "open")
    archive.add_user("ada", "admin", PASSWORD)
    archive.add_user("nobody", "reader", PASSWORD)
    archive.close()
    return {"db": db, "root": root, "words": words, "closed": closed_ids, "open": open_ids,
            "original": original.stem, "secrets": [*closed_ids, CLOSED_RELEASE, *words]}


@pytest.fixture(scope="module")
def app(world):
    return create_app(str(world["db"]), jobs_dir=str(world["root"] / "jobs"))


def login(client: TestClient, name: str) -> str:
    r = client.post("/login", data={"name": name, "password": PASSWORD, "next": "/"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get("/alerts").text
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def leaks(world, body: str, asked: str = "") -> list[str]:
    """The secrets in a response that the request itself did not carry."""
    text = body.lower()
    return [s for s in world["secrets"] if s.lower() in text and s.lower() not in asked.lower()]


def requests_of(world) -> list[tuple[str, str, str, dict]]:
    """(route, method, url, options): at least one request for every route of the application."""
    w, secret, closed = world["words"][0], world["words"][1], world["closed"][0]
    opened = world["original"]
    article = ("The memo of the embassy, released by the State Department, says that "
               f"{w} and {secret} were discussed at length in the meeting.")
    return [
        ("/", "GET", f"/?q={w}", {}),
        ("/", "GET", f"/?q=doc:{closed}", {}),
        ("/", "GET", "/?q=state", {}),
        ("/documents/{doc_id}", "GET", f"/documents/{closed}", {}),
        ("/documents/{doc_id}", "GET", f"/documents/{opened}", {}),
        ("/documents/{doc_id}/original", "GET", f"/documents/{closed}/original", {}),
        ("/documents/{doc_id}/pages/{number}", "GET", f"/documents/{closed}/pages/1", {}),
        ("/trace", "GET", "/trace", {}),
        ("/trace", "POST", "/trace", {"data": {"text": article}}),
        ("/archive", "GET", "/archive", {}),
        ("/people", "GET", "/people", {}),
        ("/people", "GET", f"/people?q={w}", {}),
        ("/people/{person_id}", "GET", "/people/{closed_person}", {}),
        ("/thread/{doc_id}", "GET", f"/thread/{closed}", {}),
        ("/thread/{doc_id}", "GET", f"/thread/{opened}", {}),
        ("/timeline", "GET", f"/timeline?q={w}", {}),
        ("/graph", "GET", f"/graph?q={w}", {}),
        ("/graph/download", "GET", f"/graph/download?q={w}&format=csv", {}),
        ("/dupes", "GET", f"/dupes?doc={closed}", {}),
        ("/dupes/{doc_id}", "GET", f"/dupes/{opened}", {}),
        ("/dupes/{doc_id}", "GET", f"/dupes/{closed}", {}),
        ("/api/search", "GET", f"/api/search?q={w}", {}),
        ("/api/search", "GET", f"/api/search?q=doc:{closed[:5]}*&limit=100", {}),
        ("/api/search", "GET", "/api/search?q=state&limit=100", {}),
        ("/api/documents/{doc_id}", "GET", f"/api/documents/{closed}", {}),
        ("/api/documents/{doc_id}/duplicates", "GET", f"/api/documents/{opened}/duplicates", {}),
        ("/api/documents/{doc_id}/duplicates", "GET", f"/api/documents/{closed}/duplicates", {}),
        ("/api/trace", "POST", "/api/trace", {"content": article.encode(), "headers": {"content-type": "text/plain"}}),
        ("/api/status", "GET", "/api/status", {}),
        ("/api/export", "GET", f"/api/export?q={w}&format=csv", {}),
        ("/api/export", "GET", f"/api/export?thread={closed}&format=jsonl", {}),
        ("/api/export", "GET", "/api/export?q=state&format=jsonl", {}),
        ("/api/cite/{doc_id}", "GET", f"/api/cite/{closed}", {}),
        ("/api/batch", "POST", "/api/batch", {"content": f"query\n{w}\n{secret}\ndoc:{closed}\n".encode(),
                                              "headers": {"content-type": "text/csv"}}),
        ("/alerts", "GET", "/alerts", {}),
        ("/alerts/seen", "POST", "/alerts/seen", {"data": {}}),
        ("/saved", "POST", "/saved", {"data": {"q": w, "name": "mine"}}),
        ("/saved/remove", "POST", "/saved/remove", {"data": {"name": "theirs"}}),
        ("/documents/{doc_id}/kept", "POST", f"/documents/{closed}/kept", {"data": {"action": "star"}}),
        ("/batch", "GET", "/batch", {}),
        ("/batch", "POST", "/batch", {"files": {"queries": (None, f"{w}\n{secret}")}}),
        ("/export", "POST", "/export", {"data": {"q": w, "format": "csv"}}),
        ("/jobs/{job_id}", "GET", "/jobs/{job}", {}),
        ("/jobs/{job_id}/result", "GET", "/jobs/{job}/result", {}),
        ("/jobs/{job_id}/export", "GET", "/jobs/{job}/export?format=csv", {}),
        ("/api/jobs/{job_id}", "GET", "/api/jobs/{job}", {}),
        ("/openapi.json", "GET", "/openapi.json", {}),
        ("/login", "GET", "/login", {}),
        ("/logout", "POST", "/logout", {"data": {}}),
        ("/api/audit", "GET", "/api/audit?format=csv", {}),
        ("/api/me", "GET", "/api/me", {}),
    ]


def _closed_person(world) -> int:
    """A person who writes or receives only in the closed collection (else any person)."""
    a = Archive(str(world["db"]), readonly=True)
    try:
        closed = set(world["closed"])
        people = a.people()["people"]
        only = [p["id"] for p in people if set(a.store.person_doc_ids(p["id"])) <= closed]
        return (only or [p["id"] for p in people])[0]
    finally:
        a.close()


def test_every_route_is_covered(app, world):
    """The table below asks every route of the application and every path of the OpenAPI schema."""
    routes = {r.path for r in app.routes if r.path != "/static"}
    asked = {route for route, *_ in requests_of(world)}
    assert routes - asked == set()
    assert set(SCHEMA["paths"]) - asked == set()


def test_a_user_without_the_grant_sees_nothing_of_the_collection(app, world):
    """Every route, as a reader granted "open" only: a refusal or an answer without any doc_id,
    release name or word of "closed" — totals, facets, suggestions and exports included."""
    assert world["words"], "no word found only in the closed collection"
    person = _closed_person(world)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        # A job of rita's own (an export of a closed word) for the /jobs routes.
        csrf = login(client, "rita")
        r = client.post("/export", data={"q": world["words"][0], "format": "csv", "csrf": csrf}, follow_redirects=False)
        assert r.status_code == 303, r.text
        job = r.headers["location"].split("/jobs/")[1].split("?")[0]
        for _ in range(100):
            if client.get(f"/api/jobs/{job}").json()["state"] in ("done", "failed"):
                break
            time.sleep(0.1)
        seen = []
        for route, method, url, options in requests_of(world):
            url = url.replace("{job}", job).replace("{closed_person}", str(person))
            if route == "/logout":
                continue            # asked last: it ends the session
            options = dict(options)
            if method == "POST" and "data" in options:
                options["data"] = {**options["data"], "csrf": csrf}
            elif method == "POST":
                options["headers"] = {**options.get("headers", {}), "X-CSRF-Token": csrf}
            r = client.request(method, url, follow_redirects=True, **options)
            asked = url + json.dumps(options.get("data", {})) + str(options.get("content", b""), "utf-8") \
                + json.dumps({k: v[1] for k, v in options.get("files", {}).items()}) \
                + (world["words"][0] if "/jobs/" in url else "")      # the job's title: the user's own query
            assert r.status_code in (200, 202, 400, 403, 404), (url, r.status_code, r.text[:300])
            found = leaks(world, r.text + json.dumps(dict(r.headers)), asked)
            assert not found, (method, url, r.status_code, found)
            seen.append(route)
            if url.startswith("/api/search"):
                body = r.json()
                assert all(h["doc_id"] in world["open"] for h in body["hits"]), url
                assert body["expansions"] == {} and body["missing"] == []
            if url.startswith(f"/api/search?q={world['words'][0]}"):
                assert r.json()["total"] == 0 and r.json()["related_total"] == 0
            if url.startswith("/api/export"):
                rows = [json.loads(line)["doc_id"] for line in r.text.splitlines() if line.startswith("{\"doc_id\"")]
                assert set(rows) <= set(world["open"]), url
            if url.startswith(f"/api/export?q={world['words'][0]}"):
                assert r.headers["x-total-count"] == "0"
            if url == "/api/status":
                assert r.json()["documents"] == N_OPEN and r.json()["failures"] == []
            if url == "/api/batch":
                assert all(line.split(",")[1] == "0" for line in r.text.splitlines()[1:]), r.text
            if route in ("/api/documents/{doc_id}", "/api/cite/{doc_id}", "/documents/{doc_id}/original",
                         "/thread/{doc_id}") and world["closed"][0] in url:
                assert r.status_code == 404, url
            if route in ("/saved", "/alerts/seen", "/documents/{doc_id}/kept", "/api/audit"):
                assert r.status_code == 403, (url, r.status_code)    # a reader changes nothing; audit is an admin's
        # The copy of an open email in "closed" is not among its duplicates, nor in its thread.
        dup = client.get(f"/api/documents/{world['original']}/duplicates").json()
        assert COPY_ID not in json.dumps(dup)
        assert client.post("/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
        assert client.get("/api/me").status_code == 401
    assert "/api/trace" in seen and "/api/export" in seen


def test_a_granted_user_sees_the_documents(app, world):
    """The same routes as the admin (every collection) and as a user granted "closed" too."""
    with TestClient(app, base_url="http://127.0.0.1") as client:
        login(client, "ada")
        r = client.get(f"/api/search?q={world['words'][0]}")
        assert r.json()["total"] > 0 and r.json()["hits"][0]["doc_id"] in world["closed"]
        assert client.get(f"/api/documents/{world['closed'][0]}").status_code == 200
        assert client.get("/api/status").json()["documents"] == N_OPEN + N_CLOSED + 1
        assert COPY_ID in json.dumps(client.get(f"/api/documents/{world['original']}/duplicates").json())
    archive = Archive(str(world["db"]))
    try:
        archive.grant("ed", "closed")
        ed = archive.for_user(archive.user("ed"))
        assert ed.search(world["words"][0]).total > 0
        assert ed.document(world["closed"][0]) is not None
        archive.grant("ed", "closed", on=False)
        ed = archive.for_user(archive.user("ed"))
        assert ed.search(world["words"][0]).total == 0 and ed.document(world["closed"][0]) is None
    finally:
        archive.close()


def test_the_scoped_archive_is_the_one_enforcement_point(world):
    """`Archive.for_user` below the faces: every read of a user with no grant at all is empty."""
    archive = Archive(str(world["db"]), readonly=True)
    try:
        nobody = archive.for_user(archive.user("nobody"))
        w = world["words"][0]
        result = nobody.search("state", limit=50)
        assert result.total == 0 and result.hits == [] and not any(result.facets.values())
        assert nobody.search(w).total == 0
        assert nobody.people()["people"] == [] and nobody.timeline("state")["months"] == []
        assert nobody.graph("state")["edges"] == []
        assert nobody.document(world["open"][0]) is None and nobody.thread(world["open"][0]) is None
        assert nobody.dupes(world["original"]) is None and nobody.cite(world["open"][0]) is None
        assert nobody.export(query="state").total == 0
        assert nobody.export(doc_ids=world["open"][:5]).total == 0
        assert [a["total"] for a in nobody.batch(["state", w])] == [0, 0]
        assert nobody.status()["documents"] == 0 and nobody.tags() == [] and nobody.alerts() == []
        assert nobody.rank("state", mode="lexical") == []
        # and the same archive, unscoped, has them all: the test can fail
        assert archive.search(w).total > 0 and archive.search("state").total > 0
    finally:
        archive.close()


def test_tokens_wrong_or_expired_get_401(app, world):
    archive = Archive(str(world["db"]))
    try:
        good = archive.new_token("rita", days=1)["token"]
        old = archive.new_token("rita", days=1)["token"]
        # Expire the second token: its row's expiry moved into the past (as time would).
        archive.kept_store.add_token("x" * 64, "rita", "probe", "2020-01-01T00:00:00+00:00", "2020-01-02T00:00:00+00:00")
    finally:
        archive.close()
    with TestClient(app, base_url="http://127.0.0.1") as client:
        ok = client.get("/api/search?q=state", headers={"Authorization": f"Bearer {good}"})
        assert ok.status_code == 200 and ok.json()["total"] > 0
        for bad in (good[:-2] + "xx", "dalil_" + "A" * 43, "", old + "x"):
            r = client.get("/api/search?q=state", headers={"Authorization": f"Bearer {bad}"})
            assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer"), bad
        assert client.get("/api/search?q=state").status_code == 401
        assert client.get("/?q=state", follow_redirects=False).headers["location"].startswith("/login")
    archive = Archive(str(world["db"]))
    try:
        assert archive.user_for_token(good) is not None and archive.user_for_token(good + "x") is None
        # A token whose expiry has passed: written with an expiry a second ago.
        stale = archive.new_token("rita", days=1)["token"]
        import hashlib
        archive.kept_store.add_token(hashlib.sha256(b"dalil_stale").hexdigest(), "rita", "stale",
                                     "2020-01-01T00:00:00+00:00", "2020-01-01T00:00:01+00:00")
        assert archive.user_for_token("dalil_stale") is None and archive.user_for_token(stale) is not None
    finally:
        archive.close()
    with TestClient(app, base_url="http://127.0.0.1") as client:
        r = client.get("/api/status", headers={"Authorization": "Bearer dalil_stale"})
        assert r.status_code == 401


def test_a_csrf_less_post_is_refused(app, world):
    with TestClient(app, base_url="http://127.0.0.1") as client:
        csrf = login(client, "ed")
        doc = world["open"][0]
        r = client.post(f"/documents/{doc}/kept", data={"action": "tag", "value": "checked"}, follow_redirects=False)
        assert r.status_code == 403
        r = client.post(f"/documents/{doc}/kept", data={"action": "tag", "value": "checked", "csrf": "0" * 64},
                        follow_redirects=False)
        assert r.status_code == 403
        r = client.post(f"/documents/{doc}/kept", data={"action": "tag", "value": "checked", "csrf": csrf},
                        follow_redirects=False)
        assert r.status_code == 303
        assert "checked" in client.get(f"/documents/{doc}").text
        # the JSON API with a session: the header carries it
        assert client.post("/api/batch", content=b"query\nstate\n", headers={"content-type": "text/csv"}).status_code == 403
        assert client.post("/api/batch", content=b"query\nstate\n",
                           headers={"content-type": "text/csv", "X-CSRF-Token": csrf}).status_code == 200


def test_session_cookie_flags_and_a_forged_session(app, world):
    with TestClient(app, base_url="http://127.0.0.1") as client:
        r = client.post("/login", data={"name": "rita", "password": PASSWORD, "next": "//evil.example/"},
                        follow_redirects=False)
        cookie = r.headers["set-cookie"]
        assert r.headers["location"] == "/"
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Max-Age=43200" in cookie
        assert "Secure" not in cookie          # served over http here
        value = client.cookies["dalil_session"]
    with TestClient(app, base_url="https://127.0.0.1") as client:
        r = client.post("/login", data={"name": "rita", "password": PASSWORD}, follow_redirects=False)
        assert "Secure" in r.headers["set-cookie"]
    with TestClient(app, base_url="http://127.0.0.1") as client:
        raw, mac = value.rsplit(".", 1)
        import base64
        forged = base64.urlsafe_b64encode(base64.urlsafe_b64decode(raw + "==").replace(b"rita", b"ada ")[:-0 or None])
        client.cookies.set("dalil_session", forged.decode().rstrip("=") + "." + mac)
        assert client.get("/api/me").status_code == 401
        client.cookies.set("dalil_session", value)
        assert client.get("/api/me").json()["user"]["name"] == "rita"
        r = client.post("/login", data={"name": "rita", "password": "not the password"})
        assert r.status_code == 401


def test_the_audit_log_records_each_access(app, world):
    w = world["words"][0]
    with TestClient(app, base_url="http://127.0.0.1") as client:
        csrf = login(client, "ed")
        client.get("/api/search?q=libya")
        client.get(f"/api/documents/{world['open'][1]}")
        client.get("/api/export?q=libya&format=csv")
        client.post(f"/documents/{world['open'][2]}/kept", data={"action": "note", "value": "seen", "csrf": csrf})
        client.get(f"/api/search?q={w}")
    with TestClient(app, base_url="http://127.0.0.1") as client:
        login(client, "ada")
        entries = client.get("/api/audit?user=ed").json()["entries"]
        csv_text = client.get("/api/audit?format=csv").text
    actions = [(e["action"], e["target"]) for e in entries]
    for expected in [("login", ""), ("search", "libya"), ("open", world["open"][1]), ("export", "libya"),
                     ("note", world["open"][2]), ("search", w)]:
        assert expected in actions, expected
    assert csv_text.startswith("at,user,action,target,detail") and ",ed,note," in csv_text


def test_passwords_are_argon2_hashes(world):
    archive = Archive(str(world["db"]), readonly=True)
    try:
        row = archive.kept_store.user("rita")
        assert row["password"].startswith("$argon2id$") and PASSWORD not in row["password"]
        assert archive.authenticate("rita", PASSWORD).name == "rita"
        assert archive.authenticate("rita", PASSWORD + "x") is None
        assert archive.authenticate("no-such-user", PASSWORD) is None
    finally:
        archive.close()


def test_cli_user_and_audit(world, tmp_path):
    import subprocess
    import sys
    db = tmp_path / "cli.db"
    shutil.copy(world["db"], db)

    def dalil(*args, stdin=None):
        return subprocess.run([sys.executable, "-m", "dalil", *args, "--db", str(db)], capture_output=True,
                              text=True, input=stdin, timeout=120)
    r = dalil("user", "add", "tess", "--role", "editor", "--grant", "open", "--password-stdin", stdin=PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    r = dalil("user", "add", "tess2", "--password-stdin", stdin="short\n")
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "at least" in r.stderr
    r = dalil("user", "grant", "tess", "closed")
    assert r.returncode == 0 and "granted" in r.stdout
    r = dalil("user", "revoke", "tess", "open")
    assert r.returncode == 0 and "revoked" in r.stdout
    listed = json.loads(dalil("user", "list", "--json").stdout)
    tess = next(u for u in listed["users"] if u["name"] == "tess")
    assert tess["collections"] == ["closed"] and tess["role"] == "editor"
    assert {c["name"]: c["documents"] for c in listed["collections"]} == {"closed": N_CLOSED + 1, "open": N_OPEN}
    token = json.loads(dalil("user", "token", "tess", "--days", "2", "--json").stdout)
    assert token["token"].startswith("dalil_")
    assert dalil("user", "passwd", "tess", "--password-stdin", stdin="another long one\n").returncode == 0
    assert dalil("user", "grant", "nosuch", "open").returncode == 1
    assert dalil("user", "grant", "tess", "bad name").returncode == 1
    r = dalil("audit", "--json")
    assert r.returncode == 0 and isinstance(json.loads(r.stdout), list)
    r = dalil("audit", "--csv")
    assert r.stdout.startswith("at,user,action,target,detail")


def test_ingest_collection_default_and_option(tmp_path, corpus_dir):
    """Without --collection the documents go to "default"; a bad name is one line of error."""
    import subprocess
    import sys
    files = sorted((corpus_dir / OPEN_RELEASE).glob("*.txt"))[:3]
    src = tmp_path / "in"
    src.mkdir()
    for p in files:
        shutil.copy(p, src / p.name)
    db = str(tmp_path / "c.db")
    r = subprocess.run([sys.executable, "-m", "dalil", "ingest", str(src), "--db", db, "--collection", "no good"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and "bad collection name" in r.stderr and "Traceback" not in r.stderr
    r = subprocess.run([sys.executable, "-m", "dalil", "ingest", str(src), "--db", db], capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    a = Archive(db, readonly=True)
    try:
        assert a.collections() == [("default", 3)]
        assert a.search("collection:default", limit=5).total == 3
        assert a.search("collection:other", limit=5).total == 0
    finally:
        a.close()


def test_access_store_on_both_backends(store):
    """The access concern's reads and writes, the same on SQLite and PostgreSQL."""
    at = "2026-01-01T00:00:00+00:00"
    assert not store.has_users()
    assert store.add_user("ann", "reader", "$argon2id$h", at) and not store.add_user("ann", "admin", "$argon2id$x", at)
    assert store.has_users()
    assert store.set_grant("ann", "open", True, at) and not store.set_grant("ann", "open", True, at)
    assert store.set_grant("ann", "b", True, at)
    assert store.user("ann") == {"name": "ann", "role": "reader", "created": at, "password": "$argon2id$h",
                                 "collections": ["b", "open"]}
    assert store.set_grant("ann", "b", False, at) and store.users()[0]["collections"] == ["open"]
    assert store.set_role("ann", "editor") and store.set_password("ann", "$argon2id$new")
    assert not store.set_role("bob", "editor")
    store.add_token("h1", "ann", "laptop", at, "2030-01-01T00:00:00+00:00")
    store.add_token("h2", "ann", "old", at, "2026-01-02T00:00:00+00:00")
    assert store.token_user("h1", "2026-06-01T00:00:00+00:00") == "ann"
    assert store.token_user("h2", "2026-06-01T00:00:00+00:00") is None
    assert store.token_user("nope", at) is None
    assert [t["label"] for t in store.tokens("ann")] == ["laptop", "old"]
    assert store.setting("session_key", "k1") == "k1" and store.setting("session_key", "k2") == "k1"
    for i in range(3):
        store.add_audit(at, "ann", "search", f"q{i}", "")
    assert [e["target"] for e in store.audit()] == ["q0", "q1", "q2"]
    assert [e["target"] for e in store.audit(limit=2)] == ["q1", "q2"]
    assert store.audit(user="bob") == []
    assert store.collections() == [] and store.collection_status(["open"])["documents"] == 0


def test_a_scoped_archive_on_postgresql(pg_url, world, corpus_dir, tmp_path):
    """The same scoping on the PostgreSQL backend: collections set at ingest, a user's search,
    status, people and documents inside their grant only."""
    open_dir, closed_dir = tmp_path / "open", tmp_path / "closed"
    open_dir.mkdir()
    closed_dir.mkdir()
    for name in world["open"][:8]:
        shutil.copy(corpus_dir / OPEN_RELEASE / f"{name}.txt", open_dir)
    for name in [d for d in world["closed"] if d != COPY_ID][:8]:
        shutil.copy(corpus_dir / CLOSED_RELEASE / f"{name}.txt", closed_dir)
    archive = Archive(pg_url)
    try:
        archive.ingest([str(open_dir)], workers=1, collection="open")
        archive.ingest([str(closed_dir)], workers=1, collection="closed")
        assert archive.collections() == [("closed", 8), ("open", 8)]
        archive.add_user("pat", "reader", PASSWORD)
        archive.grant("pat", "open")
        pat = archive.for_user(archive.authenticate("pat", PASSWORD))
        everything = archive.search("state", limit=100, mode="lexical")
        mine = pat.search("state", limit=100, mode="lexical")
        assert everything.total > mine.total > 0
        assert {h.doc_id for h in mine.hits} <= set(world["open"][:8])
        assert sum(mine.facets["release"].values()) == mine.total and CLOSED_RELEASE not in mine.facets["release"]
        assert pat.status()["documents"] == 8 and pat.document(world["closed"][0]) is None
        assert pat.search("collection:closed").total == 0 and archive.search("collection:closed").total == 8
        assert pat.audit(user="pat")[-1]["action"] == "search"
    finally:
        archive.close()


def test_a_job_is_its_users_only(app, world):
    """A job id is no key for another user: their export is a 404, like an unknown job."""
    with TestClient(app, base_url="http://127.0.0.1") as client:
        csrf = login(client, "rita")
        r = client.post("/export", data={"q": "state", "format": "csv", "csrf": csrf}, follow_redirects=False)
        job = r.headers["location"].split("/jobs/")[1].split("?")[0]
        assert client.get(f"/api/jobs/{job}").status_code == 200
    with TestClient(app, base_url="http://127.0.0.1") as client:
        login(client, "ed")
        for path in (f"/api/jobs/{job}", f"/jobs/{job}", f"/jobs/{job}/result", "/api/jobs/AAAAAAAAAAAAAAAA"):
            r = client.get(path)
            assert r.status_code == 404, path


def test_wrong_passwords_are_rate_limited(world):
    """Ten wrong passwords a minute from one address, then 429; a right one is not counted."""
    app = create_app(str(world["db"]), jobs_dir=str(world["root"] / "jobs-rate"))
    with TestClient(app, base_url="http://127.0.0.1") as client:
        for _ in range(3):
            login(client, "rita")
        codes = []
        while len(codes) < 20 and 429 not in codes:
            codes.append(client.post("/login", data={"name": "rita", "password": "wrong one"}).status_code)
        # ten tokens, refilled at ten a minute while each argon2 check takes its time
        assert codes[-1] == 429 and set(codes[:-1]) == {401} and 10 <= len(codes) - 1 <= 14, codes
        r = client.post("/login", data={"name": "rita", "password": PASSWORD}, follow_redirects=False)
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
