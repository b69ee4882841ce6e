-- 0006: every applied migration keeps the SHA-256 of the file that ran, so a migration edited after it
-- was applied is refused instead of silently differing from the archive (storage/migrate.py).
-- Rows applied before this column existed get the checksum of the file shipped when 0006 runs (pantau
-- cannot know what an older file said); from then on a change is refused.
ALTER TABLE schema_migrations ADD COLUMN checksum text;

-- 0005 was edited after it shipped: the first version allowed no 'forbidden' walk end. Archives that
-- ran it keep the old CHECK; give every archive the one the shipped 0005 declares.
ALTER TABLE backfill_checkpoints
    DROP CONSTRAINT IF EXISTS backfill_checkpoints_ended_check,
    ADD CONSTRAINT backfill_checkpoints_ended_check
        CHECK (ended IN ('empty', 'repeat', 'padding', 'since', 'limit', 'forbidden'));
