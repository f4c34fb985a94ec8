#pragma once
// `netmonsec passwd`: reads a password (a prompt without echo on a terminal, else one line of
// stdin) and prints its yescrypt hash for [api] users. Exit 0, or 2 with a message.
namespace nms::app {
int run_passwd();
}
