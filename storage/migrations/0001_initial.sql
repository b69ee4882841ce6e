-- 0001: the archive, crawl bookkeeping and digest outbox.
-- Times are timestamptz throughout; the sites publish in WIB (UTC+7) and users see their own zone.

CREATE TABLE articles (
    id               bigserial PRIMARY KEY,
    site             text        NOT NULL,
    site_article_id  text        NOT NULL,
    canonical_url    text        NOT NULL UNIQUE,
    url              text        NOT NULL,              -- the URL actually fetched (single-page view)
    title            text        NOT NULL CHECK (title <> ''),
    lead             text,
    body             text        NOT NULL CHECK (body <> ''),
    authors          text[]      NOT NULL DEFAULT '{}',
    section          text,
    tags             text[]      NOT NULL DEFAULT '{}',
    published_at     timestamptz,
    date_source      text,                              -- jsonld, meta:article:published_time, visible, url, ...
    language         text,                              -- ISO 639-1, or NULL when undetermined
    language_prob    real,
    content_hash     text        NOT NULL,              -- sha256 of the normalised body
    simhash          bigint      NOT NULL,              -- 64-bit SimHash over word shingles
    -- The SimHash cut into four 16-bit bands: two texts within Hamming distance 3 share at least
    -- one band exactly, so near-duplicate candidates come from four btree lookups, not a scan.
    simhash_b0       integer     GENERATED ALWAYS AS (((simhash >> 48) & 65535)::integer) STORED,
    simhash_b1       integer     GENERATED ALWAYS AS (((simhash >> 32) & 65535)::integer) STORED,
    simhash_b2       integer     GENERATED ALWAYS AS (((simhash >> 16) & 65535)::integer) STORED,
    simhash_b3       integer     GENERATED ALWAYS AS ((simhash & 65535)::integer) STORED,
    cluster_id       bigint,                            -- id of the first article of its story
    version          integer     NOT NULL DEFAULT 1,
    backfilled       boolean     NOT NULL DEFAULT false,
    first_seen_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at     timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz,                       -- when the text last changed after first storage
    raw_html         bytea,                             -- zlib-compressed page as fetched
    search           tsvector GENERATED ALWAYS AS (
                         setweight(to_tsvector('indonesian'::regconfig, coalesce(title, '')), 'A') ||
                         setweight(to_tsvector('indonesian'::regconfig, coalesce(lead, '')), 'B') ||
                         setweight(to_tsvector('indonesian'::regconfig, body), 'C')
                     ) STORED,
    UNIQUE (site, site_article_id)
);
CREATE INDEX articles_search_idx ON articles USING gin (search);
CREATE INDEX articles_published_idx ON articles (published_at DESC);
CREATE INDEX articles_first_seen_idx ON articles (first_seen_at);
CREATE INDEX articles_site_published_idx ON articles (site, published_at DESC);
CREATE INDEX articles_content_hash_idx ON articles (content_hash);
CREATE INDEX articles_cluster_idx ON articles (cluster_id);
CREATE INDEX articles_simhash_b0_idx ON articles (simhash_b0);
CREATE INDEX articles_simhash_b1_idx ON articles (simhash_b1);
CREATE INDEX articles_simhash_b2_idx ON articles (simhash_b2);
CREATE INDEX articles_simhash_b3_idx ON articles (simhash_b3);

-- Earlier texts of an article whose body changed (the row in articles is always the newest).
CREATE TABLE article_versions (
    id            bigserial PRIMARY KEY,
    article_id    bigint      NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    version       integer     NOT NULL,
    title         text        NOT NULL,
    lead          text,
    body          text        NOT NULL,
    content_hash  text        NOT NULL,
    published_at  timestamptz,
    replaced_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (article_id, version)
);

-- One row per (article, topic): every stored story is scored against every topic.
CREATE TABLE article_topics (
    article_id     bigint      NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    topic          text        NOT NULL,
    score          real        NOT NULL,
    on_topic       boolean     NOT NULL,
    matched_terms  jsonb       NOT NULL DEFAULT '[]',   -- the explanation shown to users
    scored_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (article_id, topic)
);
CREATE INDEX article_topics_on_topic_idx ON article_topics (topic, on_topic, score DESC);

