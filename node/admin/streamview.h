#pragma once

// The state of one admin stream at one moment: its keyed collections and its plain fields
// (a page's total, a traffic sample). A snapshot sends it whole; a delta sends what differs
// from the view sent before.

#include "keyeddelta.h"

#include <QJsonObject>
#include <QMap>
#include <QStringList>

namespace DNotifier::Admin {

inline const QStringList StreamKinds{QStringLiteral("topology"), QStringLiteral("traffic"),
                                     QStringLiteral("channels"), QStringLiteral("connections"),
                                     QStringLiteral("tail")};

struct StreamView
{
    QMap<QString, KeyedItems> collections;
    QJsonObject fields;
};

QJsonObject snapshotData(const StreamView &view);
// Empty when nothing changed. Fields are sent whole when any of them changed, or always when
// `fieldsAlways` (a traffic sample is news every second).
QJsonObject deltaData(const StreamView &before, const StreamView &after, bool fieldsAlways);

} // namespace DNotifier::Admin
