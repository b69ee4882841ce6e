-- 0005: what a backfill needs to resume a listing walk exactly where it stopped.
-- `oldest`: the oldest story date (WIB) the page listed, so a newest-first walk (tag pages, search
-- without a date filter) knows how far back it has reached. `ended`: the walk stopped on this page,
-- and why: empty (nothing listed), repeat (no article the walk had not seen), padding (the listing
-- went back to recent, unrelated news: Kompas tags), since (older than the backfill's start),
-- limit (the listing's page limit), forbidden (robots.txt disallows it).
ALTER TABLE backfill_checkpoints
    ADD COLUMN oldest date,
    ADD COLUMN ended  text CHECK (ended IN ('empty', 'repeat', 'padding', 'since', 'limit', 'forbidden'));
