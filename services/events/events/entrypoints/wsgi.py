"""gunicorn events.entrypoints.wsgi:app"""
from events.bootstrap import definition
from shared.entrypoints import wsgi_app

app = wsgi_app(definition)
