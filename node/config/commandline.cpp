#include "commandline.h"

#include <QCommandLineOption>
#include <QCommandLineParser>

#include <array>

using namespace Qt::Literals::StringLiterals;

namespace DNotifier::Config {

namespace {

struct ValueFlag
{
    QLatin1StringView name;
    QLatin1StringView valueName;
    QLatin1StringView description;
    std::optional<QString> CommandLine::*member;
};

const std::array<ValueFlag, 19> valueFlags{{
        {Flag::Config, "file"_L1, "Read settings from this JSON file."_L1,
         &CommandLine::configFile},
        {Flag::DataDir, "dir"_L1, "Keep the node's state in this directory."_L1,
         &CommandLine::dataDir},
        {Flag::Host, "address"_L1, "Listen on this IP address."_L1, &CommandLine::host},
        {Flag::Port, "n"_L1, "Listen on this TCP port; 0 picks any free port."_L1,
         &CommandLine::port},
        {Flag::IoThreads, "n"_L1, "Number of I/O threads; 0 runs one per CPU core."_L1,
         &CommandLine::ioThreads},
        {Flag::ActivityTimeout, "seconds"_L1, "Idle time after which a client should ping."_L1,
         &CommandLine::activityTimeout},
        {Flag::PongTimeout, "seconds"_L1, "Time a client has to answer a ping."_L1,
         &CommandLine::pongTimeout},
        {Flag::AppId, "id"_L1, "Id of the default app (digits)."_L1, &CommandLine::appId},
        {Flag::AppKey, "key"_L1, "Key of the default app."_L1, &CommandLine::appKey},
        // Other users can read a process's arguments, hence the advice.
        {Flag::AppSecret, "secret"_L1,
         "Secret of the default app; prefer DNOTIFIER_APP_SECRET or the config file."_L1,
         &CommandLine::appSecret},
        {Flag::PeerHost, "address"_L1,
         "Listen for the other nodes of the cluster on this IP address."_L1,
         &CommandLine::peerHost},
        {Flag::PeerPort, "n"_L1,
         "Listen for the other nodes on this TCP port; 0 picks any free port."_L1,
         &CommandLine::peerPort},
        {Flag::Advertise, "host:port"_L1, "Address the other nodes dial to reach this one."_L1,
         &CommandLine::advertise},
        {Flag::Region, "name"_L1, "Region this node runs in."_L1, &CommandLine::region},
        {Flag::NodeName, "name"_L1, "Name of this node in logs and the console."_L1,
         &CommandLine::nodeName},
        {Flag::Seeds, "host:port,..."_L1, "Nodes to dial at start, separated by commas."_L1,
         &CommandLine::seeds},
        // Other users can read a process's arguments, and a join token carries the cluster
        // secret; the secret itself therefore has no flag at all.
        {Flag::Join, "token"_L1,
         "Join a cluster with a token from dnotifier-node join-token; prefer DNOTIFIER_JOIN."_L1,
         &CommandLine::join},
        {Flag::AdminHost, "address"_L1,
         "Listen for the console's admin channel on this IP address."_L1, &CommandLine::adminHost},
        {Flag::AdminPort, "n"_L1,
         "Listen for the console's admin channel on this TCP port; 0 picks any free port."_L1,
         &CommandLine::adminPort},
}};

const QLatin1StringView HelpFlag("help");
const QLatin1StringView VersionFlag("version");

void addOptions(QCommandLineParser &parser)
{
    parser.setApplicationDescription(
            u"DNotifier node: a real-time messaging server speaking the Pusher and Centrifuge "
            "protocols.\n\nSubcommands (each has --help):\n"
            "  token         print a connection token for one of the node's apps\n"
            "  join-token    print a token that lets a new node join this node's cluster\n"
            "  check-config  check the settings without starting (takes the node's flags)"_s);
    // "-port 80" then means "--port 80" instead of the short flags p, o, r and t.
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    for (const ValueFlag &flag : valueFlags) {
        parser.addOption(QCommandLineOption(QString(flag.name), QString(flag.description),
                                            QString(flag.valueName)));
    }
    parser.addOption(QCommandLineOption({u"h"_s, QString(HelpFlag)}, u"Show this help."_s));
    parser.addOption(QCommandLineOption(QString(VersionFlag), u"Show the version."_s));
}

// QCommandLineParser reports unknown names without their dashes; find them as the user typed
// them so that the message can be searched for in a service file.
QString typedFlag(const QStringList &arguments, const QString &name)
{
    for (const QString &argument : arguments) {
        QStringView flag(argument);
        flag = flag.left(flag.indexOf(u'='));
        if (flag.startsWith(u'-') && flag.mid(flag.startsWith("--"_L1) ? 2 : 1) == name) {
            return flag.toString();
        }
    }
    return u"--"_s + name;
}

Error parseError(const QCommandLineParser &parser, const QStringList &arguments)
{
    const QStringList unknown = parser.unknownOptionNames();
    if (unknown.isEmpty()) {
        return Error{0, parser.errorText()};
    }
    QStringList typed;
    for (const QString &name : unknown) {
        typed.append(typedFlag(arguments, name));
    }
    return Error{0, u"unknown flag %1; run with --help to list the flags"_s.arg(typed.join(u", "))};
}

Result<void> readValueFlags(const QCommandLineParser &parser, CommandLine &commandLine)
{
    for (const ValueFlag &flag : valueFlags) {
        const QStringList values = parser.values(QString(flag.name));
        if (values.size() > 1) {
            return Error{0, u"--%1 was given %2 times; give each flag at most once"_s.arg(flag.name)
                                    .arg(values.size())};
        }
        if (values.size() == 1) {
            commandLine.*flag.member = values.constFirst();
        }
    }
    return {};
}

} // namespace

Result<CommandLine> parseCommandLine(const QStringList &arguments)
{
    QCommandLineParser parser;
    addOptions(parser);
    if (!parser.parse(arguments)) {
        return parseError(parser, arguments);
    }
    if (!parser.positionalArguments().isEmpty()) {
        return Error{0, u"unexpected argument \"%1\"; the node takes only flags (see --help)"_s.arg(
                                parser.positionalArguments().constFirst())};
    }

    CommandLine commandLine;
    if (const Result<void> read = readValueFlags(parser, commandLine); !read) {
        return read.error();
    }
    commandLine.helpText = parser.helpText();
    commandLine.versionText = u"DNotifier node %1\n"_s.arg(QLatin1StringView(DNOTIFIER_VERSION));
    if (parser.isSet(QString(HelpFlag))) {
        commandLine.action = CommandLineAction::ShowHelp;
    } else if (parser.isSet(QString(VersionFlag))) {
        commandLine.action = CommandLineAction::ShowVersion;
    }
    return commandLine;
}

} // namespace DNotifier::Config
