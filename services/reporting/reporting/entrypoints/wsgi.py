"""gunicorn reporting.entrypoints.wsgi:app"""
from reporting.bootstrap import definition
from shared.entrypoints import wsgi_app

app = wsgi_app(definition)
