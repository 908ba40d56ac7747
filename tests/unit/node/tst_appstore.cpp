#include <node/config/appstore.h>

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <cerrno>

#include <sys/stat.h>
#include <unistd.h>

using namespace DNotifier;
using namespace DNotifier::Config;
using namespace Qt::Literals::StringLiterals;

namespace {

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

// Root ignores permission bits, and CI runs as root, so a test that needs a permission failure
// takes the identity of "nobody" for the call under test and gives it back afterwards.
class UnprivilegedScope final
{
public:
    UnprivilegedScope()
        : m_wasRoot(::geteuid() == 0)
    {
        m_active = !m_wasRoot || ::seteuid(NobodyId) == 0;
    }

    ~UnprivilegedScope()
    {
        if (m_wasRoot && m_active && ::seteuid(0) != 0) {
            qFatal("could not return to root after the unprivileged part of the test");
        }
    }

    UnprivilegedScope(const UnprivilegedScope &) = delete;
    UnprivilegedScope &operator=(const UnprivilegedScope &) = delete;

    bool isActive() const { return m_active; }

private:
    static constexpr uid_t NobodyId = 65534;
    bool m_wasRoot = false;
    bool m_active = false;
};

} // namespace

class tst_AppStore final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();

    void generatesCredentialsOnFirstStart();
    void reusesStoredCredentialsOnLaterStarts();
    void givenValuesWinAndAreNotWritten_data();
    void givenValuesWinAndAreNotWritten();
    void completeCredentialsNeedNoFile();
    void partialCredentialsOnFirstStartStoreOnlyGeneratedValues();
    void existingDataDirKeepsItsMode();
    void damagedFileIsReportedNotReplaced_data();
    void damagedFileIsReportedNotReplaced();
    void unusableDataDirPath_data();
    void unusableDataDirPath();
    void unwritableDataDir_data();
    void unwritableDataDir();

private:
    QString dataDir() const { return m_dir->filePath(u"state/dnotifier"_s); }

    QString storePath() const { return dataDir() + u"/default-app.json"_s; }

    std::unique_ptr<QTemporaryDir> m_dir;
};

void tst_AppStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void tst_AppStore::generatesCredentialsOnFirstStart()
{
    const Result<DefaultAppCredentials> result = ensureDefaultAppCredentials(dataDir(), {});
    QVERIFY2(result, qPrintable(result.error().message));

    QVERIFY(result->freshlyGenerated);
    QCOMPARE(result->filePath, storePath());
    QVERIFY(QRegularExpression(u"^[1-9][0-9]{5}$"_s).match(result->app.id).hasMatch());
    QVERIFY(QRegularExpression(u"^[0-9a-f]{20}$"_s)
                    .match(QString::fromLatin1(result->app.key))
                    .hasMatch());
    QVERIFY(QRegularExpression(u"^[0-9a-f]{40}$"_s)
                    .match(QString::fromLatin1(result->app.secret))
                    .hasMatch());

    QCOMPARE(modeOf(dataDir()), 0700);
    QCOMPARE(modeOf(storePath()), 0600);
    const QJsonObject stored = QJsonDocument::fromJson(contentsOf(storePath())).object();
    QCOMPARE(stored.value("id"_L1).toString(), result->app.id);
    QCOMPARE(stored.value("key"_L1).toString().toLatin1(), result->app.key);
    QCOMPARE(stored.value("secret"_L1).toString().toLatin1(), result->app.secret);
    // Nothing but the file itself: the temporary file was renamed, not left behind.
    QCOMPARE(QDir(dataDir()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot),
             QStringList{u"default-app.json"_s});
}

void tst_AppStore::reusesStoredCredentialsOnLaterStarts()
{
    const Result<DefaultAppCredentials> first = ensureDefaultAppCredentials(dataDir(), {});
    QVERIFY2(first, qPrintable(first.error().message));
    const QByteArray storedBefore = contentsOf(storePath());

    const Result<DefaultAppCredentials> second = ensureDefaultAppCredentials(dataDir(), {});
    QVERIFY2(second, qPrintable(second.error().message));
    QVERIFY(!second->freshlyGenerated);
    QCOMPARE(second->app.id, first->app.id);
    QCOMPARE(second->app.key, first->app.key);
    QCOMPARE(second->app.secret, first->app.secret);
    QCOMPARE(contentsOf(storePath()), storedBefore);
    QCOMPARE(modeOf(storePath()), 0600);
}

