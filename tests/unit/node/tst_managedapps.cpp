// App credentials changed through the admin channel: the file they are kept in, how they
// apply over the configured apps, how two nodes' lists merge, and the registry serving a new
// set of apps while pointers to the old one stay valid.

#include <node/apps/appregistry.h>
#include <node/apps/managedapps.h>

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace DNotifier;
using namespace DNotifier::Apps;
using namespace Qt::Literals::StringLiterals;

namespace {

Config::AppSettings configured(const QString &id, const QByteArray &key, const QByteArray &secret)
{
    Config::AppSettings app;
    app.id = id;
    app.key = key;
    app.secret = secret;
    app.maxConnections = 7;
    return app;
}

} // namespace

class tst_ManagedApps : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void savedAndLoadedAgain();
    void missingFileMeansNone();
    void damagedFileIsAnError();
    void managedAppsOverrideAndAdd();
    void laterChangeWinsWhateverTheOrder();
    void invalidIncomingEntriesAreIgnored();
    void registryServesTheNewTableAndKeepsCounts();
};

void tst_ManagedApps::savedAndLoadedAgain()
{
    QTemporaryDir dir;
    const QList<ManagedApp> apps{{u"123456"_s, "abc"_ba, "s3cret"_ba, false, 42}};
    QVERIFY(saveManagedApps(dir.path(), apps));
    QCOMPARE(QFile::permissions(dir.filePath(ManagedAppsFileName)),
             QFile::ReadOwner | QFile::WriteOwner | QFile::ReadUser | QFile::WriteUser);
    const Result<QList<ManagedApp>> loaded = loadManagedApps(dir.path());
    QVERIFY2(loaded, qPrintable(loaded.error().message));
    QCOMPARE(*loaded, apps);
}

void tst_ManagedApps::missingFileMeansNone()
{
    QTemporaryDir dir;
    const Result<QList<ManagedApp>> loaded = loadManagedApps(dir.path());
    QVERIFY(loaded);
    QVERIFY(loaded->isEmpty());
}

void tst_ManagedApps::damagedFileIsAnError()
{
    QTemporaryDir dir;
    QFile file(dir.filePath(ManagedAppsFileName));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(R"({"apps": [{"id": "not digits", "key": "k", "secret": "s"}]})");
    file.close();
    const Result<QList<ManagedApp>> loaded = loadManagedApps(dir.path());
    QVERIFY(!loaded);
    QVERIFY2(loaded.error().message.contains(u"is damaged"_s), qPrintable(loaded.error().message));
}

void tst_ManagedApps::managedAppsOverrideAndAdd()
{
    const QList<Config::AppSettings> apps =
            withManagedApps({configured(u"1"_s, "k1"_ba, "s1"_ba),
                             configured(u"2"_s, "k2"_ba, "s2"_ba)},
                            {{u"2"_s, "rotated"_ba, "new"_ba, false, 5},
                             {u"3"_s, "k3"_ba, "s3"_ba, true, 6}});
    QCOMPARE(apps.size(), 3);
    QCOMPARE(apps.at(0).key, "k1"_ba);
    QCOMPARE(apps.at(1).key, "rotated"_ba);
    QCOMPARE(apps.at(1).secret, "new"_ba);
    QCOMPARE(apps.at(1).enabled, false);
    // Limits stay as configured for an overridden app, built in for an added one.
    QCOMPARE(apps.at(1).maxConnections, 7);
    QCOMPARE(apps.at(2).id, u"3"_s);
    QCOMPARE(apps.at(2).maxConnections, Config::AppSettings().maxConnections);
}

void tst_ManagedApps::laterChangeWinsWhateverTheOrder()
{
    const ManagedApp early{u"9"_s, "early"_ba, "s"_ba, true, 100};
    const ManagedApp late{u"9"_s, "late"_ba, "s"_ba, false, 200};
    QList<ManagedApp> a{early};
    QVERIFY(mergeManagedApps(a, {late}));
    QList<ManagedApp> b{late};
    QVERIFY(!mergeManagedApps(b, {early}));
    QCOMPARE(a, b);
    QCOMPARE(a.constFirst().key, "late"_ba);
    // Equal versions: the larger key wins on every node.
    QList<ManagedApp> c{{u"9"_s, "aaa"_ba, "s"_ba, true, 300}};
    QVERIFY(mergeManagedApps(c, {{u"9"_s, "bbb"_ba, "s"_ba, true, 300}}));
    QCOMPARE(c.constFirst().key, "bbb"_ba);
    QVERIFY(!mergeManagedApps(c, {{u"9"_s, "aaa"_ba, "s"_ba, true, 300}}));
}

void tst_ManagedApps::invalidIncomingEntriesAreIgnored()
{
    QList<ManagedApp> held;
    QVERIFY(!mergeManagedApps(held, {{u"x1"_s, "k"_ba, "s"_ba, true, 1},
                                     {u"1"_s, "has space"_ba, "s"_ba, true, 1},
                                     {u"1"_s, "k"_ba, QByteArray(), true, 1}}));
    QVERIFY(held.isEmpty());
}

void tst_ManagedApps::registryServesTheNewTableAndKeepsCounts()
{
    Result<std::shared_ptr<AppRegistry>> created =
            AppRegistry::create({configured(u"1"_s, "k1"_ba, "s1"_ba)});
    QVERIFY(created);
    AppRegistry &registry = *created.value();
    const Config::AppSettings *before = registry.byKey("k1");
    QVERIFY(before);
    QVERIFY(registry.tryOpenConnection(*before));
    QVERIFY(registry.replace(
            {configured(u"1"_s, "k1b"_ba, "s1b"_ba), configured(u"2"_s, "k2"_ba, "s2"_ba)}));
    QVERIFY(!registry.byKey("k1"));
    QCOMPARE(registry.byKey("k1b")->secret, "s1b"_ba);
    QCOMPARE(registry.byId(u"2")->key, "k2"_ba);
    // A pointer from before the change still reads the old settings.
    QCOMPARE(before->key, "k1"_ba);
    // The connection counted before counts against the app's limit of 7 still.
    const Config::AppSettings *after = registry.byId(u"1");
    for (int i = 0; i < 6; ++i) {
        QVERIFY(registry.tryOpenConnection(*after));
    }
    QVERIFY(!registry.tryOpenConnection(*after));
    QVERIFY(registry.tokenKeys(u"2"_s));
}

QTEST_GUILESS_MAIN(tst_ManagedApps)
#include "tst_managedapps.moc"
