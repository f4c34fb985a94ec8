-- 0004: what a restart needs to continue where the last run stopped.
-- alerts.key_by_victim: how the episode is keyed (by its victim when it has many sources), so
-- an open episode loaded back at start is continued by the same detector candidates.
-- detector_state: a detector's learned state (traffic_spike: per-host EWMA and hour-of-week
-- baselines, bounded by its max_hosts), one row per detector kind, rewritten about once a
-- minute and at shutdown, loaded at start so the detector is warm after a restart.
ALTER TABLE alerts ADD COLUMN key_by_victim INTEGER NOT NULL DEFAULT 0;

CREATE TABLE detector_state (
    kind        TEXT PRIMARY KEY,           -- detect::alert_kind_name of the detector
    state       TEXT NOT NULL,              -- the detector's own save_state() text
    saved_s     INTEGER NOT NULL            -- wall clock
) WITHOUT ROWID;
