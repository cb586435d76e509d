"""The bounds of web jobs (dalil/web/jobs.py) on the web tests' archive of real corpus documents:
jobs kept, one running job per client, the time limit of a job, the shape of a job id."""
from __future__ import annotations

import time

import pytest
from starlette.testclient import TestClient

from dalil.model import Limits
from dalil.web.app import create_app

# Words of the release's emails and names in two scripts, repeated into a long list.
WORDS = ["Libya", "Sullivan", "Benghazi", "Abedin", "ليبيا", "Mills", "security", "embassy"]


def _client(web_db, jobs_dir, job_seconds: float):
    limits = Limits(max_jobs=2, max_jobs_kept=3, job_seconds=job_seconds, search_per_minute=10_000,
                    work_seconds_per_minute=10_000)
    app = create_app(str(web_db), limits=limits, jobs_dir=str(jobs_dir))
    with TestClient(app) as c:
        c.jobs_dir = jobs_dir
        yield c


@pytest.fixture
def client(web_db, tmp_path):
    yield from _client(web_db, tmp_path / "jobs", 1.0)


@pytest.fixture
def hurried(web_db, tmp_path):
    """Jobs limited to 0.02 s of work: a batch of 1,000 queries cannot end within it on any
    machine (a 1 s limit did on an idle one)."""
    yield from _client(web_db, tmp_path / "jobs", 0.02)


def start_batch(client, n: int):
    queries = "\n".join(f"{WORDS[i % len(WORDS)]} {i}" for i in range(n))
    return client.post("/batch", data={"queries": queries, "mode": "lexical"}, follow_redirects=False)


def wait(client, job_id: str, seconds: float = 120) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = client.get(f"/api/jobs/{job_id}").json()
        if state["state"] in ("done", "failed"):
            return state
        time.sleep(0.05)
    raise AssertionError("job did not end")


def job_id(response) -> str:
    assert response.status_code == 303, response.text[:300]
    return response.headers["location"].split("/")[2].split("?")[0]


def test_a_job_over_its_time_limit_stops_as_failed(hurried):
    state = wait(hurried, job_id(start_batch(hurried, 1000)))
    assert state["state"] == "failed" and "more than 0.02 s" in state["error"]
    assert 0 <= state["done"] < state["total"] == 1000
    assert "more than 0.02 s" in hurried.get(f"/jobs/{state['id']}").text


def test_one_running_job_per_client_and_the_oldest_finished_dropped(client):
    first = job_id(start_batch(client, 1000))
    refused = start_batch(client, 3)
    assert refused.status_code == 429 and "already has a job running" in refused.text
    wait(client, first)
    done = []
    for _ in range(4):           # one after the other: a client has one job running at a time
        done.append(job_id(start_batch(client, 2)))
        assert wait(client, done[-1])["state"] == "done"
    # Three jobs kept: the first two of these four (and the failed one before) are gone.
    assert client.get(f"/api/jobs/{first}").status_code == 404
    assert [client.get(f"/api/jobs/{j}").status_code for j in done] == [404, 200, 200, 200]
    assert len(list(client.jobs_dir.glob("*.json"))) == 3
    assert client.get(f"/jobs/{done[0]}/result").status_code == 404
    csv_text = client.get(f"/jobs/{done[-1]}/result").text
    assert csv_text.splitlines()[0] == "query,total,related,top" and len(csv_text.splitlines()) == 3


def test_api_batch_as_a_job(client):
    r = client.post("/api/batch?job=1&mode=lexical&top=2", content="query\nLibya\nSullivan\nليبيا\n".encode(),
                    headers={"content-type": "text/csv"})
    assert r.status_code == 202 and r.headers["location"] == f"/api/jobs/{r.json()['id']}"
    assert r.json()["kind"] == "batch" and r.json()["total"] == 3
    state = wait(client, r.json()["id"])
    assert state["state"] == "done" and state["done"] == state["total"] == 3
    direct = client.post("/api/batch?mode=lexical&top=2", content="query\nLibya\nSullivan\nليبيا\n".encode(),
                         headers={"content-type": "text/csv"})
    assert client.get(state["result"]).text == direct.text


def test_a_job_id_of_another_shape_is_refused(client):
    for bad in ("short", "../../../etc/passwd", "A" * 40, "AAAAAAAAAAAAAAA!"):
        assert client.get(f"/api/jobs/{bad}").status_code == 404
