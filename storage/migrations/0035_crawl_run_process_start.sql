-- 0035: Which process a running crawl row belongs to: its pid and that process's start time
-- (`<boot id>:<clock ticks>`), so a row whose process died is closed at once even when the pid
-- has been reused meanwhile (a restarted container's daemon is pid 1 again).
ALTER TABLE crawl_runs ADD COLUMN process_start text;
