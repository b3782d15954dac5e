"""Prometheus's scrape configuration: one job per kind of process (asp-web, asp-relay,
asp-consumer), one target per process, labelled `process` (e.g. programme-web). The alert
rules and dashboards rely on these job and label names, in compose, Kubernetes and the
production-like run alike."""
from __future__ import annotations

from prodrun.topology import Process

KINDS = ("web", "relay", "consumer")


def job_name(kind: str) -> str:
    return f"asp-{kind}"


def scrape_config(addresses: dict[Process, str], rule_files: list[str], interval: str = "15s",
                  evaluation_interval: str | None = None) -> dict:
    """`addresses`: each process's host:port of its metrics endpoint."""
    jobs = []
    for kind in KINDS:
        targets = [{"targets": [address],
                    "labels": {"process": process.name, "__metrics_path__": process.metrics_path}}
                   for process, address in addresses.items() if process.kind == kind]
        if targets:
            jobs.append({"job_name": job_name(kind), "static_configs": targets})
    config = {"global": {"scrape_interval": interval, "scrape_timeout": _timeout(interval),
                         "evaluation_interval": evaluation_interval or interval},
              "rule_files": rule_files, "scrape_configs": jobs}
    return config


def _timeout(interval: str) -> str:
    """Prometheus wants the scrape timeout no longer than the interval."""
    return interval if interval in ("1s", "2s", "5s") else "10s"
