"""The partners' pages in a real browser (headless Chromium) over real HTTP: the walk-through
of the issue (import Courtételle's spreadsheet, two partners to active, linked to an event,
the network graph) and the graph's legibility at 55 partners."""
from __future__ import annotations

import re
from itertools import combinations

import pytest
from playwright.sync_api import expect

from runner.dispatch import PathDispatcher
from tests.partners.conftest import event_scheduled
from tests.support.browser import live_server

from partners.demo import SAMPLE, SAMPLE_ROWS

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
KINDS = ("association", "school", "parish", "business", "municipal_service", "social_service", "health",
         "club", "other")
STATUSES = ("identified", "contacted", "engaged", "active", "inactive")


@pytest.fixture
def server(pw):
    apps = {"programme": pw.programme.app(), "partners": pw.app()}
    with live_server(PathDispatcher(apps, default="/programme/")) as base_url:
        yield base_url


@pytest.fixture
def coordinator(pw) -> str:
    from programme.service_layer import handlers
    with pw.programme.runtime.unit_of_work() as uow:
        handlers.create_account(uow, "coord@example.ch", "Coordination", PASSWORD, "coordinator", [pw.commune_a])
    return "coord@example.ch"


def sign_in(page, server, email, target="/partners/"):
    page.goto(f"{server}{target}")
    expect(page).to_have_url(re.compile(r"/programme/login\?next="))
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("form:has(#password) button[type=submit]")
    page.wait_for_load_state()


