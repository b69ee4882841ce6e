-- Two stories stored at once (crawls of two sites run in parallel) that share matched terms of one
-- day update the same topic_term_days rows. 0040 upserted a story's terms in whatever order
-- DISTINCT returned them, so two transactions could take those row locks in opposite orders and
-- deadlock. Upsert them in term order: every transaction locks shared rows in the same order.
CREATE OR REPLACE FUNCTION topic_coverage_add(p_topic text, p_site text, p_at timestamptz, p_terms jsonb, change integer)
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
    ORDER BY term
    ON CONFLICT (topic, day, term) DO UPDATE SET stories = d.stories + excluded.stories;
END $$;
