#include <common/tokens/base64url.h>
#include <node/cluster/clusteridentity.h>

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

#include <sys/stat.h>

using namespace DNotifier;
using namespace DNotifier::Cluster;
using namespace Qt::Literals::StringLiterals;

namespace {

// Computed outside the code under test:
//   printf 'dnotifier cluster\n%s' 'correct horse battery staple' | sha256sum
//   printf 'dnotifier cluster\n%s' 'another secret' | sha256sum
const QByteArray SecretA = "correct horse battery staple"_ba;
const QString ClusterIdA = u"c48e425beaa2569103419810ddf173cbd"_s;
const QByteArray SecretB = "another secret"_ba;
const QString ClusterIdB = u"c51088f61603af89f44dcd8ea104695dd"_s;

// The exact permission bits, which QFileInfo::permissions() blurs into owner/user flags.
int modeOf(const QString &path)
{
    struct stat info = {};
    if (::stat(QFile::encodeName(path).constData(), &info) != 0) {
        return -1;
    }
    return int(info.st_mode & 07777);
}

QByteArray contentsOf(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool writeContents(const QString &path, const QByteArray &contents)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(contents) == contents.size();
}

QByteArray storedSecretOf(const QString &path)
{
    return QJsonDocument::fromJson(contentsOf(path))
            .object()
            .value("secret"_L1)
            .toString()
            .toUtf8();
}

} // namespace

class tst_ClusterIdentity final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();

    void clusterIdOfFixedSecrets();
    void generatesSecretOnFirstUse();
    void reusesStoredSecret();
    void configuredSecretWinsAndIsNotWritten();
    void configuredSecretWinsOverJoinSecret();
    void joinSecretIsStoredOnFirstUse();
    void joinSecretReplacesAnotherCluster();
    void sameJoinSecretLeavesFileAlone();
    void joinSecretReplacesDamagedFile();
    void joinSecretThatIsNotTextIsRefused();
    void damagedFileIsReportedNotReplaced_data();
    void damagedFileIsReportedNotReplaced();
    void unreadableFileIsReported();
    void unusableDataDir();

private:
    QString dataDir() const { return m_dir->filePath(u"state/dnotifier"_s); }

    QString storePath() const { return dataDir() + u"/cluster.json"_s; }

    std::unique_ptr<QTemporaryDir> m_dir;
};

void tst_ClusterIdentity::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void tst_ClusterIdentity::clusterIdOfFixedSecrets()
{
    ClusterIdentity identity;
    identity.secret = SecretA;
    QCOMPARE(identity.clusterId(), ClusterIdA);
    QCOMPARE(identity.clusterId(), ClusterIdA);
    QCOMPARE(clusterIdOf(SecretA), ClusterIdA);
    QCOMPARE(clusterIdOf(SecretB), ClusterIdB);
}

void tst_ClusterIdentity::generatesSecretOnFirstUse()
{
    const Result<ClusterIdentity> result = loadOrCreateClusterIdentity(dataDir(), {}, {});
    QVERIFY2(result, qPrintable(result.error().message));

    QVERIFY(result->freshlyGenerated);
    QCOMPARE(result->filePath, storePath());
    QVERIFY(QRegularExpression(u"^[A-Za-z0-9_-]{43}$"_s)
                    .match(QString::fromLatin1(result->secret))
                    .hasMatch());
    QCOMPARE(Tokens::base64UrlDecode(result->secret).value_or(QByteArray()).size(), 32);
    QVERIFY(QRegularExpression(u"^c[0-9a-f]{32}$"_s).match(result->clusterId()).hasMatch());

    QCOMPARE(modeOf(dataDir()), 0700);
    QCOMPARE(modeOf(storePath()), 0600);
    QCOMPARE(storedSecretOf(storePath()), result->secret);
    // Nothing but the file itself: the temporary file was renamed, not left behind.
    QCOMPARE(QDir(dataDir()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot),
             QStringList{u"cluster.json"_s});
}

void tst_ClusterIdentity::reusesStoredSecret()
{
    const Result<ClusterIdentity> first = loadOrCreateClusterIdentity(dataDir(), {}, {});
    QVERIFY2(first, qPrintable(first.error().message));
    const QByteArray storedBefore = contentsOf(storePath());

    const Result<ClusterIdentity> second = loadOrCreateClusterIdentity(dataDir(), {}, {});
    QVERIFY2(second, qPrintable(second.error().message));
    QVERIFY(!second->freshlyGenerated);
    QCOMPARE(second->secret, first->secret);
    QCOMPARE(second->clusterId(), first->clusterId());
    QCOMPARE(contentsOf(storePath()), storedBefore);
    QCOMPARE(modeOf(storePath()), 0600);
}

