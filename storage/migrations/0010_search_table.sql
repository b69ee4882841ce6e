-- 0010: search reads a narrow table of its own, and hyphenated words are indexed as spaced ones.
--
-- Why a table: a search tests its words against thousands of candidate stories and sorts them by
-- date. On `articles` every candidate row drags its title, body and raw HTML pages along; here a
-- row is about 100 bytes (the tsvector lives in TOAST and is read only when a row must be checked
-- or ranked), so the whole table stays in memory at a million stories.
-- Why the hyphens: PostgreSQL's parser reads `Jong-un` as three tokens (`jong-un`, `jong`, `un`), so
-- the phrase "Kim Jong Un" no longer lines up with `Kim Jong-un`. A hyphen between two letters or
-- digits becomes a space before parsing, here and in every query (storage.search_query).
-- Building the table reads every stored story once (README, "How search scales": the time it takes).
SET LOCAL statement_timeout = 0;
-- The GIN index is built once over every story; with the default 64 MB it would spill to disk more.
SET LOCAL maintenance_work_mem = '256MB';
-- A story stored while the table is filled would be in neither the copy nor (no trigger yet) the
-- table: storing waits until this migration commits; reading does not.
LOCK TABLE articles, article_topics IN SHARE MODE;
-- Dropping the old column at the end waits for running searches and exports to finish: up to a
-- minute (not pantau's 5 s) before giving up, rather than undo the whole build over a long export.
SET LOCAL lock_timeout = '60s';

CREATE FUNCTION search_text(t text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT regexp_replace(t, '([[:alnum:]])-(?=[[:alnum:]])', '\1 ', 'g') $$;

-- Title counts most (A), then the lead (B), then the body (C); ts_rank_cd weighs them.
CREATE FUNCTION search_vector(title text, lead text, body text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT setweight(to_tsvector('indonesian'::regconfig, search_text(coalesce(title, ''))), 'A') ||
                 setweight(to_tsvector('indonesian'::regconfig, search_text(coalesce(lead, ''))), 'B') ||
                 setweight(to_tsvector('indonesian'::regconfig, search_text(coalesce(body, ''))), 'C') $$;

CREATE TABLE article_search (
    article_id    bigint      PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    published_at  timestamptz,
    site          text        NOT NULL,
    language      text,
    on_topics     text[],                               -- the topics it is on topic for (NULL: none)
    search        tsvector    NOT NULL
) WITH (fillfactor = 90);  -- room for HOT updates when a story's topics change (no GIN work then)

INSERT INTO article_search (article_id, published_at, site, language, on_topics, search)
SELECT a.id, a.published_at, a.site, a.language,
       (SELECT array_agg(t.topic ORDER BY t.topic) FROM article_topics t
         WHERE t.article_id = a.id AND t.on_topic),
       search_vector(a.title, a.lead, a.body)
FROM articles a;

-- fastupdate off: a new story's words go straight into the index instead of a pending list that the
-- next search would have to scan and some insert would have to merge (a slow store, now and then).
CREATE INDEX article_search_idx ON article_search USING gin (search) WITH (fastupdate = off);
CREATE INDEX article_search_published_idx ON article_search (published_at DESC NULLS LAST, article_id DESC);
CREATE INDEX article_search_site_published_idx ON article_search (site, published_at DESC NULLS LAST, article_id DESC);
-- The planner's word frequencies come from the most common elements of this column: a larger
-- sample (default 100) makes them right for words in one story in a thousand, which is where the
-- choice between walking the date index and reading the GIN index is made (storage.search).
ALTER TABLE article_search ALTER COLUMN search SET STATISTICS 1000;
-- Now, not when autovacuum gets to it: until then the planner would guess every word rare.
ANALYZE article_search;

-- The vector was a generated column of articles: computed on every store, and read with the row.
ALTER TABLE articles DROP COLUMN search;

-- Kept in step with articles and article_topics by triggers, in the storing transaction.
CREATE FUNCTION article_search_store() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO article_search (article_id, published_at, site, language, on_topics, search)
    VALUES (NEW.id, NEW.published_at, NEW.site, NEW.language,
            (SELECT array_agg(t.topic ORDER BY t.topic) FROM article_topics t
              WHERE t.article_id = NEW.id AND t.on_topic),
            search_vector(NEW.title, NEW.lead, NEW.body))
    ON CONFLICT (article_id) DO UPDATE SET
        published_at = EXCLUDED.published_at, site = EXCLUDED.site, language = EXCLUDED.language,
        search = EXCLUDED.search;
    RETURN NULL;
END
$$;
CREATE TRIGGER articles_search_insert AFTER INSERT ON articles
    FOR EACH ROW EXECUTE FUNCTION article_search_store();
CREATE TRIGGER articles_search_update AFTER UPDATE OF title, lead, body, published_at, site, language
    ON articles FOR EACH ROW
    WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.lead IS DISTINCT FROM NEW.lead
          OR OLD.body IS DISTINCT FROM NEW.body OR OLD.published_at IS DISTINCT FROM NEW.published_at
          OR OLD.site IS DISTINCT FROM NEW.site OR OLD.language IS DISTINCT FROM NEW.language)
    EXECUTE FUNCTION article_search_store();

CREATE FUNCTION article_search_topics() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    story bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.article_id ELSE NEW.article_id END;
BEGIN
    UPDATE article_search s SET on_topics = (
        SELECT array_agg(t.topic ORDER BY t.topic) FROM article_topics t
        WHERE t.article_id = story AND t.on_topic)
    WHERE s.article_id = story;
    RETURN NULL;
END
$$;
CREATE TRIGGER article_topics_search_insert AFTER INSERT ON article_topics
    FOR EACH ROW WHEN (NEW.on_topic) EXECUTE FUNCTION article_search_topics();
CREATE TRIGGER article_topics_search_update AFTER UPDATE OF on_topic, topic ON article_topics
    FOR EACH ROW WHEN (OLD.on_topic IS DISTINCT FROM NEW.on_topic OR OLD.topic IS DISTINCT FROM NEW.topic)
    EXECUTE FUNCTION article_search_topics();
CREATE TRIGGER article_topics_search_delete AFTER DELETE ON article_topics
    FOR EACH ROW WHEN (OLD.on_topic) EXECUTE FUNCTION article_search_topics();
