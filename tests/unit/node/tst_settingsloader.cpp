#include <node/config/commandline.h>
#include <node/config/settingsloader.h>

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QTest>

using namespace DNotifier;
using namespace DNotifier::Config;
using namespace Qt::Literals::StringLiterals;

namespace {

const QString Program = u"dnotifier-node"_s;
const QByteArray NoFile;
const QStringList NoEnv;
const QStringList NoFlags;

// An environment that holds only what a test sets, plus a HOME inside `home` so that the
// default data directory never points at the real user's files.
QProcessEnvironment environment(const QString &home, const QStringList &pairs = {})
{
    // Default-constructed, QProcessEnvironment is empty rather than a copy of the process's.
    QProcessEnvironment env;
    env.insert(u"HOME"_s, home);
    for (const QString &pair : pairs) {
        const qsizetype equals = pair.indexOf(u'=');
        env.insert(pair.left(equals), pair.mid(equals + 1));
    }
    return env;
}

QString writeFile(const QTemporaryDir &dir,
                  const QByteArray &contents,
                  const QString &name = u"node.json"_s)
{
    const QString path = dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(contents) != contents.size()) {
        qFatal("cannot write test config file");
    }
    return path;
}

// What the loader should say about every host:port value it refuses.
const QString EndpointExpected =
        u"host:port with a port from 1 to 65535 and a host that is an IPv4 address, a DNS name or an IPv6 address in brackets, such as 10.0.0.2:6002, node-b.example:6002 or [::1]:6002"_s;

// A setting as text, named by its config key ("app.id" for the default app's).
QString readBack(const NodeSettings &settings, const QString &name)
{
    const ClusterSettings &cluster = settings.cluster;
    const QHash<QString, QString> values{
            {u"data_dir"_s, settings.dataDir},
            {u"host"_s, settings.host.toString()},
            {u"port"_s, QString::number(settings.port)},
            {u"io_threads"_s, QString::number(settings.ioThreads)},
            {u"activity_timeout"_s, QString::number(settings.activityTimeoutSeconds)},
            {u"pong_timeout"_s, QString::number(settings.pongTimeoutSeconds)},
            {u"app.id"_s, settings.defaultApp.id},
            {u"app.key"_s, QString::fromLatin1(settings.defaultApp.key)},
            {u"app.secret"_s, QString::fromLatin1(settings.defaultApp.secret)},
            {u"peer_host"_s, cluster.peerHost.toString()},
            {u"peer_port"_s, QString::number(cluster.peerPort)},
            {u"advertise"_s, cluster.advertise},
            {u"region"_s, cluster.region},
            {u"node_name"_s, cluster.nodeName},
            {u"seeds"_s, cluster.seeds.join(u',')},
            {u"join"_s, cluster.joinToken},
            {u"cluster_secret"_s, QString::fromLatin1(cluster.secret)},
            {u"cluster_probe_interval_ms"_s, QString::number(cluster.probeIntervalMs)},
            {u"cluster_probe_timeout_ms"_s, QString::number(cluster.probeTimeoutMs)},
            {u"cluster_suspicion_ms"_s, QString::number(cluster.suspicionMs)},
            {u"cluster_indirect_probes"_s, QString::number(cluster.indirectProbes)},
    };
    return values.value(name, u"<no setting named %1>"_s.arg(name));
}

} // namespace

class tst_SettingsLoader final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void peerTls();
    void init();

    void commandLineActions_data();
    void commandLineActions();
    void commandLineKeepsEveryFlagValue();
    void helpListsClusterFlags();
    void commandLineErrors_data();
    void commandLineErrors();

    void defaultsWithoutAnyConfiguration();
    void defaultDataDir_data();
    void defaultDataDir();
    void noHomeAndNoDataDirIsAnError();

    void precedence_data();
    void precedence();
    void configFileSetsEveryNodeKey();
    void configFileSetsEveryAppKey();
    void configFileSetsEveryClusterKey();
    void acceptedClusterValues_data();
    void acceptedClusterValues();
    void seedLists_data();
    void seedLists();
    void probeTimingsAreComparedOnlyOnceMerged();
    void configFileSetsWebhooks();
    void extraAppsStartFromBuiltInDefaults();
    void configPathFromEnvironmentAndFlag();
    void relativeDataDirs();
    void emptyEnvironmentVariableCountsAsUnset();
    void overriddenBadValueIsStillReported();

    void badNumbersAndTypes_data();
    void badNumbersAndTypes();
    void unknownKeys_data();
    void unknownKeys();
    void badAddressesAndCredentials_data();
    void badAddressesAndCredentials();
    void badWebhooks_data();
    void badWebhooks();
    void badClusterAddresses_data();
    void badClusterAddresses();
    void badClusterNamesAndTimings_data();
    void badClusterNamesAndTimings();
    void probeTimeoutNotBelowInterval_data();
    void probeTimeoutNotBelowInterval();
    void duplicateApps_data();
    void duplicateApps();
    void secretsAreNeverEchoed_data();
    void secretsAreNeverEchoed();
    void malformedJson_data();
    void malformedJson();
    void unreadableConfigFile_data();
    void unreadableConfigFile();
    void distinctAppsCheckedAgainAfterFilling();
    void adminEndpointSettings();
    void badAdminSettings_data();
    void badAdminSettings();

private:
    Result<NodeSettings> resolve(const QStringList &flags, const QStringList &env = {});
    // Rows for the rejection tests: config file, environment and flags, and the text the
    // error message must contain (key, value and what is allowed).
    static void addRejectionColumns();
    void verifyRejected();

    std::unique_ptr<QTemporaryDir> m_dir;
};

void tst_SettingsLoader::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

Result<NodeSettings> tst_SettingsLoader::resolve(const QStringList &flags, const QStringList &env)
{
    const Result<CommandLine> commandLine = parseCommandLine(QStringList{Program} + flags);
    if (!commandLine) {
        return commandLine.error();
    }
    return resolveSettings(*commandLine, environment(m_dir->path(), env));
}

void tst_SettingsLoader::commandLineActions_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<CommandLineAction>("action");

    QTest::newRow("no arguments run the node") << QStringList{} << CommandLineAction::Run;
    QTest::newRow("value flags alone run the node")
            << QStringList{u"--port"_s, u"7000"_s} << CommandLineAction::Run;
    QTest::newRow("--help asks for the help text")
            << QStringList{u"--help"_s} << CommandLineAction::ShowHelp;
    QTest::newRow("-h asks for the help text")
            << QStringList{u"-h"_s} << CommandLineAction::ShowHelp;
    QTest::newRow("--version asks for the version")
            << QStringList{u"--version"_s} << CommandLineAction::ShowVersion;
    QTest::newRow("help wins over version")
            << QStringList{u"--version"_s, u"--help"_s} << CommandLineAction::ShowHelp;
}

void tst_SettingsLoader::commandLineActions()
{
    QFETCH(QStringList, arguments);
    QFETCH(CommandLineAction, action);

    const Result<CommandLine> commandLine = parseCommandLine(QStringList{Program} + arguments);
    QVERIFY2(commandLine, qPrintable(commandLine.error().message));
    QCOMPARE(commandLine->action, action);
    QVERIFY(commandLine->helpText.contains(u"--activity-timeout <seconds>"_s));
    QVERIFY(commandLine->versionText.contains(QLatin1StringView(DNOTIFIER_VERSION)));
}

void tst_SettingsLoader::commandLineKeepsEveryFlagValue()
{
    const QString arguments = u"--config c.json --data-dir /d --host ::1 --port=0 --io-threads 4 "
                              "--activity-timeout 60 --pong-timeout 20 --app-id 42 --app-key k "
                              "--app-secret s --peer-host 10.0.0.1 --peer-port=7002 "
                              "--advertise a.example:7002 --region eu --node-name n1 "
                              "--seeds b.example:6002,c.example:6002 --join dnj1.x"_s;
    const Result<CommandLine> commandLine =
            parseCommandLine(QStringList{Program} + arguments.split(u' '));
    QVERIFY2(commandLine, qPrintable(commandLine.error().message));
    QCOMPARE(commandLine->configFile, u"c.json"_s);
    QCOMPARE(commandLine->dataDir, u"/d"_s);
    QCOMPARE(commandLine->host, u"::1"_s);
    QCOMPARE(commandLine->port, u"0"_s);
    QCOMPARE(commandLine->ioThreads, u"4"_s);
    QCOMPARE(commandLine->activityTimeout, u"60"_s);
    QCOMPARE(commandLine->pongTimeout, u"20"_s);
    QCOMPARE(commandLine->appId, u"42"_s);
    QCOMPARE(commandLine->appKey, u"k"_s);
    QCOMPARE(commandLine->appSecret, u"s"_s);
    QCOMPARE(commandLine->peerHost, u"10.0.0.1"_s);
    QCOMPARE(commandLine->peerPort, u"7002"_s);
    QCOMPARE(commandLine->advertise, u"a.example:7002"_s);
    QCOMPARE(commandLine->region, u"eu"_s);
    QCOMPARE(commandLine->nodeName, u"n1"_s);
    QCOMPARE(commandLine->seeds, u"b.example:6002,c.example:6002"_s);
    QCOMPARE(commandLine->join, u"dnj1.x"_s);

    const Result<CommandLine> empty = parseCommandLine({Program});
    QVERIFY(empty);
    QVERIFY(!empty->port);
    QVERIFY(!empty->configFile);
    QVERIFY(!empty->seeds);
}

void tst_SettingsLoader::helpListsClusterFlags()
{
    const Result<CommandLine> commandLine = parseCommandLine({Program, u"--help"_s});
    QVERIFY2(commandLine, qPrintable(commandLine.error().message));
    const QString &help = commandLine->helpText;
    for (const QString &flag :
         {u"--peer-host <address>"_s, u"--peer-port <n>"_s, u"--advertise <host:port>"_s,
          u"--region <name>"_s, u"--node-name <name>"_s, u"--seeds <host:port,...>"_s,
          u"--join <token>"_s}) {
        QVERIFY2(help.contains(flag), qPrintable(flag));
    }
    // Other users can read a process's arguments: secrets and tuning have no flag.
    QVERIFY(!help.contains(u"--cluster"_s));
}