void tst_ClusterIdentity::configuredSecretWinsAndIsNotWritten()
{
    const Result<ClusterIdentity> fresh = loadOrCreateClusterIdentity(dataDir(), SecretA, {});
    QVERIFY2(fresh, qPrintable(fresh.error().message));
    QCOMPARE(fresh->secret, SecretA);
    QCOMPARE(fresh->clusterId(), ClusterIdA);
    QVERIFY(!fresh->freshlyGenerated);
    QCOMPARE(fresh->filePath, storePath());
    QVERIFY(!QFile::exists(storePath()));

    const Result<ClusterIdentity> stored = loadOrCreateClusterIdentity(dataDir(), {}, {});
    QVERIFY2(stored, qPrintable(stored.error().message));
    const QByteArray storedBefore = contentsOf(storePath());
    const Result<ClusterIdentity> configured = loadOrCreateClusterIdentity(dataDir(), SecretA, {});
    QVERIFY2(configured, qPrintable(configured.error().message));
    QCOMPARE(configured->secret, SecretA);
    QCOMPARE(contentsOf(storePath()), storedBefore);
}

void tst_ClusterIdentity::configuredSecretWinsOverJoinSecret()
{
    QTest::ignoreMessage(QtWarningMsg,
                         QRegularExpression(
                                 u"^Join token ignored: .* cluster=%1 token_cluster=%2$"_s
                                         .arg(ClusterIdA, ClusterIdB)));
    const Result<ClusterIdentity> result = loadOrCreateClusterIdentity(dataDir(), SecretA, SecretB);
    QVERIFY2(result, qPrintable(result.error().message));
    QCOMPARE(result->secret, SecretA);
    QVERIFY(!QFile::exists(storePath()));
}

void tst_ClusterIdentity::joinSecretIsStoredOnFirstUse()
{
    QTest::failOnWarning(QRegularExpression(u".*"_s));
    const Result<ClusterIdentity> result = loadOrCreateClusterIdentity(dataDir(), {}, SecretA);
    QVERIFY2(result, qPrintable(result.error().message));
    QCOMPARE(result->secret, SecretA);
    QVERIFY(!result->freshlyGenerated);
    QCOMPARE(storedSecretOf(storePath()), SecretA);
    QCOMPARE(modeOf(dataDir()), 0700);
    QCOMPARE(modeOf(storePath()), 0600);
}

void tst_ClusterIdentity::joinSecretReplacesAnotherCluster()
{
    QVERIFY(loadOrCreateClusterIdentity(dataDir(), {}, SecretA));

    QTest::ignoreMessage(
            QtWarningMsg,
            QRegularExpression(
                    u"^Cluster secret replaced by the join token: left cluster=%1 joined cluster=%2 file=%3$"_s
                            .arg(ClusterIdA, ClusterIdB, QRegularExpression::escape(storePath()))));
    const Result<ClusterIdentity> joined = loadOrCreateClusterIdentity(dataDir(), {}, SecretB);
    QVERIFY2(joined, qPrintable(joined.error().message));
    QCOMPARE(joined->clusterId(), ClusterIdB);
    QCOMPARE(storedSecretOf(storePath()), SecretB);
    QCOMPARE(modeOf(storePath()), 0600);

    // Later starts without the token stay in the joined cluster.
    const Result<ClusterIdentity> restarted = loadOrCreateClusterIdentity(dataDir(), {}, {});
    QVERIFY2(restarted, qPrintable(restarted.error().message));
    QCOMPARE(restarted->secret, SecretB);
}

void tst_ClusterIdentity::sameJoinSecretLeavesFileAlone()
{
    QVERIFY(QDir().mkpath(dataDir()));
    // Spelled unlike the code would write it, so a rewrite would show.
    const QByteArray contents = "{ \"secret\" : \"another secret\", \"note\": 1 }"_ba;
    QVERIFY(writeContents(storePath(), contents));

    QTest::failOnWarning(QRegularExpression(u".*"_s));
    const Result<ClusterIdentity> joined = loadOrCreateClusterIdentity(dataDir(), {}, SecretB);
    QVERIFY2(joined, qPrintable(joined.error().message));
    QCOMPARE(joined->secret, SecretB);
    QCOMPARE(contentsOf(storePath()), contents);
}

