"""Scrapy settings for newsmon. Only non-defaults, each with the reason.

``crawler.run`` copies these per source and layers the source's own options
(user agent, delay, page budget) on top.
"""

BOT_NAME = "newsmon"
SPIDER_MODULES = ["crawler.spiders"]

# A real User-Agent naming the project and where to read about it; per source overridable.
USER_AGENT = "newsmon/0.1 (+https://github.com/newsmon/newsmon; news monitoring crawler)"
ROBOTSTXT_OBEY = True

# Gentle with small government servers: few parallel requests per site, AutoThrottle on.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

DOWNLOAD_TIMEOUT = 30
# News pages are 50-300 KB; anything over 10 MB is not an article page.
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 0
RETRY_TIMES = 2
# Wait before each retry of a 429/5xx: Retry-After if the server sends one (capped), else 1 s, 2 s, ...
DOWNLOADER_MIDDLEWARES = {"crawler.middlewares.BackoffMiddleware": 560}
NEWSMON_BACKOFF_BASE = 1.0
NEWSMON_BACKOFF_MAX = 120.0
REDIRECT_MAX_TIMES = 5

COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "WARNING"
# newsmon configures logging itself (one handler, --log-file); Scrapy must not add its own.
LOG_INSTALL_ROOT_HANDLER = False

# Extraction worker processes: -1 one per CPU core, 0 extract on the reactor thread (debugging).
NEWSMON_EXTRACT_WORKERS = -1
# Seconds one page may take to extract; past it the worker is killed and replaced (extract_timeout).
NEWSMON_EXTRACT_TIMEOUT = 20.0
# Seconds a stop (Ctrl-C, --max-runtime) waits for downloads and extractions in flight before abandoning them.
NEWSMON_STOP_GRACE = 10.0
# Seconds a database write waits for another program's write lock before the crawl stops as failed.
NEWSMON_BUSY_TIMEOUT = 30.0
# One line per dropped page, never the page itself (Scrapy's default logs the whole item).
LOG_FORMATTER = "crawler.logformat.OneLineLogFormatter"

ITEM_PIPELINES = {
    "crawler.pipelines.ExtractPipeline": 100,
    "crawler.pipelines.StorePipeline": 500,
}
