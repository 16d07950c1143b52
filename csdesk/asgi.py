"""Module-level app for ``uvicorn csdesk.asgi:app`` (settings from the environment), with
csdesk's logging (CSDESK_LOG_FORMAT, CSDESK_LOG_LEVEL) set up for the process."""

from core.config import Settings
from core.logs import configure_logging
from csdesk.app import create_app

settings = Settings.from_env()
configure_logging(json_lines=settings.logs_as_json, level=settings.log_level)
app = create_app(settings)
