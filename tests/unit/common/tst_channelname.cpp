#include <common/pusher/channelname.h>

#include <QTest>

using namespace DNotifier;
using namespace DNotifier::Pusher;
using namespace Qt::Literals::StringLiterals;

class tst_ChannelName final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void channelType_data();
    void channelType();
    void validateChannelName_data();
    void validateChannelName();
    void validateEventName_data();
    void validateEventName();
    void serverToUserId_data();
    void serverToUserId();
};

void tst_ChannelName::channelType_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<ChannelKind>("kind");
    QTest::addColumn<bool>("isCache");
    QTest::addColumn<bool>("needsAuth");
    QTest::addColumn<bool>("allowsClientEvents");

    QTest::newRow("a name without prefix is public")
            << u"news"_s << ChannelKind::Public << false << false << false;
    QTest::newRow("cache- is a public cache channel")
            << u"cache-news"_s << ChannelKind::Public << true << false << false;
    QTest::newRow("private- is private and allows client events")
            << u"private-chat"_s << ChannelKind::Private << false << true << true;
    QTest::newRow("private-cache- is a private cache channel")
            << u"private-cache-chat"_s << ChannelKind::Private << true << true << true;
    QTest::newRow("private-encrypted- is checked before private- and refuses client events")
            << u"private-encrypted-room"_s << ChannelKind::PrivateEncrypted << false << true
            << false;
    QTest::newRow("private-encrypted-cache- is an encrypted cache channel")
            << u"private-encrypted-cache-room"_s << ChannelKind::PrivateEncrypted << true << true
            << false;
    QTest::newRow("presence- is presence and allows client events")
            << u"presence-room"_s << ChannelKind::Presence << false << true << true;
    QTest::newRow("presence-cache- is a presence channel with a cache")
            << u"presence-cache-room"_s << ChannelKind::Presence << true << true << true;
    QTest::newRow("#server-to-user- names a user's channel, authorised by signin")
            << u"#server-to-user-42"_s << ChannelKind::ServerToUser << false << false << false;
    QTest::newRow("#server-to-user- without an id is still that kind")
            << u"#server-to-user-"_s << ChannelKind::ServerToUser << false << false << false;
    QTest::newRow("private-encrypted without its dash is an ordinary private channel")
            << u"private-encrypted"_s << ChannelKind::Private << false << true << true;
    QTest::newRow("private without a dash is public")
            << u"private"_s << ChannelKind::Public << false << false << false;
    QTest::newRow("prefixes are case-sensitive")
            << u"Private-chat"_s << ChannelKind::Public << false << false << false;
    QTest::newRow("a cache word later in the name does not make a cache channel")
            << u"private-chat-cache-1"_s << ChannelKind::Private << false << true << true;
    QTest::newRow("cache without a dash is not a cache channel")
            << u"cache"_s << ChannelKind::Public << false << false << false;
    QTest::newRow("server-to-user- without the hash is public")
            << u"server-to-user-42"_s << ChannelKind::Public << false << false << false;
}

void tst_ChannelName::channelType()
{
    QFETCH(QString, name);
    QFETCH(ChannelKind, kind);
    QFETCH(bool, isCache);
    QFETCH(bool, needsAuth);
    QFETCH(bool, allowsClientEvents);

    const ChannelType type = Pusher::channelType(name);
    QCOMPARE(type.kind, kind);
    QCOMPARE(type.isCache, isCache);
    QCOMPARE(type.needsAuth(), needsAuth);
    QCOMPARE(type.allowsClientEvents(), allowsClientEvents);
}

