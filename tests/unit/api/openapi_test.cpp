// The committed OpenAPI document lists every route, and what the routes answer matches the
// schemas it promises (a small checker: $ref, type, required, properties, items, enum).
#include "api/openapi_doc.hpp"

#include "api/ws_frames.hpp"

#include <rapidjson/document.h>
#include <rapidjson/pointer.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <set>

#include "api_test_util.hpp"

using namespace nms::api;
using Value = rapidjson::Value;

namespace {

struct Checker {
    const rapidjson::Document& doc;
    std::vector<std::string> errors;

    const Value& resolve(const Value& schema) {
        if (schema.HasMember("$ref")) {
            const std::string ref = schema["$ref"].GetString();
            const Value* v = rapidjson::Pointer(ref.substr(1).c_str()).Get(doc);
            REQUIRE(v != nullptr);
            return resolve(*v);
        }
        return schema;
    }

    void check(const Value& schema_in, const Value& v, const std::string& at) {
        const Value& schema = resolve(schema_in);
        if (v.IsNull() && schema.HasMember("nullable") && schema["nullable"].GetBool()) return;
        if (schema.HasMember("type")) {
            const std::string t = schema["type"].GetString();
            const bool ok = (t == "object" && v.IsObject()) || (t == "array" && v.IsArray()) ||
                            (t == "string" && v.IsString()) || (t == "integer" && (v.IsInt64() || v.IsUint64())) ||
                            (t == "number" && v.IsNumber()) || (t == "boolean" && v.IsBool());
            if (!ok) {
                errors.push_back(at + ": not " + t);
                return;
            }
        }
        if (schema.HasMember("enum")) {
            bool found = false;
            for (const auto& e : schema["enum"].GetArray()) found |= e == v;
            if (!found) errors.push_back(at + ": not in enum");
        }
        if (v.IsObject()) {
            if (schema.HasMember("required"))
                for (const auto& k : schema["required"].GetArray())
                    if (!v.HasMember(k)) errors.push_back(at + ": missing " + k.GetString());
            for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
                const std::string key = it->name.GetString();
                if (schema.HasMember("properties") && schema["properties"].HasMember(key.c_str()))
                    check(schema["properties"][key.c_str()], it->value, at + "." + key);
                else if (schema.HasMember("additionalProperties") && schema["additionalProperties"].IsObject())
                    check(schema["additionalProperties"], it->value, at + "." + key);
                else if (schema.HasMember("properties"))
                    errors.push_back(at + ": undocumented key " + key);
            }
        }
        if (v.IsArray() && schema.HasMember("items"))
            for (rapidjson::SizeType i = 0; i < v.Size(); ++i)
                check(schema["items"], v[i], at + "[" + std::to_string(i) + "]");
    }
};

