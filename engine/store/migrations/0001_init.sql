-- 0001: ended flows and DNS names seen.
-- Times: *_ns are packet times (what the flow/query really was); stored_s is the wall clock
-- second the row was written, which retention uses (a replayed capture from 2015 is kept for
-- the retention period like live traffic, not deleted at once).

CREATE TABLE flows (
    id              INTEGER PRIMARY KEY,   -- insertion order = retention order
    flow_id         INTEGER NOT NULL,
    stored_s        INTEGER NOT NULL,
    start_ns        INTEGER NOT NULL,
    end_ns          INTEGER NOT NULL,
    src_ip          TEXT    NOT NULL,      -- client
    src_port        INTEGER NOT NULL,
    dest_ip         TEXT    NOT NULL,      -- server
    dest_port       INTEGER NOT NULL,
    proto           INTEGER NOT NULL,      -- IP protocol number
    vlan            INTEGER NOT NULL DEFAULT 0,
    app_proto       TEXT,                  -- NULL = not identified
    pkts_toserver   INTEGER NOT NULL,
    pkts_toclient   INTEGER NOT NULL,
    bytes_toserver  INTEGER NOT NULL,
    bytes_toclient  INTEGER NOT NULL,
    state           TEXT    NOT NULL,      -- EVE flow.state
    reason          TEXT    NOT NULL,      -- EVE flow.reason
    tcp_flags       INTEGER,               -- OR of both directions; NULL if not TCP
    rtt_us          INTEGER,               -- client + server handshake RTT, when measured
    retransmits     INTEGER
);
-- queries.cpp: newest first (end_ns), by address (either side), by application.
CREATE INDEX flows_by_end ON flows(end_ns);
CREATE INDEX flows_by_src ON flows(src_ip, end_ns);
CREATE INDEX flows_by_dest ON flows(dest_ip, end_ns);
CREATE INDEX flows_by_app ON flows(app_proto, end_ns);

CREATE TABLE dns_names (
    name         TEXT PRIMARY KEY,        -- query name as seen (lower-case is the sender's choice)
    first_ns     INTEGER NOT NULL,
    last_ns      INTEGER NOT NULL,
    stored_s     INTEGER NOT NULL,        -- last write, wall clock (retention)
    queries      INTEGER NOT NULL DEFAULT 0,
    answers      INTEGER NOT NULL DEFAULT 0,
    last_rrtype  INTEGER,
    last_answer  TEXT,                    -- first address/text of the newest answer
    last_client  TEXT
) WITHOUT ROWID;
CREATE INDEX dns_by_last ON dns_names(last_ns);
CREATE INDEX dns_by_stored ON dns_names(stored_s);
