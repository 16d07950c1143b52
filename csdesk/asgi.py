"""Module-level app for ``uvicorn csdesk.asgi:app`` (settings from the environment)."""

from csdesk.app import create_app

app = create_app()
