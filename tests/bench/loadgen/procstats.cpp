#include "procstats.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <sys/resource.h>
#include <unistd.h>

namespace DNotifier::Bench {

double ownCpuSeconds()
{
    rusage usage{};
    if (getrusage(RUSAGE_SELF, &usage) != 0) {
        return -1;
    }
    return double(usage.ru_utime.tv_sec) + double(usage.ru_stime.tv_sec)
           + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

double processCpuSeconds(int pid)
{
    std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    if (!std::getline(file, text)) {
        return -1;
    }
    // The command name in parentheses may hold spaces: fields are counted after its ')'.
    const std::size_t close = text.rfind(')');
    if (close == std::string::npos) {
        return -1;
    }
    std::istringstream fields(text.substr(close + 2));
    std::string field;
    unsigned long long userTicks = 0;
    unsigned long long systemTicks = 0;
    // After the name: state is field 3 of the line; utime and stime are fields 14 and 15.
    for (int index = 3; index <= 15 && fields >> field; ++index) {
        if (index == 14) {
            userTicks = std::strtoull(field.c_str(), nullptr, 10);
        } else if (index == 15) {
            systemTicks = std::strtoull(field.c_str(), nullptr, 10);
        }
    }
    const long ticksPerSecond = sysconf(_SC_CLK_TCK);
    return double(userTicks + systemTicks) / double(ticksPerSecond > 0 ? ticksPerSecond : 100);
}

long processRssKb(int pid)
{
    std::ifstream file("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(file, line)) {
        if (line.rfind("VmRSS:", 0) == 0) {
            return std::strtol(line.c_str() + 6, nullptr, 10);
        }
    }
    return -1;
}

double machineBusySeconds()
{
    std::ifstream file("/proc/stat");
    std::string label;
    if (!(file >> label) || label != "cpu") {
        return -1;
    }
    // user nice system idle iowait irq softirq: all but idle and iowait are busy.
    unsigned long long ticks[7] = {};
    for (unsigned long long &value : ticks) {
        if (!(file >> value)) {
            return -1;
        }
    }
    const unsigned long long busy = ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6];
    const long ticksPerSecond = sysconf(_SC_CLK_TCK);
    return double(busy) / double(ticksPerSecond > 0 ? ticksPerSecond : 100);
}

} // namespace DNotifier::Bench
