# Warnings for netmonsec's own code only; third-party headers come in as SYSTEM.
add_library(nms_warnings INTERFACE)
target_compile_options(nms_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wold-style-cast
  -Wnon-virtual-dtor -Wimplicit-fallthrough -Wformat=2 -Wno-missing-field-initializers)
if(NMS_WERROR)
  target_compile_options(nms_warnings INTERFACE -Werror)
endif()

# nms_add_library(name SOURCES ... DEPS ...): one static library per engine folder.
function(nms_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/engine)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE nms_warnings)
endfunction()
