#pragma once

// The default app's credentials, kept in the data directory so that a node started without
// any configuration keeps the same id, key and secret across restarts. Runs once at startup,
// on the main thread, before the node listens.

#include "settings.h"

#include <common/result.h>

#include <QLatin1StringView>
#include <QString>

namespace DNotifier::Config {

inline constexpr QLatin1StringView DefaultAppFileName("default-app.json");

struct DefaultAppCredentials
{
    // The app as given, with any missing id, key or secret filled in.
    AppSettings app;
    // True only on the call that created the credentials file, so the caller can show the new
    // credentials once.
    bool freshlyGenerated = false;
    // <dataDir>/default-app.json, whether or not this call needed it.
    QString filePath;
};

// Creates `dataDir` (mode 0700) if it is missing. When `app` lacks its id, key or secret, the
// missing ones come from the credentials file, which is generated on first use (random 6-digit
// id, 20-hex-digit key, 40-hex-digit secret) and written atomically with mode 0600. Values
// already in `app` win and are never written to the file. A damaged file is an error, not a
// reason to generate new credentials: that would lock out every client using the old ones.
// Call checkAppsDistinct() (settingsloader.h) afterwards: a stored id may clash with another app.
Result<DefaultAppCredentials> ensureDefaultAppCredentials(const QString &dataDir, AppSettings app);

} // namespace DNotifier::Config
