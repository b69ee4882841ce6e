-- 0050: reprocessing. Each score records the fingerprint of the topic definition that gave it
-- (pantau.base.topics.topic_fingerprint), so scores of a changed topic file are found stale; rows
-- from before this migration have none and count as stale. `rescored_at`: when a rescore (not the
-- crawl) put the story on the topic; such stories are not "new" for digests (include_rescored).
ALTER TABLE article_topics
    ADD COLUMN fingerprint text,
    ADD COLUMN rescored_at timestamptz;
CREATE INDEX article_topics_rescored_idx ON article_topics (rescored_at) WHERE rescored_at IS NOT NULL;

-- A digest entry that came from the rescored section (listed once, like every entry).
ALTER TABLE digest_items ADD COLUMN rescored boolean NOT NULL DEFAULT false;
