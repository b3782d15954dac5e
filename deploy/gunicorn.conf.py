"""gunicorn settings of every service's web app (`gunicorn -c deploy/gunicorn.conf.py
<service>.entrypoints.wsgi:app`), read from the environment.

| variable | default | meaning |
| --- | --- | --- |
| ASP_WEB_BIND | 0.0.0.0:8000 | address to listen on |
| ASP_WEB_WORKERS | 2 | worker processes (about 2 per core the container may use) |
| ASP_WEB_THREADS | 4 | threads per worker (requests mostly wait on the database) |
| ASP_WEB_TIMEOUT | 30 | seconds a request may take before its worker is replaced |
| PROMETHEUS_MULTIPROC_DIR | a fresh temporary folder | where workers keep their metric values |

Metrics: each worker is its own process, so prometheus-client keeps every worker's values
in files in PROMETHEUS_MULTIPROC_DIR and /metrics adds them up (MultiProcessCollector,
shared/observability/metrics.py). The folder is set here, before any worker imports the
app, and emptied when the master starts: files left by an earlier run would otherwise be
counted again. When a worker exits, its live gauges are dropped (mark_process_dead).
"""
import os
import shutil
import tempfile
from pathlib import Path

from prometheus_client import multiprocess

bind = os.environ.get("ASP_WEB_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("ASP_WEB_WORKERS", "2"))
threads = int(os.environ.get("ASP_WEB_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("ASP_WEB_TIMEOUT", "30"))
# SIGTERM: stop accepting, let requests in flight finish (kept below Kubernetes' 30 s).
graceful_timeout = int(os.environ.get("ASP_WEB_GRACEFUL_TIMEOUT", "25"))
keepalive = 5
# The app is imported in each worker, after the metrics folder below is in place.
preload_app = False
# The workers' heartbeat files: in memory, not on a container's (maybe read-only) disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# The app writes its own JSON logs; gunicorn's error log goes to stderr, no access log.
errorlog = "-"
loglevel = os.environ.get("ASP_LOG_LEVEL", "info").lower()
proc_name = "asp-web"
# No runtime control socket (gunicornc): several masters on one host would share its
# default path, and a container's home may be read-only.
control_socket_disable = True

if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="asp-metrics-")
    # Remembered across a configuration reload (SIGHUP), which reads this file again.
    os.environ["ASP_METRICS_DIR_IS_TEMPORARY"] = "1"
METRICS_DIR = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])


def on_starting(server):
    """In the master, before any worker: an empty metrics folder."""
    METRICS_DIR.mkdir(parents=True, exist_ok=True)
    for entry in METRICS_DIR.iterdir():
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def child_exit(server, worker):
    multiprocess.mark_process_dead(worker.pid, str(METRICS_DIR))


def on_exit(server):
    if os.environ.get("ASP_METRICS_DIR_IS_TEMPORARY") == "1":
        shutil.rmtree(METRICS_DIR, ignore_errors=True)
