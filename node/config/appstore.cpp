#include "appstore.h"

#include "privatefiles.h"
#include "settingsloader.h"

#include <common/crypto/digest.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <array>

using namespace Qt::Literals::StringLiterals;

namespace DNotifier::Config {

namespace {

struct StoredCredentials
{
    QString id;
    QString key;
    QString secret;
};

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
    const Result<QJsonObject> read = Config::readJsonObjectFile(path);
    if (!read) {
        return read.error().code == int(Config::PrivateFileError::NotAnObject)
                       ? damaged(path, read.error().message)
                       : Error{0, read.error().message};
    }
    // Unknown keys are ignored: a later version may store more here.
    const QJsonObject object = *read;
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
    return writePrivateFile(path, QJsonDocument(object).toJson());
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
    if (const Result<void> ready = ensurePrivateDirectory(dataDir); !ready) {
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
