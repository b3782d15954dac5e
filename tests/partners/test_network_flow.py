"""Through HTTP and the broker: a commune's network built, linked, imported and exported,
with exactly the right events on partners.events — and no personal data in any of them."""

from kafka import KafkaConsumer, TopicPartition

from shared.contracts import topic_of
from partners.service_layer.handlers import today  # the commune's date, in Zurich
from tests.partners.conftest import event_scheduled

SECRETS = ("Jeanne Secrète", "jeanne.secrete@example.ch", "+41 32 999 88 77", "Paul Privé",
           "paul.prive@example.ch", "079 555 44 33", "rencontre confidentielle", "départ du curé")
IMPORT_CSV = ("Nom;Type;Statut;Rôles;Contact;E-mail;Téléphone\r\n"
              "Ludothèque;Association;Contacté;Relais;Paul Privé;paul.prive@example.ch;079 555 44 33\r\n"
              "Épicerie du Village;Entreprise;;Financeur;;;\r\n").encode("utf-8-sig")


def post(pw, path, body, who="coordinator_a"):
    response = pw.client().post(pw.api() + path, json=body, headers=pw.headers(who))
    assert response.status_code in (200, 201), (path, response.status_code, response.json)
    return response.json


def every_message_on_the_partners_topic(bootstrap: str) -> list[bytes]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic_of("partners"), p)
                      for p in consumer.partitions_for_topic(topic_of("partners"))]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends, values = consumer.end_offsets(partitions), []
        while any(consumer.position(p) < end for p, end in ends.items()):
            for records in consumer.poll(timeout_ms=200).values():
                values += [record.value for record in records]
        return values
    finally:
        consumer.close()


def build_network(pw):
    client = pw.client()
    regional = client.post("/partners/api/v1/regional-partners", headers=pw.headers("regional"),
                           json={"name": "Pro Senectute Arc jurassien", "kind": "association",
                                 "themes": ["aînés"]}).json
    parish = post(pw, "/partners", {"name": "Paroisse de la commune", "kind": "parish", "roles": ["venue"],
                                    "themes": ["aînés", "solidarité"], "website": "www.paroisse.example.ch"})
    youth = post(pw, "/partners", {"name": "Société de jeunesse", "kind": "club", "status": "contacted"})
    joined = post(pw, "/partnerships", {"partner_id": regional["id"], "status": "engaged"})
    post(pw, f"/partners/{parish['id']}/contacts", {"name": "Jeanne Secrète", "function": "Secrétaire",
                                                    "email": "jeanne.secrete@example.ch",
                                                    "phone": "+41 32 999 88 77"})
    post(pw, f"/partners/{parish['id']}/notes", {"happened_on": today().isoformat(),
                                                 "summary": "Rencontre confidentielle avec Jeanne Secrète"})
    post(pw, f"/partners/{parish['id']}/status", {"status": "active"})
    post(pw, f"/partners/{parish['id']}/status", {"status": "contacted", "reason": "Départ du curé"})
    roles = client.put(pw.api() + f"/partners/{parish['id']}/roles", headers=pw.headers("coordinator_a"),
                       json={"roles": ["venue", "co_organiser"]})
    assert roles.json["roles"] == ["co_organiser", "venue"]
    post(pw, "/links", {"partner_id": parish["id"], "target_type": "partner", "target_id": youth["id"],
                        "relation": "works_with"})
    return parish, youth, joined


def learn_an_action_and_an_event(pw, parish, youth):
    programme = f"/programme/api/v1/communes/{pw.commune_a}/actions"
    action = pw.programme.client().post(programme, headers=pw.headers("coordinator_a"), json={
        "title": "Fête des voisins", "partner_ids": [parish["id"], "not-ours"]}).json
    from tests.partners.conftest import publish_all
    publish_all(pw.programme.runtime)
    pw.produce(event_scheduled(pw.commune_a, "ev-1", "Papotage au café", [youth["id"]]))
    pw.consume_until(lambda: len(pw.client().get(pw.api() + "/activities",
                                                 headers=pw.headers("viewer_a")).json) == 2)
    return action


