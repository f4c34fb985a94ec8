#include "store/store_writer.hpp"

#include <algorithm>
#include <string>

#include "store/migrations.hpp"

namespace nms::store {
namespace {

std::string s(std::string_view v) { return std::string(v); }

int64_t i64(uint64_t v) noexcept { return static_cast<int64_t>(std::min<uint64_t>(v, INT64_MAX)); }

constexpr int kFlowColumns = 20;

// INSERT of `rows` flows: one statement step per row costs a VDBE program run and its
// bind/reset calls; a multi-row VALUES list shares them.
std::string flow_insert_sql(int rows) {
    std::string sql =
        "INSERT INTO flows(flow_id, stored_s, start_ns, end_ns, src_ip, src_port, dest_ip, dest_port, proto, vlan, "
        "app_proto, pkts_toserver, pkts_toclient, bytes_toserver, bytes_toclient, state, reason, tcp_flags, rtt_us, "
        "retransmits) VALUES";
    for (int r = 0; r < rows; ++r) {
        sql += r ? ",(" : "(";
        for (int c = 1; c <= kFlowColumns; ++c) {
            if (c > 1) sql += ',';
            sql += '?' + std::to_string(r * kFlowColumns + c);
        }
        sql += ')';
    }
    return sql;
}

}  // namespace

StoreWriter::StoreWriter(const std::string& path, const dpi::Registry* registry)
    : path_(path), registry_(registry), db_(path, Database::Mode::kReadWrite, 5000) {
    // auto_vacuum can only be chosen before the first table and before WAL mode.
    if (db_.query_int("SELECT count(*) FROM sqlite_schema", 0) == 0) db_.exec_or_throw("PRAGMA auto_vacuum = INCREMENTAL");
    // WAL: readers (the API) never block the writer; NORMAL: a commit is durable at the next
    // checkpoint, and a power loss can cost the last transactions but never corrupt the file.
    if (db_.query_text("PRAGMA journal_mode = WAL") != "wal")
        throw StoreError("cannot switch " + path + " to WAL mode (is the file system local?)");
    db_.exec_or_throw("PRAGMA synchronous = NORMAL");
    db_.exec_or_throw("PRAGMA journal_size_limit = 67108864");  // truncate the WAL back to 64 MiB
    // Checkpoint every ~16 MiB of WAL instead of 4 MiB: the hot index pages that every batch
    // rewrites are copied into the database once per checkpoint, not once per 1000 pages.
    db_.exec_or_throw("PRAGMA wal_autocheckpoint = 4096");
    db_.exec_or_throw("PRAGMA foreign_keys = ON");
    // Index inserts land all over the address indexes: with SQLite's default 2 MiB cache
    // every batch re-reads and re-writes pages through syscalls. 32 MiB keeps the hot index
    // pages resident (measured: bench/store_bench rows/s).
    db_.exec_or_throw("PRAGMA cache_size = -32768");
    migrate(db_);

    insert_flow_ = Statement(db_, flow_insert_sql(1));
    insert_flows_ = Statement(db_, flow_insert_sql(kFlowsPerInsert));
    upsert_dns_query_ = Statement(db_,
        "INSERT INTO dns_names(name, first_ns, last_ns, stored_s, queries, answers, last_rrtype, last_client) "
        "VALUES(?1, ?2, ?2, ?3, 1, 0, ?4, ?5) ON CONFLICT(name) DO UPDATE SET "
        "first_ns = min(first_ns, excluded.first_ns), last_ns = max(last_ns, excluded.last_ns), "
        "stored_s = excluded.stored_s, queries = queries + 1, last_rrtype = excluded.last_rrtype, "
        "last_client = excluded.last_client");
    upsert_dns_answer_ = Statement(db_,
        "INSERT INTO dns_names(name, first_ns, last_ns, stored_s, queries, answers, last_rrtype, last_answer) "
        "VALUES(?1, ?2, ?2, ?3, 0, 1, ?4, ?5) ON CONFLICT(name) DO UPDATE SET "
        "first_ns = min(first_ns, excluded.first_ns), last_ns = max(last_ns, excluded.last_ns), "
        "stored_s = excluded.stored_s, answers = answers + 1, "
        "last_answer = coalesce(excluded.last_answer, last_answer)");
    // Two ticks in one second (stats.interval_ms < 1000) add up in the same 1 s row.
    upsert_stats_ = Statement(db_, s("INSERT INTO stats_1s(") + s(kStatsColumns) +
        ") VALUES(?1, ?2, ?3, ?4, ?4, ?5, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT(ts) DO UPDATE SET "
        "packets = packets + excluded.packets, bytes = bytes + excluded.bytes, pps_avg = excluded.pps_avg, "
        "pps_max = max(pps_max, excluded.pps_max), bps_avg = excluded.bps_avg, "
        "bps_max = max(bps_max, excluded.bps_max), active_flows = max(active_flows, excluded.active_flows), "
        "drops = drops + excluded.drops, tcp_bytes = tcp_bytes + excluded.tcp_bytes, "
        "udp_bytes = udp_bytes + excluded.udp_bytes, icmp_bytes = icmp_bytes + excluded.icmp_bytes, "
        "other_bytes = other_bytes + excluded.other_bytes");
    // Retention walks flows in insertion order (rowid): no index on stored_s needed.
    oldest_flow_ = Statement(db_, "SELECT stored_s FROM flows ORDER BY id LIMIT 1");
    delete_flows_ = Statement(db_,
        "DELETE FROM flows WHERE id IN (SELECT id FROM flows ORDER BY id LIMIT ?2) AND stored_s < ?1");
    delete_flows_any_ = Statement(db_, "DELETE FROM flows WHERE id IN (SELECT id FROM flows ORDER BY id LIMIT ?1)");
    delete_dns_ = Statement(db_,
        "DELETE FROM dns_names WHERE name IN (SELECT name FROM dns_names WHERE stored_s < ?1 LIMIT ?2)");
    for (auto t : {StatsTier::k1s, StatsTier::k1m, StatsTier::k1h}) {
        const std::string tbl = s(table_of(t));
        delete_stats_[static_cast<int>(t)] = Statement(db_,
            "DELETE FROM " + tbl + " WHERE ts IN (SELECT ts FROM " + tbl + " WHERE ts < ?1 ORDER BY ts LIMIT ?2)");
    }

    devices_ = std::make_unique<DeviceStore>(db_);
    alerts_ = std::make_unique<AlertStore>(db_);
    detector_states_ = std::make_unique<DetectorStateStore>(db_);

    // Where rollups resume: after the newest coarse bucket, or at the oldest fine row.
    const auto resume = [&](StatsTier from, StatsTier to) {
        const int64_t w = seconds_of(to);
        const int64_t last = db_.query_int("SELECT max(ts) FROM " + s(table_of(to)), -1);
        if (last >= 0) return last + w;
        const int64_t first = db_.query_int("SELECT min(ts) FROM " + s(table_of(from)), -1);
        return first >= 0 ? first / w * w : int64_t{-1};
    };
    next_minute_ = resume(StatsTier::k1s, StatsTier::k1m);
    next_hour_ = resume(StatsTier::k1m, StatsTier::k1h);
}

void StoreWriter::bind_flow(Statement& st, int base, const pipeline::FlowRecord& rec, int64_t now_s) {
    char ip_a[64], ip_b[64];
    const flow::Flow& f = rec.flow;
    const size_t na = f.client_ip().format(ip_a);
    const size_t nb = f.server_ip().format(ip_b);
    st.bind(base + 1, f.flow_id).bind(base + 2, now_s).bind(base + 3, f.first_ns).bind(base + 4, f.last_ns);
    st.bind(base + 5, std::string_view(ip_a, na)).bind(base + 6, uint32_t{f.client_port()});
    st.bind(base + 7, std::string_view(ip_b, nb)).bind(base + 8, uint32_t{f.server_port()});
    st.bind(base + 9, uint32_t{f.key.proto}).bind(base + 10, uint32_t{f.key.vlan});
    if (f.app_proto && registry_) st.bind(base + 11, registry_->name_of(f.app_proto));
    else st.bind_null(base + 11);
    st.bind(base + 12, uint32_t{f.pkts[0]}).bind(base + 13, uint32_t{f.pkts[1]});
    st.bind(base + 14, i64(f.bytes[0])).bind(base + 15, i64(f.bytes[1]));
    st.bind(base + 16, std::string_view(flow::eve_flow_state(f)));
    st.bind(base + 17, std::string_view(flow::eve_end_reason(rec.reason)));
    if (f.key.proto == decode::kIpProtoTcp) {
        st.bind(base + 18, uint32_t{f.tcp_flags[0]} | f.tcp_flags[1]);
        if (f.has_rtt) st.bind(base + 19, uint32_t{f.rtt_client_us} + f.rtt_server_us);
        st.bind(base + 20, i64(uint64_t{f.retransmits[0]} + f.retransmits[1]));
    }  // else NULL: run() resets the statement, which clears every binding
}

Rc StoreWriter::write_batch(std::span<const pipeline::FlowRecord> flows, std::span<const DnsObservation> dns,
                            std::span<const StatsSample> stats, int64_t now_s, std::string& error) {
    char ip_a[64];
    Rc failed = Rc::kOk;
    const auto run = [&](Statement& st) {
        const Rc rc = st.step();
        st.reset();
        if (rc != Rc::kDone) {
            failed = rc;
            return false;
        }
        return true;
    };
    const Rc rc = in_transaction(db_, [&] {
        // Full groups of kFlowsPerInsert rows in one statement each, the rest one by one.
        size_t i = 0;
        for (; i + kFlowsPerInsert <= flows.size(); i += kFlowsPerInsert) {
            for (int r = 0; r < kFlowsPerInsert; ++r)
                bind_flow(insert_flows_, r * kFlowColumns, flows[i + static_cast<size_t>(r)], now_s);
            if (!run(insert_flows_)) return false;
        }
        for (; i < flows.size(); ++i) {
            bind_flow(insert_flow_, 0, flows[i], now_s);
            if (!run(insert_flow_)) return false;
        }
        for (const auto& d : dns) {
            const size_t nc = d.client.format(ip_a);
            auto& st = d.answer ? upsert_dns_answer_ : upsert_dns_query_;
            st.bind(1, d.name_view()).bind(2, d.ts_ns).bind(3, now_s).bind(4, uint32_t{d.rrtype});
            if (d.answer) {
                if (d.answer_len) st.bind(5, d.answer_view());
                else st.bind_null(5);
            } else {
                st.bind(5, std::string_view(ip_a, nc));
            }
            if (!run(st)) return false;
        }
        for (const auto& x : stats) {
            auto& st = upsert_stats_;
            st.bind(1, x.ts).bind(2, i64(x.packets)).bind(3, i64(x.bytes)).bind(4, x.pps).bind(5, x.bps);
            st.bind(6, i64(x.active_flows)).bind(7, i64(x.drops)).bind(8, i64(x.tcp_bytes)).bind(9, i64(x.udp_bytes));
            st.bind(10, i64(x.icmp_bytes)).bind(11, i64(x.other_bytes));
            if (!run(st)) return false;
            if (next_minute_ < 0) next_minute_ = x.ts / 60 * 60;
        }
        return true;
    });
    if (rc != Rc::kOk) {
        error = db_.last_error();
        return failed != Rc::kOk ? failed : rc;
    }
    return Rc::kOk;
}

Rc StoreWriter::write_entities(std::span<const devices::Device> devs, std::span<const AlertChange> alerts,
                               std::span<const StoreCommand> commands, int64_t now_s, std::string& error) {
    if (devs.empty() && alerts.empty() && commands.empty()) return Rc::kOk;
    const Rc rc = in_transaction(db_, [&] {
        if (!devices_->upsert(devs, now_s)) return false;
        for (const auto& c : alerts)
            if (!alerts_->upsert(c.alert, now_s)) return false;
        for (const auto& c : commands) {
            bool ok = true;
            switch (c.kind) {
                case StoreCommand::Kind::kAcknowledge: ok = alerts_->acknowledge(c.alert_id, c.user, c.now_s); break;
                case StoreCommand::Kind::kBan: ok = alerts_->upsert_ban(c.ban); break;
                case StoreCommand::Kind::kRevokeBan: ok = alerts_->revoke_ban(c.ban.ip, c.now_s); break;
                case StoreCommand::Kind::kEvidence: ok = alerts_->set_evidence(c.alert_id, c.file, c.now_s); break;
                case StoreCommand::Kind::kDetectorState: ok = detector_states_->save(c.detector, c.state, c.now_s); break;
            }
            if (!ok) return false;
        }
        return true;
    });
    if (rc != Rc::kOk) error = db_.last_error();
    return rc;
}

Rc StoreWriter::roll(StatsTier from, StatsTier to, int64_t& next, int64_t now_s, std::vector<StatsRow>* out) {
    const int64_t w = seconds_of(to);
    const int64_t complete = now_s / w * w;  // buckets before this one are complete
    if (next < 0 || next >= complete) return Rc::kOk;
    const std::string src = s(table_of(from)), dst = s(table_of(to)), ws = std::to_string(w);
    Statement st(db_, "INSERT OR REPLACE INTO " + dst + "(" + s(kStatsColumns) + ") SELECT (ts / " + ws + ") * " + ws +
                          ", sum(packets), sum(bytes), avg(pps_avg), max(pps_max), avg(bps_avg), max(bps_max), "
                          "max(active_flows), sum(drops), sum(tcp_bytes), sum(udp_bytes), sum(icmp_bytes), "
                          "sum(other_bytes) FROM " + src + " WHERE ts >= ?1 AND ts < ?2 GROUP BY ts / " + ws);
    st.bind(1, next).bind(2, complete);
    const Rc rc = st.step();
    if (rc != Rc::kDone) return rc;
    if (out) {
        Statement rd(db_, "SELECT " + s(kStatsColumns) + " FROM " + dst + " WHERE ts >= ?1 AND ts < ?2 ORDER BY ts");
        rd.bind(1, next).bind(2, complete);
        while (rd.step() == Rc::kRow) {
            StatsRow r;
            r.ts = rd.column_int(0);
            r.packets = static_cast<uint64_t>(rd.column_int(1));
            r.bytes = static_cast<uint64_t>(rd.column_int(2));
            r.pps_avg = rd.column_double(3);
            r.pps_max = rd.column_double(4);
            r.bps_avg = rd.column_double(5);
            r.bps_max = rd.column_double(6);
            r.active_flows = static_cast<uint64_t>(rd.column_int(7));
            r.drops = static_cast<uint64_t>(rd.column_int(8));
            r.tcp_bytes = static_cast<uint64_t>(rd.column_int(9));
            r.udp_bytes = static_cast<uint64_t>(rd.column_int(10));
            r.icmp_bytes = static_cast<uint64_t>(rd.column_int(11));
            r.other_bytes = static_cast<uint64_t>(rd.column_int(12));
            out->push_back(r);
        }
    }
    next = complete;
    return Rc::kOk;
}

Rc StoreWriter::rollup(int64_t now_s, std::vector<StatsRow>* new_minutes) {
    if (Rc rc = roll(StatsTier::k1s, StatsTier::k1m, next_minute_, now_s, new_minutes); rc != Rc::kOk) return rc;
    if (next_hour_ < 0 && next_minute_ >= 0) next_hour_ = db_.query_int("SELECT min(ts) FROM stats_1m", -1);
    if (next_hour_ >= 0) next_hour_ = next_hour_ / 3600 * 3600;
    return roll(StatsTier::k1m, StatsTier::k1h, next_hour_, now_s, nullptr);
}

int64_t StoreWriter::delete_expired(Statement& oldest, Statement& del, int64_t cutoff, uint32_t batch) {
    if (oldest.step() != Rc::kRow || oldest.column_int(0) >= cutoff) {
        oldest.reset();
        return 0;
    }
    oldest.reset();
    del.bind(1, cutoff).bind(2, batch);
    const Rc rc = del.step();
    del.reset();
    return rc == Rc::kDone ? db_.changes() : 0;
}

int64_t StoreWriter::retention_step(int64_t now_s, const RetentionPolicy& p, uint64_t* vacuumed_pages) {
    int64_t deleted = delete_expired(oldest_flow_, delete_flows_, now_s - p.flows_s, p.delete_batch);
    const auto simple = [&](Statement& st, int64_t cutoff) {
        st.bind(1, cutoff).bind(2, p.delete_batch);
        const Rc rc = st.step();
        st.reset();
        return rc == Rc::kDone ? db_.changes() : 0;
    };
    deleted += simple(delete_dns_, now_s - p.dns_s);
    deleted += simple(delete_stats_[0], now_s - p.stats_1s_s);
    deleted += simple(delete_stats_[1], now_s - p.stats_1m_s);
    deleted += simple(delete_stats_[2], now_s - p.stats_1h_s);
    deleted += alerts_->delete_expired(now_s - p.alerts_s, p.delete_batch);
    deleted += devices_->prune(p.max_devices, p.delete_batch);
    if (p.max_db_bytes && used_bytes() > p.max_db_bytes) {
        delete_flows_any_.bind(1, p.delete_batch);
        if (delete_flows_any_.step() == Rc::kDone) deleted += db_.changes();
        delete_flows_any_.reset();
    }
    const int64_t free_pages = db_.query_int("PRAGMA freelist_count", 0);
    if (free_pages > 0) {
        const int64_t n = std::min<int64_t>(free_pages, p.vacuum_pages);
        db_.exec("PRAGMA incremental_vacuum(" + std::to_string(n) + ")");
        if (vacuumed_pages) *vacuumed_pages += static_cast<uint64_t>(n);
    }
    return deleted;
}

std::vector<stats::RatePoint> StoreWriter::recent_history(int64_t now_s, int64_t seconds) {
    std::vector<stats::RatePoint> out;
    Statement st(db_, "SELECT ts, pps_avg, bps_avg, active_flows, drops FROM stats_1s WHERE ts > ?1 ORDER BY ts");
    st.bind(1, now_s - seconds);
    while (st.step() == Rc::kRow) {
        stats::RatePoint p;
        p.wall_ns = static_cast<TimestampNs>(st.column_int(0)) * kNsPerSec;
        p.pps = st.column_double(1);
        p.bps = st.column_double(2);
        p.active_flows = static_cast<uint64_t>(st.column_int(3));
        p.drops = static_cast<uint64_t>(st.column_int(4));
        out.push_back(p);
    }
    return out;
}

uint64_t StoreWriter::used_bytes() noexcept {
    const int64_t pages = db_.query_int("PRAGMA page_count", 0) - db_.query_int("PRAGMA freelist_count", 0);
    return static_cast<uint64_t>(std::max<int64_t>(0, pages)) *
           static_cast<uint64_t>(db_.query_int("PRAGMA page_size", 4096));
}

}  // namespace nms::store
