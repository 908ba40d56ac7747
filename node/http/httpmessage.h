#pragma once

// An HTTP request as the transport parsed it, and the response a handler produces.

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QPair>

namespace DNotifier::Http {

struct Request
{
    QByteArray method;
    // The path exactly as it arrived (still percent-encoded) and its decoded form.
    QByteArray rawPath;
    QString path;
    // Query pairs, percent-decoded, in the order they arrived.
    QList<QPair<QByteArray, QByteArray>> query;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    QHostAddress remoteAddress;
    // Its place among the requests of its connection: the response names it, so that answers
    // finished out of order still leave in the order the requests came.
    quint64 sequence = 0;

    QByteArray header(QByteArrayView name) const;
    QByteArray queryValue(QByteArrayView name) const;
};

struct Response
{
    int status = 200;
    QByteArray contentType = "application/json";
    QByteArray body;
    bool closeAfter = false;

    static Response json(int status, const QByteArray &body);
    // `{"error":"..."}` with the given status.
    static Response error(int status, const QString &message);
    // A response to HEAD states the body's length but leaves the body out.
    QByteArray serialise(bool keepAlive, bool withBody = true) const;
};

} // namespace DNotifier::Http
