#include "common/cpu.hpp"

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

namespace nms {

bool pin_current_thread(int cpu) noexcept {
    if (cpu < 0 || cpu >= CPU_SETSIZE) return false;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(static_cast<size_t>(cpu), &set);
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

void name_current_thread(const std::string& name) noexcept {
    pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
}

bool lower_current_thread_priority(int nice) noexcept {
    sched_param p{};
    p.sched_priority = 0;
    const bool batch = pthread_setschedparam(pthread_self(), SCHED_BATCH, &p) == 0;
    // Linux: the nice value of a thread id applies to that thread alone.
    const bool niced = setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), nice) == 0;
    return batch && niced;
}

std::vector<int> allowed_cpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    std::vector<int> out;
    if (sched_getaffinity(0, sizeof set, &set) != 0) return out;
    for (int i = 0; i < CPU_SETSIZE; ++i)
        if (CPU_ISSET(static_cast<size_t>(i), &set)) out.push_back(i);
    return out;
}

}  // namespace nms
