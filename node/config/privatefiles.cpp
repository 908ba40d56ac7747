#include "privatefiles.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QSaveFile>

#include <cerrno>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

using namespace Qt::Literals::StringLiterals;

namespace DNotifier::Config {

namespace {

// Only the last directory gets `mode`. QDir::mkpath() would do, but it cannot tell why it
// failed.
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

} // namespace

Result<void> ensurePrivateDirectory(const QString &dataDir)
{
    if (const Result<void> made = makeDirectories(dataDir, 0700); !made) {
        return Error{0,
                     u"data directory \"%1\" is unusable: %2"_s.arg(dataDir, made.error().message)};
    }
    return {};
}

Result<void> checkDirectoryWritable(const QString &dataDir)
{
    // Enough to need real blocks on any file system, small enough to cost nothing at start.
    constexpr std::size_t ProbeBytes = 64 * 1024;
    const QByteArray probe = QFile::encodeName(dataDir + u"/.write-check"_s);
    const int fd = ::open(probe.constData(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int error = fd < 0 ? errno : 0;
    if (fd >= 0) {
        const std::vector<char> zeros(ProbeBytes, 0);
        const ssize_t written = ::write(fd, zeros.data(), zeros.size());
        if (written < 0) {
            error = errno;
        } else if (std::size_t(written) < zeros.size()) {
            error = ENOSPC;
        } else if (::fsync(fd) != 0) {
            error = errno;
        }
        ::close(fd);
        ::unlink(probe.constData());
    }
    if (error == 0) {
        return {};
    }
    QString reason = qt_error_string(error);
    if (error == ENOSPC || error == EDQUOT) {
        reason = u"the disk is full (%1)"_s.arg(reason);
    } else if (error == EROFS) {
        reason = u"it is on a read-only file system"_s;
    } else if (error == EACCES || error == EPERM) {
        reason = u"this user (uid %1) may not write there (%2)"_s.arg(::getuid()).arg(reason);
    }
    return Error{0, u"data directory \"%1\" is not writable: %2"_s.arg(dataDir, reason)};
}

Result<QJsonObject> readJsonObjectFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return Error{int(PrivateFileError::Unreadable),
                     u"cannot read \"%1\": %2"_s.arg(path, file.errorString())};
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (!document.isObject()) {
        return Error{int(PrivateFileError::NotAnObject),
                     u"not a JSON object (%1)"_s.arg(parseError.errorString())};
    }
    return document.object();
}

Result<void> writePrivateFile(const QString &path, const QByteArray &content)
{
    // QSaveFile writes a temporary file and renames it over the target on commit(), so a crash
    // leaves either the old file or the new one. The mode is narrowed before the secret is
    // written.
    QSaveFile file(path);
    const bool written = file.open(QIODevice::WriteOnly)
                         && file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner)
                         && file.write(content) >= 0 && file.commit();
    if (!written) {
        return Error{0, u"cannot write \"%1\": %2"_s.arg(path, file.errorString())};
    }
    return {};
}

} // namespace DNotifier::Config
