"""The container image's HEALTHCHECK: exit 0 if this container's process answers.

A web container names its URL in ASP_HEALTHCHECK_URL (the compose file uses readyz, so a
service that cannot reach its database or Kafka shows as unhealthy); a relay or consumer
answers on its own metrics port (ASP_WORKER_METRICS_PORT). Standard library only: it runs
every few seconds.
"""
import os
import sys
import urllib.request


def target() -> str | None:
    if os.environ.get("ASP_HEALTHCHECK_URL"):
        return os.environ["ASP_HEALTHCHECK_URL"]
    if os.environ.get("ASP_WORKER_METRICS_PORT"):
        return f"http://127.0.0.1:{os.environ['ASP_WORKER_METRICS_PORT']}/metrics"
    return None


def main() -> int:
    url = target()
    if url is None:
        print("nothing to check: set ASP_HEALTHCHECK_URL or ASP_WORKER_METRICS_PORT", file=sys.stderr)
        return 0
    try:
        with urllib.request.urlopen(url, timeout=4) as response:
            return 0 if response.status == 200 else 1
    except OSError as error:
        print(f"{url}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
