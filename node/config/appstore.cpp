#include "appstore.h"

#include "settingsloader.h"

#include <common/crypto/digest.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QSaveFile>

#include <array>
#include <cerrno>

#include <sys/stat.h>
#include <sys/types.h>

using namespace Qt::Literals::StringLiterals;

namespace DNotifier::Config {

namespace {

struct StoredCredentials
{
    QString id;
    QString key;
    QString secret;
};

// Creates missing parents like `mkdir -p` does; only the last directory gets `mode`.
// QDir::mkpath() would do, but it cannot tell why it failed.
Result<void> makeDirectories(const QString &path, mode_t mode)
{
    const QFileInfo info(path);
    if (info.isDir()) {
        return {};
    }
    if (info.exists()) {
        return Error{0, u"\"%1\" exists and is not a directory"_s.arg(path)};
    }
    const QString parent = info.absolutePath();
    if (parent != info.absoluteFilePath()) {
        if (const Result<void> made = makeDirectories(parent, 0777); !made) {
            return made;
        }
    }
    if (::mkdir(QFile::encodeName(path).constData(), mode) != 0) {
        const int error = errno;
        // Another process may have created it since the check above; that is fine.
        if (error != EEXIST || !QFileInfo(path).isDir()) {
            return Error{0, u"cannot create \"%1\": %2"_s.arg(path, qt_error_string(error))};
        }
    }
    return {};
}

Result<void> ensureDataDir(const QString &dataDir)
{
    // Owner-only: the directory holds the default app's secret.
    if (const Result<void> made = makeDirectories(dataDir, 0700); !made) {
        return Error{0,
                     u"data directory \"%1\" is unusable: %2"_s.arg(dataDir, made.error().message)};
    }
    return {};
}

Error damaged(const QString &path, const QString &problem)
{
    return Error{0, u"%1: %2; repair the file, or delete it to generate new credentials (clients "
                    "using the old ones will then be refused)"_s.arg(path, problem)};
}

using Check = Result<void> (*)(const QString &label, const QString &value);

struct StoredField
{
    QLatin1StringView name;
    QString StoredCredentials::*member;
    Check check;
};

const std::array<StoredField, 3> storedFields{{
        {"id"_L1, &StoredCredentials::id, &checkAppId},
        {"key"_L1, &StoredCredentials::key, &checkAppKey},
        {"secret"_L1, &StoredCredentials::secret, &checkAppSecret},
}};

Result<void> readField(const QString &path,
                       const QJsonObject &object,
                       const StoredField &field,
                       StoredCredentials &stored)
{
    const QJsonValue value = object.value(field.name);
    if (!value.isString()) {
        return damaged(path, u"\"%1\" is missing or not a string"_s.arg(field.name));
    }
    if (const Result<void> checked = field.check(field.name, value.toString()); !checked) {
        return damaged(path, checked.error().message);
    }
    stored.*field.member = value.toString();
    return {};
}

Result<StoredCredentials> readStore(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return Error{0, u"cannot read \"%1\": %2"_s.arg(path, file.errorString())};
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (!document.isObject()) {
        return damaged(path, u"not a JSON object (%1)"_s.arg(parseError.errorString()));
    }
    // Unknown keys are ignored: a later version may store more here.
    const QJsonObject object = document.object();
    StoredCredentials stored;
    for (const StoredField &field : storedFields) {
        if (const Result<void> read = readField(path, object, field, stored); !read) {
            return read.error();
        }
    }
    return stored;
}

StoredCredentials generateCredentials()
{
    // A leading digit from 1 to 9 keeps the id six digits long even where it is read as a number.
    const quint32 id = 100000 + Crypto::randomUInt32() % 900000;
    return {QString::number(id), QString::fromLatin1(Crypto::randomBytes(10).toHex()),
            QString::fromLatin1(Crypto::randomBytes(20).toHex())};
}

Result<void> writeStore(const QString &path, const StoredCredentials &stored)
{
    const QJsonObject object{{u"id"_s, stored.id},
                             {u"key"_s, stored.key},
                             {u"secret"_s, stored.secret}};
    // QSaveFile writes a temporary file and renames it over the target on commit(), so a crash
    // leaves either no file or a whole one. The mode is narrowed before the secret is written.
    QSaveFile file(path);
    const bool written = file.open(QIODevice::WriteOnly)
                         && file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner)
                         && file.write(QJsonDocument(object).toJson()) >= 0 && file.commit();
    if (!written) {
        return Error{0, u"cannot write \"%1\": %2"_s.arg(path, file.errorString())};
    }
    return {};
}

bool hasAllCredentials(const AppSettings &app)
{
    return !app.id.isEmpty() && !app.key.isEmpty() && !app.secret.isEmpty();
}

void fillMissing(AppSettings &app, const StoredCredentials &stored)
{
    if (app.id.isEmpty()) {
        app.id = stored.id;
    }
    if (app.key.isEmpty()) {
        app.key = stored.key.toLatin1();
    }
    if (app.secret.isEmpty()) {
        app.secret = stored.secret.toLatin1();
    }
}

} // namespace

Result<DefaultAppCredentials> ensureDefaultAppCredentials(const QString &dataDir, AppSettings app)
{
    if (const Result<void> ready = ensureDataDir(dataDir); !ready) {
        return ready.error();
    }
    DefaultAppCredentials result{std::move(app), false, QDir(dataDir).filePath(DefaultAppFileName)};
    if (hasAllCredentials(result.app)) {
        return result;
    }

    if (QFileInfo::exists(result.filePath)) {
        const Result<StoredCredentials> stored = readStore(result.filePath);
        if (!stored) {
            return stored.error();
        }
        fillMissing(result.app, *stored);
        return result;
    }

    const StoredCredentials generated = generateCredentials();
    if (const Result<void> written = writeStore(result.filePath, generated); !written) {
        return written.error();
    }
    fillMissing(result.app, generated);
    result.freshlyGenerated = true;
    return result;
}

} // namespace DNotifier::Config