void tst_SettingsLoader::commandLineErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QStringList>("fragments");

    QTest::newRow("an unknown long flag is named as typed")
            << QStringList{u"--prot"_s, u"1"_s} << QStringList{u"unknown flag --prot"_s};
    QTest::newRow("an unknown single-dash flag is named as typed")
            << QStringList{u"-x"_s} << QStringList{u"unknown flag -x"_s};
    QTest::newRow("an unknown flag with an attached value is named without the value")
            << QStringList{u"--colour=red"_s} << QStringList{u"unknown flag --colour;"_s};
    QTest::newRow("a value flag at the end without its value is reported")
            << QStringList{u"--port"_s} << QStringList{u"--port"_s};
    QTest::newRow("a flag given twice is refused")
            << QStringList{u"--port"_s, u"1"_s, u"--port"_s, u"2"_s}
            << QStringList{u"--port was given 2 times"_s};
    QTest::newRow("a positional argument is refused")
            << QStringList{u"start"_s} << QStringList{u"unexpected argument \"start\""_s};
    QTest::newRow("the cluster secret has no flag")
            << QStringList{u"--cluster-secret"_s, u"0123456789abcdef"_s}
            << QStringList{u"unknown flag --cluster-secret;"_s};
    QTest::newRow("the cluster timings have no flags")
            << QStringList{u"--cluster-probe-interval-ms=100"_s}
            << QStringList{u"unknown flag --cluster-probe-interval-ms;"_s};
    QTest::newRow("--seeds given twice is refused rather than merged")
            << QStringList{u"--seeds"_s, u"a:1"_s, u"--seeds"_s, u"b:2"_s}
            << QStringList{u"--seeds was given 2 times"_s};
}

void tst_SettingsLoader::commandLineErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(QStringList, fragments);

    const Result<CommandLine> commandLine = parseCommandLine(QStringList{Program} + arguments);
    QVERIFY(!commandLine);
    for (const QString &fragment : fragments) {
        QVERIFY2(commandLine.error().message.contains(fragment),
                 qPrintable(commandLine.error().message));
    }
}

void tst_SettingsLoader::defaultsWithoutAnyConfiguration()
{
    const Result<NodeSettings> settings = resolve({});
    QVERIFY2(settings, qPrintable(settings.error().message));

    const NodeSettings defaults;
    QCOMPARE(settings->dataDir, m_dir->filePath(u".local/share/dnotifier"_s));
    QCOMPARE(settings->host, QHostAddress(QHostAddress::LocalHost));
    QCOMPARE(settings->port, defaults.port);
    QCOMPARE(settings->ioThreads, defaults.ioThreads);
    QCOMPARE(settings->activityTimeoutSeconds, defaults.activityTimeoutSeconds);
    QCOMPARE(settings->pongTimeoutSeconds, defaults.pongTimeoutSeconds);
    QCOMPARE(settings->maxHttpBodyBytes, defaults.maxHttpBodyBytes);
    QVERIFY(settings->defaultApp.id.isEmpty());
    QVERIFY(settings->defaultApp.key.isEmpty());
    QVERIFY(settings->defaultApp.secret.isEmpty());
    QVERIFY(settings->extraApps.isEmpty());

    const ClusterSettings &cluster = settings->cluster;
    QCOMPARE(cluster.peerHost, QHostAddress(QHostAddress::LocalHost));
    QCOMPARE(cluster.peerPort, 6002);
    QVERIFY(cluster.advertise.isEmpty());
    QCOMPARE(cluster.region, u"default"_s);
    QVERIFY(cluster.nodeName.isEmpty());
    QVERIFY(cluster.seeds.isEmpty());
    QVERIFY(cluster.joinToken.isEmpty());
    QVERIFY(cluster.secret.isEmpty());
    QCOMPARE(cluster.probeIntervalMs, 500);
    QCOMPARE(cluster.probeTimeoutMs, 250);
    QCOMPARE(cluster.suspicionMs, 2000);
    QCOMPARE(cluster.indirectProbes, 2);
}

void tst_SettingsLoader::defaultDataDir_data()
{
    QTest::addColumn<QString>("xdgDataHome");
    QTest::addColumn<QString>("expected");

    QTest::newRow("XDG_DATA_HOME wins over HOME") << u"/srv/xdg"_s << u"/srv/xdg/dnotifier"_s;
    QTest::newRow("a relative XDG_DATA_HOME is ignored as the XDG rules say")
            << u"relative/xdg"_s << u"HOME/.local/share/dnotifier"_s;
    QTest::newRow("HOME is used when XDG_DATA_HOME is unset")
            << QString() << u"HOME/.local/share/dnotifier"_s;
}

void tst_SettingsLoader::defaultDataDir()
{
    QFETCH(QString, xdgDataHome);
    QFETCH(QString, expected);

    const QStringList env =
            xdgDataHome.isNull() ? QStringList{} : QStringList{u"XDG_DATA_HOME="_s + xdgDataHome};
    const Result<NodeSettings> settings = resolve({}, env);
    QVERIFY2(settings, qPrintable(settings.error().message));
    expected.replace(u"HOME"_s, m_dir->path());
    QCOMPARE(settings->dataDir, expected);
}

void tst_SettingsLoader::noHomeAndNoDataDirIsAnError()
{
    const QProcessEnvironment empty;
    const Result<NodeSettings> settings = resolveSettings(CommandLine{}, empty);
    QVERIFY(!settings);
    QVERIFY2(settings.error().message.contains(u"--data-dir"_s),
             qPrintable(settings.error().message));

    CommandLine commandLine;
    commandLine.dataDir = u"/var/lib/dnotifier"_s;
    const Result<NodeSettings> given = resolveSettings(commandLine, empty);
    QVERIFY2(given, qPrintable(given.error().message));
    QCOMPARE(given->dataDir, u"/var/lib/dnotifier"_s);
}

void tst_SettingsLoader::precedence_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("fileJson");
    QTest::addColumn<QString>("envVar");
    QTest::addColumn<QString>("flag");       // empty for settings that have no flag
    QTest::addColumn<QStringList>("values"); // default, file, environment, flag

    QTest::newRow("data_dir: each layer overrides the one below")
            << u"data_dir"_s << R"({"data_dir": "/from/file"})"_ba << u"DNOTIFIER_DATA_DIR"_s
            << u"--data-dir"_s
            << QStringList{u"HOME/.local/share/dnotifier"_s, u"/from/file"_s, u"/from/env"_s,
                           u"/from/flag"_s};
    QTest::newRow("host: each layer overrides the one below")
            << u"host"_s << R"({"host": "10.0.0.1"})"_ba << u"DNOTIFIER_HOST"_s << u"--host"_s
            << QStringList{u"127.0.0.1"_s, u"10.0.0.1"_s, u"10.0.0.2"_s, u"::1"_s};
    QTest::newRow("port: each layer overrides the one below")
            << u"port"_s << R"({"port": 7001})"_ba << u"DNOTIFIER_PORT"_s << u"--port"_s
            << QStringList{u"6001"_s, u"7001"_s, u"7002"_s, u"0"_s};
    QTest::newRow("io_threads: each layer overrides the one below")
            << u"io_threads"_s << R"({"io_threads": 1})"_ba << u"DNOTIFIER_IO_THREADS"_s
            << u"--io-threads"_s << QStringList{u"0"_s, u"1"_s, u"2"_s, u"3"_s};
    QTest::newRow("activity_timeout: each layer overrides the one below")
            << u"activity_timeout"_s << R"({"activity_timeout": 10})"_ba
            << u"DNOTIFIER_ACTIVITY_TIMEOUT"_s << u"--activity-timeout"_s
            << QStringList{u"120"_s, u"10"_s, u"20"_s, u"30"_s};
    QTest::newRow("pong_timeout: each layer overrides the one below")
            << u"pong_timeout"_s << R"({"pong_timeout": 11})"_ba << u"DNOTIFIER_PONG_TIMEOUT"_s
            << u"--pong-timeout"_s << QStringList{u"30"_s, u"11"_s, u"12"_s, u"13"_s};
    QTest::newRow("app.id: each layer overrides the one below")
            << u"app.id"_s << R"({"app": {"id": "111"}})"_ba << u"DNOTIFIER_APP_ID"_s
            << u"--app-id"_s << QStringList{QString(), u"111"_s, u"222"_s, u"333"_s};
    QTest::newRow("app.key: each layer overrides the one below")
            << u"app.key"_s << R"({"app": {"key": "file-key"}})"_ba << u"DNOTIFIER_APP_KEY"_s
            << u"--app-key"_s << QStringList{QString(), u"file-key"_s, u"env-key"_s, u"flag-key"_s};
    QTest::newRow("app.secret: each layer overrides the one below")
            << u"app.secret"_s << R"({"app": {"secret": "file-secret"}})"_ba
            << u"DNOTIFIER_APP_SECRET"_s << u"--app-secret"_s
            << QStringList{QString(), u"file-secret"_s, u"env-secret"_s, u"flag-secret"_s};
    QTest::newRow("peer_host: each layer overrides the one below")
            << u"peer_host"_s << R"({"peer_host": "10.0.0.1"})"_ba << u"DNOTIFIER_PEER_HOST"_s
            << u"--peer-host"_s
            << QStringList{u"127.0.0.1"_s, u"10.0.0.1"_s, u"10.0.0.2"_s, u"::1"_s};
    QTest::newRow("peer_port: each layer overrides the one below")
            << u"peer_port"_s << R"({"peer_port": 7001})"_ba << u"DNOTIFIER_PEER_PORT"_s
            << u"--peer-port"_s << QStringList{u"6002"_s, u"7001"_s, u"7002"_s, u"0"_s};
    QTest::newRow("advertise: each layer overrides the one below")
            << u"advertise"_s << R"({"advertise": "file.example:6002"})"_ba
            << u"DNOTIFIER_ADVERTISE"_s << u"--advertise"_s
            << QStringList{QString(), u"file.example:6002"_s, u"10.0.0.2:6003"_s, u"[::1]:6004"_s};
    QTest::newRow("region: each layer overrides the one below")
            << u"region"_s << R"({"region": "eu-west"})"_ba << u"DNOTIFIER_REGION"_s
            << u"--region"_s
            << QStringList{u"default"_s, u"eu-west"_s, u"us.east"_s, u"ap_south_1"_s};
    QTest::newRow("node_name: each layer overrides the one below")
            << u"node_name"_s << R"({"node_name": "host-a:6002"})"_ba << u"DNOTIFIER_NODE_NAME"_s
            << u"--node-name"_s
            << QStringList{QString(), u"host-a:6002"_s, u"node.b"_s, u"node_c"_s};
    QTest::newRow("seeds: each layer overrides the one below")
            << u"seeds"_s << R"({"seeds": ["a.example:6002", "10.0.0.1:6002"]})"_ba
            << u"DNOTIFIER_SEEDS"_s << u"--seeds"_s
            << QStringList{QString(), u"a.example:6002,10.0.0.1:6002"_s,
                           u"b.example:6002,[::1]:6002"_s, u"c.example:1"_s};
    QTest::newRow("join: each layer overrides the one below")
            << u"join"_s << R"({"join": "dnj1.file"})"_ba << u"DNOTIFIER_JOIN"_s << u"--join"_s
            << QStringList{QString(), u"dnj1.file"_s, u"dnj1.env"_s, u"dnj1.flag"_s};
    QTest::newRow("cluster_secret: the environment overrides the file")
            << u"cluster_secret"_s << R"({"cluster_secret": "file-secret-0123"})"_ba
            << u"DNOTIFIER_CLUSTER_SECRET"_s << QString()
            << QStringList{QString(), u"file-secret-0123"_s, u"env-secret-0123456789"_s};
    QTest::newRow("cluster_probe_interval_ms: the environment overrides the file")
            << u"cluster_probe_interval_ms"_s << R"({"cluster_probe_interval_ms": 400})"_ba
            << u"DNOTIFIER_CLUSTER_PROBE_INTERVAL_MS"_s << QString()
            << QStringList{u"500"_s, u"400"_s, u"300"_s};
    QTest::newRow("cluster_probe_timeout_ms: the environment overrides the file")
            << u"cluster_probe_timeout_ms"_s << R"({"cluster_probe_timeout_ms": 100})"_ba
            << u"DNOTIFIER_CLUSTER_PROBE_TIMEOUT_MS"_s << QString()
            << QStringList{u"250"_s, u"100"_s, u"200"_s};
    QTest::newRow("cluster_suspicion_ms: the environment overrides the file")
            << u"cluster_suspicion_ms"_s << R"({"cluster_suspicion_ms": 1000})"_ba
            << u"DNOTIFIER_CLUSTER_SUSPICION_MS"_s << QString()
            << QStringList{u"2000"_s, u"1000"_s, u"3000"_s};
    QTest::newRow("cluster_indirect_probes: the environment overrides the file")
            << u"cluster_indirect_probes"_s << R"({"cluster_indirect_probes": 0})"_ba
            << u"DNOTIFIER_CLUSTER_INDIRECT_PROBES"_s << QString()
            << QStringList{u"2"_s, u"0"_s, u"16"_s};
}

