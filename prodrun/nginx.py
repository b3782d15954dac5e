"""The reverse proxy: every service on one origin, under the same path prefixes as the
embedded run. The compose file's nginx and the production-like run use this same block."""
from __future__ import annotations

from prodrun.topology import services

PROXY_SETTINGS = """\
    proxy_http_version 1.1;
    proxy_set_header Host $host;
    proxy_set_header X-Real-IP $remote_addr;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Proto $scheme;
    proxy_set_header Connection "";
    proxy_connect_timeout 5s;
    proxy_read_timeout 60s;"""


def server_block(upstreams: dict[str, str], listen: str, resolver: str | None = None) -> str:
    """`upstreams`: service -> host:port of its web app. With a resolver (Docker's DNS), names
    are looked up again as containers come and go, so scaled replicas all get traffic."""
    lines = ["server {", f"    listen {listen};", "    server_tokens off;",
             "    # The apps answer oversize bodies themselves (1 MiB), in the caller's language.",
             "    client_max_body_size 2m;"]
    if resolver:
        lines.append(f"    resolver {resolver} valid=10s ipv6=off;")
    lines += [PROXY_SETTINGS, "",
              "    # Prometheus scrapes every process directly: metrics are not for the public.",
              "    location ~ ^/[^/]+/metrics$ {", "        return 404;", "    }",
              "    location = / {", f"        return 302 /{services()[0]}/;", "    }"]
    for service in services():
        lines += ["", f"    location = /{service} {{", f"        return 301 /{service}/;", "    }",
                  f"    location /{service}/ {{",
                  f"        set $upstream_{service} http://{upstreams[service]};",
                  f"        proxy_pass $upstream_{service};", "    }"]
    lines.append("}")
    return "\n".join(lines) + "\n"
