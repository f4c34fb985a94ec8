-- 0002: traffic statistics in three tiers (1 s, 1 min, 1 h). ts = start of the bucket in
-- wall-clock Unix seconds (INTEGER PRIMARY KEY: the rowid, so range scans need no index).
-- stats_1s is written from each stats tick; the coarser tiers are aggregated from the finer
-- one in SQL once a bucket is complete, so a restart loses nothing already written.

CREATE TABLE stats_1s (
    ts            INTEGER PRIMARY KEY,
    packets       INTEGER NOT NULL,    -- during the bucket
    bytes         INTEGER NOT NULL,
    pps_avg       REAL    NOT NULL,
    pps_max       REAL    NOT NULL,
    bps_avg       REAL    NOT NULL,
    bps_max       REAL    NOT NULL,
    active_flows  INTEGER NOT NULL,    -- maximum during the bucket
    drops         INTEGER NOT NULL,    -- all drop reasons during the bucket
    tcp_bytes     INTEGER NOT NULL,
    udp_bytes     INTEGER NOT NULL,
    icmp_bytes    INTEGER NOT NULL,    -- ICMP and ICMPv6
    other_bytes   INTEGER NOT NULL
);

CREATE TABLE stats_1m (
    ts            INTEGER PRIMARY KEY,
    packets       INTEGER NOT NULL,    -- during the bucket
    bytes         INTEGER NOT NULL,
    pps_avg       REAL    NOT NULL,
    pps_max       REAL    NOT NULL,
    bps_avg       REAL    NOT NULL,
    bps_max       REAL    NOT NULL,
    active_flows  INTEGER NOT NULL,    -- maximum during the bucket
    drops         INTEGER NOT NULL,    -- all drop reasons during the bucket
    tcp_bytes     INTEGER NOT NULL,
    udp_bytes     INTEGER NOT NULL,
    icmp_bytes    INTEGER NOT NULL,    -- ICMP and ICMPv6
    other_bytes   INTEGER NOT NULL
);

CREATE TABLE stats_1h (
    ts            INTEGER PRIMARY KEY,
    packets       INTEGER NOT NULL,    -- during the bucket
    bytes         INTEGER NOT NULL,
    pps_avg       REAL    NOT NULL,
    pps_max       REAL    NOT NULL,
    bps_avg       REAL    NOT NULL,
    bps_max       REAL    NOT NULL,
    active_flows  INTEGER NOT NULL,    -- maximum during the bucket
    drops         INTEGER NOT NULL,    -- all drop reasons during the bucket
    tcp_bytes     INTEGER NOT NULL,
    udp_bytes     INTEGER NOT NULL,
    icmp_bytes    INTEGER NOT NULL,    -- ICMP and ICMPv6
    other_bytes   INTEGER NOT NULL
);
