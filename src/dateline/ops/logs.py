"""Log lines as JSON objects, each with the id of the request that wrote it.

The request id lives in a context variable that the request middleware sets (`middleware.py`),
so every line logged while a request is served, by Dateline or by uvicorn's access log, says
which request it belongs to, without passing the id around.
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

request_id: ContextVar[str | None] = ContextVar("dateline_request_id", default=None)

# The attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "color_message",  # uvicorn's coloured copy of the message
}
# The loggers uvicorn configures with handlers of their own before it builds the app.
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request_id, then the extras."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if (current := request_id.get()) is not None:
            line["request_id"] = current
        if record.name == "uvicorn.access" and isinstance(record.args, tuple):
            line.update(_access_fields(record.args))
        for name, value in vars(record).items():
            if name not in _STANDARD and name not in line:
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def _access_fields(args: tuple[Any, ...]) -> dict[str, Any]:
    """uvicorn's access line as fields: (client, method, path, HTTP version, status)."""
    if len(args) != 5:
        return {}
    client, method, path, _, status = args
    return {"client": client, "method": method, "path": path, "status": status}


def use_log_format(log_format: str) -> None:
    """Switch the process's log output to JSON lines (`DATELINE_LOG_FORMAT=json`). Called
    when the app is built, after uvicorn has set up its handlers, whose formatters it
    replaces; the root logger gets a JSON handler of its own when it has none."""
    if log_format != "json":
        return
    formatter = JsonFormatter()
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler(sys.stderr))
    for logger in (root, *(logging.getLogger(name) for name in UVICORN_LOGGERS)):
        for handler in logger.handlers:
            handler.setFormatter(formatter)
