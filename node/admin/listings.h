#pragma once

// The paged, filtered lists of the channels and connections streams. The node filters and
// pages, so a console never receives a list the size of the cluster.

#include <common/result.h>
#include <node/broker/broker.h>
#include <node/transport/ioworker.h>

#include <QHash>
#include <QJsonObject>
#include <QList>

#include <functional>

namespace DNotifier::Admin {

struct ListQuery
{
    // Empty means every app.
    QString app;
    QString filter;
    QString sort;
    int offset = 0;
    int limit = 100;
};

struct ListPage
{
    QList<QJsonObject> items;
    int total = 0;
};

// Reads app, filter, sort (one of `sorts`, the first by default), offset and limit.
Result<ListQuery> listQuery(const QJsonObject &params, const QStringList &sorts);

inline const QStringList ChannelSorts{QStringLiteral("subscribers"), QStringLiteral("name"),
                                      QStringLiteral("rate")};
inline const QStringList ConnectionSorts{QStringLiteral("connected_at")};

ListPage channelPage(const Broker::Broker &broker,
                     const QStringList &appIds,
                     const QHash<QString, qint64> &rates,
                     const ListQuery &query);

struct ConnectionRow
{
    Transport::ConnectionFacts facts;
    QString user;
    int channels = 0;
};

// This node's connections that match the query's app and filter, as stream items keyed
// "<node>/<id>", oldest first.
QList<QJsonObject> connectionItems(const QList<ConnectionRow> &rows,
                                   const QString &nodeId,
                                   const ListQuery &query);
// The query's page of items gathered from several nodes, oldest first; `total` counts every
// match, also those a node left out of its share.
ListPage connectionPage(QList<QJsonObject> items, int total, const ListQuery &query);

} // namespace DNotifier::Admin
