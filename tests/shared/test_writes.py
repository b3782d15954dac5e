"""shared/db/upsert.Writes runs gathered writes as few executemany runs, moving writes of
different parts past each other: the rows must be those that running every write one by
one, in the order asked, gives. Checked on the real database with generated sequences."""
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import JSON, Boolean, Column, Date, Integer, MetaData, String, Table, and_, bindparam, create_engine, \
    event, select, update

from shared.db.types import UtcDateTime
from shared.db.upsert import Writes

metadata = MetaData()
rows = Table("rows", metadata, Column("part", String(10), primary_key=True),
             Column("key", Integer, primary_key=True), Column("label", String(20)),
             Column("total", Integer, nullable=False, default=0),
             # Each kind of value reporting writes, as PostgreSQL's one-statement form sends it.
             Column("at", UtcDateTime), Column("on", Date), Column("tags", JSON), Column("flag", Boolean))
ZURICH_WINTER = timezone(timedelta(hours=1))
# Touches every row of a part above a key, as reporting's "later phases back to pending" does.
RESET_ABOVE = update(rows).where(and_(rows.c.part == bindparam("key_part"), rows.c.key > bindparam("key_key"))) \
    .values(label="reset")
RESET_ALL = update(rows).values(total=0)  # names no part: a barrier

PARTS, KEYS = ["a", "b", "c"], [1, 2, 3]
write = st.one_of(
    st.tuples(st.just("put"), st.sampled_from(PARTS), st.sampled_from(KEYS), st.sampled_from(["x", "y", "z"])),
    st.tuples(st.just("add"), st.sampled_from(PARTS), st.sampled_from(KEYS), st.integers(1, 5)),
    st.tuples(st.just("label"), st.sampled_from(PARTS), st.sampled_from(KEYS), st.sampled_from(["p", "q"])),
    st.tuples(st.just("reset_above"), st.sampled_from(PARTS), st.sampled_from(KEYS), st.none()),
    st.tuples(st.just("reset_all"), st.none(), st.none(), st.none()),
)


def typed(value: str) -> dict:
    """Values of every kind, None among them (JSON's null included), from a label."""
    number = "xyz".index(value)
    return {"at": datetime(2026, 3, 1, 8 + number, tzinfo=ZURICH_WINTER) if number else None,
            "on": date(2026, 3, 1 + number), "tags": [value, {"n": number}] if number != 1 else None,
            "flag": number == 2}


def ask(writes: Writes, operation: tuple) -> None:
    kind, part, key, value = operation
    if kind == "put":
        writes.upsert(rows, {"part": part, "key": key, "label": value, "total": 0, **typed(value)},
                      keys=("part", "key"), replace=("label", "at", "on", "tags", "flag"), part=part)
    elif kind == "add":
        writes.upsert(rows, {"part": part, "key": key, "label": "", "total": value}, keys=("part", "key"),
                      replace=(), add=("total",), part=part)
    elif kind == "label":
        writes.update_where(rows, {"part": part, "key": key}, {"label": value}, part=part)
    elif kind == "reset_above":
        writes.add(RESET_ABOVE, {"key_part": part, "key_key": key}, part=part)
    else:
        writes.add(RESET_ALL, {})


@pytest.fixture(scope="module")
def engines(databases, tmp_path_factory):
    folder = tmp_path_factory.mktemp("writes")
    made = [create_engine(databases.new(name, folder)) for name in ("writes_together", "writes_one_by_one")]
    for engine in made:
        metadata.create_all(engine)
    yield made
    for engine in made:
        engine.dispose()


@settings(max_examples=150, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(write, max_size=40))
def test_writes_run_together_give_the_rows_of_one_by_one(engines, operations):
    together, one_by_one = engines
    with together.begin() as connection:
        connection.execute(rows.delete())
        writes = Writes(together.dialect.name)
        for operation in operations:
            ask(writes, operation)
        writes.run(connection)
        got = connection.execute(select(rows).order_by(rows.c.part, rows.c.key)).all()
    with one_by_one.begin() as connection:
        connection.execute(rows.delete())
        for operation in operations:
            writes = Writes(one_by_one.dialect.name)
            ask(writes, operation)
            writes.run(connection)
        expected = connection.execute(select(rows).order_by(rows.c.part, rows.c.key)).all()
    assert got == expected


def test_writes_of_different_parts_share_their_statement_runs(engines):
    together, _ = engines
    writes = Writes(together.dialect.name)
    for part in PARTS:  # each part: put, then label, then add
        ask(writes, ("put", part, 1, "x"))
        ask(writes, ("label", part, 1, "p"))
        ask(writes, ("add", part, 1, 2))
    assert [len(batch) for _, batch in writes._runs] == [3, 3, 3]


def test_a_run_goes_to_postgresql_as_one_statement(engines):
    """On PostgreSQL a run is one statement (rows as one JSON document), not one per row as
    psycopg's executemany sends them; elsewhere it is an executemany."""
    together, _ = engines
    executed = []
    listener = lambda conn, cursor, statement, parameters, context, executemany: executed.append(executemany)
    event.listen(together, "before_cursor_execute", listener)
    try:
        with together.begin() as connection:
            connection.execute(rows.delete())
            executed.clear()
            writes = Writes(together.dialect.name)
            for kind, value in (("put", "z"), ("add", 2)):
                for part in PARTS:
                    for key in KEYS:
                        ask(writes, (kind, part, key, value))
            ask(writes, ("add", "a", 1, 3))  # a key again: one more statement for that run
            assert [len(run) for _, run in writes._runs] == [9, 10]
            writes.run(connection)
            statements = list(executed)
            stored = connection.execute(select(rows.c.total, rows.c.at, rows.c.tags, rows.c.flag)
                                        .where(rows.c.part == "a", rows.c.key == 1)).one()
    finally:
        event.remove(together, "before_cursor_execute", listener)
    assert stored == (5, datetime(2026, 3, 1, 9, tzinfo=timezone.utc), ["z", {"n": 2}], True)
    if together.dialect.name == "postgresql":
        assert statements == [False, False, False]  # the puts; the adds; the add again
    else:
        assert statements == [True, True]
