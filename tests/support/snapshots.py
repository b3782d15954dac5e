"""Everything a service's database holds, to prove a request changed nothing."""
from sqlalchemy import MetaData, select
from sqlalchemy.orm import Session


def database_snapshot(engine) -> dict[str, list[tuple]]:
    metadata = MetaData()
    metadata.reflect(engine)
    with Session(engine) as session:
        return {name: sorted(map(tuple, session.execute(select(table)).all()), key=repr)
                for name, table in metadata.tables.items() if name != "alembic_version"}
