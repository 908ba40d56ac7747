#include <common/json/jsonwriter.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <limits>
#include <optional>

using namespace DNotifier;
using namespace Qt::Literals::StringLiterals;

namespace {

// Every code unit below 0x20, the ones JSON requires to be escaped.
QString allControlCharacters()
{
    QString text;
    for (char16_t c = 0; c < 0x20; ++c) {
        text.append(QChar(c));
    }
    return text;
}

// Parses a JSON string literal by wrapping it in an array, which QJsonDocument requires.
std::optional<QString> parseQuoted(const QByteArray &literal)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson('[' + literal + ']', &error);
    if (error.error != QJsonParseError::NoError || !document.isArray()
        || document.array().size() != 1 || !document.array().at(0).isString()) {
        return std::nullopt;
    }
    return document.array().at(0).toString();
}

} // namespace

class tst_JsonWriter final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void quoted_data();
    void quoted();
    void quotedRoundTrip_data();
    void quotedRoundTrip();
    void loneSurrogateStillGivesValidJson();
    void appendQuotedKeepsExistingText();
    void objectWriter();
    void objectWriterParsesBack();
    void emptyObject();
    void integerLimits_data();
    void integerLimits();
};

void tst_JsonWriter::quoted_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("plain ASCII is only wrapped in quotes") << u"hello"_s << "\"hello\""_ba;
    QTest::newRow("an empty string is two quotes") << QString() << "\"\""_ba;
    QTest::newRow("a double quote is escaped") << u"say \"hi\""_s << "\"say \\\"hi\\\"\""_ba;
    QTest::newRow("a backslash is escaped") << u"a\\b"_s << "\"a\\\\b\""_ba;
    QTest::newRow("a newline uses its short escape") << u"a\nb"_s << "\"a\\nb\""_ba;
    QTest::newRow("a carriage return uses its short escape") << u"a\rb"_s << "\"a\\rb\""_ba;
    QTest::newRow("a tab uses its short escape") << u"a\tb"_s << "\"a\\tb\""_ba;
    QTest::newRow("a NUL becomes a unicode escape") << QString(u"a\0b"_s) << "\"a\\u0000b\""_ba;
    QTest::newRow("a backspace becomes a unicode escape") << u"\b"_s << "\"\\u0008\""_ba;
    QTest::newRow("a form feed becomes a unicode escape") << u"\f"_s << "\"\\u000c\""_ba;
    QTest::newRow("the unit separator becomes a unicode escape") << u"\x1f"_s << "\"\\u001f\""_ba;
    QTest::newRow("escape 0x1b becomes a unicode escape") << u"\x1b"_s << "\"\\u001b\""_ba;
    QTest::newRow("DEL needs no escape") << u"\x7f"_s << "\"\x7f\""_ba;
    QTest::newRow("a slash needs no escape") << u"a/b"_s << "\"a/b\""_ba;
    QTest::newRow("a Latin-1 letter is written as UTF-8") << u"caf\u00e9"_s << "\"caf\xc3\xa9\""_ba;
    QTest::newRow("a CJK character is written as UTF-8") << u"\u4e2d"_s << "\"\xe4\xb8\xad\""_ba;
    QTest::newRow("a character outside the basic plane is written as 4-byte UTF-8")
            << u"\U0001F600"_s << "\"\xf0\x9f\x98\x80\""_ba;
    QTest::newRow("the line separator is written as UTF-8") << u"\u2028"_s << "\"\xe2\x80\xa8\""_ba;
}

void tst_JsonWriter::quoted()
{
    QFETCH(QString, text);
    QFETCH(QByteArray, expected);

    QCOMPARE(Json::quoted(text), expected);
}

