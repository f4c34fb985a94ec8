#pragma once
#include <string>
#include <vector>

namespace nms {

// Pins the calling thread to one CPU; returns false (and leaves it unpinned) when the CPU
// does not exist or is not in the process's allowed set.
bool pin_current_thread(int cpu) noexcept;
// Names the calling thread as shown by top -H / ps -L (truncated to 15 bytes by Linux).
void name_current_thread(const std::string& name) noexcept;
// CPUs this process may run on, in ascending order.
std::vector<int> allowed_cpus();

}  // namespace nms