void tst_SettingsLoader::precedence()
{
    QFETCH(QString, name);
    QFETCH(QByteArray, fileJson);
    QFETCH(QString, envVar);
    QFETCH(QString, flag);
    QFETCH(QStringList, values);
    values.replaceInStrings(u"HOME"_s, m_dir->path());

    const QStringList configFlag{u"--config"_s, writeFile(*m_dir, fileJson)};
    const QStringList env{envVar + u'=' + values.at(2)};

    const Result<NodeSettings> defaults = resolve({});
    const Result<NodeSettings> file = resolve(configFlag);
    const Result<NodeSettings> fileAndEnv = resolve(configFlag, env);
    for (const auto *result : {&defaults, &file, &fileAndEnv}) {
        QVERIFY2(*result, qPrintable(result->error().message));
    }
    QCOMPARE(readBack(*defaults, name), values.at(0));
    QCOMPARE(readBack(*file, name), values.at(1));
    QCOMPARE(readBack(*fileAndEnv, name), values.at(2));
    if (flag.isEmpty()) {
        QCOMPARE(values.size(), 3);
        return;
    }

    const QStringList valueFlag{flag, values.at(3)};
    const Result<NodeSettings> all = resolve(configFlag + valueFlag, env);
    const Result<NodeSettings> envAndFlag = resolve(valueFlag, env);
    for (const auto *result : {&all, &envAndFlag}) {
        QVERIFY2(*result, qPrintable(result->error().message));
    }
    QCOMPARE(readBack(*all, name), values.at(3));
    QCOMPARE(readBack(*envAndFlag, name), values.at(3));
}

void tst_SettingsLoader::configFileSetsEveryNodeKey()
{
    const QByteArray json = R"({
        "data_dir": "/srv/dn", "host": "0.0.0.0", "port": 7000, "io_threads": 8,
        "activity_timeout": 60, "pong_timeout": 15, "max_http_body_bytes": 2048,
        "webhook_leave_delay": 0, "webhook_retry_seconds": 60
    })"_ba;
    const Result<NodeSettings> settings = resolve({u"--config"_s, writeFile(*m_dir, json)});
    QVERIFY2(settings, qPrintable(settings.error().message));

    QCOMPARE(settings->dataDir, u"/srv/dn"_s);
    QCOMPARE(settings->host, QHostAddress(QHostAddress::AnyIPv4));
    QCOMPARE(settings->port, 7000);
    QCOMPARE(settings->ioThreads, 8);
    QCOMPARE(settings->activityTimeoutSeconds, 60);
    QCOMPARE(settings->pongTimeoutSeconds, 15);
    QCOMPARE(settings->maxHttpBodyBytes, 2048);
    QCOMPARE(settings->webhookLeaveDelaySeconds, 0);
    QCOMPARE(settings->webhookRetrySeconds, 60);
}

void tst_SettingsLoader::configFileSetsEveryAppKey()
{
    const QByteArray json = R"({"app": {
        "id": "424242", "key": "default-key", "secret": "default-secret", "enabled": false,
        "client_events": false, "subscription_count_events": true, "max_connections": 5,
        "max_channel_name_length": 50, "max_event_name_length": 40,
        "max_event_payload_bytes": 4096, "max_event_channels": 3, "max_batch_size": 2,
        "max_presence_members": 7, "max_presence_member_bytes": 512,
        "max_presence_user_id_length": 32, "max_client_events_per_second": 4,
        "max_message_bytes": 8192, "webhook_batch_ms": 250
    }})"_ba;
    const Result<NodeSettings> settings = resolve({u"--config"_s, writeFile(*m_dir, json)});
    QVERIFY2(settings, qPrintable(settings.error().message));

    const AppSettings &app = settings->defaultApp;
    QCOMPARE(app.id, u"424242"_s);
    QCOMPARE(app.key, "default-key"_ba);
    QCOMPARE(app.secret, "default-secret"_ba);
    QCOMPARE(app.enabled, false);
    QCOMPARE(app.clientEvents, false);
    QCOMPARE(app.subscriptionCountEvents, true);
    QCOMPARE(app.maxConnections, 5);
    QCOMPARE(app.maxChannelNameLength, 50);
    QCOMPARE(app.maxEventNameLength, 40);
    QCOMPARE(app.maxEventPayloadBytes, 4096);
    QCOMPARE(app.maxEventChannels, 3);
    QCOMPARE(app.maxBatchSize, 2);
    QCOMPARE(app.maxPresenceMembers, 7);
    QCOMPARE(app.maxPresenceMemberBytes, 512);
    QCOMPARE(app.maxPresenceUserIdLength, 32);
    QCOMPARE(app.maxClientEventsPerSecond, 4);
    QCOMPARE(app.maxMessageBytes, 8192);
    QCOMPARE(app.webhookBatchMilliseconds, 250);
}

void tst_SettingsLoader::configFileSetsEveryClusterKey()
{
    const QByteArray json = R"({
        "peer_host": "::", "peer_port": 7002, "advertise": "node-a.example:7002",
        "region": "eu-west-1", "node_name": "node-a:7002",
        "seeds": ["node-b.example:7002", "[2001:db8::2]:7002"], "join": "dnj1.abc",
        "cluster_secret": "0123456789abcdef!~", "cluster_probe_interval_ms": 1000,
        "cluster_probe_timeout_ms": 400, "cluster_suspicion_ms": 5000,
        "cluster_indirect_probes": 3
    })"_ba;
    const Result<NodeSettings> settings = resolve({u"--config"_s, writeFile(*m_dir, json)});
    QVERIFY2(settings, qPrintable(settings.error().message));

    const ClusterSettings &cluster = settings->cluster;
    QCOMPARE(cluster.peerHost, QHostAddress(QHostAddress::AnyIPv6));
    QCOMPARE(cluster.peerPort, 7002);
    QCOMPARE(cluster.advertise, u"node-a.example:7002"_s);
    QCOMPARE(cluster.region, u"eu-west-1"_s);
    QCOMPARE(cluster.nodeName, u"node-a:7002"_s);
    QCOMPARE(cluster.seeds, (QList<QString>{u"node-b.example:7002"_s, u"[2001:db8::2]:7002"_s}));
    QCOMPARE(cluster.joinToken, u"dnj1.abc"_s);
    QCOMPARE(cluster.secret, "0123456789abcdef!~"_ba);
    QCOMPARE(cluster.probeIntervalMs, 1000);
    QCOMPARE(cluster.probeTimeoutMs, 400);
    QCOMPARE(cluster.suspicionMs, 5000);
    QCOMPARE(cluster.indirectProbes, 3);
}

