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

# A deadline for the whole request (connect, headers and body), not per read: Scrapy cancels the
# download when it runs out, so a server dripping one byte a second cannot hold a crawl or a fetch.
DOWNLOAD_TIMEOUT = 30
# A body shorter than its Content-Length, or cut chunked framing, fails as `truncated`: never stored.
DOWNLOAD_FAIL_ON_DATALOSS = True
# News pages are 50-300 KB; anything over 10 MB is not an article page.
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 0
RETRY_TIMES = 2
# Wait before each retry of a 429/5xx: Retry-After if the server sends one (capped), else 1 s, 2 s, ...
# Redirects are checked before RedirectMiddleware (600) follows them: http(s) only, never from a
# public host into a private address unless allowed, never off the source's domains (crawler.middlewares).
DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.BackoffMiddleware": 560,
    "crawler.middlewares.RedirectPolicyMiddleware": 610,
}
#: Redirects into loopback, private and link-local addresses: allowed for local mirrors and `fetch --allow-private`.
NEWSMON_ALLOW_PRIVATE = False
NEWSMON_BACKOFF_BASE = 1.0
NEWSMON_BACKOFF_MAX = 120.0
REDIRECT_MAX_TIMES = 5

COOKIES_ENABLED = False
# No listening socket during a crawl: Scrapy's telnet console and its remote-control HTTP server
# (on by default since 2.19; it runs Python code sent to it) are both off.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
EXTENSIONS = {"scrapy.extensions.telnet.TelnetConsole": None, "scrapy.extensions.remote_control.RemoteControl": None}
LOG_LEVEL = "WARNING"
# newsmon configures logging itself (one handler, --log-file); Scrapy must not add its own.
LOG_INSTALL_ROOT_HANDLER = False

# Extraction worker processes: -1 one per CPU core, 0 extract on the reactor thread (debugging).
NEWSMON_EXTRACT_WORKERS = -1

ITEM_PIPELINES = {
    "crawler.pipelines.ExtractPipeline": 100,
    "crawler.pipelines.StorePipeline": 500,
}
