"""gunicorn surveys.entrypoints.wsgi:app"""
from surveys.bootstrap import definition
from shared.entrypoints import wsgi_app

app = wsgi_app(definition)
