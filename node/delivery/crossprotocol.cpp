#include "crossprotocol.h"

#include <common/json/jsonwriter.h>
#include <node/pusher/frames.h>

#include <QJsonArray>
#include <QJsonDocument>

namespace DNotifier::Delivery {

namespace {

bool isJsonValue(const QByteArray &text)
{
    // QJsonDocument reads only objects and arrays at the top, so wrap the value in one.
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson('[' + text + ']', &error);
    return error.error == QJsonParseError::NoError && document.array().size() == 1;
}

QString tagValue(const QList<QPair<QString, QString>> &tags, QLatin1StringView name)
{
    for (const auto &tag : tags) {
        if (tag.first == name) {
            return tag.second;
        }
    }
    return {};
}

} // namespace

QByteArray pusherFrame(const Broker::Publication &publication)
{
    if (!publication.event.isEmpty()) {
        return Pusher::Frames::event(publication);
    }
    Broker::Publication converted = publication;
    converted.event = tagValue(publication.tags, EventTag);
    if (converted.event.isEmpty()) {
        converted.event = QString(DefaultPusherEvent);
    }
    // Server events carry their data as a string; pusher-js parses JSON strings itself.
    converted.dataIsJson = false;
    return Pusher::Frames::event(converted);
}

Centrifuge::Publication centrifugePublication(const Broker::Publication &publication)
{
    Centrifuge::Publication out;
    if (publication.dataIsJson || isJsonValue(publication.data)) {
        out.data = publication.data;
    } else {
        out.data = Json::quoted(QString::fromUtf8(publication.data));
    }
    out.offset = publication.offset;
    if (publication.publisher) {
        const Broker::PublisherInfo &publisher = *publication.publisher;
        out.info = Centrifuge::ClientInfo{publisher.user, publisher.client, publisher.connInfo,
                                          publisher.chanInfo};
    }
    out.tags = publication.tags;
    if (!publication.event.isEmpty() && tagValue(publication.tags, EventTag).isEmpty()) {
        out.tags.append({QString(EventTag), publication.event});
    }
    return out;
}

} // namespace DNotifier::Delivery
