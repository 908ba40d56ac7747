#include "jointokencommand.h"

#include <common/tokens/connectiontoken.h>
#include <node/cli/nodesettings.h>
#include <node/cluster/clusteridentity.h>
#include <node/cluster/jointoken.h>

#include <QCommandLineParser>
#include <QDateTime>
#include <QHostAddress>
#include <QTextStream>

namespace DNotifier::Cli {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qint64 MinTtlSeconds = 60;
constexpr qint64 MaxTtlSeconds = 30 * 24 * 3600;

int fail(const QString &message)
{
    QTextStream(stderr) << "dnotifier-node join-token: " << message << '\n';
    return 2;
}

void addOptions(QCommandLineParser &parser)
{
    parser.setApplicationDescription(
            u"Print a token that lets a new node join this node's cluster."_s);
    parser.addOption(
            {u"ttl"_s,
             u"How long the token admits new nodes: seconds or a number with s, m, h or d, "
             "from 1m to 30d (1h)."_s,
             u"duration"_s, u"1h"_s});
    parser.addOption(
            {u"seed"_s,
             u"host:port a new node dials first; repeatable. Default: the cluster's advertise "
             "address, else its peer host and port."_s,
             u"host:port"_s});
    addNodeLocationOptions(parser);
    parser.addHelpOption();
}

Result<qint64> parseTtl(const QString &text)
{
    const auto ttl = Tokens::parseDuration(text);
    if (!ttl) {
        return ttl.error();
    }
    if (*ttl < MinTtlSeconds || *ttl > MaxTtlSeconds) {
        return Error{0,
                     u"\"%1\" is out of range; expected from 1 minute (1m) to 30 days (30d)"_s.arg(
                             text)};
    }
    return ttl;
}

Result<QList<QString>> chooseSeeds(const QCommandLineParser &parser,
                                   const Config::ClusterSettings &cluster)
{
    QList<QString> seeds = parser.values(u"seed"_s);
    if (!seeds.isEmpty()) {
        return seeds;
    }
    // The address this node's peers reach it on, as the node would advertise it.
    const QString seed = cluster.dialAddress(cluster.peerPort);
    const Result<void> checked =
            seed.isEmpty()
                    ? Result<void>(Error{0, u"the node listens for peers on %1, which other "
                                            "nodes cannot dial"_s.arg(cluster.peerHost.toString())})
                    : Cluster::checkSeedAddress(seed);
    if (!checked) {
        return Error{0, u"no seed address for the token: %1; pass --seed host:port or set the "
                        "cluster's advertise address"_s.arg(checked.error().message)};
    }
    return QList<QString>{seed};
}

void printToken(const QString &token,
                const QString &clusterId,
                qint64 expiresAt,
                const Config::AppSettings &app)
{
    const QString expires = QDateTime::fromSecsSinceEpoch(expiresAt, Qt::UTC).toString(Qt::ISODate);
    // Apps are configured per node, and a publication reaches only the nodes that know its
    // app: without this a joined node would serve an app of its own that nobody else has.
    QTextStream(stdout) << token << "\n\n"
                        << "Join a new node with (the environment keeps secrets out of ps):\n"
                        << "  DNOTIFIER_JOIN='" << token << "' dnotifier-node\n"
                        << "Cluster fingerprint: " << clusterId << '\n'
                        << "Expires: " << expires << "\n\n"
                        << "Every node needs the same apps (they are configured per node). Give "
                           "the new node this node's default app, in its config file or its "
                           "service's environment so that it keeps it across restarts:\n"
                        << "  DNOTIFIER_APP_ID=" << app.id
                        << " DNOTIFIER_APP_KEY=" << QString::fromLatin1(app.key)
                        << " DNOTIFIER_APP_SECRET=" << QString::fromLatin1(app.secret) << '\n';
}

} // namespace

int runJoinTokenCommand(const QStringList &arguments, const QProcessEnvironment &environment)
{
    QCommandLineParser parser;
    addOptions(parser);
    if (!parser.parse(arguments)) {
        return fail(parser.errorText());
    }
    if (parser.isSet(u"help"_s)) {
        QTextStream(stdout) << parser.helpText();
        return 0;
    }
    if (!parser.positionalArguments().isEmpty()) {
        return fail(u"unexpected argument \"%1\""_s.arg(parser.positionalArguments().constFirst()));
    }
    const auto ttl = parseTtl(parser.value(u"ttl"_s));
    if (!ttl) {
        return fail(u"--ttl: "_s + ttl.error().message);
    }
    for (const QString &seed : parser.values(u"seed"_s)) {
        if (const auto checked = Cluster::checkSeedAddress(seed); !checked) {
            return fail(u"--seed: "_s + checked.error().message);
        }
    }

    const auto settings = loadNodeSettings(parser, environment);
    if (!settings) {
        return fail(settings.error().message);
    }
    const auto seeds = chooseSeeds(parser, settings->cluster);
    if (!seeds) {
        return fail(seeds.error().message);
    }
    const auto identity =
            Cluster::loadOrCreateClusterIdentity(settings->dataDir, settings->cluster.secret, {});
    if (!identity) {
        return fail(identity.error().message);
    }
    if (identity->freshlyGenerated) {
        QTextStream(stderr) << "note: " << settings->dataDir
                            << " held no cluster, so this token starts a new one; to add a node "
                               "to a running cluster, pass that node's --config and --data-dir\n";
    }

    const qint64 expiresAt = QDateTime::currentSecsSinceEpoch() + *ttl;
    printToken(Cluster::encodeJoinToken(identity->secret, *seeds, expiresAt), identity->clusterId(),
               expiresAt, settings->defaultApp);
    return 0;
}

} // namespace DNotifier::Cli
