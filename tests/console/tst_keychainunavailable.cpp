// The real QtKeychain path where no Secret Service answers, as on a headless machine: every
// operation says the keychain is unavailable, and nothing falls back to a file.

#include <console/profiles/keychainsecretstore.h>

#include <QTest>

using namespace DNotifier;
using namespace DNotifier::Console;
using namespace Qt::Literals::StringLiterals;

class tst_KeychainUnavailable final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void noSecretServiceMeansUnavailable();
};

void tst_KeychainUnavailable::noSecretServiceMeansUnavailable()
{
    KeychainSecretStore store(u"dnotifier-console-test"_s);
    std::optional<Result<void>> written;
    store.write(u"nobody"_s, u"secret"_s, this, [&written](const Result<void> &r) { written = r; });
    QTRY_VERIFY_WITH_TIMEOUT(written.has_value(), 20'000);
    QVERIFY(!written->isOk());
    QCOMPARE(written->error().code, int(SecretStore::Unavailable));
    std::optional<Result<QString>> stored;
    store.read(u"nobody"_s, this, [&stored](const Result<QString> &r) { stored = r; });
    QTRY_VERIFY_WITH_TIMEOUT(stored.has_value(), 20'000);
    QVERIFY(!stored->isOk());
    QCOMPARE(stored->error().code, int(SecretStore::Unavailable));
}

QTEST_GUILESS_MAIN(tst_KeychainUnavailable)
#include "tst_keychainunavailable.moc"
