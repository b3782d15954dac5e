"""`make prod-run`: the production-like run on one machine (see prodrun/run.py).

Settings: ASP_PROD_PORT (8080, nginx: every service), ASP_PROD_PROMETHEUS_PORT (9090),
ASP_PROD_DIR (data/prod: logs, keys, Kafka, Prometheus data), ASP_PROD_POSTGRES_URL
(postgresql://postgres@127.0.0.1:5432/postgres), ASP_PROD_DB_PREFIX (asp_prod_),
ASP_WEB_WORKERS (2), ASP_PROD_SCRAPE_INTERVAL (1s), ASP_ADMIN_EMAIL / ASP_ADMIN_PASSWORD
(the first regional admin; a password is made and kept in ASP_PROD_DIR if not given),
ASP_PROD_DEMO=1 (add the demo communes and accounts of `make run`).
"""
import signal
import sys
import threading

from shared.observability.logging import configure_logging

from prodrun.run import ProductionLikeRun, RunConfig


def main() -> None:
    configure_logging("INFO")
    run = ProductionLikeRun(RunConfig.from_environment())
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    try:
        run.start()
        _announce(run)
        while not stop.wait(2):
            if dead := run.supervisor.dead():
                print(f"{dead[0]} exited; stopping.\n{run.supervisor.log_tail(dead[0])}", file=sys.stderr)
                sys.exit(1)
    finally:
        print("Stopping…", flush=True)
        run.stop()
        print("Stopped.", flush=True)


def _announce(run: ProductionLikeRun) -> None:
    config = run.config
    saved = config.folder / "admin-password"
    password = config.admin_password or (saved.read_text().strip() if saved.exists() else "(as set before)")
    print("\n".join([
        "", "ASP platform, production-like run (gunicorn, PostgreSQL, nginx, Prometheus)",
        f"  Every service: {run.base_url}/programme/ …",
        f"  Prometheus:    {run.prometheus_url}/targets",
        f"  Sign in:       {config.admin_email} / {password}",
        f"  Logs:          {run.supervisor.logs_dir}",
        "Press Ctrl-C to stop.", ""]), flush=True)


if __name__ == "__main__":
    main()
