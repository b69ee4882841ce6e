-- 0020: story clusters that catch wire copies, and the site's own summary kept apart from the body.
--
-- A story is indexed under its anchors: a content-defined sample of its body's word 4-shingles
-- (pantau.base.fingerprints). A new story looks its anchors up among stories published within three
-- days of it (one probe per anchor on the primary key, never a scan), then compares the texts of the
-- few that share several; the window keeps that cost flat however large the archive grows.
CREATE TABLE article_anchors (
    anchor      bigint      NOT NULL,
    at          timestamptz NOT NULL,                   -- the story's publication time (else first seen)
    article_id  bigint      NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    PRIMARY KEY (anchor, at, article_id)
);
CREATE INDEX article_anchors_article_idx ON article_anchors (article_id);

-- Which anchor scheme a story was clustered with. Stories stored before this migration have none:
-- `pantau db migrate` (and every command, as it migrates first) anchors them and rebuilds their
-- clusters once, oldest first, in Python (storage.clusters.reanchor). Rows inserted later default
-- to the current scheme: the store writes their anchors in the same transaction.
ALTER TABLE articles ADD COLUMN anchored smallint NOT NULL DEFAULT 0;
ALTER TABLE articles ALTER COLUMN anchored SET DEFAULT 1;
CREATE INDEX articles_unanchored_idx ON articles (id) WHERE anchored < 1;

-- The SimHash bands found copies only within a few bits, and their candidates grow with the archive;
-- clusters no longer use them (the simhash column stays, exported as before).
DROP INDEX articles_simhash_b0_idx;
DROP INDEX articles_simhash_b1_idx;
DROP INDEX articles_simhash_b2_idx;
DROP INDEX articles_simhash_b3_idx;

-- A digest remembers the articles it carried; their current cluster decides what is new (clusters merge).
CREATE INDEX digest_items_article_idx ON digest_items (article_id);

-- The points of the site's own summary box (Bisnis's AI "Ringkasan Berita"): not the journalist's
-- text, so not in the body or the search index; shown labelled as the site's summary.
ALTER TABLE articles ADD COLUMN site_summary text[] NOT NULL DEFAULT '{}';
