"""Engines for a service's own database: SQLite in the embedded run, PostgreSQL in production."""
from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine

# Stable constraint names, so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def service_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


def make_engine(url: str, **options) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **options)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if "poolclass" not in options:
        options.update(pool_size=5, max_overflow=10)
    return create_engine(url, pool_pre_ping=True, **options)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # The web server, the relay and the consumers write one file from several processes:
    # WAL lets readers go on while one writes, busy_timeout makes writers queue.
    dbapi_connection.isolation_level = None  # transactions are begun by _sqlite_begin
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Inbox rows land at random places of their index (event ids are random): with the
    # default 2 MiB page cache and a checkpoint every 4 MB of log, reporting's consumer
    # spent a third of its time reading pages back and copying them. Up to 32 MiB of cache
    # per connection (taken only as pages are used) and a checkpoint every ~40 MB.
    cursor.execute("PRAGMA cache_size=-32768")
    cursor.execute("PRAGMA wal_autocheckpoint=10000")
    cursor.close()


def read_only(engine: Engine) -> Engine:
    """The same database, for transactions that only read: on SQLite they begin without the
    write lock, so a long report does not hold up the writers (WAL keeps its snapshot)."""
    return engine.execution_options(asp_read_only=True)


def _sqlite_begin(connection) -> None:
    if connection.get_execution_options().get("asp_read_only"):
        connection.exec_driver_sql("BEGIN")
        return
    # Take the write lock at BEGIN: a read-then-write transaction cannot then fail
    # half-way with "database is locked" when another process wrote in between.
    connection.exec_driver_sql("BEGIN IMMEDIATE")
