"""The demo of `make run`: Courtételle's partner network, seeded once (a second run adds
nothing), and the walk-through's spreadsheet importing cleanly on top of it."""
import io

from programme.demo import seed as seed_programme
from tests.partners.conftest import publish_all

from partners.demo import SAMPLE, SAMPLE_ROWS, seed


def test_the_demo_seeds_courtetelles_network_once_and_the_sample_imports_on_top(pw):
    seed_programme(pw.programme.runtime)
    publish_all(pw.programme.runtime)
    pw.consume_until(lambda: {"courtetelle", "delemont"} <= pw.known_communes())
    assert seed(pw.runtime, wait_s=5) is True
    assert seed(pw.runtime, wait_s=5) is False  # idempotent: nothing is added twice

    client, headers = pw.client(), pw.headers("regional")
    courtetelle = client.get("/partners/api/v1/communes/courtetelle/partners", headers=headers).json
    by_name = {p["name"]: p for p in courtetelle}
    assert {"Paroisse catholique de Courtételle", "École primaire de Courtételle",
            "Société de jeunesse de Courtételle", "Service social communal"} <= set(by_name)
    assert {p["status"] for p in courtetelle} == {"identified", "contacted", "engaged", "active", "inactive"}
    regional = by_name["Pro Senectute Arc jurassien"]
    assert regional["regional"] is True
    delemont = client.get("/partners/api/v1/communes/delemont/partners", headers=headers).json
    assert regional["id"] in {p["id"] for p in delemont}  # one organisation, two partnerships
    history = client.get(f"/partners/api/v1/communes/courtetelle/partners/{by_name['Paroisse catholique de Courtételle']['id']}",
                         headers=headers).json["history"]
    assert [h["status"] for h in history] == ["identified", "contacted", "engaged", "active"]
    assert len(client.get("/partners/api/v1/communes/courtetelle/links", headers=headers).json) >= 3

    coordinator = {"Authorization": headers["Authorization"]}
    preview = client.post("/partners/api/v1/communes/courtetelle/imports", headers=coordinator,
                          content_type="multipart/form-data",
                          data={"file": (io.BytesIO(SAMPLE.read_bytes()), SAMPLE.name)}).json
    assert preview["valid"], [r["errors"] for r in preview["rows"] if r["errors"]]
    confirmed = client.post(f"/partners/api/v1/communes/courtetelle/imports/{preview['import_id']}/confirm",
                            headers=coordinator)
    assert confirmed.status_code == 201 and len(confirmed.json) == len(SAMPLE_ROWS)


def test_the_committed_sample_spreadsheet_holds_the_rows_the_demo_describes():
    from partners.adapters.spreadsheets import read_table
    from partners.demo import SAMPLE_HEADERS
    headers, rows = read_table(SAMPLE.read_bytes())
    assert headers == SAMPLE_HEADERS
    assert [row + [""] * (len(headers) - len(row)) for row in rows] == SAMPLE_ROWS
