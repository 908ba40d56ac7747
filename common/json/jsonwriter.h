#pragma once

// Compact JSON text built by appending, for frames that are serialised once per publication
// and shared by every recipient. The caller keeps keys and nesting right.

#include <QByteArray>
#include <QString>

namespace DNotifier::Json {

// Appends `text` as a JSON string literal (quotes included) in UTF-8.
void appendQuoted(QByteArray &out, QStringView text);
QByteArray quoted(QStringView text);

class ObjectWriter final
{
public:
    ObjectWriter &string(QLatin1StringView key, QStringView value);
    ObjectWriter &raw(QLatin1StringView key, const QByteArray &json);
    // A member whose key is data (a channel name, a client id): quoted and escaped.
    ObjectWriter &member(QStringView key, const QByteArray &json);
    ObjectWriter &integer(QLatin1StringView key, qint64 value);
    ObjectWriter &boolean(QLatin1StringView key, bool value);
    ObjectWriter &null(QLatin1StringView key);
    QByteArray finish();

private:
    void key(QLatin1StringView name);

    QByteArray m_out = QByteArray(1, '{');
};

} // namespace DNotifier::Json