void tst_ClusterIdentity::joinSecretReplacesDamagedFile()
{
    QVERIFY(QDir().mkpath(dataDir()));
    QVERIFY(writeContents(storePath(), "garbage"_ba));

    QTest::ignoreMessage(
            QtWarningMsg,
            QRegularExpression(
                    u"^Unreadable cluster file replaced by the join token: cluster=%1 "_s.arg(
                            ClusterIdA)));
    const Result<ClusterIdentity> joined = loadOrCreateClusterIdentity(dataDir(), {}, SecretA);
    QVERIFY2(joined, qPrintable(joined.error().message));
    QCOMPARE(storedSecretOf(storePath()), SecretA);
    QCOMPARE(modeOf(storePath()), 0600);
}

void tst_ClusterIdentity::joinSecretThatIsNotTextIsRefused()
{
    const Result<ClusterIdentity> joined =
            loadOrCreateClusterIdentity(dataDir(), {}, QByteArray("\xff\xfe secret", 9));
    QVERIFY(!joined);
    QCOMPARE(joined.error().message,
             u"cannot write \"%1\": the cluster secret is not UTF-8 text"_s.arg(storePath()));
    QVERIFY(!QFile::exists(storePath()));
}

void tst_ClusterIdentity::damagedFileIsReportedNotReplaced_data()
{
    QTest::addColumn<QByteArray>("contents");
    QTest::addColumn<QString>("problem");

    QTest::newRow("a file that is not JSON") << "secret=abc"_ba << u"not a JSON object"_s;
    QTest::newRow("an empty file") << QByteArray() << u"not a JSON object"_s;
    QTest::newRow("a file holding a JSON array") << "[\"abc\"]"_ba << u"not a JSON object"_s;
    QTest::newRow("a file without a secret")
            << "{\"key\": \"abc\"}"_ba << u"\"secret\" is missing, empty or not a string"_s;
    QTest::newRow("a file whose secret is a number")
            << "{\"secret\": 42}"_ba << u"\"secret\" is missing, empty or not a string"_s;
    QTest::newRow("a file whose secret is empty")
            << "{\"secret\": \"\"}"_ba << u"\"secret\" is missing, empty or not a string"_s;
}

void tst_ClusterIdentity::damagedFileIsReportedNotReplaced()
{
    QFETCH(QByteArray, contents);
    QFETCH(QString, problem);

    QVERIFY(QDir().mkpath(dataDir()));
    QVERIFY(writeContents(storePath(), contents));

    const Result<ClusterIdentity> result = loadOrCreateClusterIdentity(dataDir(), {}, {});
    QVERIFY(!result);
    const QString message = result.error().message;
    QVERIFY2(message.startsWith(storePath() + u": "_s), qPrintable(message));
    QVERIFY2(message.contains(problem), qPrintable(message));
    QVERIFY2(message.contains(u"delete it to start a new cluster"_s), qPrintable(message));
    QCOMPARE(contentsOf(storePath()), contents);
}

void tst_ClusterIdentity::unreadableFileIsReported()
{
    // A directory in the file's place cannot be read even by root, unlike a mode-0 file.
    QVERIFY(QDir().mkpath(storePath()));

    const Result<ClusterIdentity> result = loadOrCreateClusterIdentity(dataDir(), {}, {});
    QVERIFY(!result);
    QVERIFY2(result.error().message.startsWith(u"cannot read \"%1\": "_s.arg(storePath())),
             qPrintable(result.error().message));
}

void tst_ClusterIdentity::unusableDataDir()
{
    const QString file = m_dir->filePath(u"file"_s);
    QVERIFY(writeContents(file, "not a directory"_ba));
    const QString path = file + u"/dnotifier"_s;

    const Result<ClusterIdentity> result = loadOrCreateClusterIdentity(path, {}, {});
    QVERIFY(!result);
    QCOMPARE(result.error().message,
             u"data directory \"%1\" is unusable: \"%2\" exists and is not a directory"_s
                     .arg(path, file));
}

QTEST_GUILESS_MAIN(tst_ClusterIdentity)
#include "tst_clusteridentity.moc"
