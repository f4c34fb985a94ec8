#pragma once
// The committed OpenAPI 3 document (engine/api/openapi.json), embedded at build time.
#include <string_view>

namespace nms::api {
extern const std::string_view kOpenApiJson;
}
