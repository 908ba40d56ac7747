#include <node/config/commandline.h>
#include <node/config/settingsloader.h>

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace DNotifier;
using namespace DNotifier::Config;
using namespace Qt::Literals::StringLiterals;

class tst_Namespaces final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void readsEveryKey();
    void defaultsWithoutNamespaces();
    void namespaceOfPicksByPrefix();
    void refuses_data();
    void refuses();
    void apiKeyIsReadAndNeverEchoed();

private:
    Result<NodeSettings> load(const QByteArray &appJson);

    QTemporaryDir m_dir;
};

Result<NodeSettings> tst_Namespaces::load(const QByteArray &appJson)
{
    const QString path = m_dir.filePath(u"node.json"_s);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        return Error{0, u"cannot write the test config"_s};
    }
    file.write("{\"app\":" + appJson + "}");
    file.close();
    CommandLine commandLine;
    commandLine.configFile = path;
    QProcessEnvironment environment;
    environment.insert(u"HOME"_s, m_dir.path());
    return resolveSettings(commandLine, environment);
}

void tst_Namespaces::readsEveryKey()
{
    const auto settings =
            load("{\"namespaces\":[{\"name\":\"chat\",\"history_size\":50,\"history_ttl\":600,"
                 "\"presence\":true,\"join_leave\":true,\"allow_publish\":true,"
                 "\"allow_subscribe\":false},{\"name\":\"\"}]}");
    QVERIFY2(settings.isOk(), qPrintable(settings.error().message));
    const QList<NamespaceSettings> &spaces = settings->defaultApp.namespaces;
    QCOMPARE(spaces.size(), 2);
    QCOMPARE(spaces.at(0).name, u"chat"_s);
    QCOMPARE(spaces.at(0).historySize, 50);
    QCOMPARE(spaces.at(0).historyTtlSeconds, 600);
    QVERIFY(spaces.at(0).presence);
    QVERIFY(spaces.at(0).joinLeave);
    QVERIFY(spaces.at(0).allowPublish);
    QVERIFY(!spaces.at(0).allowSubscribe);
    QCOMPARE(spaces.at(1).name, QString());
    QCOMPARE(spaces.at(1).historySize, 0);
    QCOMPARE(spaces.at(1).historyTtlSeconds, 300);
    QVERIFY(!spaces.at(1).presence);
    QVERIFY(!spaces.at(1).allowPublish);
    QVERIFY(spaces.at(1).allowSubscribe);
}

void tst_Namespaces::defaultsWithoutNamespaces()
{
    const auto settings = load("{}");
    QVERIFY(settings.isOk());
    const AppSettings &app = settings->defaultApp;
    QVERIFY(app.namespaces.isEmpty());
    const NamespaceSettings *plain = app.namespaceOf(u"news");
    QVERIFY(plain);
    QCOMPARE(plain->historySize, 0);
    QVERIFY(plain->allowSubscribe);
    QVERIFY(!plain->allowPublish);
    QCOMPARE(app.namespaceOf(u"chat:room"), nullptr);
}

void tst_Namespaces::namespaceOfPicksByPrefix()
{
    AppSettings app;
    app.namespaces = {NamespaceSettings{u"chat"_s, 10}, NamespaceSettings{QString(), 5}};
    QCOMPARE(app.namespaceOf(u"chat:room-1")->historySize, 10);
    QCOMPARE(app.namespaceOf(u"news")->historySize, 5);
    // Only the part before the first ':' names the namespace.
    QCOMPARE(app.namespaceOf(u"chat:a:b")->historySize, 10);
    QCOMPARE(app.namespaceOf(u"chatter:x"), nullptr);
    QCOMPARE(app.namespaceOf(u":x"), app.namespaceOf(u"news"));
}

void tst_Namespaces::refuses_data()
{
    QTest::addColumn<QByteArray>("appJson");
    QTest::addColumn<QStringList>("words");

    QTest::newRow("namespaces that are not an array")
            << QByteArray("{\"namespaces\":{}}") << QStringList{u"app.namespaces"_s, u"array"_s};
    QTest::newRow("a namespace without a name")
            << QByteArray("{\"namespaces\":[{\"presence\":true}]}")
            << QStringList{u"app.namespaces[0].name is missing"_s};
    QTest::newRow("a name with a colon")
            << QByteArray("{\"namespaces\":[{\"name\":\"a:b\"}]}")
            << QStringList{u"app.namespaces[0].name"_s, u"\"a:b\""_s, u"up to 64 letters"_s};
    QTest::newRow("the same name twice")
            << QByteArray("{\"namespaces\":[{\"name\":\"chat\"},{\"name\":\"chat\"}]}")
            << QStringList{u"app.namespaces[1].name"_s, u"\"chat\""_s, u"no other namespace"_s};
    QTest::newRow("a history size over the limit")
            << QByteArray("{\"namespaces\":[{\"name\":\"chat\",\"history_size\":10001}]}")
            << QStringList{u"app.namespaces[0].history_size"_s, u"10001"_s, u"0 to 10000"_s};
    QTest::newRow("a history time to live of zero")
            << QByteArray("{\"namespaces\":[{\"name\":\"chat\",\"history_ttl\":0}]}")
            << QStringList{u"app.namespaces[0].history_ttl"_s, u"1 to 86400"_s};
    QTest::newRow("a switch given as a string")
            << QByteArray("{\"namespaces\":[{\"name\":\"chat\",\"presence\":\"yes\"}]}")
            << QStringList{u"app.namespaces[0].presence"_s, u"\"yes\""_s, u"true or false"_s};
    QTest::newRow("an unknown key")
            << QByteArray("{\"namespaces\":[{\"name\":\"chat\",\"history\":5}]}")
            << QStringList{u"app.namespaces[0].history"_s, u"allowed"_s, u"history_size"_s};
}

void tst_Namespaces::refuses()
{
    QFETCH(QByteArray, appJson);
    QFETCH(QStringList, words);
    const auto settings = load(appJson);
    QVERIFY(!settings.isOk());
    for (const QString &word : words) {
        QVERIFY2(settings.error().message.contains(word),
                 qPrintable(settings.error().message + u" lacks "_s + word));
    }
}

void tst_Namespaces::apiKeyIsReadAndNeverEchoed()
{
    const auto settings = load("{\"api_key\":\"service-key-1\"}");
    QVERIFY(settings.isOk());
    QCOMPARE(settings->defaultApp.apiKey, QByteArray("service-key-1"));

    const auto spaced = load("{\"api_key\":\"has a space\"}");
    QVERIFY(!spaced.isOk());
    QVERIFY(spaced.error().message.contains(u"app.api_key"_s));
    QVERIFY(!spaced.error().message.contains(u"has a space"_s));

    const auto number = load("{\"api_key\":12345}");
    QVERIFY(!number.isOk());
    QVERIFY(!number.error().message.contains(u"12345"_s));
}

QTEST_GUILESS_MAIN(tst_Namespaces)
#include "tst_namespaces.moc"
