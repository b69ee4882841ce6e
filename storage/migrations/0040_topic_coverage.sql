-- 0040: per-topic coverage counts for the web view's charts and term trends, kept by triggers.
--
-- The home and topic pages chart on-topic stories per day per outlet over up to a year, and the
-- matched terms over a range. Counting those from articles and article_topics reads every on-topic
-- story of the range on each request; these two tables hold the counts already summed, kept
-- current in the storing transaction by the triggers below, so a chart reads a few thousand rows.
-- - topic_coverage: stories per (topic, UTC hour, site). Hours, not days, because the reader's
--   day depends on their zone (web.timezone): the page sums the hours of each local day (zones a
--   whole number of hours from UTC are exact; a half-hour zone puts up to 30 minutes in a neighbour).
-- - topic_term_days: stories per (topic, WIB day, matched term): terms move by week and month,
--   where a day's edge does not matter, and one row per term and day keeps a year small.
-- Stories without a publication date are not counted (their day is unknown; search by day misses
-- them too).
SET LOCAL statement_timeout = 0;

CREATE TABLE topic_coverage (
    topic    text        NOT NULL,
    hour     timestamptz NOT NULL,
    site     text        NOT NULL,
    stories  integer     NOT NULL,
    PRIMARY KEY (topic, hour, site)
);

CREATE TABLE topic_term_days (
    topic    text    NOT NULL,
    day      date    NOT NULL,
    term     text    NOT NULL,
    stories  integer NOT NULL,
    PRIMARY KEY (topic, day, term)
);

-- Add `change` (+1 or -1) for one on-topic story: its hour and site, and each distinct term once.
CREATE FUNCTION topic_coverage_add(p_topic text, p_site text, p_at timestamptz, p_terms jsonb, change integer)
    RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF p_at IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO topic_coverage AS c (topic, hour, site, stories)
    VALUES (p_topic, date_trunc('hour', p_at, 'UTC'), p_site, change)
    ON CONFLICT (topic, hour, site) DO UPDATE SET stories = c.stories + excluded.stories;
    INSERT INTO topic_term_days AS d (topic, day, term, stories)
    SELECT p_topic, (p_at AT TIME ZONE 'Asia/Jakarta')::date, term, change
    FROM (SELECT DISTINCT jsonb_array_elements_text(p_terms) AS term
          WHERE jsonb_typeof(p_terms) = 'array') terms
    ON CONFLICT (topic, day, term) DO UPDATE SET stories = d.stories + excluded.stories;
END $$;

-- A topic score written, changed or removed: take the old one out, put the new one in. When the
-- story itself is being deleted its row is already gone here; articles' own trigger counted that.
CREATE FUNCTION topic_coverage_scores() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    story record;
BEGIN
    SELECT site, published_at INTO story FROM articles
    WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.article_id ELSE NEW.article_id END;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.on_topic THEN
        PERFORM topic_coverage_add(OLD.topic, story.site, story.published_at, OLD.matched_terms, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.on_topic THEN
        PERFORM topic_coverage_add(NEW.topic, story.site, story.published_at, NEW.matched_terms, 1);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER topic_coverage_scores AFTER INSERT OR UPDATE OR DELETE ON article_topics
    FOR EACH ROW EXECUTE FUNCTION topic_coverage_scores();

-- A story whose date or site changed moves its counts; a deleted story takes its counts along.
CREATE FUNCTION topic_coverage_story() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    score record;
BEGIN
    FOR score IN SELECT topic, matched_terms FROM article_topics WHERE article_id = OLD.id AND on_topic LOOP
        PERFORM topic_coverage_add(score.topic, OLD.site, OLD.published_at, score.matched_terms, -1);
        IF TG_OP = 'UPDATE' THEN
            PERFORM topic_coverage_add(score.topic, NEW.site, NEW.published_at, score.matched_terms, 1);
        END IF;
    END LOOP;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;

CREATE TRIGGER topic_coverage_story_moved AFTER UPDATE OF published_at, site ON articles
    FOR EACH ROW WHEN (OLD.published_at IS DISTINCT FROM NEW.published_at OR OLD.site <> NEW.site)
    EXECUTE FUNCTION topic_coverage_story();
CREATE TRIGGER topic_coverage_story_deleted BEFORE DELETE ON articles
    FOR EACH ROW EXECUTE FUNCTION topic_coverage_story();

-- The archive so far.
INSERT INTO topic_coverage (topic, hour, site, stories)
SELECT t.topic, date_trunc('hour', a.published_at, 'UTC'), a.site, count(*)
FROM article_topics t JOIN articles a ON a.id = t.article_id
WHERE t.on_topic AND a.published_at IS NOT NULL
GROUP BY 1, 2, 3;

INSERT INTO topic_term_days (topic, day, term, stories)
SELECT t.topic, (a.published_at AT TIME ZONE 'Asia/Jakarta')::date, x.term, count(*)
FROM article_topics t JOIN articles a ON a.id = t.article_id
CROSS JOIN LATERAL (SELECT DISTINCT jsonb_array_elements_text(t.matched_terms) AS term
                    WHERE jsonb_typeof(t.matched_terms) = 'array') x
WHERE t.on_topic AND a.published_at IS NOT NULL
GROUP BY 1, 2, 3;
