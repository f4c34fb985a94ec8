# Third-party packages, all from Debian 12 (scripts/install-deps.sh installs them).
find_package(Threads REQUIRED)
find_package(Boost 1.74 REQUIRED CONFIG)                    # Boost::headers (Lockfree, later Beast/Asio)
find_package(tomlplusplus 3 REQUIRED CONFIG)               # tomlplusplus::tomlplusplus
find_package(RapidJSON REQUIRED CONFIG)                    # RAPIDJSON_INCLUDE_DIRS only, no target
find_package(OpenSSL 3 REQUIRED)                           # OpenSSL::Crypto (TLS/QUIC dissectors)
find_package(SQLite3 REQUIRED)                             # SQLite::SQLite3 (nms_store only)
find_package(ZLIB REQUIRED)                                # ZLIB::ZLIB (daily log gzip, nms_store)
find_package(PkgConfig REQUIRED)
pkg_check_modules(PCAP REQUIRED IMPORTED_TARGET libpcap)   # PkgConfig::PCAP
pkg_check_modules(NDPI REQUIRED IMPORTED_TARGET libndpi)   # PkgConfig::NDPI (libndpi-dev 4.2: DPI fallback)
pkg_check_modules(NFTABLES REQUIRED IMPORTED_TARGET libnftables)  # PkgConfig::NFTABLES (libnftables-dev 1.0.6: bans)
pkg_check_modules(MAXMINDDB REQUIRED IMPORTED_TARGET libmaxminddb)  # PkgConfig::MAXMINDDB (libmaxminddb-dev 1.7: GeoIP/ASN)
if(NOT TARGET OpenSSL::Crypto)
  find_package(OpenSSL 3 REQUIRED)                         # OpenSSL::Crypto (HASSH/JA3 MD5)
endif()

if(NOT TARGET nms_rapidjson)
  add_library(nms_rapidjson INTERFACE)
  target_include_directories(nms_rapidjson SYSTEM INTERFACE ${RAPIDJSON_INCLUDE_DIRS})
endif()
