#include "store/detector_state_store.hpp"

namespace nms::store {

DetectorStateStore::DetectorStateStore(Database& db)
    : upsert_(db,
              "INSERT INTO detector_state(kind, state, saved_s) VALUES(?1, ?2, ?3) ON CONFLICT(kind) DO UPDATE SET "
              "state = excluded.state, saved_s = excluded.saved_s") {}

bool DetectorStateStore::save(std::string_view kind, std::string_view state, int64_t now_s) {
    upsert_.bind(1, kind).bind(2, state).bind(3, now_s);
    const Rc rc = upsert_.step();
    upsert_.reset();
    return rc == Rc::kDone;
}

std::vector<std::pair<std::string, std::string>> read_detector_states(Database& db) {
    std::vector<std::pair<std::string, std::string>> out;
    Statement st(db, "SELECT kind, state FROM detector_state ORDER BY kind");
    while (st.step() == Rc::kRow) out.emplace_back(std::string(st.column_text(0)), std::string(st.column_text(1)));
    return out;
}

}  // namespace nms::store
