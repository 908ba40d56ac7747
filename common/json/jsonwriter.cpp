#include "jsonwriter.h"

namespace DNotifier::Json {

namespace {

constexpr char HexDigits[] = "0123456789abcdef";

void appendEscaped(QByteArray &out, char c)
{
    switch (c) {
    case '"':
        out += "\\\"";
        return;
    case '\\':
        out += "\\\\";
        return;
    case '\n':
        out += "\\n";
        return;
    case '\r':
        out += "\\r";
        return;
    case '\t':
        out += "\\t";
        return;
    default:
        break;
    }
    if (static_cast<unsigned char>(c) < 0x20) {
        out += "\\u00";
        out += HexDigits[(c >> 4) & 0xf];
        out += HexDigits[c & 0xf];
        return;
    }
    out += c;
}

} // namespace

void appendQuoted(QByteArray &out, QStringView text)
{
    const QByteArray utf8 = text.toUtf8();
    out.reserve(out.size() + utf8.size() + 2);
    out += '"';
    for (char c : utf8) {
        appendEscaped(out, c);
    }
    out += '"';
}

QByteArray quoted(QStringView text)
{
    QByteArray out;
    appendQuoted(out, text);
    return out;
}

ObjectWriter &ObjectWriter::string(QLatin1StringView name, QStringView value)
{
    key(name);
    appendQuoted(m_out, value);
    return *this;
}

ObjectWriter &ObjectWriter::raw(QLatin1StringView name, const QByteArray &json)
{
    key(name);
    m_out += json;
    return *this;
}

ObjectWriter &ObjectWriter::member(QStringView name, const QByteArray &json)
{
    if (m_out.size() > 1) {
        m_out += ',';
    }
    appendQuoted(m_out, name);
    m_out += ':';
    m_out += json;
    return *this;
}

ObjectWriter &ObjectWriter::integer(QLatin1StringView name, qint64 value)
{
    key(name);
    m_out += QByteArray::number(value);
    return *this;
}

ObjectWriter &ObjectWriter::boolean(QLatin1StringView name, bool value)
{
    key(name);
    m_out += value ? "true" : "false";
    return *this;
}

ObjectWriter &ObjectWriter::null(QLatin1StringView name)
{
    key(name);
    m_out += "null";
    return *this;
}

QByteArray ObjectWriter::finish()
{
    m_out += '}';
    return std::move(m_out);
}

void ObjectWriter::key(QLatin1StringView name)
{
    if (m_out.size() > 1) {
        m_out += ',';
    }
    m_out += '"';
    m_out += QByteArrayView(name.data(), name.size());
    m_out += "\":";
}

} // namespace DNotifier::Json
