// The real QtKeychain path with a real Secret Service: run inside a private D-Bus session
// with an unlocked throw-away gnome-keyring (run-with-keyring.sh).

#include <console/profiles/keychainsecretstore.h>

#include <QTest>
#include <QUuid>

using namespace DNotifier;
using namespace DNotifier::Console;
using namespace Qt::Literals::StringLiterals;

class tst_KeychainRoundTrip final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void secretsRoundTrip();
};

void tst_KeychainRoundTrip::secretsRoundTrip()
{
    KeychainSecretStore store(u"dnotifier-console-test"_s);
    const QString account = QUuid::createUuid().toString(QUuid::WithoutBraces);
    const QString secret = u"dna_0123456789abcdef0123456789abcdef"_s;

    std::optional<Result<void>> written;
    store.write(account, secret, this, [&written](const Result<void> &r) { written = r; });
    QTRY_VERIFY_WITH_TIMEOUT(written.has_value(), 20'000);
    QVERIFY2(written->isOk(), qPrintable(written->error().message));

    std::optional<Result<QString>> stored;
    store.read(account, this, [&stored](const Result<QString> &r) { stored = r; });
    QTRY_VERIFY_WITH_TIMEOUT(stored.has_value(), 20'000);
    QVERIFY(stored->isOk());
    QCOMPARE(stored->value(), secret);

    std::optional<Result<void>> removed;
    store.remove(account, this, [&removed](const Result<void> &r) { removed = r; });
    QTRY_VERIFY_WITH_TIMEOUT(removed.has_value(), 20'000);
    QVERIFY(removed->isOk());
    std::optional<Result<QString>> gone;
    store.read(account, this, [&gone](const Result<QString> &r) { gone = r; });
    QTRY_VERIFY_WITH_TIMEOUT(gone.has_value(), 20'000);
    QVERIFY(!gone->isOk());
    QCOMPARE(gone->error().code, int(SecretStore::NotFound));
}

QTEST_GUILESS_MAIN(tst_KeychainRoundTrip)
#include "tst_keychainroundtrip.moc"
