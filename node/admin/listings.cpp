#include "listings.h"

#include "adminerrors.h"

#include <common/pusher/channelname.h>

#include <algorithm>

namespace DNotifier::Admin {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr int MaxLimit = 1000;
constexpr qsizetype MaxFilterLength = 200;

Result<QString> optionalText(const QJsonObject &params, QLatin1StringView key)
{
    const QJsonValue value = params.value(key);
    if (value.isUndefined() || value.isNull()) {
        return QString();
    }
    if (!value.isString() || value.toString().size() > MaxFilterLength) {
        return adminError(ErrorCode::BadRequest,
                          u"\"%1\" must be a string of at most %2 characters"_s.arg(key).arg(
                                  MaxFilterLength));
    }
    return value.toString();
}

Result<int> optionalCount(const QJsonObject &params, QLatin1StringView key, int fallback, int max)
{
    const QJsonValue value = params.value(key);
    if (value.isUndefined() || value.isNull()) {
        return fallback;
    }
    const double number = value.toDouble(-1);
    if (!value.isDouble() || number < 0 || number > max || number != qint64(number)) {
        return adminError(ErrorCode::BadRequest,
                          u"\"%1\" must be an integer from 0 to %2"_s.arg(key).arg(max));
    }
    return int(number);
}

template<typename Less>
ListPage page(QList<QJsonObject> items, const ListQuery &query, Less less)
{
    std::stable_sort(items.begin(), items.end(), less);
    ListPage result;
    result.total = int(items.size());
    result.items = items.mid(query.offset, query.limit);
    return result;
}

bool connectedEarlier(const QJsonObject &a, const QJsonObject &b)
{
    const double x = a.value("connected_at"_L1).toDouble();
    const double y = b.value("connected_at"_L1).toDouble();
    return x != y ? x < y : a.value("key"_L1).toString() < b.value("key"_L1).toString();
}

} // namespace

Result<ListQuery> listQuery(const QJsonObject &params, const QStringList &sorts)
{
    ListQuery query;
    const Result<QString> app = optionalText(params, "app"_L1);
    const Result<QString> filter = optionalText(params, "filter"_L1);
    const Result<QString> sort = optionalText(params, "sort"_L1);
    const Result<int> offset = optionalCount(params, "offset"_L1, 0, 1'000'000'000);
    const Result<int> limit = optionalCount(params, "limit"_L1, 100, MaxLimit);
    for (const Error *error : {app ? nullptr : &app.error(), filter ? nullptr : &filter.error(),
                               sort ? nullptr : &sort.error(), offset ? nullptr : &offset.error(),
                               limit ? nullptr : &limit.error()}) {
        if (error) {
            return *error;
        }
    }
    if (!sort->isEmpty() && !sorts.contains(*sort)) {
        return adminError(ErrorCode::BadRequest,
                          u"\"sort\" must be one of: %1"_s.arg(sorts.join(u", "_s)));
    }
    query.app = *app;
    query.filter = *filter;
    query.sort = sort->isEmpty() ? sorts.constFirst() : *sort;
    query.offset = *offset;
    query.limit = *limit;
    return query;
}

ListPage channelPage(const Broker::Broker &broker,
                     const QStringList &appIds,
                     const QHash<QString, qint64> &rates,
                     const ListQuery &query)
{
    QList<QJsonObject> items;
    for (const QString &appId : appIds) {
        if (!query.app.isEmpty() && appId != query.app) {
            continue;
        }
        for (const Broker::ChannelSummary &summary : broker.channels(appId, QString())) {
            if (!summary.occupied || !summary.name.contains(query.filter)) {
                continue;
            }
            const QString key = appId + u'/' + summary.name;
            const bool presence =
                    Pusher::channelType(summary.name).kind == Pusher::ChannelKind::Presence;
            items.append({{"key"_L1, key},
                          {"app"_L1, appId},
                          {"name"_L1, summary.name},
                          {"subscribers"_L1, summary.subscriptionCount},
                          {"members"_L1,
                           presence ? QJsonValue(summary.userCount) : QJsonValue(QJsonValue::Null)},
                          {"rate"_L1, rates.value(key)}});
        }
    }
    const QString &sort = query.sort;
    return page(std::move(items), query, [&sort](const QJsonObject &a, const QJsonObject &b) {
        const QString nameA = a.value("key"_L1).toString();
        const QString nameB = b.value("key"_L1).toString();
        if (sort != "name"_L1) {
            const QLatin1StringView field = sort == "rate"_L1 ? "rate"_L1 : "subscribers"_L1;
            const double x = a.value(field).toDouble();
            const double y = b.value(field).toDouble();
            if (x != y) {
                return x > y;
            }
        }
        return nameA < nameB;
    });
}

QList<QJsonObject> connectionItems(const QList<ConnectionRow> &rows,
                                   const QString &nodeId,
                                   const ListQuery &query)
{
    QList<QJsonObject> items;
    for (const ConnectionRow &row : rows) {
        const Transport::ConnectionFacts &facts = row.facts;
        const QString id = QString::number(facts.id);
        if (!query.app.isEmpty() && facts.appId != query.app) {
            continue;
        }
        if (!query.filter.isEmpty() && !id.contains(query.filter)
            && !row.user.contains(query.filter) && !facts.address.contains(query.filter)) {
            continue;
        }
        const bool centrifuge = Broker::protocolOf(facts.id) == Broker::Protocol::Centrifuge;
        items.append({{"key"_L1, QString(nodeId + u'/' + id)},
                      {"id"_L1, id},
                      {"node"_L1, nodeId},
                      {"protocol"_L1, centrifuge ? u"centrifuge"_s : u"pusher"_s},
                      {"app"_L1, facts.appId},
                      {"user"_L1, row.user},
                      {"address"_L1, facts.address},
                      {"connected_at"_L1, facts.connectedMs},
                      {"channels"_L1, row.channels}});
    }
    std::stable_sort(items.begin(), items.end(), connectedEarlier);
    return items;
}

ListPage connectionPage(QList<QJsonObject> items, int total, const ListQuery &query)
{
    ListPage result = page(std::move(items), query, connectedEarlier);
    result.total = total;
    return result;
}

} // namespace DNotifier::Admin
