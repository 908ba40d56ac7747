#pragma once

// The app credentials the node serves, as `list_apps` returns them (docs/admin-protocol.md,
// "Commands"): one row per app, keyed by its id. A new list updates rows in place, inserts
// and removes only what changed, so a view keeps its selection across refreshes. The secret
// is no column: views ask for it on demand through SecretRole.

#include <QAbstractTableModel>
#include <QJsonArray>
#include <QList>

#include <optional>

namespace DNotifier::Console {

struct AppCredentials
{
    QString id;
    QString key;
    QString secret;
    bool enabled = true;
    // Whether the credentials were set through the admin channel.
    bool managed = false;

    // nullopt when the object has no string id.
    static std::optional<AppCredentials> fromJson(const QJsonObject &app);

    bool operator==(const AppCredentials &other) const = default;
};

class AppsModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        IdColumn,
        KeyColumn,
        EnabledColumn,
        ManagedColumn,
        ColumnCount,
    };

    enum Role {
        IdRole = Qt::UserRole + 1,
        SecretRole,
        EnabledRole,
    };

    explicit AppsModel(QObject *parent = nullptr);

    // `apps` is the `apps` array of a list_apps result; items without an id are skipped.
    void setApps(const QJsonArray &apps);
    void clear();

    const QList<AppCredentials> &apps() const { return m_apps; }

    // -1 when absent.
    int rowOf(const QString &id) const;
    std::optional<AppCredentials> find(const QString &id) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section,
                        Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    void removeMissing(const QList<AppCredentials> &incoming);
    void upsert(const AppCredentials &app);

    QList<AppCredentials> m_apps;
};

} // namespace DNotifier::Console