def test_a_coordinator_imports_the_sample_moves_two_to_active_links_them_to_an_event_and_sees_the_graph(
        pw, server, page, coordinator, artifacts_dir):
    pw.produce(event_scheduled(pw.commune_a, "ev-fete", "Fête des voisins", []))
    pw.consume_until(lambda: pw.client().get(pw.api() + "/activities", headers=pw.headers("viewer_a")).json)

    sign_in(page, server, coordinator)
    expect(page).to_have_url(f"{server}/partners/communes/{pw.commune_a}")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.get_by_role("link", name="Importer une liste (CSV ou Excel)").click()
    page.set_input_files("#import-file", str(SAMPLE))
    page.locator("#upload button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("table.preview tbody tr.ok")).to_have_count(len(SAMPLE_ROWS))
    page.screenshot(path=str(artifacts_dir / "partners-import-preview.png"), full_page=True)
    page.locator("#confirm-import").click()
    page.wait_for_load_state()
    expect(page.locator(".flash")).to_contain_text(str(len(SAMPLE_ROWS)))
    expect(page.locator("table.partner-table tbody tr")).to_have_count(len(SAMPLE_ROWS))

    for name in ("Bibliothèque communale", "Samaritains de Courtételle"):
        page.goto(f"{server}/partners/communes/{pw.commune_a}")
        page.get_by_role("link", name=name).click()
        page.select_option("#status-status", "active")
        page.locator("#status button[type=submit]").click()
        page.wait_for_load_state()
        expect(page.locator("h1 .status")).to_have_text("actif")
        page.select_option("#link-relation", "involved")
        page.select_option("#link-target", label="Fête des voisins")
        page.locator("#links button[type=submit]").click()
        page.wait_for_load_state()
        expect(page.locator("#links ul.links")).to_contain_text("Fête des voisins")

    page.get_by_role("link", name="Réseau et chiffres").click()
    graph = page.locator("svg.network-graph")
    expect(graph).to_be_visible()
    expect(graph.locator("g.node-partner")).to_have_count(len(SAMPLE_ROWS))
    expect(graph.locator("g.node-event")).to_have_count(1)
    expect(graph.locator("path.edge-involved")).to_have_count(2)
    expect(page.locator("#co-organised-share")).to_have_text("100 %")
    expect(page.locator("#network-table")).to_contain_text("Samaritains de Courtételle")
    page.screenshot(path=str(artifacts_dir / "partners-walkthrough-network.png"), full_page=True)

    events = pw.published(expect=len(SAMPLE_ROWS) + 4)
    assert [e.type for e in events].count("partners.PartnershipStatusChanged") == 2
    assert [e.payload["target_id"] for e in events if e.type == "partners.PartnersLinked"] == ["ev-fete", "ev-fete"]


def build_55_partners(pw):
    client, headers = pw.client(), pw.headers("coordinator_a")
    ids = []
    for number in range(55):
        kind, status = KINDS[number % len(KINDS)], STATUSES[number % len(STATUSES)]
        response = client.post(pw.api() + "/partners", headers=headers, json={
            "name": f"Organisation numéro {number + 1:02d} de la commune", "kind": kind, "status": status})
        assert response.status_code == 201, response.json
        ids.append(response.json["id"])
    for first, second in zip(ids[::3], ids[7::5]):
        assert client.post(pw.api() + "/links", headers=headers, json={
            "partner_id": first, "target_type": "partner", "target_id": second,
            "relation": "works_with"}).status_code == 201
    pw.produce(*[event_scheduled(pw.commune_a, f"ev-{n}", f"Papotage numéro {n}", ids[n::9]) for n in range(6)])
    pw.consume_until(lambda: len(client.get(pw.api() + "/activities", headers=headers).json) == 6)
    return ids


def corners_of_labels(page) -> list[list[tuple[float, float]]]:
    """Each partner label's box as drawn (rotated): its four corners on the screen."""
    return page.evaluate("""() => [...document.querySelectorAll('svg.network-graph g.node-partner text')]
        .map(t => { const b = t.getBBox(), m = t.getScreenCTM();
                    return [[b.x, b.y], [b.x + b.width, b.y], [b.x + b.width, b.y + b.height], [b.x, b.y + b.height]]
                        .map(([x, y]) => [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f]); })""")


def _separated(a, b) -> bool:
    """Separating axis test for two convex quadrilaterals (a hair of contact allowed)."""
    for polygon in (a, b):
        for (x1, y1), (x2, y2) in zip(polygon, polygon[1:] + polygon[:1]):
            axis = (y1 - y2, x2 - x1)
            project = lambda points: [axis[0] * x + axis[1] * y for x, y in points]  # noqa: E731
            pa, pb = project(a), project(b)
            length = (axis[0] ** 2 + axis[1] ** 2) ** 0.5 or 1
            if max(pa) <= min(pb) + 0.5 * length or max(pb) <= min(pa) + 0.5 * length:
                return True
    return False


def overlapping(quads) -> list[tuple[int, int]]:
    return [(i, j) for (i, a), (j, b) in combinations(enumerate(quads), 2) if not _separated(a, b)]


def test_the_network_graph_of_55_partners_is_drawn_with_every_label_legible(pw, server, page, coordinator,
                                                                           artifacts_dir):
    build_55_partners(pw)
    sign_in(page, server, coordinator, f"/partners/communes/{pw.commune_a}/network")
    graph = page.locator("svg.network-graph")
    expect(graph).to_be_visible()
    nodes = graph.locator("g.node-partner")
    assert nodes.count() == 55 >= 50
    assert graph.bounding_box()["width"] >= 600
    page.screenshot(path=str(artifacts_dir / "partners-network-55.png"), full_page=True)
    graph.screenshot(path=str(artifacts_dir / "partners-network-55-graph.png"))
    sizes = page.evaluate("""() => [...document.querySelectorAll('svg.network-graph g.node-partner text')]
        .map(t => { const m = t.getScreenCTM(); return parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b); })""")
    assert len(sizes) == 55 and min(sizes) >= 9, "labels too small to read at this width"
    labels = corners_of_labels(page)
    assert overlapping(labels) == []
    expect(page.locator("#network-table tbody tr")).to_have_count(55)
    expect(page.locator("ul.legend").first).to_contain_text("Paroisse")


@pytest.mark.phone
def test_the_list_and_a_partners_file_fit_a_phone_screen(pw, server, page, coordinator, artifacts_dir):
    client, headers = pw.client(), pw.headers("coordinator_a")
    partner = client.post(pw.api() + "/partners", headers=headers, json={
        "name": "Association jurassienne pour l'animation des villages et des quartiers", "kind": "association",
        "website": "www.une-adresse-web-assez-longue-pour-deborder.example.ch/accueil", "roles": ["relay"]}).json
    client.post(pw.api() + f"/partners/{partner['id']}/contacts", headers=headers,
                json={"name": "Anne Exemple", "email": "anne.exemple@une-adresse-longue.example.ch"})
    sign_in(page, server, coordinator)
    for path in ("", f"/partners/{partner['id']}", "/import"):
        page.goto(f"{server}/partners/communes/{pw.commune_a}{path}")
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > 391)
            .map(el => el.tagName + '#' + el.id + ' in ' + (el.closest('section,nav,header,main') || {}).id + '/' + (el.closest('section,nav,header,main') || {}).tagName + ' ' + Math.round(el.getBoundingClientRect().right))""")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, (path, wide[:40])
    page.goto(f"{server}/partners/communes/{pw.commune_a}/partners/{partner['id']}")
    page.screenshot(path=str(artifacts_dir / "partners-file-phone.png"), full_page=True)
    page.locator("#status-status").select_option("identified")
    page.locator("#status button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("h1 .status")).to_have_text("identifié")  # the same status: nothing to change
    page.locator("#contact-email").fill("pas une adresse")
    page.locator("#contact-name").fill("Bruno")
    page.locator("#contacts form:not(.inline) button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("#contact-email")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#contact-email-error")).to_be_visible()
    expect(page.locator("#contact-name")).to_have_value("Bruno")
