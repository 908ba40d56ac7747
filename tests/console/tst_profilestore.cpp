// Profiles in QSettings, their keys in a SecretStore, and never the other way round.

#include <console/profiles/memorysecretstore.h>
#include <console/profiles/profilestore.h>

#include <QFile>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace DNotifier;
using namespace DNotifier::Console;
using namespace Qt::Literals::StringLiterals;

class tst_ProfileStore final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void savedProfilesComeBackSortedByName();
    void savingAgainReplacesAndRemoveForgets();
    void incompleteEntriesAreIgnored();
    void keyGoesToTheSecretStoreOnly();
    void unavailableSecretStoreKeepsNothing();

private:
    std::unique_ptr<ProfileStore> openStore() const;

    QString settingsPath() const { return m_dir->filePath(u"console.ini"_s); }

    std::unique_ptr<QTemporaryDir> m_dir;
};

void tst_ProfileStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

std::unique_ptr<ProfileStore> tst_ProfileStore::openStore() const
{
    return std::make_unique<ProfileStore>(
            std::make_unique<QSettings>(settingsPath(), QSettings::IniFormat));
}

void tst_ProfileStore::savedProfilesComeBackSortedByName()
{
    const QString pin = u"AB:"_s.repeated(31) + u"AB"_s;
    Profile zulu;
    zulu.name = u"zulu"_s;
    zulu.port = 7003;
    zulu.pinnedFingerprint = pin;
    Profile alpha;
    alpha.name = u"alpha"_s;
    alpha.host = u"127.0.0.2"_s;
    {
        auto store = openStore();
        QSignalSpy changed(store.get(), &ProfileStore::profilesChanged);
        zulu = store->save(zulu);
        alpha = store->save(alpha);
        QCOMPARE(changed.size(), 2);
        QVERIFY(!zulu.id.isEmpty());
        QVERIFY(zulu.id != alpha.id);
        store->setLastUsedId(zulu.id);
    }
    const auto reopened = openStore();
    QCOMPARE(reopened->profiles(), (QList<Profile>{alpha, zulu}));
    QCOMPARE(reopened->find(zulu.id)->pinnedFingerprint, pin);
    QCOMPARE(reopened->find(zulu.id)->port, quint16(7003));
    QCOMPARE(reopened->lastUsedId(), zulu.id);
}

void tst_ProfileStore::savingAgainReplacesAndRemoveForgets()
{
    auto store = openStore();
    Profile profile;
    profile.name = u"eu"_s;
    profile = store->save(profile);
    store->setLastUsedId(profile.id);
    profile.name = u"eu-west"_s;
    profile.pinnedFingerprint = u"01:"_s.repeated(31) + u"01"_s;
    store->save(profile);
    QCOMPARE(store->profiles().size(), 1);
    QCOMPARE(store->profiles().first().name, u"eu-west"_s);

    store->remove(profile.id);
    QVERIFY(store->profiles().isEmpty());
    QVERIFY(!store->find(profile.id));
    QCOMPARE(store->lastUsedId(), QString());
}

void tst_ProfileStore::incompleteEntriesAreIgnored()
{
    {
        QSettings settings(settingsPath(), QSettings::IniFormat);
        settings.setValue(u"profiles/broken/name"_s, u"no host or port"_s);
        settings.setValue(u"profiles/broken/port"_s, u"not a number"_s);
    }
    auto store = openStore();
    QVERIFY(store->profiles().isEmpty());
    QVERIFY(!store->find(u"broken"_s));
    QVERIFY(!store->find(u"../escape"_s));
}

void tst_ProfileStore::keyGoesToTheSecretStoreOnly()
{
    const QString key = u"a-very-secret-admin-key-0123456789"_s;
    auto store = openStore();
    MemorySecretStore secrets;
    Profile profile;
    profile.name = u"local"_s;
    profile = store->save(profile);

    std::optional<Result<void>> written;
    secrets.write(profile.id, key, this, [&](const Result<void> &result) { written = result; });
    QVERIFY(!written);
    QTRY_VERIFY(written.has_value());
    QVERIFY(written->isOk());

    std::optional<Result<QString>> read;
    secrets.read(profile.id, this, [&](const Result<QString> &result) { read = result; });
    QTRY_VERIFY(read.has_value());
    QVERIFY(read->isOk());
    QCOMPARE(read->value(), key);

    QFile file(settingsPath());
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray onDisk = file.readAll();
    QVERIFY(onDisk.contains("local"));
    QVERIFY(!onDisk.contains(key.toUtf8()));

    std::optional<Result<void>> removed;
    secrets.remove(profile.id, this, [&](const Result<void> &result) { removed = result; });
    QTRY_VERIFY(removed.has_value());
    QVERIFY(removed->isOk());
    read.reset();
    secrets.read(profile.id, this, [&](const Result<QString> &result) { read = result; });
    QTRY_VERIFY(read.has_value());
    QCOMPARE(read->error().code, int(SecretStore::NotFound));
}

void tst_ProfileStore::unavailableSecretStoreKeepsNothing()
{
    MemorySecretStore secrets;
    secrets.setAvailable(false);
    std::optional<Result<void>> written;
    secrets.write(u"p"_s, u"key"_s, this, [&](const Result<void> &result) { written = result; });
    QTRY_VERIFY(written.has_value());
    QCOMPARE(written->error().code, int(SecretStore::Unavailable));
    QVERIFY(secrets.contents().isEmpty());
}

QTEST_GUILESS_MAIN(tst_ProfileStore)
#include "tst_profilestore.moc"
