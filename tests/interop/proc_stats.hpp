#pragma once
// What /proc says about a process (the server under test): resident memory,
// open descriptors and CPU time, for the hostile and fault suites' "memory
// and descriptors come back to their baseline" checks. Each returns 0 when
// the process is gone or the file is unreadable.
#include <sys/types.h>

#include <cstddef>

namespace sluice::test {

/// VmRSS in KiB.
std::size_t proc_rss_kib(pid_t pid);
/// Entries of /proc/PID/fd.
std::size_t proc_fd_count(pid_t pid);
/// CPU seconds (user + system) used so far.
double proc_cpu_seconds(pid_t pid);

}  // namespace sluice::test
