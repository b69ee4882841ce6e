-- 0004: the daemon's own state: heartbeats (is a daemon alive?) and per-site health flags
-- (so a site turning unhealthy, or recovering, is logged once on the change, not on every run).

CREATE TABLE daemon_heartbeats (
    instance    text        PRIMARY KEY,                -- hostname:pid:start time, one row per daemon process
    hostname    text        NOT NULL,
    pid         integer     NOT NULL,
    started_at  timestamptz NOT NULL,
    beat_at     timestamptz NOT NULL,
    stopped_at  timestamptz                             -- set by a clean shutdown
);
CREATE INDEX daemon_heartbeats_beat_idx ON daemon_heartbeats (beat_at DESC);

CREATE TABLE site_health (
    site        text        PRIMARY KEY,
    flagged     boolean     NOT NULL,
    reasons     jsonb       NOT NULL DEFAULT '[]',
    changed_at  timestamptz NOT NULL
);

-- When a digest's last delivery ended (sent or failed), for `pantau status`.
ALTER TABLE digests ADD COLUMN finished_at timestamptz;
CREATE INDEX digests_status_idx ON digests (status) WHERE status = 'ready';