void tst_SettingsLoader::acceptedClusterValues_data()
{
    QTest::addColumn<QByteArray>("fileJson"); // empty: no config file
    QTest::addColumn<QStringList>("env");
    QTest::addColumn<QStringList>("flags");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("expected"); // as readBack() gives it

    QTest::newRow("an advertised IPv4 address")
            << NoFile << NoEnv << QStringList{u"--advertise"_s, u"192.168.1.20:6002"_s}
            << u"advertise"_s << u"192.168.1.20:6002"_s;
    QTest::newRow("an advertised IPv6 address in brackets at the lowest port")
            << NoFile << QStringList{u"DNOTIFIER_ADVERTISE=[2001:db8::5]:1"_s} << NoFlags
            << u"advertise"_s << u"[2001:db8::5]:1"_s;
    QTest::newRow("an advertised IPv4-mapped IPv6 address")
            << R"({"advertise": "[::ffff:10.0.0.1]:6002"})"_ba << NoEnv << NoFlags << u"advertise"_s
            << u"[::ffff:10.0.0.1]:6002"_s;
    QTest::newRow("a one-label name at the highest port")
            << NoFile << NoEnv << QStringList{u"--advertise"_s, u"localhost:65535"_s}
            << u"advertise"_s << u"localhost:65535"_s;
    QTest::newRow("a name whose labels start with digits and hold hyphens")
            << NoFile << NoEnv << QStringList{u"--advertise"_s, u"1a.node-7.Example:6002"_s}
            << u"advertise"_s << u"1a.node-7.Example:6002"_s;
    QTest::newRow("a label of 63 characters")
            << NoFile << NoEnv
            << QStringList{u"--advertise"_s, QString(63, u'a') + u".example:6002"_s}
            << u"advertise"_s << QString(63, u'a') + u".example:6002"_s;
    QTest::newRow("a region of 64 characters")
            << NoFile << QStringList{u"DNOTIFIER_REGION="_s + QString(64, u'r')} << NoFlags
            << u"region"_s << QString(64, u'r');
    QTest::newRow("a node name with every allowed kind of character")
            << NoFile << NoEnv << QStringList{u"--node-name"_s, u"Az09_.:-"_s} << u"node_name"_s
            << u"Az09_.:-"_s;
    QTest::newRow("a cluster secret of 16 characters")
            << NoFile << QStringList{u"DNOTIFIER_CLUSTER_SECRET=!!!!!!!!~~~~~~~~"_s} << NoFlags
            << u"cluster_secret"_s << u"!!!!!!!!~~~~~~~~"_s;
    QTest::newRow("a cluster secret of 200 characters")
            << QByteArray(R"({"cluster_secret": ")" + QByteArray(200, 's') + R"("})") << NoEnv
            << NoFlags << u"cluster_secret"_s << QString(200, u's');
    QTest::newRow("the longest probe interval with a timeout just below it")
            << R"({"cluster_probe_interval_ms": 60000, "cluster_probe_timeout_ms": 59999})"_ba
            << NoEnv << NoFlags << u"cluster_probe_timeout_ms"_s << u"59999"_s;
    QTest::newRow("the shortest probe interval with a timeout just below it")
            << NoFile
            << QStringList{u"DNOTIFIER_CLUSTER_PROBE_INTERVAL_MS=50"_s,
                           u"DNOTIFIER_CLUSTER_PROBE_TIMEOUT_MS=49"_s}
            << NoFlags << u"cluster_probe_interval_ms"_s << u"50"_s;
    QTest::newRow("the longest suspicion time")
            << NoFile << QStringList{u"DNOTIFIER_CLUSTER_SUSPICION_MS=600000"_s} << NoFlags
            << u"cluster_suspicion_ms"_s << u"600000"_s;
    QTest::newRow("no indirect probes") << R"({"cluster_indirect_probes": 0})"_ba << NoEnv
                                        << NoFlags << u"cluster_indirect_probes"_s << u"0"_s;
}

void tst_SettingsLoader::acceptedClusterValues()
{
    QFETCH(QByteArray, fileJson);
    QFETCH(QStringList, env);
    QFETCH(QStringList, flags);
    QFETCH(QString, name);
    QFETCH(QString, expected);

    if (!fileJson.isEmpty()) {
        flags << u"--config"_s << writeFile(*m_dir, fileJson);
    }
    const Result<NodeSettings> settings = resolve(flags, env);
    QVERIFY2(settings, qPrintable(settings.error().message));
    QCOMPARE(readBack(*settings, name), expected);
}

void tst_SettingsLoader::seedLists_data()
{
    QTest::addColumn<QByteArray>("fileJson"); // empty: no config file
    QTest::addColumn<QStringList>("env");
    QTest::addColumn<QStringList>("flags");
    QTest::addColumn<QList<QString>>("seeds");

    QTest::newRow("an empty array in the file means no seeds")
            << R"({"seeds": []})"_ba << NoEnv << NoFlags << QList<QString>{};
    QTest::newRow("spaces around the entries of an environment list are dropped")
            << NoFile
            << QStringList{u"DNOTIFIER_SEEDS= a.example:6002 , [2001:db8::1]:6002,10.0.0.3:6002 "_s}
            << NoFlags
            << QList<QString>{u"a.example:6002"_s, u"[2001:db8::1]:6002"_s, u"10.0.0.3:6002"_s};
    QTest::newRow("a seed listed twice counts once")
            << NoFile << NoEnv
            << QStringList{u"--seeds"_s, u"a.example:1,b.example:2,a.example:1"_s}
            << QList<QString>{u"a.example:1"_s, u"b.example:2"_s};
    QTest::newRow("a flag replaces the file's list instead of adding to it")
            << R"({"seeds": ["a.example:1", "b.example:2"]})"_ba << NoEnv
            << QStringList{u"--seeds"_s, u"c.example:3"_s} << QList<QString>{u"c.example:3"_s};
}

void tst_SettingsLoader::seedLists()
{
    QFETCH(QByteArray, fileJson);
    QFETCH(QStringList, env);
    QFETCH(QStringList, flags);
    QFETCH(QList<QString>, seeds);

    if (!fileJson.isEmpty()) {
        flags << u"--config"_s << writeFile(*m_dir, fileJson);
    }
    const Result<NodeSettings> settings = resolve(flags, env);
    QVERIFY2(settings, qPrintable(settings.error().message));
    QCOMPARE(settings->cluster.seeds, seeds);
}

void tst_SettingsLoader::probeTimingsAreComparedOnlyOnceMerged()
{
    // The file alone would be refused; the environment's timeout makes the merged pair fit.
    const QByteArray json =
            R"({"cluster_probe_interval_ms": 300, "cluster_probe_timeout_ms": 400})"_ba;
    const Result<NodeSettings> settings = resolve({u"--config"_s, writeFile(*m_dir, json)},
                                                  {u"DNOTIFIER_CLUSTER_PROBE_TIMEOUT_MS=100"_s});
    QVERIFY2(settings, qPrintable(settings.error().message));
    QCOMPARE(settings->cluster.probeIntervalMs, 300);
    QCOMPARE(settings->cluster.probeTimeoutMs, 100);
}

void tst_SettingsLoader::configFileSetsWebhooks()
{
    const QByteArray json = R"({"app": {"webhooks": [
        {"url": "https://hooks.example/pusher",
         "events": ["member_added", "member_removed", "member_added"]},
        {"url": "http://10.1.2.3:8080/all"}
    ]}})"_ba;
    const Result<NodeSettings> settings = resolve({u"--config"_s, writeFile(*m_dir, json)});
    QVERIFY2(settings, qPrintable(settings.error().message));

    const QList<WebhookTarget> &webhooks = settings->defaultApp.webhooks;
    QCOMPARE(webhooks.size(), 2);
    QCOMPARE(webhooks.at(0).url, QUrl(u"https://hooks.example/pusher"_s));
    // A repeated name is dropped rather than refused: it asks for nothing contradictory.
    QCOMPARE(webhooks.at(0).events, (QList<QString>{u"member_added"_s, u"member_removed"_s}));
    QCOMPARE(webhooks.at(1).url, QUrl(u"http://10.1.2.3:8080/all"_s));
    QVERIFY(webhooks.at(1).events.isEmpty());
}

void tst_SettingsLoader::extraAppsStartFromBuiltInDefaults()
{
    const QByteArray json = R"({
        "app": {"max_connections": 5},
        "apps": [
            {"id": "1", "key": "one", "secret": "s1", "max_connections": 9},
            {"id": "2", "key": "two", "secret": "s2"}
        ]
    })"_ba;
    const Result<NodeSettings> settings = resolve({u"--config"_s, writeFile(*m_dir, json)});
    QVERIFY2(settings, qPrintable(settings.error().message));

    QCOMPARE(settings->extraApps.size(), 2);
    QCOMPARE(settings->extraApps.at(0).id, u"1"_s);
    QCOMPARE(settings->extraApps.at(0).maxConnections, 9);
    QCOMPARE(settings->extraApps.at(1).key, "two"_ba);
    QCOMPARE(settings->extraApps.at(1).secret, "s2"_ba);
    QCOMPARE(settings->extraApps.at(1).maxConnections, AppSettings().maxConnections);
    QCOMPARE(settings->apps().size(), 3);
}

void tst_SettingsLoader::configPathFromEnvironmentAndFlag()
{
    const QString fromEnv = writeFile(*m_dir, R"({"port": 7101})"_ba, u"env.json"_s);
    const QString fromFlag = writeFile(*m_dir, R"({"port": 7102})"_ba, u"flag.json"_s);

    const Result<NodeSettings> viaEnv = resolve({}, {u"DNOTIFIER_CONFIG="_s + fromEnv});
    QVERIFY2(viaEnv, qPrintable(viaEnv.error().message));
    QCOMPARE(viaEnv->port, 7101);

    const Result<NodeSettings> viaFlag =
            resolve({u"--config"_s, fromFlag}, {u"DNOTIFIER_CONFIG="_s + fromEnv});
    QVERIFY2(viaFlag, qPrintable(viaFlag.error().message));
    QCOMPARE(viaFlag->port, 7102);
}

void tst_SettingsLoader::relativeDataDirs()
{
    QVERIFY(QDir(m_dir->path()).mkpath(u"etc"_s));
    const QString config =
            writeFile(*m_dir, R"({"data_dir": "../state/dn"})"_ba, u"etc/node.json"_s);

    const Result<NodeSettings> fromFile = resolve({u"--config"_s, config});
    QVERIFY2(fromFile, qPrintable(fromFile.error().message));
    QCOMPARE(fromFile->dataDir, m_dir->filePath(u"state/dn"_s));

    const Result<NodeSettings> fromFlag = resolve({u"--data-dir"_s, u"rel/dn"_s});
    QVERIFY2(fromFlag, qPrintable(fromFlag.error().message));
    QCOMPARE(fromFlag->dataDir, QDir::current().filePath(u"rel/dn"_s));
}

void tst_SettingsLoader::peerTls()
{
    QCOMPARE(NodeSettings().cluster.peerTls, false);
    const QString on = writeFile(*m_dir, "{\"peer_tls\": true}");
    const Result<NodeSettings> fromFile = resolve({u"--config"_s, on});
    QVERIFY2(fromFile, qPrintable(fromFile.error().message));
    QCOMPARE(fromFile->cluster.peerTls, true);
    // The environment overrides the file.
    const Result<NodeSettings> fromEnv =
            resolve({u"--config"_s, on}, {u"DNOTIFIER_PEER_TLS=false"_s});
    QVERIFY2(fromEnv, qPrintable(fromEnv.error().message));
    QCOMPARE(fromEnv->cluster.peerTls, false);

    const Result<NodeSettings> yes = resolve({}, {u"DNOTIFIER_PEER_TLS=yes"_s});
    QVERIFY(!yes);
    QCOMPARE(yes.error().message,
             u"DNOTIFIER_PEER_TLS: \"yes\" is not allowed; expected true or false"_s);
    const QString text = writeFile(*m_dir, "{\"peer_tls\": \"true\"}", u"text.json"_s);
    const Result<NodeSettings> quoted = resolve({u"--config"_s, text});
    QVERIFY(!quoted);
    QVERIFY2(quoted.error().message.endsWith(
                     u"peer_tls: \"true\" has the wrong type (a string); expected true or false"_s),
             qPrintable(quoted.error().message));
}