void tst_JsonWriter::quotedRoundTrip_data()
{
    QTest::addColumn<QString>("text");

    QTest::newRow("plain text") << u"hello world"_s;
    QTest::newRow("quotes and backslashes") << u"\"\\\"\\\\\"quoted\" \\n"_s;
    QTest::newRow("every control character") << allControlCharacters();
    QTest::newRow("JSON inside a string, as Pusher double-encodes it")
            << u"{\"socket_id\":\"123.456\",\"activity_timeout\":120}"_s;
    QTest::newRow("mixed scripts and an emoji")
            << u"caf\u00e9 \u4e2d\u6587 \u0645\u0631\u062d\u0628\u0627 \U0001F680"_s;
    QTest::newRow("a PHP class name") << u"App\\Events\\OrderShipped"_s;
}

void tst_JsonWriter::quotedRoundTrip()
{
    QFETCH(QString, text);

    const std::optional<QString> parsed = parseQuoted(Json::quoted(text));
    QVERIFY(parsed);
    QCOMPARE(*parsed, text);
}

void tst_JsonWriter::loneSurrogateStillGivesValidJson()
{
    // A client can smuggle one in as "\ud800"; QJsonDocument hands it over unpaired.
    QString text = u"a"_s;
    text.append(QChar(0xd800));
    text.append(u'b');

    const QByteArray literal = Json::quoted(text);
    QVERIFY(QUtf8StringView(literal).isValidUtf8());
    const std::optional<QString> parsed = parseQuoted(literal);
    QVERIFY(parsed);
    QVERIFY(parsed->startsWith(u'a'));
    QVERIFY(parsed->endsWith(u'b'));
}

void tst_JsonWriter::appendQuotedKeepsExistingText()
{
    QByteArray out = "[1,"_ba;
    Json::appendQuoted(out, u"x\"y");
    out += ']';
    QCOMPARE(out, "[1,\"x\\\"y\"]"_ba);
}

void tst_JsonWriter::objectWriter()
{
    const QByteArray json = Json::ObjectWriter()
                                    .string("event"_L1, u"pusher:error")
                                    .raw("data"_L1, "{\"a\":[1,2]}"_ba)
                                    .integer("code"_L1, 4001)
                                    .null("user"_L1)
                                    .finish();
    QCOMPARE(json,
             "{\"event\":\"pusher:error\",\"data\":{\"a\":[1,2]},\"code\":4001,\"user\":null}"_ba);
}

void tst_JsonWriter::objectWriterParsesBack()
{
    const QString awkward = u"line\nbreak \"quoted\" back\\slash \u00e9 \U0001F600 \x01"_s;
    const QByteArray json = Json::ObjectWriter()
                                    .string("text"_L1, awkward)
                                    .integer("negative"_L1, -42)
                                    .raw("list"_L1, "[\"a\",true]"_ba)
                                    .null("nothing"_L1)
                                    .finish();

    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    const QJsonObject expected{
            {u"text"_s, awkward},
            {u"negative"_s, -42},
            {u"list"_s, QJsonArray{u"a"_s, true}},
            {u"nothing"_s, QJsonValue::Null},
    };
    QCOMPARE(document.object(), expected);
}

void tst_JsonWriter::emptyObject()
{
    QCOMPARE(Json::ObjectWriter().finish(), "{}"_ba);
}

void tst_JsonWriter::integerLimits_data()
{
    QTest::addColumn<qint64>("value");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("zero") << qint64(0) << "{\"n\":0}"_ba;
    QTest::newRow("a negative number") << qint64(-1) << "{\"n\":-1}"_ba;
    QTest::newRow("a millisecond timestamp") << qint64(1700000000123) << "{\"n\":1700000000123}"_ba;
    QTest::newRow("the largest 64-bit value")
            << std::numeric_limits<qint64>::max() << "{\"n\":9223372036854775807}"_ba;
    QTest::newRow("the smallest 64-bit value")
            << std::numeric_limits<qint64>::min() << "{\"n\":-9223372036854775808}"_ba;
}

void tst_JsonWriter::integerLimits()
{
    QFETCH(qint64, value);
    QFETCH(QByteArray, expected);

    QCOMPARE(Json::ObjectWriter().integer("n"_L1, value).finish(), expected);
}

QTEST_GUILESS_MAIN(tst_JsonWriter)
#include "tst_jsonwriter.moc"