void tst_AppStore::givenValuesWinAndAreNotWritten_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QByteArray>("secret");

    QTest::newRow("a given id replaces only the stored id")
            << u"777"_s << QByteArray() << QByteArray();
    QTest::newRow("a given key replaces only the stored key")
            << QString() << "given-key"_ba << QByteArray();
    QTest::newRow("a given secret replaces only the stored secret")
            << QString() << QByteArray() << "given-secret"_ba;
    QTest::newRow("all three given replace all stored values") << u"777"_s << "given-key"_ba
                                                               << "given-secret"_ba;
}

void tst_AppStore::givenValuesWinAndAreNotWritten()
{
    QFETCH(QString, id);
    QFETCH(QByteArray, key);
    QFETCH(QByteArray, secret);

    const Result<DefaultAppCredentials> stored = ensureDefaultAppCredentials(dataDir(), {});
    QVERIFY2(stored, qPrintable(stored.error().message));
    const QByteArray storedBefore = contentsOf(storePath());

    AppSettings given;
    given.id = id;
    given.key = key;
    given.secret = secret;
    const Result<DefaultAppCredentials> result = ensureDefaultAppCredentials(dataDir(), given);
    QVERIFY2(result, qPrintable(result.error().message));

    QVERIFY(!result->freshlyGenerated);
    QCOMPARE(result->app.id, id.isEmpty() ? stored->app.id : id);
    QCOMPARE(result->app.key, key.isEmpty() ? stored->app.key : key);
    QCOMPARE(result->app.secret, secret.isEmpty() ? stored->app.secret : secret);
    QCOMPARE(contentsOf(storePath()), storedBefore);
}

void tst_AppStore::completeCredentialsNeedNoFile()
{
    AppSettings given;
    given.id = u"42"_s;
    given.key = "k"_ba;
    given.secret = "s"_ba;
    given.maxConnections = 3;

    const Result<DefaultAppCredentials> result = ensureDefaultAppCredentials(dataDir(), given);
    QVERIFY2(result, qPrintable(result.error().message));
    QVERIFY(!result->freshlyGenerated);
    QCOMPARE(result->app.id, u"42"_s);
    QCOMPARE(result->app.maxConnections, 3);
    QVERIFY(QFileInfo(dataDir()).isDir());
    QVERIFY(!QFile::exists(storePath()));
}

void tst_AppStore::partialCredentialsOnFirstStartStoreOnlyGeneratedValues()
{
    AppSettings given;
    given.key = "given-key"_ba;

    const Result<DefaultAppCredentials> result = ensureDefaultAppCredentials(dataDir(), given);
    QVERIFY2(result, qPrintable(result.error().message));
    QVERIFY(result->freshlyGenerated);
    QCOMPARE(result->app.key, "given-key"_ba);

    const QJsonObject stored = QJsonDocument::fromJson(contentsOf(storePath())).object();
    QCOMPARE(stored.value("id"_L1).toString(), result->app.id);
    QCOMPARE(stored.value("secret"_L1).toString().toLatin1(), result->app.secret);
    QVERIFY(!contentsOf(storePath()).contains("given-key"));
}

void tst_AppStore::existingDataDirKeepsItsMode()
{
    QVERIFY(QDir().mkpath(dataDir()));
    QVERIFY(QFile::setPermissions(dataDir(), QFileDevice::ReadOwner | QFileDevice::WriteOwner
                                                     | QFileDevice::ExeOwner
                                                     | QFileDevice::ReadGroup
                                                     | QFileDevice::ExeGroup));

    const Result<DefaultAppCredentials> result = ensureDefaultAppCredentials(dataDir(), {});
    QVERIFY2(result, qPrintable(result.error().message));
    QCOMPARE(modeOf(dataDir()), 0750);
    QCOMPARE(modeOf(storePath()), 0600);
}

