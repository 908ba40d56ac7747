#pragma once

// CPU time and resident memory of this process and of the server under test, read from
// getrusage() and /proc/PID/{stat,status}, and the CPU time of the whole machine (/proc/stat).

namespace DNotifier::Bench {

// User plus system CPU seconds; negative when unreadable.
double ownCpuSeconds();
double processCpuSeconds(int pid);
// VmRSS in KiB; negative when unreadable.
long processRssKb(int pid);
// CPU seconds all processes of the machine spent busy (user, nice, system, irq, softirq) since
// boot, summed over the cores; negative when unreadable. Beside the server's and this
// process's CPU it shows what else ran during a window.
double machineBusySeconds();

} // namespace DNotifier::Bench
