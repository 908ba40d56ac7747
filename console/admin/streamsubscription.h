#pragma once

// One subscription to a stream of the admin channel, as the caller sees it. It outlives
// connections: the client subscribes it again after every reconnect (a fresh snapshot then
// follows), and deleting it unsubscribes. Made by AdminClient::subscribe(); lives on the
// client's thread.

#include "adminreply.h"

#include <QJsonObject>
#include <QObject>
#include <QPointer>

namespace DNotifier::Console {

class AdminClient;

class StreamSubscription final : public QObject
{
    Q_OBJECT

public:
    ~StreamSubscription() override;

    QString stream() const { return m_stream; }

    QJsonObject params() const { return m_params; }

    // Subscribes again with other parameters (a new filter or page); events of the old
    // subscription stop at once, the new one starts with a snapshot.
    void setParams(const QJsonObject &params);

    // Whether the node confirmed this subscription on the current connection.
    bool isActive() const { return m_serverId != 0; }

Q_SIGNALS:
    void snapshotReceived(const QJsonObject &data);
    void deltaReceived(const QJsonObject &data);
    // The node refused the subscription (an unknown app or channel, too many streams).
    void failed(const DNotifier::Console::AdminError &error);

private:
    friend class AdminClient;

    StreamSubscription(AdminClient *client, QString stream, QJsonObject params, QObject *parent);

    QPointer<AdminClient> m_client;
    QString m_stream;
    QJsonObject m_params;
    // The node's stream number on the current connection, 0 while not subscribed.
    qint64 m_serverId = 0;
    // Bumped whenever the parameters change, so a late reply to an outdated subscribe request
    // is recognised and undone.
    quint64 m_generation = 0;
};

} // namespace DNotifier::Console
