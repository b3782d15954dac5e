"""Figures of the programme for Prometheus, read from the active read models at each scrape:
communes per phase, survey responses per commune, and how fresh the data is."""
from __future__ import annotations

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.contracts.envelope import utcnow

from reporting.adapters.orm import Freshness, PhaseView, SurveyView
from reporting.service_layer.generations import active_generation


class ProgrammeCollector:
    def __init__(self, runtime):
        self.runtime = runtime

    def collect(self):
        with Session(self.runtime.engine) as session:
            generation = active_generation(session)
            phases = session.execute(select(PhaseView.number, func.count())
                                     .where(PhaseView.generation == generation, PhaseView.status == "active")
                                     .group_by(PhaseView.number)).all()
            responses = session.execute(select(SurveyView.commune, func.sum(SurveyView.responses))
                                        .where(SurveyView.generation == generation)
                                        .group_by(SurveyView.commune)).all()
            newest = session.scalar(select(func.max(Freshness.as_of)).where(Freshness.generation == generation))
        by_phase = GaugeMetricFamily("asp_communes_by_phase", "Communes with this phase in progress",
                                     labels=["phase"])
        counts = dict(phases)
        for number in range(1, 6):
            by_phase.add_metric([str(number)], counts.get(number, 0))
        yield by_phase
        answered = CounterMetricFamily("asp_survey_responses", "Survey responses received, by commune",
                                       labels=["commune"])
        for commune, total in responses:
            answered.add_metric([commune], total or 0)
        yield answered
        age = GaugeMetricFamily("asp_reporting_data_age_seconds",
                                "Seconds since the newest event shown on the dashboards happened")
        age.add_metric([], (utcnow() - newest).total_seconds() if newest else 0.0)
        yield age


def collectors(runtime) -> list:
    return [ProgrammeCollector(runtime)]