void tst_SettingsLoader::emptyEnvironmentVariableCountsAsUnset()
{
    const Result<NodeSettings> settings =
            resolve({}, {u"DNOTIFIER_PORT="_s, u"DNOTIFIER_APP_KEY="_s, u"DNOTIFIER_SEEDS="_s,
                         u"DNOTIFIER_CLUSTER_SECRET="_s, u"DNOTIFIER_REGION="_s});
    QVERIFY2(settings, qPrintable(settings.error().message));
    QCOMPARE(settings->port, NodeSettings().port);
    QVERIFY(settings->defaultApp.key.isEmpty());
    QVERIFY(settings->cluster.seeds.isEmpty());
    QVERIFY(settings->cluster.secret.isEmpty());
    QCOMPARE(settings->cluster.region, ClusterSettings().region);
}

void tst_SettingsLoader::overriddenBadValueIsStillReported()
{
    const QString config = writeFile(*m_dir, R"({"port": 99999})"_ba);
    const Result<NodeSettings> settings = resolve({u"--config"_s, config, u"--port"_s, u"7000"_s});
    QVERIFY(!settings);
    QVERIFY2(settings.error().message.startsWith(config + u": port: 99999 is not allowed"_s),
             qPrintable(settings.error().message));
}

void tst_SettingsLoader::addRejectionColumns()
{
    QTest::addColumn<QByteArray>("fileJson"); // empty: no config file
    QTest::addColumn<QStringList>("env");
    QTest::addColumn<QStringList>("flags");
    QTest::addColumn<QString>("expected"); // part of the message
}

void tst_SettingsLoader::verifyRejected()
{
    QFETCH(QByteArray, fileJson);
    QFETCH(QStringList, env);
    QFETCH(QStringList, flags);
    QFETCH(QString, expected);

    if (!fileJson.isEmpty()) {
        flags << u"--config"_s << writeFile(*m_dir, fileJson);
    }
    const Result<NodeSettings> settings = resolve(flags, env);
    QVERIFY(!settings);
    QVERIFY2(settings.error().message.contains(expected), qPrintable(settings.error().message));
}

void tst_SettingsLoader::badNumbersAndTypes_data()
{
    addRejectionColumns();

    QTest::newRow("a port above 65535 given as a flag")
            << NoFile << NoEnv << QStringList{u"--port"_s, u"70000"_s}
            << u"--port: \"70000\" is not allowed; expected an integer from 0 to 65535"_s;
    QTest::newRow("a port above 65535 given in the environment")
            << NoFile << QStringList{u"DNOTIFIER_PORT=70000"_s} << NoFlags
            << u"DNOTIFIER_PORT: \"70000\" is not allowed; expected an integer from 0 to 65535"_s;
    QTest::newRow("a port above 65535 in the config file")
            << R"({"port": 70000})"_ba << NoEnv << NoFlags
            << u"node.json: port: 70000 is not allowed; expected an integer from 0 to 65535"_s;
    QTest::newRow("a port written as a JSON string")
            << R"({"port": "6001"})"_ba << NoEnv << NoFlags
            << u"port: \"6001\" has the wrong type (a string); expected an integer from 0 to 65535"_s;
    QTest::newRow("a port that is not a number")
            << NoFile << NoEnv << QStringList{u"--port"_s, u"http"_s}
            << u"--port: \"http\" is not allowed; expected an integer from 0 to 65535"_s;
    QTest::newRow("a fractional thread count")
            << R"({"io_threads": 1.5})"_ba << NoEnv << NoFlags
            << u"io_threads: 1.5 is not allowed; expected an integer from 0 to 256"_s;
    QTest::newRow("a negative activity timeout")
            << NoFile << QStringList{u"DNOTIFIER_ACTIVITY_TIMEOUT=-1"_s} << NoFlags
            << u"DNOTIFIER_ACTIVITY_TIMEOUT: \"-1\" is not allowed; expected an integer from 1 to 3600"_s;
    QTest::newRow("a zero pong timeout")
            << NoFile << NoEnv << QStringList{u"--pong-timeout"_s, u"0"_s}
            << u"--pong-timeout: \"0\" is not allowed; expected an integer from 1 to 3600"_s;
    QTest::newRow("a tiny HTTP body limit")
            << R"({"max_http_body_bytes": 10})"_ba << NoEnv << NoFlags
            << u"max_http_body_bytes: 10 is not allowed; expected an integer from 1024 to 67108864"_s;
    QTest::newRow("a negative webhook retry time")
            << R"({"webhook_retry_seconds": -5})"_ba << NoEnv << NoFlags
            << u"webhook_retry_seconds: -5 is not allowed; expected an integer from 0 to 86400"_s;
    QTest::newRow("an app connection limit of zero")
            << R"({"app": {"max_connections": 0}})"_ba << NoEnv << NoFlags
            << u"app.max_connections: 0 is not allowed; expected an integer from 1 to 1000000"_s;
    QTest::newRow("a string where a boolean belongs")
            << R"({"app": {"client_events": "yes"}})"_ba << NoEnv << NoFlags
            << u"app.client_events: \"yes\" has the wrong type (a string); expected true or false"_s;
    QTest::newRow("an empty data_dir")
            << R"({"data_dir": ""})"_ba << NoEnv << NoFlags
            << u"data_dir: \"\" is not allowed; expected a directory path"_s;
    QTest::newRow("a data_dir that is a number")
            << R"({"data_dir": 5})"_ba << NoEnv << NoFlags
            << u"data_dir: 5 has the wrong type (a number); expected a directory path"_s;
    QTest::newRow("app is not an object")
            << R"({"app": []})"_ba << NoEnv << NoFlags
            << u"app: [] has the wrong type (an array); expected an object"_s;
    QTest::newRow("apps is not an array")
            << R"({"apps": {}})"_ba << NoEnv << NoFlags
            << u"apps: {} has the wrong type (an object); expected an array of app objects"_s;
}

void tst_SettingsLoader::badNumbersAndTypes()
{
    verifyRejected();
}

void tst_SettingsLoader::unknownKeys_data()
{
    addRejectionColumns();

    QTest::newRow("an unknown top-level key lists the allowed ones")
            << R"({"prot": 6001})"_ba << NoEnv << NoFlags
            << u"unknown key \"prot\"; allowed at the top level are: activity_timeout, admin_host, admin_keys, admin_port, admin_tls_cert, admin_tls_key, advertise, app, apps, cluster_indirect_probes, cluster_probe_interval_ms, cluster_probe_timeout_ms, cluster_secret, cluster_suspicion_ms, data_dir, drain_delay, handshake_timeout, host, io_threads, join, log_level, max_client_connections, max_connections_per_address, max_http_body_bytes, node_name, peer_host, peer_port, peer_tls, pong_timeout, port, region, seeds, tls_cert, tls_key, trusted_proxies, webhook_leave_delay, webhook_retry_seconds"_s;
    QTest::newRow("an unknown app key lists the allowed ones")
            << R"({"app": {"max_conections": 5}})"_ba << NoEnv << NoFlags
            << u"unknown key \"app.max_conections\"; allowed in app are: api_key, client_events, enabled, id, key, "
               "max_api_requests_per_second, "
               "max_batch_size, max_channel_name_length, max_client_events_per_second, "
               "max_connections, max_event_channels, max_event_name_length, max_event_payload_bytes, "
               "max_message_bytes, max_messages_per_second, max_outbound_bytes, "
               "max_presence_member_bytes, max_presence_members, max_presence_user_id_length, "
               "max_subscriptions_per_connection, namespaces, secret, subscription_count_events, "
               "token_audience, token_issuer, token_key_file, webhook_batch_ms, webhooks"_s;
    QTest::newRow("an unknown key in an extra app")
            << R"({"apps": [{"id": "1", "key": "k", "secret": "s", "name": "x"}]})"_ba << NoEnv
            << NoFlags << u"unknown key \"apps[0].name\"; allowed in apps[0] are:"_s;
    QTest::newRow("an unknown webhook key")
            << R"({"app": {"webhooks": [{"uri": "https://h.example/"}]}})"_ba << NoEnv << NoFlags
            << u"unknown key \"app.webhooks[0].uri\"; allowed in app.webhooks[0] are: events, url"_s;
}

void tst_SettingsLoader::unknownKeys()
{
    verifyRejected();
}

void tst_SettingsLoader::badAddressesAndCredentials_data()
{
    addRejectionColumns();

    QTest::newRow("a host name instead of an address")
            << NoFile << NoEnv << QStringList{u"--host"_s, u"localhost"_s}
            << u"--host: \"localhost\" is not allowed; expected an IPv4 or IPv6 address"_s;
    QTest::newRow("an IPv4 shorthand that inet_aton would accept")
            << NoFile << QStringList{u"DNOTIFIER_HOST=127.1"_s} << NoFlags
            << u"DNOTIFIER_HOST: \"127.1\" is not allowed; expected an IPv4 or IPv6 address"_s;
    QTest::newRow("an app id with letters")
            << NoFile << NoEnv << QStringList{u"--app-id"_s, u"app-1"_s}
            << u"--app-id: \"app-1\" is not allowed; expected a string of 1 to 20 digits"_s;
    QTest::newRow("an app id written as a JSON number")
            << R"({"app": {"id": 123456}})"_ba << NoEnv << NoFlags
            << u"app.id: 123456 has the wrong type (a number); expected a string of digits"_s;
    QTest::newRow("an empty app key")
            << NoFile << NoEnv << QStringList{u"--app-key"_s, u""_s}
            << u"--app-key: \"\" is not allowed; expected 1 to 100 characters from A-Z, a-z, 0-9, '.', '_' and '-'"_s;
    QTest::newRow("an app key with a slash")
            << NoFile << QStringList{u"DNOTIFIER_APP_KEY=a/b"_s} << NoFlags
            << u"DNOTIFIER_APP_KEY: \"a/b\" is not allowed; expected 1 to 100 characters"_s;
    QTest::newRow("an empty secret in the config file")
            << R"({"app": {"secret": ""}})"_ba << NoEnv << NoFlags
            << u"app.secret: \"\" is not allowed; expected 1 to 200 printable ASCII characters without spaces"_s;
    QTest::newRow("an extra app without a secret")
            << R"({"apps": [{"id": "1", "key": "k"}]})"_ba << NoEnv << NoFlags
            << u"apps[0].secret is missing; every entry of apps needs id, key and secret"_s;
    QTest::newRow("an extra app with an empty key")
            << R"({"apps": [{"id": "1", "key": "", "secret": "s"}]})"_ba << NoEnv << NoFlags
            << u"apps[0].key: \"\" is not allowed"_s;
}

