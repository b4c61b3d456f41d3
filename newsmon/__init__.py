"""newsmon: multilingual news monitoring (crawl, extract, identify, translate, browse)."""

import logging

logging.getLogger(__name__).addHandler(logging.NullHandler())

__version__ = "0.1.0"