void tst_AppStore::damagedFileIsReportedNotReplaced_data()
{
    QTest::addColumn<QByteArray>("contents");
    QTest::addColumn<QString>("problem");

    QTest::newRow("a file that is not JSON") << "id=1"_ba << u"not a JSON object"_s;
    QTest::newRow("a file without a secret")
            << R"({"id": "123456", "key": "abc"})"_ba << u"\"secret\" is missing or not a string"_s;
    QTest::newRow("a file whose id has letters")
            << R"({"id": "12a456", "key": "abc", "secret": "def"})"_ba
            << u"id: \"12a456\" is not allowed; expected a string of 1 to 20 digits"_s;
}

void tst_AppStore::damagedFileIsReportedNotReplaced()
{
    QFETCH(QByteArray, contents);
    QFETCH(QString, problem);

    QVERIFY(QDir().mkpath(dataDir()));
    QVERIFY(writeContents(storePath(), contents));

    const Result<DefaultAppCredentials> result = ensureDefaultAppCredentials(dataDir(), {});
    QVERIFY(!result);
    const QString message = result.error().message;
    QVERIFY2(message.startsWith(storePath() + u": "_s), qPrintable(message));
    QVERIFY2(message.contains(problem), qPrintable(message));
    QVERIFY2(message.contains(u"delete it to generate new credentials"_s), qPrintable(message));
    QCOMPARE(contentsOf(storePath()), contents);
}

void tst_AppStore::unusableDataDirPath_data()
{
    QTest::addColumn<QString>("dataDir");
    QTest::addColumn<QString>("reason");

    QTest::newRow("a data directory below a regular file names the file in the way")
            << u"file/dnotifier"_s << u"\"FILE\" exists and is not a directory"_s;
    QTest::newRow("a data directory path that names a regular file is refused")
            << u"file"_s << u"\"FILE\" exists and is not a directory"_s;
}

void tst_AppStore::unusableDataDirPath()
{
    QFETCH(QString, dataDir);
    QFETCH(QString, reason);

    const QString file = m_dir->filePath(u"file"_s);
    QVERIFY(writeContents(file, "not a directory"_ba));
    const QString path = m_dir->filePath(dataDir);
    reason.replace(u"FILE"_s, file);

    const Result<DefaultAppCredentials> result = ensureDefaultAppCredentials(path, {});
    QVERIFY(!result);
    QCOMPARE(result.error().message, u"data directory \"%1\" is unusable: %2"_s.arg(path, reason));
}

void tst_AppStore::unwritableDataDir_data()
{
    QTest::addColumn<QString>("dataDir");
    QTest::addColumn<QString>("expected");

    QTest::newRow("a read-only data directory cannot take the credentials file")
            << u"locked"_s << u"cannot write \"LOCKED/default-app.json\": "_s;
    QTest::newRow("a data directory inside a read-only parent cannot be created")
            << u"locked/dnotifier"_s
            << u"data directory \"LOCKED/dnotifier\" is unusable: cannot create \"LOCKED/dnotifier\": "_s
                       + qt_error_string(EACCES);
}

void tst_AppStore::unwritableDataDir()
{
    QFETCH(QString, dataDir);
    QFETCH(QString, expected);

    // World-searchable so that "nobody" reaches the locked directory, which nobody may write.
    const QString locked = m_dir->filePath(u"locked"_s);
    QVERIFY(QDir().mkpath(locked));
    QCOMPARE(::chmod(QFile::encodeName(m_dir->path()).constData(), 0755), 0);
    QCOMPARE(::chmod(QFile::encodeName(locked).constData(), 0555), 0);
    expected.replace(u"LOCKED"_s, locked);

    Result<DefaultAppCredentials> result = Error{};
    {
        const UnprivilegedScope unprivileged;
        if (!unprivileged.isActive()) {
            QSKIP("running as root without the right to switch to an unprivileged user");
        }
        result = ensureDefaultAppCredentials(m_dir->filePath(dataDir), {});
    }
    QCOMPARE(::chmod(QFile::encodeName(locked).constData(), 0755), 0);

    QVERIFY(!result);
    QVERIFY2(result.error().message.startsWith(expected), qPrintable(result.error().message));
    QVERIFY2(result.error().message.contains(qt_error_string(EACCES)),
             qPrintable(result.error().message));
    QVERIFY(!QFile::exists(locked + u"/default-app.json"_s));
}

QTEST_GUILESS_MAIN(tst_AppStore)
#include "tst_appstore.moc"