void tst_ChannelName::validateChannelName_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("maxLength");
    QTest::addColumn<bool>("valid");
    // A piece of text the error message must contain, so the reason reaches the client.
    QTest::addColumn<QString>("messageFragment");

    constexpr int limit = DefaultMaxChannelNameLength;
    static_assert(limit == 200, "the rows below are written for the default limit of 200");

    QTest::newRow("every allowed punctuation mark is accepted")
            << u"a_-=@,.;b"_s << limit << true << QString();
    QTest::newRow("letters and digits are accepted") << u"Room42"_s << limit << true << QString();
    QTest::newRow("a semicolon in a trigger target is accepted")
            << u"x;y"_s << limit << true << QString();
    QTest::newRow("a single character is accepted") << u"a"_s << limit << true << QString();
    QTest::newRow("a 164-character name is accepted under the limit of 200")
            << QString(u"private-"_s + QString(156, u'x')) << limit << true << QString();
    QTest::newRow("a 200-character name is accepted at the limit")
            << QString(200, u'x') << limit << true << QString();
    QTest::newRow("a 201-character name is refused over the limit")
            << QString(201, u'x') << limit << false << u"the limit is 200"_s;
    QTest::newRow("a 165-character name is refused when the limit is configured to 164")
            << QString(165, u'x') << 164 << false << u"the limit is 164"_s;
    QTest::newRow("a colon is refused") << u"bad:name"_s << limit << false << u"bad:name"_s;
    QTest::newRow("a space is refused") << u"bad name"_s << limit << false << u"bad name"_s;
    QTest::newRow("a non-ASCII letter is refused")
            << u"caf\u00e9"_s << limit << false << u"caf\u00e9"_s;
    QTest::newRow("a letter outside the basic plane is refused")
            << u"room-\U0001F600"_s << limit << false << u"room-\U0001F600"_s;
    QTest::newRow("a slash is refused") << u"a/b"_s << limit << false << u"a/b"_s;
    QTest::newRow("a percent-encoded at sign is refused") << u"%40"_s << limit << false << u"%40"_s;
    QTest::newRow("a backslash is refused") << u"a\\b"_s << limit << false << u"a\\b"_s;
    QTest::newRow("a NUL character is refused")
            << QString(u"a\0b"_s) << limit << false << u"position 1"_s;
    QTest::newRow("an empty name is refused") << QString() << limit << false << u"empty"_s;
    QTest::newRow("a server-to-user channel with a user id is accepted")
            << u"#server-to-user-42"_s << limit << true << QString();
    QTest::newRow("a server-to-user channel for an id with allowed punctuation is accepted")
            << u"#server-to-user-a@b.c"_s << limit << true << QString();
    QTest::newRow("a server-to-user channel without a user id is refused")
            << u"#server-to-user-"_s << limit << false << u"#server-to-user-"_s;
    QTest::newRow("a server-to-user channel with a second hash is refused")
            << u"#server-to-user-#1"_s << limit << false << u"#server-to-user-#1"_s;
    QTest::newRow("a leading hash on any other name is refused")
            << u"#other"_s << limit << false << u"#other"_s;
    QTest::newRow("a hash inside a name is refused") << u"a#b"_s << limit << false << u"a#b"_s;
    QTest::newRow("a server-to-user channel over the limit is refused")
            << QString(u"#server-to-user-"_s + QString(185, u'1')) << limit << false
            << u"the limit is 200"_s;
}

void tst_ChannelName::validateChannelName()
{
    QFETCH(QString, name);
    QFETCH(int, maxLength);
    QFETCH(bool, valid);
    QFETCH(QString, messageFragment);

    const Result<void> result = Pusher::validateChannelName(name, maxLength);
    QCOMPARE(result.isOk(), valid);
    if (!valid) {
        QVERIFY2(result.error().message.contains(messageFragment),
                 qPrintable(result.error().message));
    }
}

void tst_ChannelName::validateEventName_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("valid");

    QTest::newRow("a plain event name is accepted") << u"order-shipped"_s << true;
    QTest::newRow("a client event name is accepted") << u"client-typing"_s << true;
    QTest::newRow("a PHP class name with backslashes is accepted")
            << u"App\\Events\\OrderShipped"_s << true;
    QTest::newRow("spaces and colons are accepted") << u"order shipped: now"_s << true;
    QTest::newRow("non-ASCII letters are accepted") << u"\u00e9v\u00e9nement"_s << true;
    QTest::newRow("a 200-character name is accepted at the limit") << QString(200, u'e') << true;
    QTest::newRow("a 201-character name is refused over the limit") << QString(201, u'e') << false;
    QTest::newRow("an empty name is refused") << QString() << false;
    QTest::newRow("a pusher: name is reserved") << u"pusher:subscribe"_s << false;
    QTest::newRow("a pusher_internal: name is reserved")
            << u"pusher_internal:member_added"_s << false;
    QTest::newRow("pusher without a colon is an ordinary name") << u"pusher-news"_s << true;
}

void tst_ChannelName::validateEventName()
{
    QFETCH(QString, name);
    QFETCH(bool, valid);

    const Result<void> result = Pusher::validateEventName(name, DefaultMaxEventNameLength);
    QCOMPARE(result.isOk(), valid);
    if (!valid) {
        QVERIFY(!result.error().message.isEmpty());
    }
}

void tst_ChannelName::serverToUserId_data()
{
    QTest::addColumn<QString>("channel");
    QTest::addColumn<QString>("userId");

    QTest::newRow("the id follows the prefix") << u"#server-to-user-42"_s << u"42"_s;
    QTest::newRow("dashes in the id are kept") << u"#server-to-user-a-b"_s << u"a-b"_s;
    QTest::newRow("no id gives an empty string") << u"#server-to-user-"_s << QString();
    QTest::newRow("a private channel has no user id") << u"private-42"_s << QString();
    QTest::newRow("the prefix without the hash has no user id")
            << u"server-to-user-42"_s << QString();
}

void tst_ChannelName::serverToUserId()
{
    QFETCH(QString, channel);
    QFETCH(QString, userId);

    QCOMPARE(Pusher::serverToUserId(channel), userId);
}

QTEST_GUILESS_MAIN(tst_ChannelName)
#include "tst_channelname.moc"