-- One row per crawl or backfill of one site. status ends terminal: finished, failed, timeout,
-- interrupted, crashed, abandoned, blocked, skipped (with reason).
CREATE TABLE crawl_runs (
    id           bigserial PRIMARY KEY,
    site         text        NOT NULL,
    kind         text        NOT NULL DEFAULT 'crawl' CHECK (kind IN ('crawl', 'backfill')),
    started_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    status       text        NOT NULL DEFAULT 'running',
    reason       text,
    counts       jsonb       NOT NULL DEFAULT '{}',     -- discovered, known, fetched, stored, on_topic, ...
    errors       jsonb       NOT NULL DEFAULT '[]',     -- [{url, error}] samples
    pid          integer,
    hostname     text
);
CREATE INDEX crawl_runs_site_started_idx ON crawl_runs (site, started_at DESC);
CREATE INDEX crawl_runs_running_idx ON crawl_runs (status) WHERE status = 'running';

-- Every article URL discovery saw: for skipping, retrying failures, and recall audits.
CREATE TABLE discovered_urls (
    canonical_url    text        PRIMARY KEY,
    site             text        NOT NULL,
    site_article_id  text        NOT NULL,
    source           text        NOT NULL,              -- the listing (sitemap, index, tag, feed) URL
    listed_title     text,
    first_seen_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at     timestamptz NOT NULL DEFAULT now(),
    first_run_id     bigint      REFERENCES crawl_runs (id) ON DELETE SET NULL,
    status           text        NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'stored', 'failed', 'skipped')),
    attempts         integer     NOT NULL DEFAULT 0,
    last_error       text,
    next_attempt_at  timestamptz
);
CREATE INDEX discovered_urls_site_status_idx ON discovered_urls (site, status);

-- Validators for conditional re-requests of sitemaps and feeds.
CREATE TABLE http_validators (
    url            text        PRIMARY KEY,
    etag           text,
    last_modified  text,
    checked_at     timestamptz NOT NULL DEFAULT now()
);

-- Subscriptions are configured in TOML; this mirrors them so digests can reference them.
CREATE TABLE subscriptions (
    name        text        PRIMARY KEY,
    settings    jsonb       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- One digest per (subscription, period); its stories are chosen when the row is created, so a
-- re-send is identical and later stories go to the next period.
CREATE TABLE digests (
    id            bigserial PRIMARY KEY,
    subscription  text        NOT NULL REFERENCES subscriptions (name) ON DELETE CASCADE,
    period_start  timestamptz NOT NULL,
    period_end    timestamptz NOT NULL,
    status        text        NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'ready', 'sent', 'failed', 'empty')),
    subject       text,
    body_text     text,
    body_html     text,
    message_id    text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (subscription, period_end)
);

CREATE TABLE digest_items (
    digest_id   bigint  NOT NULL REFERENCES digests (id) ON DELETE CASCADE,
    article_id  bigint  NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    cluster_id  bigint  NOT NULL,
    rank        integer NOT NULL,
    updated     boolean NOT NULL DEFAULT false,
    PRIMARY KEY (digest_id, cluster_id)
);

-- The outbox: one delivery per (digest, recipient), claimed with FOR UPDATE SKIP LOCKED.
CREATE TABLE deliveries (
    id               bigserial PRIMARY KEY,
    digest_id        bigint      NOT NULL REFERENCES digests (id) ON DELETE CASCADE,
    recipient        text        NOT NULL,
    status           text        NOT NULL DEFAULT 'pending'
                      CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts         integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    claimed_at       timestamptz,
    sent_at          timestamptz,
    last_error       text,
    message_id       text        NOT NULL,
    UNIQUE (digest_id, recipient)
);
CREATE INDEX deliveries_pending_idx ON deliveries (status, next_attempt_at);

-- Backfill progress: which listing pages of which site are done.
CREATE TABLE backfill_checkpoints (
    site        text        NOT NULL,
    listing     text        NOT NULL,                   -- e.g. index:2024-06-19, tag:korea-utara
    page        integer     NOT NULL,
    found       integer     NOT NULL DEFAULT 0,
    done_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (site, listing, page)
);
