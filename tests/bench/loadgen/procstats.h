#pragma once

// CPU time and resident memory of this process and of the server under test, read from
// getrusage() and /proc/PID/{stat,status}.

namespace DNotifier::Bench {

// User plus system CPU seconds; negative when unreadable.
double ownCpuSeconds();
double processCpuSeconds(int pid);
// VmRSS in KiB; negative when unreadable.
long processRssKb(int pid);

} // namespace DNotifier::Bench
