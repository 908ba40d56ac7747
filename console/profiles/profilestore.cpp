#include "profilestore.h"

#include <console/logging.h>

#include <QSettings>
#include <QUuid>

#include <algorithm>

namespace DNotifier::Console {

using namespace Qt::Literals::StringLiterals;

namespace {

const QString ProfilesGroup = u"profiles"_s;
const QString LastUsedKey = u"lastProfile"_s;

QString groupOf(const QString &id)
{
    return ProfilesGroup + u'/' + id;
}

} // namespace

ProfileStore::ProfileStore(QObject *parent)
    : ProfileStore(std::make_unique<QSettings>(), parent)
{ }

ProfileStore::ProfileStore(std::unique_ptr<QSettings> settings, QObject *parent)
    : QObject(parent)
    , m_settings(std::move(settings))
{ }

ProfileStore::~ProfileStore() = default;

QList<Profile> ProfileStore::profiles() const
{
    m_settings->beginGroup(ProfilesGroup);
    const QStringList ids = m_settings->childGroups();
    m_settings->endGroup();
    QList<Profile> result;
    for (const QString &id : ids) {
        if (const std::optional<Profile> profile = find(id)) {
            result.append(*profile);
        }
    }
    std::sort(result.begin(), result.end(), [](const Profile &a, const Profile &b) {
        return a.name.localeAwareCompare(b.name) < 0;
    });
    return result;
}

std::optional<Profile> ProfileStore::find(const QString &id) const
{
    if (id.isEmpty() || id.contains(u'/')) {
        return std::nullopt;
    }
    m_settings->beginGroup(groupOf(id));
    Profile profile;
    profile.id = id;
    profile.name = m_settings->value("name"_L1).toString();
    profile.host = m_settings->value("host"_L1).toString();
    bool portOk = false;
    const uint port = m_settings->value("port"_L1).toUInt(&portOk);
    profile.port = portOk && port <= 65535 ? quint16(port) : 0;
    profile.pinnedFingerprint = m_settings->value("pinnedFingerprint"_L1).toString();
    m_settings->endGroup();
    if (!profile.isValid()) {
        qCWarning(lcProfiles) << "ignoring an incomplete profile id=" << id;
        return std::nullopt;
    }
    return profile;
}

Profile ProfileStore::save(Profile profile)
{
    if (profile.id.isEmpty()) {
        profile.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    }
    m_settings->beginGroup(groupOf(profile.id));
    m_settings->setValue("name"_L1, profile.name);
    m_settings->setValue("host"_L1, profile.host);
    m_settings->setValue("port"_L1, uint(profile.port));
    m_settings->setValue("pinnedFingerprint"_L1, profile.pinnedFingerprint);
    m_settings->endGroup();
    m_settings->sync();
    Q_EMIT profilesChanged();
    return profile;
}

void ProfileStore::remove(const QString &id)
{
    if (id.isEmpty() || id.contains(u'/')) {
        return;
    }
    m_settings->remove(groupOf(id));
    if (lastUsedId() == id) {
        m_settings->remove(LastUsedKey);
    }
    m_settings->sync();
    Q_EMIT profilesChanged();
}

QString ProfileStore::lastUsedId() const
{
    return m_settings->value(LastUsedKey).toString();
}

void ProfileStore::setLastUsedId(const QString &id)
{
    m_settings->setValue(LastUsedKey, id);
    m_settings->sync();
}

} // namespace DNotifier::Console
