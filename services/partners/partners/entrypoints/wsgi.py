"""gunicorn partners.entrypoints.wsgi:app"""
from partners.bootstrap import definition
from shared.entrypoints import wsgi_app

app = wsgi_app(definition)