void tst_SettingsLoader::badAddressesAndCredentials()
{
    verifyRejected();
}

void tst_SettingsLoader::badWebhooks_data()
{
    addRejectionColumns();
    const QString eventNames = u"channel_occupied, channel_vacated, member_added, "
                               "member_removed, client_event, cache_miss, subscription_count"_s;

    QTest::newRow("an ftp webhook URL")
            << R"({"app": {"webhooks": [{"url": "ftp://h.example/"}]}})"_ba << NoEnv << NoFlags
            << u"app.webhooks[0].url: \"ftp://h.example/\" is not allowed; expected an http:// or https:// URL with a host"_s;
    QTest::newRow("a webhook URL without a host")
            << R"({"apps": [{"id": "1", "key": "k", "secret": "s", "webhooks": [{"url": "https:///x"}]}]})"_ba
            << NoEnv << NoFlags << u"apps[0].webhooks[0].url: \"https:///x\" is not allowed"_s;
    QTest::newRow("a webhook without a URL")
            << R"({"app": {"webhooks": [{"events": ["cache_miss"]}]}})"_ba << NoEnv << NoFlags
            << u"app.webhooks[0].url is missing"_s;
    QTest::newRow("a webhook event name outside the Pusher set")
            << R"({"app": {"webhooks": [{"url": "https://h.example/", "events": ["channel_occupied", "user_joined"]}]}})"_ba
            << NoEnv << NoFlags
            << u"app.webhooks[0].events[1]: \"user_joined\" is not allowed; expected one of "_s
                       + eventNames;
    QTest::newRow("webhook events given as one string")
            << R"({"app": {"webhooks": [{"url": "https://h.example/", "events": "cache_miss"}]}})"_ba
            << NoEnv << NoFlags
            << u"app.webhooks[0].events: \"cache_miss\" has the wrong type (a string); expected an array of event names"_s;
}

void tst_SettingsLoader::badWebhooks()
{
    verifyRejected();
}

void tst_SettingsLoader::badClusterAddresses_data()
{
    addRejectionColumns();
    const QString address = u"an IPv4 or IPv6 address such as 127.0.0.1, 0.0.0.0 or ::"_s;
    // QString, not auto: with QStringBuilder a deduced type would refer to a destroyed temporary.
    const auto endpoint = [](const QString &label, const QString &value) -> QString {
        return u"%1: %2 is not allowed; expected "_s.arg(label, value) + EndpointExpected;
    };

    QTest::newRow("a peer host name instead of an address")
            << NoFile << NoEnv << QStringList{u"--peer-host"_s, u"localhost"_s}
            << u"--peer-host: \"localhost\" is not allowed; expected "_s + address;
    QTest::newRow("a peer host in IPv4 shorthand")
            << NoFile << QStringList{u"DNOTIFIER_PEER_HOST=127.1"_s} << NoFlags
            << u"DNOTIFIER_PEER_HOST: \"127.1\" is not allowed; expected "_s + address;
    QTest::newRow("a peer host written as a JSON number")
            << R"({"peer_host": 1})"_ba << NoEnv << NoFlags
            << u"peer_host: 1 has the wrong type (a number); expected "_s + address;
    QTest::newRow("a peer port above 65535 given as a flag")
            << NoFile << NoEnv << QStringList{u"--peer-port"_s, u"70000"_s}
            << u"--peer-port: \"70000\" is not allowed; expected an integer from 0 to 65535"_s;
    QTest::newRow("a negative peer port in the environment")
            << NoFile << QStringList{u"DNOTIFIER_PEER_PORT=-1"_s} << NoFlags
            << u"DNOTIFIER_PEER_PORT: \"-1\" is not allowed; expected an integer from 0 to 65535"_s;
    QTest::newRow("a peer port written as a JSON string")
            << R"({"peer_port": "6002"})"_ba << NoEnv << NoFlags
            << u"peer_port: \"6002\" has the wrong type (a string); expected an integer from 0 to 65535"_s;

    QTest::newRow("an advertised address without a port")
            << NoFile << NoEnv << QStringList{u"--advertise"_s, u"node-b.example"_s}
            << endpoint(u"--advertise"_s, u"\"node-b.example\""_s);
    QTest::newRow("an advertised port of 0")
            << NoFile << QStringList{u"DNOTIFIER_ADVERTISE=10.0.0.2:0"_s} << NoFlags
            << endpoint(u"DNOTIFIER_ADVERTISE"_s, u"\"10.0.0.2:0\""_s);
    QTest::newRow("an advertised port above 65535")
            << NoFile << NoEnv << QStringList{u"--advertise"_s, u"h.example:65536"_s}
            << endpoint(u"--advertise"_s, u"\"h.example:65536\""_s);
    QTest::newRow("an advertised port with a leading zero")
            << NoFile << NoEnv << QStringList{u"--advertise"_s, u"h.example:06002"_s}
            << endpoint(u"--advertise"_s, u"\"h.example:06002\""_s);
    QTest::newRow("an advertised port that is not a number")
            << NoFile << NoEnv << QStringList{u"--advertise"_s, u"h.example:peer"_s}
            << endpoint(u"--advertise"_s, u"\"h.example:peer\""_s);
    QTest::newRow("an IPv6 address without brackets")
            << NoFile << NoEnv << QStringList{u"--advertise"_s, u"2001:db8::5:6002"_s}
            << endpoint(u"--advertise"_s, u"\"2001:db8::5:6002\""_s);
    QTest::newRow("an IPv4 address in brackets")
            << NoFile << NoEnv << QStringList{u"--advertise"_s, u"[10.0.0.2]:6002"_s}
            << endpoint(u"--advertise"_s, u"\"[10.0.0.2]:6002\""_s);
    QTest::newRow("an IPv6 address in brackets that does not parse")
            << NoFile << NoEnv << QStringList{u"--advertise"_s, u"[2001:db8:::5]:6002"_s}
            << endpoint(u"--advertise"_s, u"\"[2001:db8:::5]:6002\""_s);
    QTest::newRow("an IPv4 shorthand that the resolver would accept")
            << NoFile << NoEnv << QStringList{u"--advertise"_s, u"127.1:6002"_s}
            << endpoint(u"--advertise"_s, u"\"127.1:6002\""_s);
    QTest::newRow("a hexadecimal IPv4 address")
            << NoFile << NoEnv << QStringList{u"--advertise"_s, u"0x7f000001:6002"_s}
            << endpoint(u"--advertise"_s, u"\"0x7f000001:6002\""_s);
    QTest::newRow("an IPv4 address with a leading zero")
            << NoFile << NoEnv << QStringList{u"--advertise"_s, u"010.0.0.2:6002"_s}
            << endpoint(u"--advertise"_s, u"\"010.0.0.2:6002\""_s);
    QTest::newRow("an IPv4 address with an octet above 255")
            << NoFile << NoEnv << QStringList{u"--advertise"_s, u"300.1.1.1:6002"_s}
            << endpoint(u"--advertise"_s, u"\"300.1.1.1:6002\""_s);
    QTest::newRow("a host name with an underscore")
            << NoFile << NoEnv << QStringList{u"--advertise"_s, u"node_b.example:6002"_s}
            << endpoint(u"--advertise"_s, u"\"node_b.example:6002\""_s);
    QTest::newRow("a host name label starting with a hyphen")
            << NoFile << NoEnv << QStringList{u"--advertise"_s, u"-node.example:6002"_s}
            << endpoint(u"--advertise"_s, u"\"-node.example:6002\""_s);
    QTest::newRow("a host name with an empty label")
            << NoFile << NoEnv << QStringList{u"--advertise"_s, u"node..example:6002"_s}
            << endpoint(u"--advertise"_s, u"\"node..example:6002\""_s);
    QTest::newRow("a host name label of 64 characters")
            << NoFile << NoEnv
            << QStringList{u"--advertise"_s, QString(64, u'a') + u".example:6002"_s}
            << endpoint(u"--advertise"_s, u"\"%1.example:6002\""_s.arg(QString(64, u'a')));
    QTest::newRow("an advertised URL")
            << NoFile << NoEnv << QStringList{u"--advertise"_s, u"tcp://h.example:6002"_s}
            << endpoint(u"--advertise"_s, u"\"tcp://h.example:6002\""_s);
    QTest::newRow("an advertised address without a host")
            << NoFile << NoEnv << QStringList{u"--advertise"_s, u":6002"_s}
            << endpoint(u"--advertise"_s, u"\":6002\""_s);
    QTest::newRow("an empty advertised address in the file")
            << R"({"advertise": ""})"_ba << NoEnv << NoFlags << endpoint(u"advertise"_s, u"\"\""_s);
    QTest::newRow("an advertised address written as an object")
            << R"({"advertise": {"host": "h", "port": 1}})"_ba << NoEnv << NoFlags
            << u"advertise: {\"host\":\"h\",\"port\":1} has the wrong type (an object); expected "_s
                       + EndpointExpected;

    QTest::newRow("seeds given as one string in the file")
            << R"({"seeds": "a.example:6002"})"_ba << NoEnv << NoFlags
            << u"seeds: \"a.example:6002\" has the wrong type (a string); expected an array of host:port strings"_s;
    QTest::newRow("a seed written as a JSON number")
            << R"({"seeds": [6002]})"_ba << NoEnv << NoFlags
            << u"seeds[0]: 6002 has the wrong type (a number); expected "_s + EndpointExpected;
    QTest::newRow("the second seed in the file without a port")
            << R"({"seeds": ["a.example:6002", "b.example"]})"_ba << NoEnv << NoFlags
            << endpoint(u"seeds[1]"_s, u"\"b.example\""_s);
    QTest::newRow("a bad seed in the environment is named by itself")
            << NoFile << QStringList{u"DNOTIFIER_SEEDS=a.example:6002, ::1:6002"_s} << NoFlags
            << endpoint(u"DNOTIFIER_SEEDS"_s, u"\"::1:6002\""_s);
    QTest::newRow("a trailing comma in a seed flag")
            << NoFile << NoEnv << QStringList{u"--seeds"_s, u"a.example:6002,"_s}
            << endpoint(u"--seeds"_s, u"\"\""_s);
    QTest::newRow("an empty seed flag") << NoFile << NoEnv << QStringList{u"--seeds"_s, u""_s}
                                        << endpoint(u"--seeds"_s, u"\"\""_s);
}