def test_a_network_built_linked_imported_and_exported_publishes_the_right_events_and_nothing_personal(pw):
    parish, youth, joined = build_network(pw)
    action = learn_an_action_and_an_event(pw, parish, youth)
    post(pw, "/links", {"partner_id": parish["id"], "target_type": "event", "target_id": "ev-1",
                        "relation": "involved"})
    preview = pw.client().post(pw.api() + "/imports", headers=pw.headers("coordinator_a"),
                               data={"file": (__import__("io").BytesIO(IMPORT_CSV), "liste.csv")},
                               content_type="multipart/form-data")
    assert preview.status_code == 200 and preview.json["valid"], preview.json
    imported = post(pw, f"/imports/{preview.json['import_id']}/confirm", None)
    assert sorted(p["name"] for p in imported) == ["Ludothèque", "Épicerie du Village"]
    assert pw.client().delete(pw.api() + f"/partners/{youth['id']}",
                              headers=pw.headers("coordinator_a")).status_code == 204

    links = pw.client().get(pw.api() + "/links", headers=pw.headers("viewer_a")).json
    assert sorted((l["target_type"], l["origin"]) for l in links) == [("action", "programme"), ("event", "commune")]
    assert [l["target_id"] for l in links if l["origin"] == "programme"] == [str(action["id"])]

    events = pw.published(expect=11)
    assert [e.type.split(".")[1] for e in events] == [
        "PartnerRegistered", "PartnerRegistered", "PartnerRegistered",
        "PartnershipStatusChanged", "PartnershipStatusChanged", "PartnerRolesChanged",
        "PartnersLinked", "PartnersLinked", "PartnerRegistered", "PartnerRegistered", "PartnershipEnded"]
    registered = [e.payload for e in events if e.type == "partners.PartnerRegistered"]
    assert registered[0] == {"partner_id": parish["id"], "name": "Paroisse de la commune", "kind": "parish",
                             "regional": False, "status": "identified", "roles": ["venue"],
                             "registered_on": today().isoformat()}
    assert registered[2]["regional"] is True and registered[2]["partner_id"] == joined["id"]
    assert registered[3]["status"] == "contacted" and registered[3]["roles"] == ["relay"]
    changes = [e.payload for e in events if e.type == "partners.PartnershipStatusChanged"]
    assert [(c["previous_status"], c["status"]) for c in changes] == [("identified", "active"), ("active", "contacted")]
    linked = [e.payload for e in events if e.type == "partners.PartnersLinked"]
    assert [(l["target_type"], l["relation"]) for l in linked] == [("partner", "works_with"), ("event", "involved")]
    assert events[-1].payload["partner_id"] == youth["id"]
    assert all(e.commune == pw.commune_a and e.source == "partners" for e in events)

    raw = b"".join(every_message_on_the_partners_topic(pw.broker.bootstrap_servers)).decode().casefold()
    for secret in SECRETS:
        assert secret.casefold() not in raw, secret

    csv = pw.client().get(pw.api() + "/export?format=csv", headers=pw.headers("coordinator_a"))
    assert csv.status_code == 200 and csv.data.startswith(b"\xef\xbb\xbf")
    text = csv.data.decode("utf-8-sig")
    assert "Paroisse de la commune" in text and "Jeanne Secrète" in text and "Société de jeunesse" not in text
    network = pw.client().get(pw.api() + "/network", headers=pw.headers("viewer_a")).json
    assert network["figures"]["events"] == 1 and network["figures"]["co_organised_share"] == 1.0


def test_a_regional_partner_renamed_by_the_region_is_announced_to_each_commune_working_with_it(pw):
    client = pw.client()
    regional = client.post("/partners/api/v1/regional-partners", headers=pw.headers("regional"),
                           json={"name": "Caritas", "kind": "social_service"}).json
    for commune, who in ((pw.commune_a, "coordinator_a"), (pw.commune_b, "coordinator_b")):
        assert client.post(pw.api(commune) + "/partnerships", headers=pw.headers(who),
                           json={"partner_id": regional["id"]}).status_code == 201
    address_only = client.patch(f"/partners/api/v1/regional-partners/{regional['id']}", headers=pw.headers("regional"),
                                json={"address": "Delémont"})
    renamed = client.patch(f"/partners/api/v1/regional-partners/{regional['id']}", headers=pw.headers("regional"),
                           json={"name": "Caritas Jura"})
    assert address_only.status_code == renamed.status_code == 200
    for commune in (pw.commune_a, pw.commune_b):
        events = pw.published(commune, expect=2)
        assert [e.type for e in events] == ["partners.PartnerRegistered", "partners.PartnerUpdated"]
        assert events[1].payload == {"partner_id": regional["id"], "name": "Caritas Jura",
                                     "kind": "social_service", "regional": True}


def test_removing_a_link_is_announced_and_roles_set_twice_are_announced_once(pw):
    first = post(pw, "/partners", {"name": "Paroisse", "kind": "parish"})
    second = post(pw, "/partners", {"name": "École", "kind": "school"})
    link = post(pw, "/links", {"partner_id": second["id"], "target_type": "partner", "target_id": first["id"],
                               "relation": "introduced_by_us"})
    for _ in range(2):
        pw.client().put(pw.api() + f"/partners/{first['id']}/roles", headers=pw.headers("coordinator_a"),
                        json={"roles": ["relay"]})
        post(pw, f"/partners/{first['id']}/status", {"status": "identified"})  # the same status: no change
    assert pw.client().delete(pw.api() + f"/links/{link['id']}", headers=pw.headers("coordinator_a")).status_code == 204
    events = pw.published(expect=5)
    assert [e.type.split(".")[1] for e in events] == [
        "PartnerRegistered", "PartnerRegistered", "PartnersLinked", "PartnerRolesChanged", "PartnersUnlinked"]
    linked, unlinked = events[2].payload, events[4].payload
    assert {linked["partner_id"], linked["target_id"]} == {first["id"], second["id"]}
    assert unlinked == {"link_id": link["id"], "partner_id": linked["partner_id"], "target_type": "partner",
                        "target_id": linked["target_id"]}
