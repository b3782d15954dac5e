"""Residents' names and contacts are erased a configurable number of days after their event:
by the job's use case, by the `erase_contacts` command, and periodically by the events worker."""
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.events.town import register, token_of, utc

from events.adapters.orm import Registration
from events.config import retention_settings
from events.service_layer import handlers
from events.service_layer.retention import erase_expired_contacts

REPO = Path(__file__).resolve().parents[2]


def past_event(town, commune: str, ended_days_ago: float, people: list[tuple[str, str]]) -> str:
    """An event that ended `ended_days_ago` days ago, with registrations made a week before it."""
    ends = utc(days=-ended_days_ago)
    starts = ends - timedelta(hours=2)
    with town.runtime.unit_of_work() as uow:
        row = handlers.schedule_event(uow, commune, now=starts - timedelta(days=10), kind="atelier",
                                      title=f"Atelier d'il y a {ended_days_ago} jours", starts_at=starts,
                                      ends_at=ends, place_name="Salle", phase=4, registration_required=True)
    for name, contact in people:
        with town.runtime.unit_of_work() as uow:
            handlers.register(uow, commune, row.id, name, 1, contact, now=starts - timedelta(days=7))
    return row.id


def contacts(town, event_id: str) -> list[tuple]:
    with town.runtime.session_factory() as session:
        return session.execute(select(Registration.name, Registration.contact, Registration.token,
                                      Registration.party_size, Registration.status)
                               .where(Registration.event_id == event_id).order_by(Registration.id)).all()


def test_contacts_are_erased_thirty_days_after_the_event_and_the_counts_stay(town):
    old = past_event(town, town.a, 31, [("Odile Oppliger", "odile@example.ch"), ("Oscar Oeuvray", "079 1")])
    recent = past_event(town, town.a, 29, [("Rita Rossé", "rita@example.ch")])
    other_commune = past_event(town, town.b, 40, [("Berthe Bourquard", "032 2")])
    coming = town.schedule(registration_required=True)
    coming_token = token_of(register(town.client(), town.a, coming["id"], name="Ursule", contact="u@example.ch"))
    with town.runtime.unit_of_work() as uow:
        old_token = uow.session.scalar(select(Registration.token).where(Registration.event_id == old).limit(1))

    assert erase_expired_contacts(town.runtime, retention_days=30) == 3
    assert contacts(town, old) == [(None, None, None, 1, "registered")] * 2
    assert contacts(town, other_commune) == [(None, None, None, 1, "registered")]
    assert contacts(town, recent)[0][:2] == ("Rita Rossé", "rita@example.ch")
    assert contacts(town, coming["id"])[0][:2] == ("Ursule", "u@example.ch")

    client = town.client()
    assert client.get(f"/events/r/{old_token}").status_code == 404  # the personal link went with the name
    assert client.get(f"/events/r/{coming_token}").status_code == 200
    counted = client.get(f"{town.api(town.a)}/events/{old}", headers=town.headers("viewer_a")).json
    assert counted["registered_people"] == 2
    listed = client.get(f"{town.api(town.a)}/events/{old}/registrations", headers=town.headers("coordinator_a")).json
    assert [(r["name"], r["contact"], r["erased"]) for r in listed] == [(None, None, True)] * 2
    town.sign_in(client, "coordinator_a")
    page = client.get(f"/events/communes/{town.a}/events/{old}").get_data(as_text=True)
    assert "(effacé)" in page and "Odile" not in page

    assert erase_expired_contacts(town.runtime, retention_days=30) == 0  # twice changes nothing more


def test_the_erase_command_takes_the_retention_from_the_environment(town, settings_env):
    six_days = past_event(town, town.a, 6, [("Sixtine Sauvain", "s@example.ch")])
    four_days = past_event(town, town.a, 4, [("Quentin Queloz", "q@example.ch")])
    done = subprocess.run([sys.executable, "-m", "events.entrypoints.erase_contacts"], cwd=REPO,
                          env={**os.environ, **settings_env, "ASP_REGISTRATION_RETENTION_DAYS": "5"},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "1 registration(s)" in done.stdout and "5 day(s)" in done.stdout
    assert contacts(town, six_days)[0][:2] == (None, None)
    assert contacts(town, four_days)[0][:2] == ("Quentin Queloz", "q@example.ch")


def test_the_events_worker_erases_expired_contacts_periodically(town, settings_env, tmp_path):
    before_start = past_event(town, town.a, 45, [("Ada Aubry", "ada@example.ch")])
    log = open(tmp_path / "worker.log", "w")
    worker = subprocess.Popen([sys.executable, "-m", "events.entrypoints.consumer"], cwd=REPO, stdout=log,
                              stderr=subprocess.STDOUT,
                              env={**os.environ, **settings_env, "ASP_REGISTRATION_ERASE_INTERVAL_SECONDS": "1"})
    try:
        wait_for(lambda: contacts(town, before_start)[0][0] is None, worker, tmp_path)
        while_running = past_event(town, town.a, 31, [("Basile Beuchat", "basile@example.ch")])
        assert contacts(town, while_running)[0][0] == "Basile Beuchat"
        wait_for(lambda: contacts(town, while_running)[0][0] is None, worker, tmp_path)  # the next round
    finally:
        worker.send_signal(signal.SIGTERM)
        code = worker.wait(60)
    assert code == 0, (tmp_path / "worker.log").read_text()[-3000:]


def wait_for(condition, worker, folder, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert worker.poll() is None, (folder / "worker.log").read_text()[-3000:]
        assert time.monotonic() < deadline, "the worker did not erase in time"
        time.sleep(0.2)


def test_the_retention_defaults_to_thirty_days_and_refuses_nonsense():
    assert retention_settings({}).retention_days == 30
    assert retention_settings({"ASP_REGISTRATION_RETENTION_DAYS": "7"}).retention_days == 7
    for wrong in ("soon", "-1", "2.5"):
        with pytest.raises(ValueError, match="ASP_REGISTRATION_RETENTION_DAYS"):
            retention_settings({"ASP_REGISTRATION_RETENTION_DAYS": wrong})
