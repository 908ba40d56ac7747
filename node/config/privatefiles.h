#pragma once

// The data directory holds secrets (app credentials, the cluster secret), so it is created
// owner-only and its files are written owner-only and atomically. Runs at startup, on the main
// thread, before the node listens.

#include <common/result.h>

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace DNotifier::Config {

// Creates the directory with mode 0700, and missing parents like `mkdir -p`; an existing one
// is left as it is.
Result<void> ensurePrivateDirectory(const QString &dataDir);

// Writes and removes a probe file of 64 KiB in the existing data directory, so that a full
// disk, a read-only mount or a directory owned by another user stops the start with the reason
// instead of failing later, when a secret or a peer list has to be saved.
Result<void> checkDirectoryWritable(const QString &dataDir);

enum class PrivateFileError {
    Unreadable = 1,
    // The file was read but does not hold a JSON object; the message says why.
    NotAnObject = 2,
};

// Reads a JSON object file; the error's code is a PrivateFileError.
Result<QJsonObject> readJsonObjectFile(const QString &path);

// Writes the file with mode 0600, replacing any old one only once the new one is complete.
Result<void> writePrivateFile(const QString &path, const QByteArray &content);

} // namespace DNotifier::Config
