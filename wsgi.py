"""Entry point for `flask` and WSGI servers: FLASK_APP=wsgi."""

from app import create_app

app = create_app()