rapidjson::Document openapi() {
    rapidjson::Document d;
    d.Parse(kOpenApiJson.data(), kOpenApiJson.size());
    REQUIRE_FALSE(d.HasParseError());
    return d;
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace

TEST_CASE("openapi.json is OpenAPI 3 and documents every route, and nothing else", "[api]") {
    const auto d = openapi();
    CHECK(std::string(d["openapi"].GetString()).starts_with("3."));
    std::set<std::string> documented;
    for (auto p = d["paths"].MemberBegin(); p != d["paths"].MemberEnd(); ++p)
        for (auto m = p->value.MemberBegin(); m != p->value.MemberEnd(); ++m)
            documented.insert(lower(m->name.GetString()) + " " + p->name.GetString());
    std::set<std::string> served;
    for (const auto& r : Router::routes()) served.insert(lower(r.method) + " " + r.path);
    CHECK(documented == served);
}

TEST_CASE("every JSON answer of every route validates against its documented schema", "[api]") {
    const auto d = openapi();
    nms::config::ApiConfig cfg;
    test::Fixture f(cfg);
    auto login = f.login("admin", "admin-pass");
    rapidjson::Document ld;
    ld.Parse(login.body.c_str());
    const std::string token = ld["token"].GetString();

    struct Case {
        std::string method, path, query;
        bool auth;
        std::string body = "{\"username\":\"viewer\",\"password\":\"viewer-pass\"}";
        std::string target = {};  // instead of the path with sample parameters
    };
    std::vector<Case> cases;
    for (const auto& r : Router::routes()) cases.push_back({r.method, r.path, "", r.access != Access::kPublic});
    // Path parameters name the sample store's objects (api_test_util.hpp).
    const auto concrete = [](std::string p) {
        for (const auto& [k, v] : {std::pair<std::string, std::string>{"{mac}", "02:00:00:00:00:66"}, {"{id}", "1"},
                                   {"{ip}", "10.0.0.66"}}) {
            if (const size_t at = p.find(k); at != std::string::npos) p.replace(at, k.size(), v);
        }
        return p;
    };
    // Logout last: it ends the session the other cases use.
    std::stable_partition(cases.begin(), cases.end(), [](const Case& c) { return c.path != "/api/v1/auth/logout"; });
    cases.push_back({"GET", "/api/v1/flows", "?limit=0", true});          // 400
    cases.push_back({"GET", "/api/v1/stats", "", false});                 // 401
    cases.push_back({"POST", "/api/v1/auth/login", "", false, "{}"});     // 400
    cases.push_back({"GET", "/api/v1/devices/{mac}", "", true, "", "/api/v1/devices/not-a-mac"});  // 400
    cases.push_back({"GET", "/api/v1/alerts/{id}", "", true, "", "/api/v1/alerts/999"});             // 404
    cases.push_back({"GET", "/api/v1/alerts", "?kind=nope", true});                                 // 400
    cases.push_back({"GET", "/api/v1/alerts/{id}/pcap", "", true, "", "/api/v1/alerts/2/pcap"});     // 404: none
    size_t checked = 0;
    for (const auto& c : cases) {
        ApiRequest req;
        req.method = c.method;
        req.target = (c.target.empty() ? concrete(c.path) : c.target) + c.query;
        req.peer = "127.0.0.1";
        req.host = "127.0.0.1:8080";
        if (c.auth) req.authorization = "Bearer " + token;
        if (c.path == "/api/v1/auth/login") {
            req.content_type = "application/json";
            req.body = c.body;
        }
        if (c.path == "/api/v1/alerts/suppressions" && c.method == "POST") {
            req.content_type = "application/json";
            req.body = "{\"kind\":\"syn_flood\",\"ip\":\"10.0.0.0/8\",\"duration_s\":60}";
        }
        const ApiResponse res = f.router->handle(req);
        INFO(c.method << " " << req.target << " -> " << res.status << " " << res.payload().substr(0, 300));
        const Value& op = d["paths"][c.path.c_str()][lower(c.method).c_str()];
        if (c.auth && c.query.empty() && c.target.empty() && c.path != "/api/v1/ws") CHECK(res.status < 300);
        const std::string status = std::to_string(res.status);
        REQUIRE(op["responses"].HasMember(status.c_str()));
        const Value& resp = op["responses"][status.c_str()];
        if (!resp.HasMember("content")) continue;
        const auto ct = resp["content"].MemberBegin();
        CHECK(res.content_type.substr(0, 10) == std::string(ct->name.GetString()).substr(0, 10));
        if (res.content_type != "application/json") continue;
        rapidjson::Document body;
        body.Parse(res.payload().c_str());
        REQUIRE_FALSE(body.HasParseError());
        Checker checker{d, {}};
        checker.check(ct->value["schema"], body, c.path);
        CHECK(checker.errors == std::vector<std::string>{});
        ++checked;
    }
    CHECK(checked >= 30);
}

TEST_CASE("every WebSocket frame validates against its documented schema", "[api]") {
    const auto d = openapi();
    auto snap = test::sample_snapshot();
    snap->alerts.push_back(test::sample_alert(1, nms::detect::AlertKind::kSynFlood, "10.0.0.66", "10.0.0.10", snap->wall_ns));
    nms::devices::DeviceEvent ev;
    ev.discovered = true;
    ev.device = snap->devices[0];
    snap->device_events.push_back(ev);
    const std::vector<AlertChangeView> changes = {{&snap->alerts[0], nms::detect::AlertPhase::kOpened}};
    const std::pair<const char*, Frame> frames[] = {{"WsStatsFrame", stats_frame(*snap)},
                                                    {"WsFlowsFrame", flows_frame(*snap)},
                                                    {"WsAlertsFrame", alerts_frame(*snap, changes)},
                                                    {"WsDevicesFrame", devices_frame(*snap)}};
    std::set<std::string> listed;
    for (const auto& r : d["paths"]["/api/v1/ws"]["get"]["x-websocket-frames"].GetArray()) listed.insert(r["$ref"].GetString());
    for (const auto& [name, f] : frames) {
        INFO(name << ": " << f->substr(0, 300));
        CHECK(listed.count(std::string("#/components/schemas/") + name) == 1);
        rapidjson::Document body;
        body.Parse(f->c_str(), f->size());
        REQUIRE_FALSE(body.HasParseError());
        Checker checker{d, {}};
        checker.check(d["components"]["schemas"][name], body, name);
        CHECK(checker.errors == std::vector<std::string>{});
    }
}
