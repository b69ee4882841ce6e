-- 0060: a topic change rewrites a story's search row at most once, and without touching its indexes.
--
-- Rescoring a batch of stories changes their on-topic flags (article_search.on_topics). Until now a
-- row trigger rewrote the search row once per changed score, and most rewrites were not HOT
-- (heap-only: the new version on the same page, no index entry), because a page at fillfactor 90
-- has room for a few new versions only. A version that moves page re-inserts the story's ~200
-- words into the GIN index: rescoring 30,000 stories spent 0.33 ms per story there (22,000 of its
-- 28,000 rewrites moved). Measured after this migration, on the same 30,000 stories all coming on
-- topic at once (the worst case: each row also grows by its array): 21,300 of 27,850 stay on their
-- page, and the writes of a rescore batch take 0.23 instead of 0.54 ms per story.
--
-- Room for one new version of every row: a batch of a rescore rewrites every row of a page at once,
-- and a version is freed only when its transaction is over. Pages written from now on keep the
-- room; pages written before get it as they are rewritten, or at once with
-- `VACUUM FULL article_search` (README, "Changing topics and site rules"). The rows go from 82 to
-- 149 MB at a million stories; the indexes do not change.
ALTER TABLE article_search SET (fillfactor = 50);

-- One rewrite per story and statement (not per score row), and none when its topics are unchanged.
DROP TRIGGER article_topics_search_insert ON article_topics;
DROP TRIGGER article_topics_search_update ON article_topics;
DROP TRIGGER article_topics_search_delete ON article_topics;
DROP FUNCTION article_search_topics();

CREATE FUNCTION article_search_refresh_topics(ids bigint[]) RETURNS void LANGUAGE sql AS $$
    UPDATE article_search s SET on_topics = fresh.on_topics
    FROM (SELECT i.id, (SELECT array_agg(t.topic ORDER BY t.topic) FROM article_topics t
                         WHERE t.article_id = i.id AND t.on_topic) AS on_topics
          FROM unnest(ids) AS i(id)) fresh
    WHERE s.article_id = fresh.id AND s.on_topics IS DISTINCT FROM fresh.on_topics
$$;

-- Statement triggers see the statement's rows as tables; a plpgsql branch is planned only when
-- taken, so each operation reads only the tables its trigger has. Ids in order: rows are locked in
-- the same order by every writer.
CREATE FUNCTION article_search_topics() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM article_search_refresh_topics(
            ARRAY(SELECT DISTINCT article_id FROM new_scores WHERE on_topic ORDER BY 1));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM article_search_refresh_topics(
            ARRAY(SELECT article_id FROM old_scores UNION SELECT article_id FROM new_scores ORDER BY 1));
    ELSE
        PERFORM article_search_refresh_topics(
            ARRAY(SELECT DISTINCT article_id FROM old_scores WHERE on_topic ORDER BY 1));
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER article_topics_search_insert AFTER INSERT ON article_topics
    REFERENCING NEW TABLE AS new_scores FOR EACH STATEMENT EXECUTE FUNCTION article_search_topics();
CREATE TRIGGER article_topics_search_update AFTER UPDATE ON article_topics
    REFERENCING OLD TABLE AS old_scores NEW TABLE AS new_scores
    FOR EACH STATEMENT EXECUTE FUNCTION article_search_topics();
CREATE TRIGGER article_topics_search_delete AFTER DELETE ON article_topics
    REFERENCING OLD TABLE AS old_scores FOR EACH STATEMENT EXECUTE FUNCTION article_search_topics();
