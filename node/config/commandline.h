#pragma once

// The node's command line, read into plain values. Flag values are kept as typed: whether
// "--port 70000" is acceptable is decided by resolveSettings() (settingsloader.h), which checks
// flags, environment and config file alike so that every bad value is reported the same way.

#include <common/result.h>

#include <QLatin1StringView>
#include <QString>
#include <QStringList>

#include <optional>

namespace DNotifier::Config {

enum class CommandLineAction {
    Run,
    ShowHelp,
    ShowVersion,
};

struct CommandLine
{
    CommandLineAction action = CommandLineAction::Run;
    // Ready to print for ShowHelp and ShowVersion; also filled for Run.
    QString helpText;
    QString versionText;

    // Each is set only when its flag was given, to the text that followed it.
    std::optional<QString> configFile;
    std::optional<QString> dataDir;
    std::optional<QString> host;
    std::optional<QString> port;
    std::optional<QString> ioThreads;
    std::optional<QString> activityTimeout;
    std::optional<QString> pongTimeout;
    std::optional<QString> appId;
    std::optional<QString> appKey;
    std::optional<QString> appSecret;
    std::optional<QString> peerHost;
    std::optional<QString> peerPort;
    std::optional<QString> advertise;
    std::optional<QString> region;
    std::optional<QString> nodeName;
    std::optional<QString> seeds;
    std::optional<QString> join;
    std::optional<QString> adminHost;
    std::optional<QString> adminPort;
};

// Long names of the value flags, without the leading dashes; the loader names them in errors.
namespace Flag {
inline constexpr QLatin1StringView Config("config");
inline constexpr QLatin1StringView DataDir("data-dir");
inline constexpr QLatin1StringView Host("host");
inline constexpr QLatin1StringView Port("port");
inline constexpr QLatin1StringView IoThreads("io-threads");
inline constexpr QLatin1StringView ActivityTimeout("activity-timeout");
inline constexpr QLatin1StringView PongTimeout("pong-timeout");
inline constexpr QLatin1StringView AppId("app-id");
inline constexpr QLatin1StringView AppKey("app-key");
inline constexpr QLatin1StringView AppSecret("app-secret");
inline constexpr QLatin1StringView PeerHost("peer-host");
inline constexpr QLatin1StringView PeerPort("peer-port");
inline constexpr QLatin1StringView Advertise("advertise");
inline constexpr QLatin1StringView Region("region");
inline constexpr QLatin1StringView NodeName("node-name");
inline constexpr QLatin1StringView Seeds("seeds");
inline constexpr QLatin1StringView Join("join");
inline constexpr QLatin1StringView AdminHost("admin-host");
inline constexpr QLatin1StringView AdminPort("admin-port");
} // namespace Flag

// Reads a list shaped like QCoreApplication::arguments(): the first entry is the program and is
// skipped. Never exits the process and never prints. An unknown flag, a flag given twice, a
// missing value or a positional argument is an error that names the offending text.
Result<CommandLine> parseCommandLine(const QStringList &arguments);

} // namespace DNotifier::Config