void tst_SettingsLoader::badClusterAddresses()
{
    verifyRejected();
}

void tst_SettingsLoader::badClusterNamesAndTimings_data()
{
    addRejectionColumns();
    const QString region = u"1 to 64 characters from A-Z, a-z, 0-9, '.', '_' and '-'"_s;
    const QString nodeName = u"1 to 64 characters from A-Z, a-z, 0-9, '.', '_', ':' and '-'"_s;

    QTest::newRow("an empty region in the file")
            << R"({"region": ""})"_ba << NoEnv << NoFlags
            << u"region: \"\" is not allowed; expected "_s + region;
    QTest::newRow("a region of 65 characters")
            << NoFile << QStringList{u"DNOTIFIER_REGION="_s + QString(65, u'r')} << NoFlags
            << u"DNOTIFIER_REGION: \"%1\" is not allowed; expected "_s.arg(QString(65, u'r'))
                       + region;
    QTest::newRow("a region with a colon")
            << NoFile << NoEnv << QStringList{u"--region"_s, u"eu:west"_s}
            << u"--region: \"eu:west\" is not allowed; expected "_s + region;
    QTest::newRow("a region written as a JSON number")
            << R"({"region": 1})"_ba << NoEnv << NoFlags
            << u"region: 1 has the wrong type (a number); expected "_s + region;
    QTest::newRow("a node name with a slash")
            << NoFile << NoEnv << QStringList{u"--node-name"_s, u"node/1"_s}
            << u"--node-name: \"node/1\" is not allowed; expected "_s + nodeName;
    QTest::newRow("a node name with a space")
            << NoFile << QStringList{u"DNOTIFIER_NODE_NAME=node 1"_s} << NoFlags
            << u"DNOTIFIER_NODE_NAME: \"node 1\" is not allowed; expected "_s + nodeName;
    QTest::newRow("a node name of 65 characters")
            << QByteArray(R"({"node_name": ")" + QByteArray(65, 'n') + R"("})") << NoEnv << NoFlags
            << u"node_name: \"%1\" is not allowed; expected "_s.arg(QString(65, u'n')) + nodeName;
    QTest::newRow("an empty node name flag")
            << NoFile << NoEnv << QStringList{u"--node-name"_s, u""_s}
            << u"--node-name: \"\" is not allowed; expected "_s + nodeName;

    QTest::newRow("a probe interval below 50 ms")
            << NoFile << QStringList{u"DNOTIFIER_CLUSTER_PROBE_INTERVAL_MS=49"_s} << NoFlags
            << u"DNOTIFIER_CLUSTER_PROBE_INTERVAL_MS: \"49\" is not allowed; expected an integer from 50 to 60000"_s;
    QTest::newRow("a probe interval above a minute")
            << R"({"cluster_probe_interval_ms": 60001})"_ba << NoEnv << NoFlags
            << u"cluster_probe_interval_ms: 60001 is not allowed; expected an integer from 50 to 60000"_s;
    QTest::newRow("a probe interval written as a JSON string")
            << R"({"cluster_probe_interval_ms": "500"})"_ba << NoEnv << NoFlags
            << u"cluster_probe_interval_ms: \"500\" has the wrong type (a string); expected an integer from 50 to 60000"_s;
    QTest::newRow("a probe timeout below 10 ms")
            << NoFile << QStringList{u"DNOTIFIER_CLUSTER_PROBE_TIMEOUT_MS=9"_s} << NoFlags
            << u"DNOTIFIER_CLUSTER_PROBE_TIMEOUT_MS: \"9\" is not allowed; expected an integer from 10 to 60000"_s;
    QTest::newRow("a probe timeout above a minute")
            << R"({"cluster_probe_timeout_ms": 60001})"_ba << NoEnv << NoFlags
            << u"cluster_probe_timeout_ms: 60001 is not allowed; expected an integer from 10 to 60000"_s;
    QTest::newRow("a suspicion time below 100 ms")
            << R"({"cluster_suspicion_ms": 99})"_ba << NoEnv << NoFlags
            << u"cluster_suspicion_ms: 99 is not allowed; expected an integer from 100 to 600000"_s;
    QTest::newRow("a suspicion time above ten minutes")
            << NoFile << QStringList{u"DNOTIFIER_CLUSTER_SUSPICION_MS=600001"_s} << NoFlags
            << u"DNOTIFIER_CLUSTER_SUSPICION_MS: \"600001\" is not allowed; expected an integer from 100 to 600000"_s;
    QTest::newRow("more than 16 indirect probes")
            << R"({"cluster_indirect_probes": 17})"_ba << NoEnv << NoFlags
            << u"cluster_indirect_probes: 17 is not allowed; expected an integer from 0 to 16"_s;
    QTest::newRow("a negative number of indirect probes")
            << NoFile << QStringList{u"DNOTIFIER_CLUSTER_INDIRECT_PROBES=-1"_s} << NoFlags
            << u"DNOTIFIER_CLUSTER_INDIRECT_PROBES: \"-1\" is not allowed; expected an integer from 0 to 16"_s;
    QTest::newRow("a fractional number of indirect probes")
            << R"({"cluster_indirect_probes": 1.5})"_ba << NoEnv << NoFlags
            << u"cluster_indirect_probes: 1.5 is not allowed; expected an integer from 0 to 16"_s;
}

void tst_SettingsLoader::badClusterNamesAndTimings()
{
    verifyRejected();
}

void tst_SettingsLoader::probeTimeoutNotBelowInterval_data()
{
    addRejectionColumns();

    QTest::newRow("a timeout equal to the interval, both in the file")
            << R"({"cluster_probe_interval_ms": 300, "cluster_probe_timeout_ms": 300})"_ba << NoEnv
            << NoFlags
            << u"cluster_probe_timeout_ms: 300 is not allowed; expected an integer smaller than cluster_probe_interval_ms, which is 300"_s;
    QTest::newRow("a timeout from the environment above the default interval")
            << NoFile << QStringList{u"DNOTIFIER_CLUSTER_PROBE_TIMEOUT_MS=600"_s} << NoFlags
            << u"DNOTIFIER_CLUSTER_PROBE_TIMEOUT_MS: \"600\" is not allowed; expected an integer smaller than cluster_probe_interval_ms, which is 500 (the default)"_s;
    QTest::newRow("an interval from the environment below the default timeout")
            << NoFile << QStringList{u"DNOTIFIER_CLUSTER_PROBE_INTERVAL_MS=200"_s} << NoFlags
            << u"cluster_probe_timeout_ms: 250 (the default) is not allowed; expected an integer smaller than DNOTIFIER_CLUSTER_PROBE_INTERVAL_MS, which is \"200\""_s;
    QTest::newRow("a timeout from the file against an interval from the environment")
            << R"({"cluster_probe_interval_ms": 1000, "cluster_probe_timeout_ms": 100})"_ba
            << QStringList{u"DNOTIFIER_CLUSTER_PROBE_INTERVAL_MS=100"_s} << NoFlags
            << u"cluster_probe_timeout_ms: 100 is not allowed; expected an integer smaller than DNOTIFIER_CLUSTER_PROBE_INTERVAL_MS, which is \"100\""_s;
}

void tst_SettingsLoader::probeTimeoutNotBelowInterval()
{
    verifyRejected();
}

void tst_SettingsLoader::duplicateApps_data()
{
    addRejectionColumns();

    QTest::newRow("two extra apps with the same id")
            << R"({"apps": [{"id": "7", "key": "a", "secret": "s"}, {"id": "7", "key": "b", "secret": "s"}]})"_ba
            << NoEnv << NoFlags
            << u"apps[1].id: \"7\" is not allowed; expected an id that no other app uses (apps[0] has it too)"_s;
    QTest::newRow("an extra app reusing the default app's id from the environment")
            << R"({"apps": [{"id": "7", "key": "a", "secret": "s"}]})"_ba
            << QStringList{u"DNOTIFIER_APP_ID=7"_s} << NoFlags
            << u"apps[0].id: \"7\" is not allowed; expected an id that no other app uses (the default app has it too)"_s;
    QTest::newRow("an extra app reusing the default app's key from a flag")
            << R"({"apps": [{"id": "8", "key": "shared", "secret": "s"}]})"_ba << NoEnv
            << QStringList{u"--app-key"_s, u"shared"_s}
            << u"apps[0].key: \"shared\" is not allowed; expected a key that no other app uses (the default app has it too)"_s;
}

void tst_SettingsLoader::duplicateApps()
{
    verifyRejected();
}

