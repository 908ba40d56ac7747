#include "jsonspan.h"

namespace DNotifier::Json {

namespace {

qsizetype skipSpace(QByteArrayView json, qsizetype at)
{
    while (at < json.size()
           && (json[at] == ' ' || json[at] == '\t' || json[at] == '\n' || json[at] == '\r')) {
        ++at;
    }
    return at;
}

// `at` is on the opening quote; returns the index just past the closing quote.
qsizetype skipString(QByteArrayView json, qsizetype at)
{
    for (++at; at < json.size(); ++at) {
        if (json[at] == '\\') {
            ++at;
        } else if (json[at] == '"') {
            return at + 1;
        }
    }
    return json.size();
}

// Returns the index just past the value that starts at `at`.
qsizetype skipValue(QByteArrayView json, qsizetype at)
{
    if (at >= json.size()) {
        return at;
    }
    if (json[at] == '"') {
        return skipString(json, at);
    }
    if (json[at] != '{' && json[at] != '[') {
        while (at < json.size() && json[at] != ',' && json[at] != '}' && json[at] != ']'
               && json[at] != ' ' && json[at] != '\n' && json[at] != '\r' && json[at] != '\t') {
            ++at;
        }
        return at;
    }
    int depth = 0;
    while (at < json.size()) {
        const char c = json[at];
        if (c == '"') {
            at = skipString(json, at);
            continue;
        }
        if (c == '{' || c == '[') {
            ++depth;
        } else if ((c == '}' || c == ']') && --depth == 0) {
            return at + 1;
        }
        ++at;
    }
    return at;
}

std::optional<QByteArrayView> memberOf(QByteArrayView object, QByteArrayView name)
{
    qsizetype at = skipSpace(object, 0);
    if (at >= object.size() || object[at] != '{') {
        return std::nullopt;
    }
    at = skipSpace(object, at + 1);
    while (at < object.size() && object[at] == '"') {
        const qsizetype keyEnd = skipString(object, at);
        const QByteArrayView key = object.sliced(at + 1, qMax<qsizetype>(0, keyEnd - at - 2));
        at = skipSpace(object, keyEnd);
        if (at >= object.size() || object[at] != ':') {
            return std::nullopt;
        }
        const qsizetype valueStart = skipSpace(object, at + 1);
        const qsizetype valueEnd = skipValue(object, valueStart);
        if (key == name) {
            return object.sliced(valueStart, valueEnd - valueStart);
        }
        at = skipSpace(object, valueEnd);
        if (at < object.size() && object[at] == ',') {
            at = skipSpace(object, at + 1);
        }
    }
    return std::nullopt;
}

} // namespace

std::optional<QByteArrayView> memberSpan(QByteArrayView json, const QList<QByteArrayView> &path)
{
    std::optional<QByteArrayView> current = json;
    for (const QByteArrayView name : path) {
        current = memberOf(*current, name);
        if (!current) {
            return std::nullopt;
        }
    }
    return current;
}

} // namespace DNotifier::Json
