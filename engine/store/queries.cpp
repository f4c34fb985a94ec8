#include "store/queries.hpp"

#include <algorithm>

namespace nms::store {
namespace {

constexpr const char* kFlowCols =
    "id, flow_id, start_ns, end_ns, src_ip, src_port, dest_ip, dest_port, proto, vlan, app_proto, pkts_toserver, "
    "pkts_toclient, bytes_toserver, bytes_toclient, state, reason, tcp_flags, rtt_us, retransmits";

std::optional<uint32_t> opt_u32(const Statement& st, int i) {
    if (st.column_is_null(i)) return std::nullopt;
    return static_cast<uint32_t>(st.column_int(i));
}

// LIKE with the filter text taken literally.
std::string like_contains(const std::string& s) {
    std::string out = "%";
    for (char c : s) {
        if (c == '%' || c == '_' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    out.push_back('%');
    return out;
}

}  // namespace

Queries::Queries(const std::string& db_path) : db_(db_path, Database::Mode::kReadOnly, 2000) {}

FlowPage Queries::recent_flows(const FlowFilter& f) {
    const uint32_t limit = std::clamp<uint32_t>(f.limit, 1, kMaxLimit);
    // Conditions shared by every branch; ?1 ip, ?2 app, ?3 proto, ?4 port, ?5 since, ?6 until,
    // ?7/?8 cursor, ?9 limit + 1 (to know whether there is a next page).
    std::string common;
    if (!f.app_proto.empty()) common += " AND app_proto = ?2";
    if (f.proto) common += " AND proto = ?3";
    if (f.port) common += " AND (src_port = ?4 OR dest_port = ?4)";
    if (f.since_ns) common += " AND end_ns >= ?5";
    if (f.until_ns) common += " AND end_ns < ?6";
    if (f.cursor_end_ns || f.cursor_id) common += " AND (end_ns < ?7 OR (end_ns = ?7 AND id < ?8))";
    std::string sql;
    if (!f.ip.empty()) {
        // One branch per address index (flows_by_src / flows_by_dest), merged newest first.
        sql = std::string("SELECT ") + kFlowCols + " FROM flows WHERE src_ip = ?1" + common + " UNION ALL SELECT " +
              kFlowCols + " FROM flows WHERE dest_ip = ?1 AND src_ip <> ?1" + common;
    } else {
        sql = std::string("SELECT ") + kFlowCols + " FROM flows WHERE 1" + common;
    }
    sql += " ORDER BY end_ns DESC, id DESC LIMIT ?9";
    Statement st(db_, sql);
    if (!f.ip.empty()) st.bind(1, std::string_view(f.ip));
    if (!f.app_proto.empty()) st.bind(2, std::string_view(f.app_proto));
    if (f.proto) st.bind(3, uint32_t{*f.proto});
    if (f.port) st.bind(4, uint32_t{*f.port});
    st.bind(5, f.since_ns).bind(6, f.until_ns).bind(7, f.cursor_end_ns).bind(8, f.cursor_id);
    st.bind(9, static_cast<int64_t>(limit) + 1);
    FlowPage page;
    while (st.step() == Rc::kRow) {
        if (page.rows.size() == limit) {
            page.more = true;
            break;
        }
        FlowRow r;
        r.id = st.column_int(0);
        r.flow_id = static_cast<uint64_t>(st.column_int(1));
        r.start_ns = st.column_int(2);
        r.end_ns = st.column_int(3);
        r.src_ip = st.column_text(4);
        r.src_port = static_cast<uint16_t>(st.column_int(5));
        r.dest_ip = st.column_text(6);
        r.dest_port = static_cast<uint16_t>(st.column_int(7));
        r.proto = static_cast<uint8_t>(st.column_int(8));
        r.vlan = static_cast<uint16_t>(st.column_int(9));
        r.app_proto = st.column_text(10);
        r.pkts_toserver = static_cast<uint64_t>(st.column_int(11));
        r.pkts_toclient = static_cast<uint64_t>(st.column_int(12));
        r.bytes_toserver = static_cast<uint64_t>(st.column_int(13));
        r.bytes_toclient = static_cast<uint64_t>(st.column_int(14));
        r.state = st.column_text(15);
        r.reason = st.column_text(16);
        r.tcp_flags = opt_u32(st, 17);
        r.rtt_us = opt_u32(st, 18);
        r.retransmits = opt_u32(st, 19);
        page.rows.push_back(std::move(r));
    }
    if (page.more && !page.rows.empty()) {
        page.next_cursor_end_ns = page.rows.back().end_ns;
        page.next_cursor_id = page.rows.back().id;
    }
    return page;
}

std::vector<StatsRow> Queries::stats_history(StatsTier tier, int64_t from_s, int64_t to_s, uint32_t max_points) {
    const uint32_t n = std::clamp<uint32_t>(max_points, 1, kMaxPoints);
    // Newest n in range (rowid range scan backwards), returned oldest first.
    Statement st(db_, "SELECT * FROM (SELECT " + std::string(kStatsColumns) + " FROM " + std::string(table_of(tier)) +
                          " WHERE ts >= ?1 AND ts < ?2 ORDER BY ts DESC LIMIT ?3) ORDER BY ts");
    st.bind(1, from_s).bind(2, to_s).bind(3, n);
    std::vector<StatsRow> out;
    while (st.step() == Rc::kRow) {
        StatsRow r;
        r.ts = st.column_int(0);
        r.packets = static_cast<uint64_t>(st.column_int(1));
        r.bytes = static_cast<uint64_t>(st.column_int(2));
        r.pps_avg = st.column_double(3);
        r.pps_max = st.column_double(4);
        r.bps_avg = st.column_double(5);
        r.bps_max = st.column_double(6);
        r.active_flows = static_cast<uint64_t>(st.column_int(7));
        r.drops = static_cast<uint64_t>(st.column_int(8));
        r.tcp_bytes = static_cast<uint64_t>(st.column_int(9));
        r.udp_bytes = static_cast<uint64_t>(st.column_int(10));
        r.icmp_bytes = static_cast<uint64_t>(st.column_int(11));
        r.other_bytes = static_cast<uint64_t>(st.column_int(12));
        out.push_back(r);
    }
    return out;
}

std::vector<DnsNameRow> Queries::dns_names(const std::string& contains, uint32_t limit, uint32_t offset) {
    const uint32_t n = std::clamp<uint32_t>(limit, 1, kMaxLimit);
    std::string sql =
        "SELECT name, first_ns, last_ns, queries, answers, last_rrtype, last_answer, last_client FROM dns_names";
    if (!contains.empty()) sql += " WHERE name LIKE ?3 ESCAPE '\\'";
    sql += " ORDER BY last_ns DESC LIMIT ?1 OFFSET ?2";  // dns_by_last
    Statement st(db_, sql);
    st.bind(1, n).bind(2, offset);
    if (!contains.empty()) st.bind(3, std::string_view(like_contains(contains)));
    std::vector<DnsNameRow> out;
    while (st.step() == Rc::kRow) {
        DnsNameRow r;
        r.name = st.column_text(0);
        r.first_ns = st.column_int(1);
        r.last_ns = st.column_int(2);
        r.queries = static_cast<uint64_t>(st.column_int(3));
        r.answers = static_cast<uint64_t>(st.column_int(4));
        r.last_rrtype = static_cast<uint16_t>(st.column_int(5));
        r.last_answer = st.column_text(6);
        r.last_client = st.column_text(7);
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace nms::store
