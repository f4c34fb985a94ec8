-- 0003: devices (with addresses, hostnames, OS evidence and OS/vendor history), alerts and
-- bans. Devices are loaded back into the device table at start (continuity across restarts);
-- alerts keep their lifecycle (open -> acknowledged -> closed) for the API and the report.

CREATE TABLE devices (
    key             TEXT PRIMARY KEY,       -- "mac:aa:bb:cc:dd:ee:ff" or "ip:192.0.2.7"
    mac             TEXT NOT NULL DEFAULT '',
    vendor          TEXT NOT NULL DEFAULT '',
    mac_local_admin INTEGER NOT NULL DEFAULT 0,
    local           INTEGER NOT NULL DEFAULT 0,
    first_ns        INTEGER NOT NULL,       -- packet time
    last_ns         INTEGER NOT NULL,
    packets_out     INTEGER NOT NULL DEFAULT 0,
    bytes_out       INTEGER NOT NULL DEFAULT 0,
    packets_in      INTEGER NOT NULL DEFAULT 0,
    bytes_in        INTEGER NOT NULL DEFAULT 0,
    os              TEXT NOT NULL DEFAULT '',
    os_class        TEXT NOT NULL DEFAULT '',
    os_confidence   INTEGER NOT NULL DEFAULT 0,
    attributes      TEXT NOT NULL DEFAULT '{}', -- JSON: fact kind -> [values]
    tcp_signatures  TEXT NOT NULL DEFAULT '[]', -- JSON: [p0f text]
    peers           TEXT NOT NULL DEFAULT '[]', -- JSON: busiest peers
    stored_s        INTEGER NOT NULL        -- last write, wall clock (retention)
) WITHOUT ROWID;
CREATE INDEX devices_by_last ON devices(last_ns);
CREATE INDEX devices_by_stored ON devices(stored_s);

CREATE TABLE device_addresses (
    device_key  TEXT NOT NULL REFERENCES devices(key) ON DELETE CASCADE,
    ip          TEXT NOT NULL,
    first_ns    INTEGER NOT NULL,           -- device's last_ns when the address was first stored
    last_ns     INTEGER NOT NULL,
    PRIMARY KEY (device_key, ip)
) WITHOUT ROWID;
CREATE INDEX device_addresses_by_ip ON device_addresses(ip);

CREATE TABLE device_hostnames (
    device_key  TEXT NOT NULL REFERENCES devices(key) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    first_ns    INTEGER NOT NULL,
    last_ns     INTEGER NOT NULL,
    PRIMARY KEY (device_key, name)
) WITHOUT ROWID;

-- Every OS signal seen for a device (what devices::OsEvidence holds), kept across restarts.
CREATE TABLE device_os_evidence (
    device_key  TEXT NOT NULL REFERENCES devices(key) ON DELETE CASCADE,
    signal      TEXT NOT NULL,              -- tcp_syn, dhcp_fingerprint, http_user_agent, ...
    value       TEXT NOT NULL,
    os          TEXT NOT NULL,
    os_class    TEXT NOT NULL,
    confidence  INTEGER NOT NULL,
    ts_ns       INTEGER NOT NULL,
    PRIMARY KEY (device_key, signal, value)
) WITHOUT ROWID;

-- How the best OS guess and the vendor changed over time, with the evidence behind each.
CREATE TABLE device_history (
    device_key  TEXT NOT NULL REFERENCES devices(key) ON DELETE CASCADE,
    field       TEXT NOT NULL,              -- 'os' or 'vendor'
    value       TEXT NOT NULL,
    evidence    TEXT NOT NULL DEFAULT '',   -- "tcp_syn: 4:64+0:0:1460:..." (os), "oui" (vendor)
    first_ns    INTEGER NOT NULL,
    last_ns     INTEGER NOT NULL,
    PRIMARY KEY (device_key, field, value)
) WITHOUT ROWID;

CREATE TABLE alerts (
    id              INTEGER PRIMARY KEY,    -- detect::Alert::id (stable for the episode)
    kind            TEXT NOT NULL,          -- detect::alert_kind_name
    severity        TEXT NOT NULL,          -- info, low, medium, high, critical
    src             TEXT,                   -- attacker / offending host, NULL if none
    src_mac         TEXT NOT NULL DEFAULT '',
    victim          TEXT,
    victim_count    INTEGER NOT NULL DEFAULT 0,
    top_peers       TEXT NOT NULL DEFAULT '[]',  -- JSON [{ip, count}]
    first_ns        INTEGER NOT NULL,       -- packet time
    last_ns         INTEGER NOT NULL,
    updates         INTEGER NOT NULL DEFAULT 0,
    state           TEXT NOT NULL DEFAULT 'open',  -- open, acknowledged, closed
    ended           INTEGER NOT NULL DEFAULT 0,
    explanation     TEXT NOT NULL DEFAULT '{}',    -- JSON detect::Explanation
    evidence        TEXT NOT NULL DEFAULT '[]',    -- JSON [{key, value}]
    evidence_pcap   TEXT NOT NULL DEFAULT '',      -- file name under <data_dir>/evidence/
    acknowledged_by TEXT NOT NULL DEFAULT '',
    acknowledged_s  INTEGER,
    updated_s       INTEGER NOT NULL        -- last write, wall clock (retention)
);
CREATE INDEX alerts_by_last ON alerts(last_ns);
CREATE INDEX alerts_by_kind ON alerts(kind, last_ns);
CREATE INDEX alerts_by_state ON alerts(state, last_ns);
CREATE INDEX alerts_by_src ON alerts(src);
CREATE INDEX alerts_by_updated ON alerts(updated_s);

CREATE TABLE bans (
    id          INTEGER PRIMARY KEY,
    ip          TEXT NOT NULL,
    alert_id    INTEGER,                    -- the alert that caused it (NULL: manual)
    kind        TEXT NOT NULL DEFAULT '',   -- alert kind
    created_s   INTEGER NOT NULL,           -- wall clock
    expires_s   INTEGER NOT NULL,           -- 0 = never
    revoked_s   INTEGER,                    -- NULL = not revoked
    dry_run     INTEGER NOT NULL DEFAULT 0,
    UNIQUE (ip, created_s)
);
CREATE INDEX bans_by_ip ON bans(ip);
CREATE INDEX bans_by_created ON bans(created_s);
