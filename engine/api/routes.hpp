#pragma once
// Router: every HTTP route of the API as a table (method, path, access, handler) plus the
// authentication around it: sessions from POST /api/v1/auth/login (cookie or Bearer token),
// roles, CSRF checks for cookie-authenticated changes, per-address login lockout. Runs only
// on the API's io_context thread; reads the engine through ApiHooks, never worker state.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/api_types.hpp"
#include "api/login_limiter.hpp"
#include "api/session_store.hpp"
#include "api/static_files.hpp"
#include "api/user_store.hpp"
#include "capture/interfaces.hpp"
#include "config/config.hpp"
#include "detect/alert.hpp"
#include "stats/snapshot.hpp"
#include "store/entity_rows.hpp"

namespace nms::api {

struct CaptureStatus {
    std::string name;
    bool running = false;         // has not ended (it may be paused)
    std::string error;
    bool paused = false;          // POST /api/v1/capture/stop took effect
};

// An alert suppression rule (the alert manager owns them; the API lists and edits them).
struct Suppression {
    uint64_t id = 0;
    std::string kind;             // alert kind name, "" = any
    std::string ip;               // source address or CIDR, "" = any
    std::string reason;
    std::string created_by;
    int64_t created_s = 0;        // wall clock
    int64_t expires_s = 0;        // 0 = never
};

// What the API needs from the engine; every member may be empty (then that part is absent:
// routes that need it answer 503 with a message saying what is missing).
struct ApiHooks {
    std::function<stats::SnapshotPtr()> snapshot;
    std::function<std::vector<CaptureStatus>()> captures;
    std::function<bool()> reload;                                  // same as SIGHUP
    std::function<std::vector<capture::InterfaceInfo>()> interfaces;
    std::function<size_t()> websocket_clients;
    std::function<uint64_t()> websocket_frames_dropped;
    std::function<int64_t()> now_s;                                // monotonic seconds (tests fake it)
    uint32_t stats_interval_ms = 1000;

    // History: the store's database (read through the API's own read-only connection) and
    // the data directory (evidence/ pcaps). "" = no store.
    std::string database_path;
    std::string data_dir;
    // Alerts and mitigation (the alert manager and ban manager are wired in by the engine).
    std::function<std::vector<detect::Alert>()> alerts_live;           // open alerts, fresher than the store
    std::function<bool(uint64_t id, const std::string& user)> acknowledge;
    std::function<std::vector<store::BanRecord>()> bans_list;          // live bans
    std::function<bool(const std::string& ip, const std::string& user)> ban_revoke;  // false = no such ban
    std::function<std::vector<Suppression>()> suppressions_list;
    std::function<std::optional<uint64_t>(const Suppression&)> suppression_add;  // nullopt = refused
    std::function<bool(uint64_t id)> suppression_remove;               // false = no such rule
    // Resume / pause every capture thread; false = nothing to change (409).
    std::function<bool()> capture_start;
    std::function<bool()> capture_stop;
};

enum class Access : uint8_t { kPublic, kViewer, kAdmin };

struct RouteInfo {
    std::string method;
    std::string path;
    Access access;
};

class Router {
 public:
    static constexpr const char* kSessionCookie = "nms_session";

    Router(const config::ApiConfig& cfg, UserStore users, ApiHooks hooks);
    ~Router();
    Router(Router&&) noexcept;
    Router& operator=(Router&&) noexcept;

    ApiResponse handle(const ApiRequest& req);
    // GET /api/v1/ws before the upgrade: nullopt = authenticated, go ahead; otherwise the refusal.
    std::optional<ApiResponse> authorize_websocket(const ApiRequest& req);

    // Every route, for the OpenAPI test (includes /api/v1/ws and /metrics).
    static std::vector<RouteInfo> routes();

 private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// "a=1&b=x%20y" -> value of `key`, percent-decoded; nullopt when absent or badly encoded.
std::optional<std::string> query_param(std::string_view query, std::string_view key);

}  // namespace nms::api
