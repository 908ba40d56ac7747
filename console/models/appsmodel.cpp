#include "appsmodel.h"

#include <console/logging.h>

#include <QJsonObject>

#include <algorithm>

namespace DNotifier::Console {

using namespace Qt::Literals::StringLiterals;

std::optional<AppCredentials> AppCredentials::fromJson(const QJsonObject &app)
{
    const QString id = app.value("id"_L1).toString();
    if (id.isEmpty()) {
        return std::nullopt;
    }
    AppCredentials credentials;
    credentials.id = id;
    credentials.key = app.value("key"_L1).toString();
    credentials.secret = app.value("secret"_L1).toString();
    credentials.enabled = app.value("enabled"_L1).toBool(true);
    credentials.managed = app.value("managed"_L1).toBool(false);
    return credentials;
}

AppsModel::AppsModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

void AppsModel::setApps(const QJsonArray &apps)
{
    QList<AppCredentials> incoming;
    for (const QJsonValue &value : apps) {
        const std::optional<AppCredentials> app = AppCredentials::fromJson(value.toObject());
        if (!app) {
            qCWarning(lcModels) << "app without an id skipped";
            continue;
        }
        incoming.append(*app);
    }
    removeMissing(incoming);
    for (const AppCredentials &app : std::as_const(incoming)) {
        upsert(app);
    }
}

void AppsModel::clear()
{
    if (m_apps.isEmpty()) {
        return;
    }
    beginResetModel();
    m_apps.clear();
    endResetModel();
}

void AppsModel::removeMissing(const QList<AppCredentials> &incoming)
{
    for (int row = int(m_apps.size()) - 1; row >= 0; --row) {
        const QString &id = m_apps.at(row).id;
        const bool kept = std::any_of(incoming.cbegin(), incoming.cend(),
                                      [&id](const AppCredentials &app) { return app.id == id; });
        if (kept) {
            continue;
        }
        beginRemoveRows({}, row, row);
        m_apps.removeAt(row);
        endRemoveRows();
    }
}

void AppsModel::upsert(const AppCredentials &app)
{
    if (const int row = rowOf(app.id); row >= 0) {
        if (m_apps.at(row) == app) {
            return;
        }
        m_apps[row] = app;
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
        return;
    }
    const int row = int(m_apps.size());
    beginInsertRows({}, row, row);
    m_apps.append(app);
    endInsertRows();
}

int AppsModel::rowOf(const QString &id) const
{
    for (int row = 0; row < m_apps.size(); ++row) {
        if (m_apps.at(row).id == id) {
            return row;
        }
    }
    return -1;
}

std::optional<AppCredentials> AppsModel::find(const QString &id) const
{
    const int row = rowOf(id);
    if (row < 0) {
        return std::nullopt;
    }
    return m_apps.at(row);
}

int AppsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_apps.size());
}

int AppsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AppsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid)) {
        return {};
    }
    const AppCredentials &app = m_apps.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case IdColumn:
            return app.id;
        case KeyColumn:
            return app.key;
        case EnabledColumn:
            return app.enabled ? tr("yes") : tr("no");
        case ManagedColumn:
            return app.managed ? tr("yes") : tr("no");
        default:
            return {};
        }
    case IdRole:
        return app.id;
    case SecretRole:
        return app.secret;
    case EnabledRole:
        return app.enabled;
    default:
        return {};
    }
}

QVariant AppsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal) {
        return {};
    }
    if (role == Qt::ToolTipRole && section == ManagedColumn) {
        return tr("Whether the credentials were created or changed through the admin channel "
                  "(kept in apps.json on every node) rather than set in the configuration");
    }
    if (role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case IdColumn:
        return tr("App id");
    case KeyColumn:
        return tr("Key");
    case EnabledColumn:
        return tr("Enabled");
    case ManagedColumn:
        return tr("Managed");
    default:
        return {};
    }
}

} // namespace DNotifier::Console
