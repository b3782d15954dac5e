"""The region's settings of the phase gates."""
from __future__ import annotations

from sqlalchemy.orm import Session

from shared.errors import Invalid, NotFound
from shared.text import N_

from reporting.adapters.orm import GateCriterion
from reporting.domain.gates import BY_KEY, CRITERIA, SHARE


def _view(criterion, row: GateCriterion | None) -> dict:
    return {"key": criterion.key, "phase": criterion.phase, "label": criterion.label, "unit": criterion.unit,
            "default_threshold": criterion.default_threshold,
            "threshold": row.threshold if row else criterion.default_threshold,
            "enabled": row.enabled if row else True}


def criteria(session: Session) -> list[dict]:
    return [_view(criterion, session.get(GateCriterion, criterion.key)) for criterion in CRITERIA]


def set_criterion(session: Session, key: str, threshold: float, enabled: bool) -> dict:
    criterion = BY_KEY.get(key)
    if criterion is None:
        raise NotFound(N_("There is no gate criterion %(key)s."), key=key)
    if criterion.unit == SHARE and threshold > 1:
        raise Invalid(N_("This criterion is a share: give it between 0 and 1."), field="threshold")
    row = session.get(GateCriterion, key) or GateCriterion(key=key)
    row.threshold, row.enabled = threshold, enabled
    session.merge(row)
    session.commit()
    return _view(criterion, row)
