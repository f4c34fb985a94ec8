#pragma once
#include <string>
#include <vector>

namespace nms {

// Pins the calling thread to one CPU; returns false (and leaves it unpinned) when the CPU
// does not exist or is not in the process's allowed set.
bool pin_current_thread(int cpu) noexcept;
// Names the calling thread as shown by top -H / ps -L (truncated to 15 bytes by Linux).
void name_current_thread(const std::string& name) noexcept;
// Background thread: SCHED_BATCH (the scheduler treats it as CPU-bound, no wake-up
// preemption) and `nice` 0..19 for the calling thread only, so it yields the CPU to capture
// and workers when they need it. Lowering is always allowed; false if the kernel refused.
bool lower_current_thread_priority(int nice) noexcept;
// CPUs this process may run on, in ascending order.
std::vector<int> allowed_cpus();

}  // namespace nms
