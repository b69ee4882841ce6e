"""Scrapy settings for pantau's crawls: `scrapy crawl <site>` in the project root reads this module.

The pantau configuration (file + PANTAU_* environment, see pantau.base.settings) is loaded once and put at
PANTAU_SETTINGS; everything tunable comes from it. Each override below names Scrapy's default and
why we change it (docs/reliability.md 2). The runner passes PANTAU_DATABASE_URL in the environment
and `-s PANTAU_RUN_ID=<id>`.
"""

from __future__ import annotations

from pantau.base.settings import Settings, load_settings

PANTAU_SETTINGS: Settings = load_settings()
_crawl = PANTAU_SETTINGS.crawl
PANTAU_RUN_ID = None  # set by the runner: -s PANTAU_RUN_ID=<crawl_runs.id>
PANTAU_RETRY_AFTER_MAX = 300.0  # seconds; a longer Retry-After is honoured by retrying next run

BOT_NAME = "pantau"
# default scrapy.spiderloader.SpiderLoader; one spider per site file instead of one module per site
SPIDER_LOADER_CLASS = "pantau.crawler.spiders.loader.SiteSpiderLoader"
SPIDER_MODULES: list[str] = []  # default []; stated: site spiders come from the registry, not modules

# --- identity and politeness -------------------------------------------------------------------
USER_AGENT = _crawl.user_agent  # default "Scrapy/x (+https://scrapy.org)"; say who we are and where
ROBOTSTXT_OBEY = True  # default False; fail-closed variant below
COOKIES_ENABLED = False  # default True; no sessions needed, and none to track us by
CONCURRENT_REQUESTS_PER_DOMAIN = 1  # default 8; one request at a time per host
# default 16; one site per process spans a few hosts, one request each: fewer requests are already
# in flight when a host starts answering block pages and the spider backs off.
CONCURRENT_REQUESTS = 4
DOWNLOAD_DELAY = _crawl.download_delay  # default 0; >= 1 s per host in production (docs/sites.md 5)
AUTOTHROTTLE_ENABLED = True  # default False; slows down when the site does
AUTOTHROTTLE_START_DELAY = max(_crawl.download_delay, 0.0)  # default 5; never below DOWNLOAD_DELAY
AUTOTHROTTLE_MAX_DELAY = 30.0  # default 60; a slower site is better skipped until the next run
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0  # default 1.0, stated: one request in flight per host
DEFAULT_REQUEST_HEADERS = {  # default Accept + Accept-Language "en"; the sites are Indonesian
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "id-ID,id;q=0.9,en-US;q=0.8,en;q=0.7",
}

# --- bounds ----------------------------------------------------------------------------------------
DOWNLOAD_TIMEOUT = 30  # default 180; news pages are small, a hang costs the whole run
DOWNLOAD_MAXSIZE = _crawl.max_response_mb * 1024 * 1024  # default 1 GiB; bounds memory per page
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024  # default 32 MiB
REDIRECT_MAX_TIMES = 5  # default 20; bounds redirect chains and loops
DEPTH_LIMIT = 3  # default 0 (none); index -> child sitemap -> article -> article page 2
CLOSESPIDER_TIMEOUT = max(
    60, int(_crawl.timeout_minutes * 60) - 60
)  # default 0; ends before the runner's kill
CLOSESPIDER_ERRORCOUNT = 25  # default 0; a run that errs this often is broken, not unlucky
MEMUSAGE_ENABLED = True  # default True on POSIX, stated
MEMUSAGE_LIMIT_MB = _crawl.memory_limit_mb  # default 0 (none)
# The article budget (crawl.max_pages) is applied by the spiders, newest first, not by
# CLOSESPIDER_PAGECOUNT, which would also count sitemaps and stop mid-listing.

# --- retries ---------------------------------------------------------------------------------------
RETRY_TIMES = 3  # default 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408]  # default includes 429: handled with Retry-After

# --- safety ----------------------------------------------------------------------------------------
TELNETCONSOLE_ENABLED = False  # default True; a local code-execution surface
REMOTE_CONTROL_ENABLED = False  # default True (Scrapy 2.19); another local control surface
DOWNLOAD_HANDLERS = {"file": None, "data": None, "ftp": None, "s3": None}  # default all on; http(s) only
DOWNLOAD_VERIFY_CERTIFICATES = True  # default False; the sites have valid certificates: fail loudly
HTTPCACHE_ENABLED = False  # default False, stated: a cache would replay stale listings
# HttpProxyMiddleware stays on: http_proxy/https_proxy are honoured as Scrapy does by default.

# --- components ------------------------------------------------------------------------------------
DOWNLOADER_MIDDLEWARES = {
    # Before OffsiteMiddleware (50), which skips dont_filter requests: ours checks every request.
    "pantau.crawler.middlewares.SiteAllowlistMiddleware": 40,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,  # fails open (scrapy#2443)
    "pantau.crawler.middlewares.FailClosedRobotsTxtMiddleware": 100,
    # Responses pass these in reverse order: block pages are recognised (560) before RetryMiddleware
    # (550) would retry a Cloudflare 503, and 429 waits (555) happen before the retry decision.
    "pantau.crawler.politeness.RetryAfterMiddleware": 555,
    "pantau.crawler.politeness.BlockPageMiddleware": 560,
    # Sees 3xx responses before RedirectMiddleware (600) follows them: off-site Locations are refused.
    "pantau.crawler.middlewares.OffsiteRedirectMiddleware": 650,
    # Last before the download handler, first to see the response: replays only (crawl.host_map).
    "pantau.crawler.hostmap.HostMapMiddleware": 950,
}
EXTENSIONS = {
    "pantau.crawler.extensions.RunRecorder": 100,  # opens the archive and lock, records the run
}
# Order: text first (everything after reads it), then language and topic scores on that text,
# then near-duplicate clustering against the archive, and storage last.
ITEM_PIPELINES = {
    "pantau.pipelines.extract.ExtractPipeline": 100,
    "pantau.pipelines.language.LanguagePipeline": 200,
    "pantau.pipelines.relevance.RelevancePipeline": 300,
    "pantau.pipelines.deduplicate.DeduplicatePipeline": 400,
    "pantau.pipelines.store.StorePipeline": 900,
}

LOG_LEVEL = PANTAU_SETTINGS.log_level  # default DEBUG
