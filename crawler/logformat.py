"""One line per dropped page or failure: what Scrapy logs, made to fit a cron mail.

Scrapy's log formatter writes the whole dropped item (a page's HTML: megabytes) at
WARNING, and its retry and robots.txt middlewares log every network failure at
ERROR with a traceback, although newsmon counts the same failure under its own
kind and says it in one line. Here those messages become one line naming the URL
and the reason, and the network ones go down to INFO (seen with ``-v`` and in
``--log-file``).
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.logformatter import LogFormatter

#: Scrapy loggers whose ERROR records repeat a failure newsmon already counts and reports.
DEMOTED_LOGGERS = ("scrapy.downloadermiddlewares.retry", "scrapy.downloadermiddlewares.robotstxt")


def _url(item: Any) -> str:
    return str(getattr(item, "url", None) or type(item).__name__)


class OneLineLogFormatter(LogFormatter):
    """Names the page by its URL, never by its repr."""

    def dropped(self, item, exception, response, spider):
        # The pipeline that dropped the page has counted and logged it (INFO) already.
        return {"level": logging.DEBUG, "msg": "Dropped: %(exception)s", "args": {"exception": exception}}

    def scraped(self, item, response, spider):
        return {"level": logging.DEBUG, "msg": "Scraped %(url)s", "args": {"url": _url(item)}}

    def item_error(self, item, exception, response, spider):
        return {
            "level": logging.ERROR,
            "msg": "%(url)s: %(kind)s: %(exception)s",
            "args": {"url": _url(item), "kind": type(exception).__name__, "exception": exception},
        }


class _DemoteToInfo(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.INFO:
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


def demote_network_failures() -> None:
    """Network failures Scrapy logs at ERROR go to INFO: the run summary counts them by kind."""
    for name in DEMOTED_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, _DemoteToInfo) for f in logger.filters):
            logger.addFilter(_DemoteToInfo())
