"""One port for every service: route by the first path segment, keeping the full path
(each service answers under its own prefix, as behind the production reverse proxy)."""


class PathDispatcher:
    def __init__(self, apps: dict, default: str):
        self.apps = apps
        self.default = default

    def __call__(self, environ, start_response):
        segment = environ.get("PATH_INFO", "/").lstrip("/").split("/", 1)[0]
        app = self.apps.get(segment)
        if app is not None:
            return app(environ, start_response)
        if environ.get("PATH_INFO", "/") in ("", "/"):
            start_response("302 Found", [("Location", self.default), ("Content-Length", "0")])
            return [b""]
        start_response("404 Not Found", [("Content-Type", "application/json")])
        return [b'{"code": 404, "status": "Not Found", "message": "Not found. / Introuvable."}']
