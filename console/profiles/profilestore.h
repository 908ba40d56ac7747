#pragma once

// The saved profiles, in QSettings. Only the fields of Profile are written; secrets go to a
// SecretStore. Lives on the GUI thread.

#include "profile.h"

#include <QList>
#include <QObject>

#include <memory>
#include <optional>

class QSettings;

namespace DNotifier::Console {

class ProfileStore final : public QObject
{
    Q_OBJECT

public:
    // Uses the application's default settings (organisation and application names).
    explicit ProfileStore(QObject *parent = nullptr);
    // Uses the given settings, e.g. an INI file in a test's temporary directory.
    explicit ProfileStore(std::unique_ptr<QSettings> settings, QObject *parent = nullptr);
    ~ProfileStore() override;

    // Sorted by name.
    QList<Profile> profiles() const;
    std::optional<Profile> find(const QString &id) const;
    // Adds the profile, or replaces the one with the same id. A profile without an id gets a
    // new one; the stored profile is returned.
    Profile save(Profile profile);
    void remove(const QString &id);

    QString lastUsedId() const;
    void setLastUsedId(const QString &id);

Q_SIGNALS:
    void profilesChanged();

private:
    std::unique_ptr<QSettings> m_settings;
};

} // namespace DNotifier::Console
