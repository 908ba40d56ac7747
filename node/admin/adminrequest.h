#pragma once

// Reads one admin protocol request from a text frame: {"id": N, "method": "...", "params":
// {...}}. Pure function, what the fuzzer drives; it trusts nothing about the text.

#include <common/result.h>

#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include <variant>

namespace DNotifier::Admin {

struct AdminRequest
{
    // A positive integer, as JSON; kept as read so the reply carries it back unchanged.
    QJsonValue id;
    QString method;
    QJsonObject params;
};

struct RequestError
{
    // The request's id when it could be read, else null: the error reply carries it.
    QJsonValue id = QJsonValue::Null;
    Error error;
};

// The request, or the error to answer with.
std::variant<AdminRequest, RequestError> parseAdminRequest(const QByteArray &text);

} // namespace DNotifier::Admin
