#pragma once
// `netmonsec fingerprints [p0f]`: the site fingerprints learned in the data directory.
// Without an argument, a listing of all of them (TCP from site.fp, JA4 and DHCP from
// site_fingerprints.tsv) with their evidence; with "p0f", the TCP ones as a p0f 3 database
// (`p0f -f FILE` reads it). Exit 0, or 2 with a message.
#include "config/cli.hpp"

namespace nms::app {
int run_fingerprints(const config::CliOptions& cli);
}
