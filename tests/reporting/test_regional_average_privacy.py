"""The regional average beside a commune's indicator never gives away another commune's figure:
with two communes, one knowing its own share could read the other's out of the average.

The projections are applied straight to a database of this test's own (no broker), so the
communes of other tests cannot join the average."""
import pytest
from sqlalchemy.orm import Session

from shared.contracts import Event
from shared.db.engine import make_engine

from reporting.adapters.orm import Base
from reporting.service_layer.dashboard import MIN_COMMUNES_IN_AVERAGE, _regional_averages
from reporting.service_layer.projections import Projector

THRESHOLD = 5


def answered(commune: str, restricted: int, others: int) -> list[Event]:
    def event(event_type: str, **payload) -> Event:
        return Event(type=event_type, commune=commune, source=event_type.split(".")[0], payload=payload)
    survey = {"survey_id": 1, "template": "qualite-de-vie", "follow_up_of": None}
    events = [event("programme.CommuneOnboarded", slug=commune, name=commune, canton="JU", population=500,
                    onboarded_on="2026-01-05"),
              event("surveys.SurveyPublished", **survey, title={"fr": "Qualité de vie"}, questions=[],
                    published_at="2026-02-01T08:00:00+00:00")]
    for network in ["restricted"] * restricted + ["wide"] * others:
        events.append(event("surveys.ResponseSubmitted", **survey, channel="online", submitted_on="2026-02-02",
                            answers={"neighbour_network": network}))
    return events


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'reporting.db'}")
    Base.metadata.create_all(engine)
    return engine


def project(engine, events: list[Event]) -> None:
    projector = Projector(1)
    handlers = projector.handlers()
    with Session(engine) as session, session.begin():
        for event in events:
            handlers[event.type](session, event)
        projector.flush(session)


def average(engine) -> float | None:
    with Session(engine) as session:
        return _regional_averages(session, 1, THRESHOLD)["network_restricted_share"]


def test_two_communes_give_no_regional_average_three_do(engine):
    assert MIN_COMMUNES_IN_AVERAGE == 3
    project(engine, answered("alle", restricted=2, others=6) + answered("bure", restricted=7, others=1))
    assert average(engine) is None  # Alle would read Bure's 7/8 out of (2/8 + x) / 2
    project(engine, answered("cornol", restricted=4, others=4))
    assert average(engine) == pytest.approx((2 / 8 + 7 / 8 + 4 / 8) / 3)


def test_a_commune_under_the_anonymity_threshold_does_not_count_towards_the_three(engine):
    project(engine, answered("alle", restricted=2, others=6) + answered("bure", restricted=7, others=1)
            + answered("cornol", restricted=1, others=2))  # 3 respondents: below the threshold of 5
    assert average(engine) is None


def test_a_commune_above_the_threshold_and_one_below_count_as_they_are_shown(engine):
    project(engine, answered("alle", restricted=2, others=6) + answered("bure", restricted=7, others=1)
            + answered("cornol", restricted=4, others=4) + answered("damvant", restricted=4, others=0))
    assert average(engine) == pytest.approx((2 / 8 + 7 / 8 + 4 / 8) / 3)  # Damvant's 4 answers left out
