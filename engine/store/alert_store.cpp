#include "store/alert_store.hpp"

#include <algorithm>

#include "store/entity_json.hpp"

namespace nms::store {
namespace {

int64_t i64(uint64_t v) noexcept { return static_cast<int64_t>(std::min<uint64_t>(v, INT64_MAX)); }

bool run(Statement& st) {
    const Rc rc = st.step();
    st.reset();
    return rc == Rc::kDone;
}

constexpr const char* kAlertCols =
    "id, kind, severity, src, src_mac, victim, victim_count, top_peers, first_ns, last_ns, updates, state, ended, "
    "explanation, evidence, evidence_pcap, acknowledged_by, acknowledged_s, updated_s, key_by_victim";

detect::Severity severity_from(std::string_view s) {
    for (int i = 0; i <= static_cast<int>(detect::Severity::kCritical); ++i)
        if (s == detect::severity_name(static_cast<detect::Severity>(i))) return static_cast<detect::Severity>(i);
    return detect::Severity::kInfo;
}

StoredAlert alert_from_row(const Statement& st) {
    StoredAlert s;
    detect::Alert& a = s.alert;
    a.id = static_cast<uint64_t>(st.column_int(0));
    a.kind = detect::alert_kind_from_name(st.column_text(1));
    a.severity = severity_from(st.column_text(2));
    if (!st.column_is_null(3)) {
        if (auto ip = IpAddr::parse(st.column_text(3))) a.has_src = true, a.src = *ip;
    }
    a.src_mac = st.column_text(4);
    if (!st.column_is_null(5)) {
        if (auto ip = IpAddr::parse(st.column_text(5))) a.has_victim = true, a.victim = *ip;
    }
    a.victim_count = static_cast<uint32_t>(st.column_int(6));
    a.top_peers = contributors_from_json(st.column_text(7));
    a.first_seen = static_cast<TimestampNs>(st.column_int(8));
    a.last_seen = static_cast<TimestampNs>(st.column_int(9));
    a.updates = static_cast<uint32_t>(st.column_int(10));
    s.state = st.column_text(11);
    a.ended = st.column_int(12) != 0;
    a.explanation = explanation_from_json(st.column_text(13));
    a.evidence = evidence_from_json(st.column_text(14));
    a.evidence_pcap = st.column_text(15);
    s.acknowledged_by = st.column_text(16);
    s.acknowledged_s = st.column_is_null(17) ? 0 : st.column_int(17);
    s.updated_s = st.column_int(18);
    a.key_by_victim = st.column_int(19) != 0;
    return s;
}

BanRecord ban_from_row(const Statement& st) {
    BanRecord b;
    b.ip = st.column_text(0);
    b.alert_id = st.column_is_null(1) ? 0 : static_cast<uint64_t>(st.column_int(1));
    b.kind = st.column_text(2);
    b.created_s = st.column_int(3);
    b.expires_s = st.column_int(4);
    b.revoked_s = st.column_is_null(5) ? 0 : st.column_int(5);
    b.dry_run = st.column_int(6) != 0;
    return b;
}

// WHERE clause of AlertFilter; parameters ?1..?6 (see bind_filter).
std::string where_of(const AlertFilter& f) {
    std::string w = " WHERE 1";
    if (f.since_ns) w += " AND last_ns >= ?1";
    if (f.until_ns) w += " AND first_ns < ?2";
    if (!f.kind.empty()) w += " AND kind = ?3";
    if (!f.severity.empty()) w += " AND severity = ?4";
    if (!f.state.empty()) w += " AND state = ?5";
    if (!f.ip.empty()) w += " AND (src = ?6 OR victim = ?6)";
    return w;
}

void bind_filter(Statement& st, const AlertFilter& f) {
    if (f.since_ns) st.bind(1, f.since_ns);
    if (f.until_ns) st.bind(2, f.until_ns);
    if (!f.kind.empty()) st.bind(3, std::string_view(f.kind));
    if (!f.severity.empty()) st.bind(4, std::string_view(f.severity));
    if (!f.state.empty()) st.bind(5, std::string_view(f.state));
    if (!f.ip.empty()) st.bind(6, std::string_view(f.ip));
}

}  // namespace

AlertStore::AlertStore(Database& db) : db_(db) {
    upsert_ = Statement(db_,
        "INSERT INTO alerts(id, kind, severity, src, src_mac, victim, victim_count, top_peers, first_ns, last_ns, "
        "updates, state, ended, explanation, evidence, evidence_pcap, updated_s, key_by_victim) VALUES(?1, ?2, ?3, ?4, ?5, "
        "?6, ?7, ?8, ?9, ?10, ?11, CASE WHEN ?12 THEN 'closed' ELSE 'open' END, ?12, ?13, ?14, ?15, ?16, ?17) "
        "ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, severity = excluded.severity, src = excluded.src, "
        "src_mac = excluded.src_mac, victim = excluded.victim, victim_count = excluded.victim_count, "
        "top_peers = excluded.top_peers, first_ns = min(first_ns, excluded.first_ns), "
        "last_ns = max(last_ns, excluded.last_ns), updates = excluded.updates, "
        "state = CASE WHEN excluded.ended THEN 'closed' ELSE state END, ended = excluded.ended, "
        "explanation = excluded.explanation, evidence = excluded.evidence, "
        "evidence_pcap = CASE WHEN excluded.evidence_pcap <> '' THEN excluded.evidence_pcap ELSE evidence_pcap END, "
        "updated_s = excluded.updated_s, key_by_victim = excluded.key_by_victim");
    ack_ = Statement(db_,
        "UPDATE alerts SET state = CASE WHEN state = 'open' THEN 'acknowledged' ELSE state END, "
        "acknowledged_by = ?2, acknowledged_s = ?3, updated_s = ?3 WHERE id = ?1");
    evidence_ = Statement(db_, "UPDATE alerts SET evidence_pcap = ?2, updated_s = ?3 WHERE id = ?1");
    ban_ = Statement(db_,
        "INSERT INTO bans(ip, alert_id, kind, created_s, expires_s, revoked_s, dry_run) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) "
        "ON CONFLICT(ip, created_s) DO UPDATE SET alert_id = excluded.alert_id, kind = excluded.kind, "
        "expires_s = excluded.expires_s, revoked_s = coalesce(excluded.revoked_s, revoked_s), dry_run = excluded.dry_run");
    revoke_ = Statement(db_, "UPDATE bans SET revoked_s = ?2 WHERE ip = ?1 AND revoked_s IS NULL");
    delete_alerts_ = Statement(db_,
        "DELETE FROM alerts WHERE id IN (SELECT id FROM alerts WHERE ended = 1 AND updated_s < ?1 ORDER BY updated_s "
        "LIMIT ?2)");
    delete_bans_ = Statement(db_,
        "DELETE FROM bans WHERE id IN (SELECT id FROM bans WHERE created_s < ?1 AND (revoked_s IS NOT NULL OR "
        "(expires_s > 0 AND expires_s < ?1)) LIMIT ?2)");
}

bool AlertStore::upsert(const detect::Alert& a, int64_t now_s) {
    char buf[64];
    auto& st = upsert_;
    st.bind(1, i64(a.id)).bind(2, std::string_view(detect::alert_kind_name(a.kind)));
    st.bind(3, std::string_view(detect::severity_name(a.severity)));
    if (a.has_src) st.bind(4, std::string_view(buf, a.src.format(buf)));
    else st.bind_null(4);
    st.bind(5, std::string_view(a.src_mac));
    if (a.has_victim) st.bind(6, std::string_view(buf, a.victim.format(buf)));
    else st.bind_null(6);
    st.bind(7, a.victim_count);
    const std::string peers = contributors_json(a.top_peers), expl = explanation_json(a.explanation),
                      ev = evidence_json(a.evidence);
    st.bind(8, std::string_view(peers)).bind(9, i64(a.first_seen)).bind(10, i64(a.last_seen)).bind(11, a.updates);
    st.bind(12, int{a.ended}).bind(13, std::string_view(expl)).bind(14, std::string_view(ev));
    st.bind(15, std::string_view(a.evidence_pcap)).bind(16, now_s).bind(17, int{a.key_by_victim});
    return run(st);
}

bool AlertStore::acknowledge(uint64_t id, const std::string& user, int64_t now_s) {
    ack_.bind(1, i64(id)).bind(2, std::string_view(user)).bind(3, now_s);
    return run(ack_);
}

bool AlertStore::set_evidence(uint64_t id, const std::string& file, int64_t now_s) {
    evidence_.bind(1, i64(id)).bind(2, std::string_view(file)).bind(3, now_s);
    return run(evidence_);
}

bool AlertStore::upsert_ban(const BanRecord& b) {
    ban_.bind(1, std::string_view(b.ip));
    if (b.alert_id) ban_.bind(2, i64(b.alert_id));
    else ban_.bind_null(2);
    ban_.bind(3, std::string_view(b.kind)).bind(4, b.created_s).bind(5, b.expires_s);
    if (b.revoked_s) ban_.bind(6, b.revoked_s);
    else ban_.bind_null(6);
    ban_.bind(7, int{b.dry_run});
    return run(ban_);
}

bool AlertStore::revoke_ban(const std::string& ip, int64_t now_s) {
    revoke_.bind(1, std::string_view(ip)).bind(2, now_s);
    return run(revoke_);
}

int64_t AlertStore::delete_expired(int64_t cutoff_s, uint32_t batch) {
    int64_t n = 0;
    for (Statement* st : {&delete_alerts_, &delete_bans_}) {
        st->bind(1, cutoff_s).bind(2, batch);
        if (run(*st)) n += db_.changes();
    }
    return n;
}

uint64_t read_max_alert_id(Database& db) {
    return static_cast<uint64_t>(std::max<int64_t>(0, db.query_int("SELECT coalesce(max(id), 0) FROM alerts", 0)));
}

std::vector<StoredAlert> read_open_alerts(Database& db, uint32_t limit) {
    std::vector<StoredAlert> out;
    Statement st(db, std::string("SELECT ") + kAlertCols + " FROM alerts WHERE ended = 0 ORDER BY last_ns DESC LIMIT ?1");
    st.bind(1, limit);
    while (st.step() == Rc::kRow) out.push_back(alert_from_row(st));
    return out;
}

AlertPage read_alerts(Database& db, const AlertFilter& f) {
    AlertPage page;
    const std::string where = where_of(f);
    Statement count(db, "SELECT count(*) FROM alerts" + where);
    bind_filter(count, f);
    if (count.step() == Rc::kRow) page.total = static_cast<uint64_t>(count.column_int(0));
    Statement st(db, std::string("SELECT ") + kAlertCols + " FROM alerts" + where +
                         " ORDER BY last_ns DESC, id DESC LIMIT ?7 OFFSET ?8");
    bind_filter(st, f);
    st.bind(7, std::max<uint32_t>(1, f.limit)).bind(8, f.offset);
    while (st.step() == Rc::kRow) page.items.push_back(alert_from_row(st));
    return page;
}

std::optional<StoredAlert> read_alert(Database& db, uint64_t id) {
    Statement st(db, std::string("SELECT ") + kAlertCols + " FROM alerts WHERE id = ?1");
    st.bind(1, i64(id));
    if (st.step() != Rc::kRow) return std::nullopt;
    return alert_from_row(st);
}

std::vector<AlertCount> count_alerts(Database& db, int64_t since_ns, int64_t until_ns) {
    std::vector<AlertCount> out;
    Statement st(db,
        "SELECT kind, severity, count(*) FROM alerts WHERE last_ns >= ?1 AND first_ns < ?2 GROUP BY kind, severity "
        "ORDER BY count(*) DESC");
    st.bind(1, since_ns).bind(2, until_ns);
    while (st.step() == Rc::kRow)
        out.push_back({std::string(st.column_text(0)), std::string(st.column_text(1)),
                       static_cast<uint64_t>(st.column_int(2))});
    return out;
}

std::vector<BanRecord> read_bans(Database& db, bool active_only, int64_t now_s, uint32_t limit) {
    std::vector<BanRecord> out;
    Statement st(db, std::string("SELECT ip, alert_id, kind, created_s, expires_s, revoked_s, dry_run FROM bans") +
                         (active_only ? " WHERE revoked_s IS NULL AND (expires_s = 0 OR expires_s > ?2)" : "") +
                         " ORDER BY created_s DESC, id DESC LIMIT ?1");
    st.bind(1, limit);
    if (active_only) st.bind(2, now_s);
    while (st.step() == Rc::kRow) out.push_back(ban_from_row(st));
    return out;
}

}  // namespace nms::store