void tst_SettingsLoader::secretsAreNeverEchoed_data()
{
    addRejectionColumns();
    const QString clusterSecret =
            u"is not allowed; expected 16 to 200 printable ASCII characters without spaces"_s;
    const QString joinToken =
            u"is not allowed; expected a token from dnotifier-node join-token, which starts with \"dnj1.\""_s;

    QTest::newRow("a secret with a space given as a flag")
            << NoFile << NoEnv << QStringList{u"--app-secret"_s, u"hunter2 hunter2"_s}
            << u"--app-secret: a value of 15 characters (not shown) is not allowed; expected 1 to 200 printable ASCII characters without spaces"_s;
    QTest::newRow("a non-ASCII secret in the config file")
            << R"({"app": {"secret": "hunter2é"}})"_ba << NoEnv << NoFlags
            << u"app.secret: a value of 8 characters (not shown) is not allowed"_s;
    QTest::newRow("a secret written as a JSON number")
            << R"({"apps": [{"id": "1", "key": "k", "secret": 31337}]})"_ba << NoEnv << NoFlags
            << u"apps[0].secret: the value (not shown) has the wrong type (a number); expected a string"_s;

    QTest::newRow("a cluster secret of 15 characters in the file")
            << R"({"cluster_secret": "hunter2hunter2!"})"_ba << NoEnv << NoFlags
            << u"cluster_secret: a value of 15 characters (not shown) "_s + clusterSecret;
    QTest::newRow("a cluster secret of 201 characters in the environment")
            << NoFile
            << QStringList{u"DNOTIFIER_CLUSTER_SECRET="_s + u"hunter2"_s.repeated(28) + u"12345"_s}
            << NoFlags
            << u"DNOTIFIER_CLUSTER_SECRET: a value of 201 characters (not shown) "_s
                       + clusterSecret;
    QTest::newRow("a cluster secret with a space")
            << NoFile << QStringList{u"DNOTIFIER_CLUSTER_SECRET=hunter2 hunter2 hunter2"_s}
            << NoFlags
            << u"DNOTIFIER_CLUSTER_SECRET: a value of 23 characters (not shown) "_s + clusterSecret;
    QTest::newRow("a non-ASCII cluster secret")
            << R"({"cluster_secret": "hunter2hunter2hunter2é"})"_ba << NoEnv << NoFlags
            << u"cluster_secret: a value of 22 characters (not shown) "_s + clusterSecret;
    QTest::newRow("an empty cluster secret in the file")
            << R"({"cluster_secret": ""})"_ba << NoEnv << NoFlags
            << u"cluster_secret: \"\" "_s + clusterSecret;
    QTest::newRow("a cluster secret written as a JSON number")
            << R"({"cluster_secret": 31337})"_ba << NoEnv << NoFlags
            << u"cluster_secret: the value (not shown) has the wrong type (a number); expected a string"_s;

    QTest::newRow("a join token without its prefix in a flag")
            << NoFile << NoEnv << QStringList{u"--join"_s, u"dnj2.hunter2"_s}
            << u"--join: a value of 12 characters (not shown) "_s + joinToken;
    QTest::newRow("a join token without its prefix in the environment")
            << NoFile << QStringList{u"DNOTIFIER_JOIN=hunter2"_s} << NoFlags
            << u"DNOTIFIER_JOIN: a value of 7 characters (not shown) "_s + joinToken;
    QTest::newRow("an empty join flag")
            << NoFile << NoEnv << QStringList{u"--join"_s, u""_s} << u"--join: \"\" "_s + joinToken;
    QTest::newRow("a join token written as a JSON number")
            << R"({"join": 31337})"_ba << NoEnv << NoFlags
            << u"join: the value (not shown) has the wrong type (a number); expected a string"_s;
}

void tst_SettingsLoader::secretsAreNeverEchoed()
{
    QFETCH(QByteArray, fileJson);
    QFETCH(QStringList, env);
    QFETCH(QStringList, flags);
    QFETCH(QString, expected);

    if (!fileJson.isEmpty()) {
        flags << u"--config"_s << writeFile(*m_dir, fileJson);
    }
    const Result<NodeSettings> settings = resolve(flags, env);
    QVERIFY(!settings);
    const QString message = settings.error().message;
    QVERIFY2(message.contains(expected), qPrintable(message));
    QVERIFY2(!message.contains(u"hunter2"_s), qPrintable(message));
    QVERIFY2(!message.contains(u"31337"_s), qPrintable(message));
}

void tst_SettingsLoader::malformedJson_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("position");

    QTest::newRow("an object that is never closed") << R"({"port": 6001)"_ba << u"line 1"_s;
    // Qt's offset points just past the brace that broke the object, hence column 2.
    QTest::newRow("a trailing comma on the third line")
            << "{\n  \"port\": 6001,\n  \"host\": \"::\",\n}"_ba
            << u"line 4, column 2 (offset 35)"_s;
    QTest::newRow("an empty file") << QByteArray() << u"line 1, column 1 (offset 0)"_s;
}

void tst_SettingsLoader::malformedJson()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, position);

    QJsonParseError expected;
    QVERIFY(QJsonDocument::fromJson(json, &expected).isNull());
    const QString path = writeFile(*m_dir, json);

    const Result<NodeSettings> settings = resolve({u"--config"_s, path});
    QVERIFY(!settings);
    const QString message = settings.error().message;
    QVERIFY2(message.startsWith(path + u": not valid JSON: "_s + expected.errorString()),
             qPrintable(message));
    QVERIFY2(message.contains(u"(offset %1)"_s.arg(expected.offset)), qPrintable(message));
    QVERIFY2(message.contains(position), qPrintable(message));
}

void tst_SettingsLoader::unreadableConfigFile_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("reason");

    QTest::newRow("a config file that does not exist")
            << u"missing.json"_s << u"No such file or directory"_s;
    QTest::newRow("a config path naming a directory") << u"."_s << u"directory"_s;
}

void tst_SettingsLoader::unreadableConfigFile()
{
    QFETCH(QString, name);
    QFETCH(QString, reason);

    const QString path = m_dir->filePath(name);
    const Result<NodeSettings> settings = resolve({}, {u"DNOTIFIER_CONFIG="_s + path});
    QVERIFY(!settings);
    const QString message = settings.error().message;
    QVERIFY2(message.startsWith(u"cannot read config file \"%1\": "_s.arg(path)),
             qPrintable(message));
    QVERIFY2(message.contains(reason), qPrintable(message));
}

void tst_SettingsLoader::distinctAppsCheckedAgainAfterFilling()
{
    const QByteArray json = R"({"apps": [{"id": "123456", "key": "k", "secret": "s"}]})"_ba;
    Result<NodeSettings> settings = resolve({u"--config"_s, writeFile(*m_dir, json)});
    QVERIFY2(settings, qPrintable(settings.error().message));
    QVERIFY(checkAppsDistinct(*settings));

    // As if the stored default app's id came back from the data directory.
    settings.value().defaultApp.id = u"123456"_s;
    const Result<void> distinct = checkAppsDistinct(*settings);
    QVERIFY(!distinct);
    QVERIFY2(distinct.error().message.contains(u"apps[0].id: \"123456\""_s),
             qPrintable(distinct.error().message));
}

void tst_SettingsLoader::adminEndpointSettings()
{
    const AdminSettings defaults;
    QCOMPARE(defaults.host, QHostAddress(QHostAddress::LocalHost));
    QCOMPARE(defaults.port, quint16(6003));
    const QString config = writeFile(*m_dir, R"({"admin_host": "::1", "admin_port": 7003,
        "admin_tls_cert": "certs/admin.pem", "admin_tls_key": "certs/admin.key",
        "admin_keys": [{"name": "ops@example", "role": "admin", "key": "0123456789abcdef0123"},
                       {"name": "viewer", "role": "read-only", "key": "fedcba9876543210fedc"}]})"_ba);
    const Result<NodeSettings> settings =
            resolve({u"--config"_s, config, u"--admin-port"_s, u"0"_s});
    QVERIFY2(settings, qPrintable(settings.error().message));
    QCOMPARE(settings->admin.host, QHostAddress(u"::1"_s));
    QCOMPARE(settings->admin.port, quint16(0));
    QCOMPARE(settings->admin.certificateFile, QDir(m_dir->path()).filePath(u"certs/admin.pem"_s));
    QCOMPARE(settings->admin.keyFile, QDir(m_dir->path()).filePath(u"certs/admin.key"_s));
    QCOMPARE(settings->admin.keys.size(), 2);
    QCOMPARE(settings->admin.keys.at(0).name, u"ops@example"_s);
    QCOMPARE(settings->admin.keys.at(0).role, AdminRole::Admin);
    QCOMPARE(settings->admin.keys.at(1).role, AdminRole::ReadOnly);
    QCOMPARE(settings->admin.keys.at(1).key, "fedcba9876543210fedc"_ba);
    const Result<NodeSettings> fromEnv = resolve({}, {u"DNOTIFIER_ADMIN_HOST=0.0.0.0"_s});
    QVERIFY2(fromEnv, qPrintable(fromEnv.error().message));
    QCOMPARE(fromEnv->admin.host, QHostAddress(QHostAddress::AnyIPv4));
}

void tst_SettingsLoader::badAdminSettings_data()
{
    addRejectionColumns();
    QTest::newRow("an admin port out of range")
            << NoFile << NoEnv << QStringList{u"--admin-port"_s, u"70000"_s}
            << u"--admin-port: \"70000\" is not allowed; expected an integer from 0 to 65535"_s;
    QTest::newRow("a certificate without its key")
            << R"({"admin_tls_cert": "a.pem"})"_ba << NoEnv << NoFlags
            << u"admin_tls_cert is set but admin_tls_key is not; the admin endpoint needs both or neither"_s;
    QTest::newRow("a key without its certificate")
            << NoFile << QStringList{u"DNOTIFIER_ADMIN_TLS_KEY=a.key"_s} << NoFlags
            << u"admin_tls_key is set but admin_tls_cert is not"_s;
    QTest::newRow("admin keys that are not a list")
            << R"({"admin_keys": {"name": "a"}})"_ba << NoEnv << NoFlags
            << u"admin_keys: {\"name\":\"a\"} has the wrong type (an object); expected an array of admin key objects"_s;
    QTest::newRow("an admin key with an unknown role")
            << R"({"admin_keys": [{"name": "a", "role": "root", "key": "0123456789abcdef"}]})"_ba
            << NoEnv << NoFlags
            << u"admin_keys[0].role: \"root\" is not allowed; expected \"admin\" or \"read-only\""_s;
    QTest::newRow("an admin key too short to guard anything")
            << R"({"admin_keys": [{"name": "a", "role": "admin", "key": "short"}]})"_ba << NoEnv
            << NoFlags
            << u"admin_keys[0].key: a value of 5 characters (not shown) is not allowed; expected 16 to"_s;
    QTest::newRow("an admin key without a name")
            << R"({"admin_keys": [{"role": "admin", "key": "0123456789abcdef"}]})"_ba << NoEnv
            << NoFlags
            << u"admin_keys[0].name is missing; every admin key needs a name, role and key"_s;
    QTest::newRow("an unknown field in an admin key")
            << R"({"admin_keys": [{"name": "a", "role": "admin", "key": "0123456789abcdef", "ttl": 1}]})"_ba
            << NoEnv << NoFlags << u"unknown key \"admin_keys[0].ttl\""_s;
}

void tst_SettingsLoader::badAdminSettings()
{
    verifyRejected();
}

QTEST_GUILESS_MAIN(tst_SettingsLoader)
#include "tst_settingsloader.moc"
