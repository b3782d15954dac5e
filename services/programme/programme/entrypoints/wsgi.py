"""gunicorn programme.entrypoints.wsgi:app"""
from programme.bootstrap import definition
from shared.entrypoints import wsgi_app

app = wsgi_app(definition)
