#include <node/cluster/peerframing.h>
#include <node/cluster/peermessages.h>

#include <QCborArray>
#include <QCborMap>
#include <QCborValue>
#include <QTest>

#include <limits>

using namespace DNotifier;
using namespace DNotifier::Cluster;
using namespace Qt::Literals::StringLiterals;

namespace {

// The position of a message type in PeerMessage, which decoding reports.
template<typename T, std::size_t I = 0>
constexpr int alternativeOf()
{
    if constexpr (std::is_same_v<std::variant_alternative_t<I, PeerMessage>, T>) {
        return int(I);
    } else {
        return alternativeOf<T, I + 1>();
    }
}

constexpr quint64 LargestSequence = quint64(std::numeric_limits<qint64>::max());

// Bytes that no text encoding would produce, to show that binary fields travel untouched.
const QByteArray Binary("\x00\xff\x01\x80\x7f\x00", 6);

template<typename M>
std::optional<M> decodeAs(const QByteArray &payload)
{
    const Result<PeerMessage> decoded = decodePeerMessage(payload);
    if (!decoded) {
        qWarning("decoding failed: %s", qPrintable(decoded.error().message));
        return std::nullopt;
    }
    const M *message = std::get_if<M>(&*decoded);
    if (!message) {
        qWarning("decoded to alternative %d", int(decoded->index()));
        return std::nullopt;
    }
    return *message;
}

template<typename M>
std::optional<M> roundTrip(const M &message)
{
    return decodeAs<M>(encodePeerMessage(message));
}

QByteArray cbor(const QCborValue &value)
{
    return value.toCbor();
}

// Only a frame's 4-byte length, written out byte by byte.
QByteArray header(quint32 length)
{
    QByteArray bytes;
    for (int shift = 24; shift >= 0; shift -= 8) {
        bytes.append(char((length >> shift) & 0xff));
    }
    return bytes;
}

QByteArray frame(const QByteArray &payload)
{
    return header(quint32(payload.size())) + payload;
}

QList<QByteArray> drain(PeerFrameReader &reader)
{
    QList<QByteArray> frames;
    while (const std::optional<QByteArray> payload = reader.next()) {
        frames.append(*payload);
    }
    return frames;
}

MemberRecord sampleMember(const QString &id, MemberState state)
{
    MemberRecord member{id, u"Knoten Zürich"_s, u"[2001:db8::7]:7002"_s, u"eu-central-1"_s};
    member.incarnation = 42;
    member.state = state;
    member.startedMs = 1700000000456;
    return member;
}

// An array of one element. QCborArray{array} would copy the inner array under clang, which
// applies the rule that a braced list of one object of the same class is a copy.
QCborArray arrayOf(const QCborValue &element)
{
    QCborArray array;
    array.append(element);
    return array;
}

// The wire format, written out by hand: each message is a map with its type under "t".
QCborMap memberMap()
{
    return QCborMap{{u"id"_s, u"n1"_s},
                    {u"n"_s, u"one"_s},
                    {u"a"_s, u"10.0.0.1:7002"_s},
                    {u"r"_s, u"eu"_s},
                    {u"i"_s, 4},
                    {u"s"_s, 1},
                    {u"st"_s, qint64(1700000000000)}};
}

QCborMap helloMap()
{
    return QCborMap{{u"t"_s, 1},        {u"v"_s, 1},       {u"cl"_s, u"c1"_s},
                    {u"id"_s, u"n1"_s}, {u"nc"_s, Binary}, {u"je"_s, 1700000000}};
}

QCborMap challengeMap()
{
    return QCborMap{{u"t"_s, 2}, {u"id"_s, u"n2"_s}, {u"nc"_s, Binary}, {u"pf"_s, "proof"_ba}};
}

QCborMap proofMap()
{
    return QCborMap{{u"t"_s, 3}, {u"pf"_s, "proof"_ba}, {u"me"_s, memberMap()}};
}

QCborMap welcomeMap()
{
    return QCborMap{{u"t"_s, 4}, {u"me"_s, memberMap()}};
}

QCborMap refusedMap()
{
    return QCborMap{{u"t"_s, 5}, {u"why"_s, u"wrong cluster"_s}};
}

QCborMap membersMap()
{
    return QCborMap{{u"t"_s, 10}, {u"m"_s, arrayOf(memberMap())}};
}

QCborMap pingMap()
{
    return QCborMap{{u"t"_s, 11}, {u"q"_s, 7}};
}

QCborMap ackMap()
{
    return QCborMap{{u"t"_s, 12}, {u"q"_s, 7}};
}

QCborMap pingRequestMap()
{
    return QCborMap{{u"t"_s, 13}, {u"q"_s, 7}, {u"to"_s, u"n3"_s}};
}

QCborMap interestMap()
{
    return QCborMap{{u"t"_s, 20},
                    {u"id"_s, u"n1"_s},
                    {u"v"_s, 3},
                    {u"f"_s, false},
                    {u"e"_s, arrayOf(QCborArray{u"app"_s, u"news"_s, 2})}};
}

QCborMap presenceMap()
{
    return QCborMap{{u"t"_s, 21},
                    {u"id"_s, u"n1"_s},
                    {u"v"_s, 3},
                    {u"f"_s, true},
                    {u"e"_s,
                     arrayOf(QCborArray{u"app"_s, u"presence-room"_s, u"u1"_s, "{}"_ba, true})}};
}

QCborMap publicationMap()
{
    return QCborMap{{u"t"_s, 30},
                    {u"app"_s, u"app"_s},
                    {u"c"_s, u"news"_s},
                    {u"e"_s, u"update"_s},
                    {u"d"_s, "{\"v\":1}"_ba},
                    {u"j"_s, true},
                    {u"o"_s, 1},
                    {u"ms"_s, qint64(1700000000123)},
                    {u"u"_s, u"u1"_s},
                    {u"p"_s, QCborArray{u"u1"_s, u"client-1"_s, "{}"_ba, "{}"_ba}},
                    {u"rt"_s, QCborArray{u"us-east"_s}},
                    {u"x"_s, true},
                    {u"sq"_s, true},
                    {u"off"_s, 12},
                    {u"ep"_s, u"epoch-1"_s},
                    {u"on"_s, u"n2"_s},
                    {u"oq"_s, 5},
                    {u"ex"_s, 513},
                    {u"g"_s, QCborArray{u"k"_s, u"v"_s}}};
}

QCborMap with(QCborMap map, const QString &key, const QCborValue &value)
{
    map.insert(key, value);
    return map;
}

QCborMap without(QCborMap map, const QString &key)
{
    map.remove(key);
    return map;
}

QCborMap without(QCborMap map, const QStringList &keys)
{
    for (const QString &key : keys) {
        map.remove(key);
    }
    return map;
}

// A Welcome whose member record has the given field replaced, or removed when undefined.
QCborMap welcomeWithMember(const QString &key, const QCborValue &value)
{
    QCborMap member = memberMap();
    if (value.isUndefined()) {
        member.remove(key);
    } else {
        member.insert(key, value);
    }
    return with(welcomeMap(), u"me"_s, member);
}

QCborMap interestWithEntry(const QCborValue &entry)
{
    return with(interestMap(), u"e"_s, arrayOf(entry));
}

QCborMap presenceWithEntry(const QCborValue &entry)
{
    return with(presenceMap(), u"e"_s, arrayOf(entry));
}

} // namespace

class tst_PeerMessages final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTripHello();
    void roundTripChallenge();
    void roundTripProof();
    void roundTripWelcome();
    void roundTripRefused();
    void roundTripMembersUpdate();
    void roundTripPingAckAndPingRequest();
    void roundTripInterestUpdate();
    void roundTripPresenceUpdate();
    void roundTripClientPresenceUpdate();
    void clientPresenceEntryWithoutClientIsRefused();
    void roundTripNodeStatusAndAdminRelay();
    void adminRelayPastTheHopLimitIsRefused();
    void roundTripPublication();
    void roundTripPublicationWithoutOptionalFields();
    void roundTripPublicationWithEmptyPublisher();
    void encodingIsAMapWithTheTypeUnderT_data();
    void encodingIsAMapWithTheTypeUnderT();
    void pingEncodesToExactBytes();
    void handBuiltMessagesDecode_data();
    void handBuiltMessagesDecode();
    void malformedPayloadIsRefused_data();
    void malformedPayloadIsRefused();

    void framePrefixesBigEndianLength();
    void framesSplitAtEveryByte();
    void framesFedOneByteAtATime();
    void severalFramesInOneAppend();
    void longStreamInOddChunks();
    void emptyPayloadFrame();
    void frameAtTheLimitIsAccepted();
    void frameOverTheLimitPoisons_data();
    void frameOverTheLimitPoisons();
    void frameOverTheLimitAfterAGoodFrame();
};

void tst_PeerMessages::roundTripHello()
{
    const Hello hello{PeerProtocolVersion, u"c48e425beaa2569103419810ddf173cbd"_s,
                      u"knoten-ü-東京"_s, Binary, 1700000000};
    const std::optional<Hello> back = roundTrip(hello);
    QVERIFY(back);
    QCOMPARE(back->version, 1);
    QCOMPARE(back->clusterId, u"c48e425beaa2569103419810ddf173cbd"_s);
    QCOMPARE(back->node, u"knoten-ü-東京"_s);
    QCOMPARE(back->nonce, Binary);
    QCOMPARE(back->joinExpiresAt, qint64(1700000000));

    const std::optional<Hello> empty = roundTrip(Hello{0, QString(), QString(), QByteArray(), 0});
    QVERIFY(empty);
    QCOMPARE(empty->version, 0);
    QCOMPARE(empty->clusterId, QString());
    QCOMPARE(empty->node, QString());
    QCOMPARE(empty->nonce, QByteArray());
    QCOMPARE(empty->joinExpiresAt, qint64(0));
}

void tst_PeerMessages::roundTripChallenge()
{
    const std::optional<Challenge> back =
            roundTrip(Challenge{u"node-β"_s, Binary, QByteArray(32, '\xa5')});
    QVERIFY(back);
    QCOMPARE(back->node, u"node-β"_s);
    QCOMPARE(back->nonce, Binary);
    QCOMPARE(back->proof, QByteArray(32, '\xa5'));
}

void tst_PeerMessages::roundTripProof()
{
    MemberRecord self = sampleMember(u"n1"_s, MemberState::Alive);
    // The largest incarnation a record may carry (refuting it must stay encodable).
    self.incarnation = quint64(1) << 62;
    const std::optional<Proof> back = roundTrip(Proof{Binary, self});
    QVERIFY(back);
    QCOMPARE(back->proof, Binary);
    QCOMPARE(back->self.id, u"n1"_s);
    QCOMPARE(back->self.name, u"Knoten Zürich"_s);
    QCOMPARE(back->self.address, u"[2001:db8::7]:7002"_s);
    QCOMPARE(back->self.region, u"eu-central-1"_s);
    QCOMPARE(back->self.incarnation, quint64(1) << 62);
    QCOMPARE(back->self.state, MemberState::Alive);
    QCOMPARE(back->self.startedMs, qint64(1700000000456));
}

void tst_PeerMessages::roundTripWelcome()
{
    const MemberRecord self{u"n2"_s, QString(), u"h:1"_s, QString(), 0, MemberState::Alive};
    const std::optional<Welcome> back = roundTrip(Welcome{self});
    QVERIFY(back);
    QCOMPARE(back->self.id, u"n2"_s);
    QCOMPARE(back->self.name, QString());
    QCOMPARE(back->self.address, u"h:1"_s);
    QCOMPARE(back->self.region, QString());
    QCOMPARE(back->self.incarnation, quint64(0));
    QCOMPARE(back->self.state, MemberState::Alive);
    QCOMPARE(back->self.startedMs, qint64(0));
}

void tst_PeerMessages::roundTripRefused()
{
    const std::optional<Refused> back = roundTrip(Refused{u"Schlüssel abgelaufen ✗"_s});
    QVERIFY(back);
    QCOMPARE(back->reason, u"Schlüssel abgelaufen ✗"_s);

    const std::optional<Refused> empty = roundTrip(Refused{QString()});
    QVERIFY(empty);
    QCOMPARE(empty->reason, QString());
}

void tst_PeerMessages::roundTripNodeStatusAndAdminRelay()
{
    const std::optional<NodeStatusMessage> status =
            roundTrip(NodeStatusMessage{u"n1"_s, 42, R"({"id":"n1"})"_ba});
    QVERIFY(status);
    QCOMPARE(status->origin, u"n1"_s);
    QCOMPARE(status->version, quint64(42));
    QCOMPARE(status->status, R"({"id":"n1"})"_ba);

    const std::optional<AdminRelay> relay =
            roundTrip(AdminRelay{u"n1"_s, u"n2"_s, 7, true, R"({"kicked":true})"_ba, 2});
    QVERIFY(relay);
    QCOMPARE(relay->from, u"n1"_s);
    QCOMPARE(relay->to, u"n2"_s);
    QCOMPARE(relay->id, quint64(7));
    QCOMPARE(relay->answer, true);
    QCOMPARE(relay->body, R"({"kicked":true})"_ba);
    QCOMPARE(relay->hops, 2);
}

void tst_PeerMessages::adminRelayPastTheHopLimitIsRefused()
{
    QCborMap map = QCborValue::fromCbor(
                           encodePeerMessage(AdminRelay{u"a"_s, u"b"_s, 1, false, "{}"_ba, 0}))
                           .toMap();
    map.insert(u"h"_s, MaxAdminRelayHops + 1);
    QVERIFY(!decodePeerMessage(QCborValue(map).toCbor()));
}

void tst_PeerMessages::roundTripMembersUpdate()
{
    const QList<MemberRecord> members{sampleMember(u"a"_s, MemberState::Alive),
                                      sampleMember(u"b"_s, MemberState::Suspect),
                                      sampleMember(u"c"_s, MemberState::Dead),
                                      sampleMember(u"d"_s, MemberState::Left)};
    const std::optional<MembersUpdate> back = roundTrip(MembersUpdate{members});
    QVERIFY(back);
    QCOMPARE(back->members.size(), 4);
    QCOMPARE(back->members.at(0), sampleMember(u"a"_s, MemberState::Alive));
    QCOMPARE(back->members.at(1).state, MemberState::Suspect);
    QCOMPARE(back->members.at(2).state, MemberState::Dead);
    QCOMPARE(back->members.at(3), sampleMember(u"d"_s, MemberState::Left));

    const std::optional<MembersUpdate> none = roundTrip(MembersUpdate{});
    QVERIFY(none);
    QVERIFY(none->members.isEmpty());

    // At most MaxMembers records in one update.
    QList<MemberRecord> many;
    for (qsizetype i = 0; i < MaxMembers; ++i) {
        many.append(sampleMember(u"m%1"_s.arg(i), MemberState::Alive));
    }
    const std::optional<MembersUpdate> full = roundTrip(MembersUpdate{many});
    QVERIFY(full);
    QCOMPARE(full->members.size(), MaxMembers);
    many.append(sampleMember(u"one-too-many"_s, MemberState::Alive));
    const Result<PeerMessage> tooMany = decodePeerMessage(encodePeerMessage(MembersUpdate{many}));
    QVERIFY(!tooMany);
    QCOMPARE(tooMany.error().message, u"a membership update lists more than 1024 members"_s);
}

void tst_PeerMessages::roundTripPingAckAndPingRequest()
{
    const std::optional<Ping> ping = roundTrip(Ping{LargestSequence});
    QVERIFY(ping);
    QCOMPARE(ping->sequence, LargestSequence);

    const std::optional<Ack> ack = roundTrip(Ack{0});
    QVERIFY(ack);
    QCOMPARE(ack->sequence, quint64(0));

    const std::optional<PingRequest> request = roundTrip(PingRequest{91, u"node-γ"_s});
    QVERIFY(request);
    QCOMPARE(request->sequence, quint64(91));
    QCOMPARE(request->target, u"node-γ"_s);
}

void tst_PeerMessages::roundTripInterestUpdate()
{
    const QList<InterestEntry> entries{{u"app-1"_s, u"news"_s, 3},
                                       {u"app-1"_s, u"private-ünïcode"_s, 0},
                                       {u"app-2"_s, QString(), std::numeric_limits<int>::max()}};
    const std::optional<InterestUpdate> back =
            roundTrip(InterestUpdate{u"node-ö"_s, 17, true, entries});
    QVERIFY(back);
    QCOMPARE(back->origin, u"node-ö"_s);
    QCOMPARE(back->version, quint64(17));
    QCOMPARE(back->full, true);
    QCOMPARE(back->entries, entries);

    const std::optional<InterestUpdate> none =
            roundTrip(InterestUpdate{QString(), LargestSequence, false, {}});
    QVERIFY(none);
    QCOMPARE(none->origin, QString());
    QCOMPARE(none->version, LargestSequence);
    QCOMPARE(none->full, false);
    QVERIFY(none->entries.isEmpty());
}

void tst_PeerMessages::roundTripPresenceUpdate()
{
    const QList<PresenceEntry>
            entries{{u"app-1"_s, u"presence-room"_s, {u"u1"_s, "{\"name\":\"Zoë\"}"_ba}, true},
                    {u"app-1"_s, u"presence-room"_s, {u"u2"_s, QByteArray()}, false},
                    {u"app-2"_s, u"presence-ß"_s, {u"用户"_s, Binary}, true}};
    const std::optional<PresenceUpdate> back =
            roundTrip(PresenceUpdate{u"node-2"_s, 5, false, entries});
    QVERIFY(back);
    QCOMPARE(back->origin, u"node-2"_s);
    QCOMPARE(back->version, quint64(5));
    QCOMPARE(back->full, false);
    QCOMPARE(back->entries.size(), 3);
    for (qsizetype i = 0; i < entries.size(); ++i) {
        QCOMPARE(back->entries.at(i).appId, entries.at(i).appId);
        QCOMPARE(back->entries.at(i).channel, entries.at(i).channel);
        QCOMPARE(back->entries.at(i).member.userId, entries.at(i).member.userId);
        QCOMPARE(back->entries.at(i).member.userInfo, entries.at(i).member.userInfo);
        QCOMPARE(back->entries.at(i).present, entries.at(i).present);
    }
}

void tst_PeerMessages::roundTripClientPresenceUpdate()
{
    const QList<ClientPresenceEntry> entries{{u"app-1"_s,
                                              u"chat:room"_s,
                                              {u"carol"_s, u"c-1"_s, "{\"name\":\"Carol\"}"_ba, {}},
                                              true},
                                             {u"app-1"_s,
                                              u"chat:room"_s,
                                              {QString(), u"c-2"_s, {}, Binary},
                                              false}};
    const std::optional<ClientPresenceUpdate> back =
            roundTrip(ClientPresenceUpdate{u"node-3"_s, 9, true, entries});
    QVERIFY(back);
    QCOMPARE(back->origin, u"node-3"_s);
    QCOMPARE(back->version, quint64(9));
    QCOMPARE(back->full, true);
    QCOMPARE(back->entries.size(), 2);
    for (qsizetype i = 0; i < entries.size(); ++i) {
        const ClientPresenceEntry &got = back->entries.at(i);
        const ClientPresenceEntry &sent = entries.at(i);
        QCOMPARE(got.appId, sent.appId);
        QCOMPARE(got.channel, sent.channel);
        QCOMPARE(got.client.user, sent.client.user);
        QCOMPARE(got.client.client, sent.client.client);
        QCOMPARE(got.client.connInfo, sent.client.connInfo);
        QCOMPARE(got.client.chanInfo, sent.client.chanInfo);
        QCOMPARE(got.present, sent.present);
    }
}

void tst_PeerMessages::clientPresenceEntryWithoutClientIsRefused()
{
    const ClientPresenceEntry anonymous{u"a"_s, u"c"_s, {u"u"_s, QString(), {}, {}}, true};
    const Result<PeerMessage> decoded = decodePeerMessage(
            encodePeerMessage(ClientPresenceUpdate{u"n"_s, 1, false, {anonymous}}));
    QVERIFY(!decoded);
    QVERIFY(decoded.error().message.startsWith(u"a client presence entry is not"_s));
}

void tst_PeerMessages::roundTripPublication()
{
    Broker::Publication publication;
    publication.channel = u"presence-chät"_s;
    publication.event = u"client-typing"_s;
    publication.data = "{\"text\":\"héllo\"}"_ba;
    publication.dataIsJson = true;
    publication.origin = Broker::Origin::Client;
    publication.userId = u"User-42"_s;
    publication.publisher =
            Broker::PublisherInfo{u"User-42"_s, u"client-ü"_s, Binary, "{\"r\":1}"_ba};
    publication.tags = {{u"kind"_s, u"typing"_s}, {u"ort"_s, u"Köln"_s}, {u"kind"_s, QString()}};
    publication.createdMs = 1700000000123;

    publication.offset = 99;
    RemotePublication remote = RemotePublication::of(u"app-ä"_s, publication);
    remote.relayTo = {u"us-east"_s, u"ap-südost"_s};
    remote.crossed = true;
    remote.sequenced = true;
    remote.epoch = u"epoch-ß"_s;
    remote.origin = u"node-ä"_s;
    remote.originSequence = LargestSequence;
    remote.except = 0x1234'5678'9abc;

    const std::optional<RemotePublication> back = roundTrip(remote);
    QVERIFY(back);
    QCOMPARE(back->appId, u"app-ä"_s);
    QCOMPARE(back->relayTo, (QList<QString>{u"us-east"_s, u"ap-südost"_s}));
    QCOMPARE(back->crossed, true);
    QCOMPARE(back->sequenced, true);
    QCOMPARE(back->epoch, u"epoch-ß"_s);
    QCOMPARE(back->origin, u"node-ä"_s);
    QCOMPARE(back->originSequence, LargestSequence);
    QCOMPARE(back->except, DNotifier::Broker::ConnectionId(0x1234'5678'9abc));
    const Broker::Publication &got = back->publication;
    QCOMPARE(got.channel, u"presence-chät"_s);
    QCOMPARE(got.event, u"client-typing"_s);
    QCOMPARE(got.data, "{\"text\":\"héllo\"}"_ba);
    QCOMPARE(got.dataIsJson, true);
    QCOMPARE(got.origin, Broker::Origin::Client);
    QCOMPARE(got.userId, u"User-42"_s);
    QVERIFY(got.publisher);
    QCOMPARE(got.publisher->user, u"User-42"_s);
    QCOMPARE(got.publisher->client, u"client-ü"_s);
    QCOMPARE(got.publisher->connInfo, Binary);
    QCOMPARE(got.publisher->chanInfo, "{\"r\":1}"_ba);
    QCOMPARE(got.tags, (QList<QPair<QString, QString>>{{u"kind"_s, u"typing"_s},
                                                       {u"ort"_s, u"Köln"_s},
                                                       {u"kind"_s, QString()}}));
    QCOMPARE(got.createdMs, qint64(1700000000123));
    QCOMPARE(got.offset, quint64(99));
}

void tst_PeerMessages::roundTripPublicationWithoutOptionalFields()
{
    Broker::Publication publication;
    publication.channel = u"news"_s;
    publication.data = Binary;
    publication.dataIsJson = false;
    publication.origin = Broker::Origin::Api;

    const std::optional<RemotePublication> back =
            roundTrip(RemotePublication::of(QString(), publication));
    QVERIFY(back);
    QCOMPARE(back->appId, QString());
    QVERIFY(back->relayTo.isEmpty());
    QCOMPARE(back->crossed, false);
    QCOMPARE(back->sequenced, false);
    QCOMPARE(back->epoch, QString());
    QCOMPARE(back->origin, QString());
    QCOMPARE(back->originSequence, quint64(0));
    QCOMPARE(back->except, DNotifier::Broker::ConnectionId(0));
    const Broker::Publication &got = back->publication;
    QCOMPARE(got.channel, u"news"_s);
    QCOMPARE(got.event, QString());
    QCOMPARE(got.data, Binary);
    QCOMPARE(got.dataIsJson, false);
    QCOMPARE(got.origin, Broker::Origin::Api);
    QCOMPARE(got.userId, QString());
    QVERIFY(!got.publisher);
    QVERIFY(got.tags.isEmpty());
    QCOMPARE(got.createdMs, qint64(0));
}

void tst_PeerMessages::roundTripPublicationWithEmptyPublisher()
{
    Broker::Publication publication;
    publication.channel = u"c"_s;
    publication.publisher = Broker::PublisherInfo{};

    const std::optional<RemotePublication> back =
            roundTrip(RemotePublication::of(u"a"_s, publication));
    QVERIFY(back);
    QVERIFY2(back->publication.publisher, "a publisher of empty fields is still a publisher");
    QCOMPARE(back->publication.publisher->user, QString());
    QCOMPARE(back->publication.publisher->client, QString());
    QCOMPARE(back->publication.publisher->connInfo, QByteArray());
    QCOMPARE(back->publication.publisher->chanInfo, QByteArray());
}

void tst_PeerMessages::encodingIsAMapWithTheTypeUnderT_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<int>("type");

    QTest::newRow("hello") << encodePeerMessage(Hello{}) << 1;
    QTest::newRow("challenge") << encodePeerMessage(Challenge{}) << 2;
    QTest::newRow("proof") << encodePeerMessage(Proof{}) << 3;
    QTest::newRow("welcome") << encodePeerMessage(Welcome{}) << 4;
    QTest::newRow("refused") << encodePeerMessage(Refused{}) << 5;
    QTest::newRow("members update") << encodePeerMessage(MembersUpdate{}) << 10;
    QTest::newRow("ping") << encodePeerMessage(Ping{}) << 11;
    QTest::newRow("ack") << encodePeerMessage(Ack{}) << 12;
    QTest::newRow("ping request") << encodePeerMessage(PingRequest{}) << 13;
    QTest::newRow("interest update") << encodePeerMessage(InterestUpdate{}) << 20;
    QTest::newRow("presence update") << encodePeerMessage(PresenceUpdate{}) << 21;
    QTest::newRow("client presence update") << encodePeerMessage(ClientPresenceUpdate{}) << 22;
    QTest::newRow("publication") << encodePeerMessage(RemotePublication{}) << 30;
    QTest::newRow("user command") << encodePeerMessage(UserCommandMessage{}) << 40;
}

void tst_PeerMessages::encodingIsAMapWithTheTypeUnderT()
{
    QFETCH(QByteArray, payload);
    QFETCH(int, type);

    QCborParserError error;
    const QCborValue root = QCborValue::fromCbor(payload, &error);
    QCOMPARE(error.error, QCborError::NoError);
    QVERIFY(root.isMap());
    QCOMPARE(root.toMap().value("t"_L1), QCborValue(type));
}

void tst_PeerMessages::pingEncodesToExactBytes()
{
    // {"t": 11, "q": 42}: map(2), text(1) "t", 11, text(1) "q", uint8 42.
    const QByteArray expected = QByteArray::fromHex("a261740b6171182a");
    QCOMPARE(encodePeerMessage(Ping{42}).toHex(), expected.toHex());

    const std::optional<Ping> ping = decodeAs<Ping>(expected);
    QVERIFY(ping);
    QCOMPARE(ping->sequence, quint64(42));
}

void tst_PeerMessages::handBuiltMessagesDecode_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<int>("alternative");

    QTest::newRow("hello") << cbor(helloMap()) << alternativeOf<Hello>();
    QTest::newRow("challenge") << cbor(challengeMap()) << alternativeOf<Challenge>();
    QTest::newRow("proof") << cbor(proofMap()) << alternativeOf<Proof>();
    QTest::newRow("welcome") << cbor(welcomeMap()) << alternativeOf<Welcome>();
    QTest::newRow("refused") << cbor(refusedMap()) << alternativeOf<Refused>();
    QTest::newRow("members update") << cbor(membersMap()) << alternativeOf<MembersUpdate>();
    QTest::newRow("ping") << cbor(pingMap()) << alternativeOf<Ping>();
    QTest::newRow("ack") << cbor(ackMap()) << alternativeOf<Ack>();
    QTest::newRow("ping request") << cbor(pingRequestMap()) << alternativeOf<PingRequest>();
    QTest::newRow("interest update") << cbor(interestMap()) << alternativeOf<InterestUpdate>();
    QTest::newRow("presence update") << cbor(presenceMap()) << alternativeOf<PresenceUpdate>();
    QTest::newRow("publication") << cbor(publicationMap()) << alternativeOf<RemotePublication>();
    QTest::newRow("a publication without its optional fields")
            << cbor(without(publicationMap(),
                            QStringList{u"u"_s, u"p"_s, u"rt"_s, u"x"_s, u"g"_s, u"sq"_s, u"off"_s,
                                        u"ep"_s, u"on"_s, u"oq"_s, u"ex"_s}))
            << alternativeOf<RemotePublication>();
    QTest::newRow("a member in the highest state, left")
            << cbor(welcomeWithMember(u"s"_s, 3)) << alternativeOf<Welcome>();
    QTest::newRow("an interest count of zero")
            << cbor(interestWithEntry(QCborArray{u"a"_s, u"c"_s, 0}))
            << alternativeOf<InterestUpdate>();
}

void tst_PeerMessages::handBuiltMessagesDecode()
{
    QFETCH(QByteArray, payload);
    QFETCH(int, alternative);

    const Result<PeerMessage> decoded = decodePeerMessage(payload);
    QVERIFY2(decoded, qPrintable(decoded.error().message));
    QCOMPARE(int(decoded->index()), alternative);
}

void tst_PeerMessages::malformedPayloadIsRefused_data()
{
    QTest::addColumn<QByteArray>("payload");

    const QCborValue missing(QCborValue::Undefined);

    // Not CBOR at all.
    QTest::newRow("an empty payload") << QByteArray();
    QTest::newRow("a lone break byte") << QByteArray::fromHex("ff");
    QTest::newRow("a reserved initial byte") << QByteArray::fromHex("1c");
    QTest::newRow("a map cut short") << cbor(pingMap()).chopped(1);
    QTest::newRow("JSON text") << "{\"t\":11,\"q\":1}"_ba;

    // CBOR, but not a message.
    QTest::newRow("an array instead of a map") << cbor(QCborArray{11, 7});
    QTest::newRow("an integer instead of a map") << cbor(QCborValue(11));
    QTest::newRow("a text string instead of a map") << cbor(QCborValue(u"ping"_s));
    QTest::newRow("no type") << cbor(without(pingMap(), u"t"_s));
    QTest::newRow("an unknown type 99") << cbor(with(pingMap(), u"t"_s, 99));
    QTest::newRow("an unknown type 0") << cbor(with(pingMap(), u"t"_s, 0));
    QTest::newRow("a negative type") << cbor(with(pingMap(), u"t"_s, -11));
    QTest::newRow("a type given as text") << cbor(with(pingMap(), u"t"_s, u"11"_s));
    QTest::newRow("a type given as a float") << cbor(with(pingMap(), u"t"_s, 11.0));
    QTest::newRow("an unknown type that is 11 plus 2 to the 32nd")
            << cbor(with(pingMap(), u"t"_s, qint64(0x1'0000'000b)));

    // A required field missing, for every message type.
    struct Message
    {
        const char *name;
        QCborMap map;
        QStringList optional;
    };

    const QList<Message> messages{
            {"hello", helloMap(), {}},
            {"challenge", challengeMap(), {}},
            {"proof", proofMap(), {}},
            {"welcome", welcomeMap(), {}},
            {"refused", refusedMap(), {}},
            {"members update", membersMap(), {}},
            {"ping", pingMap(), {}},
            {"ack", ackMap(), {}},
            {"ping request", pingRequestMap(), {}},
            {"interest update", interestMap(), {}},
            {"presence update", presenceMap(), {}},
            // Written only when set; the decoder does not require a sequenced copy's epoch.
            {"publication",
             publicationMap(),
             {u"u"_s, u"p"_s, u"rt"_s, u"x"_s, u"g"_s, u"sq"_s, u"ep"_s, u"on"_s}},
    };
    for (const Message &message : messages) {
        for (const QCborValue &key : message.map.keys()) {
            const QString field = key.toString();
            if (field != u"t"_s && !message.optional.contains(field)) {
                QTest::addRow("%s without \"%s\"", message.name, qPrintable(field))
                        << cbor(without(message.map, field));
            }
        }
    }
    for (const QCborValue &key : memberMap().keys()) {
        const QString field = key.toString();
        QTest::addRow("a welcome's member without \"%s\"", qPrintable(field))
                << cbor(welcomeWithMember(field, missing));
    }
    QTest::newRow("a proof's member without \"i\"")
            << cbor(with(proofMap(), u"me"_s, without(memberMap(), u"i"_s)));
    QTest::newRow("a members update entry without \"id\"") << cbor(
            with(membersMap(), u"m"_s, QCborArray{memberMap(), without(memberMap(), u"id"_s)}));

    // A field of the wrong type.
    QTest::newRow("hello version as text") << cbor(with(helloMap(), u"v"_s, u"1"_s));
    QTest::newRow("hello cluster as bytes") << cbor(with(helloMap(), u"cl"_s, "c1"_ba));
    QTest::newRow("hello nonce as text") << cbor(with(helloMap(), u"nc"_s, u"nonce"_s));
    QTest::newRow("hello join expiry as a float") << cbor(with(helloMap(), u"je"_s, 1.5));
    QTest::newRow("challenge node as bytes") << cbor(with(challengeMap(), u"id"_s, "n2"_ba));
    QTest::newRow("challenge proof as text") << cbor(with(challengeMap(), u"pf"_s, u"p"_s));
    QTest::newRow("proof member as an array") << cbor(with(proofMap(), u"me"_s, QCborArray{}));
    QTest::newRow("welcome member as text") << cbor(with(welcomeMap(), u"me"_s, u"n1"_s));
    QTest::newRow("member incarnation as text") << cbor(welcomeWithMember(u"i"_s, u"4"_s));
    QTest::newRow("member state as text") << cbor(welcomeWithMember(u"s"_s, u"alive"_s));
    QTest::newRow("member id as an integer") << cbor(welcomeWithMember(u"id"_s, 1));
    QTest::newRow("member start time as text") << cbor(welcomeWithMember(u"st"_s, u"0"_s));
    QTest::newRow("member name as null") << cbor(welcomeWithMember(u"n"_s, QCborValue(nullptr)));
    QTest::newRow("refused reason as an integer") << cbor(with(refusedMap(), u"why"_s, 5));
    QTest::newRow("members as a map") << cbor(with(membersMap(), u"m"_s, memberMap()));
    QTest::newRow("a members entry that is not a map")
            << cbor(with(membersMap(), u"m"_s, QCborArray{memberMap(), u"n2"_s}));
    QTest::newRow("ping sequence as text") << cbor(with(pingMap(), u"q"_s, u"7"_s));
    QTest::newRow("ack sequence as a float") << cbor(with(ackMap(), u"q"_s, 7.0));
    QTest::newRow("ping request target as bytes") << cbor(with(pingRequestMap(), u"to"_s, "n3"_ba));
    QTest::newRow("interest full flag as an integer") << cbor(with(interestMap(), u"f"_s, 1));
    QTest::newRow("interest entries as a map") << cbor(with(interestMap(), u"e"_s, QCborMap{}));
    QTest::newRow("presence full flag as text") << cbor(with(presenceMap(), u"f"_s, u"true"_s));
    QTest::newRow("publication app as bytes") << cbor(with(publicationMap(), u"app"_s, "a"_ba));
    QTest::newRow("publication channel as bytes")
            << cbor(with(publicationMap(), u"c"_s, "news"_ba));
    QTest::newRow("publication data as text") << cbor(with(publicationMap(), u"d"_s, u"{}"_s));
    QTest::newRow("publication json flag as an integer") << cbor(with(publicationMap(), u"j"_s, 1));
    QTest::newRow("publication time as text") << cbor(with(publicationMap(), u"ms"_s, u"1"_s));
    QTest::newRow("publication user as an integer") << cbor(with(publicationMap(), u"u"_s, 1));
    QTest::newRow("publication publisher as a map")
            << cbor(with(publicationMap(), u"p"_s, QCborMap{}));
    QTest::newRow("publication tags as a map") << cbor(with(publicationMap(), u"g"_s, QCborMap{}));
    QTest::newRow("publication relay regions as text")
            << cbor(with(publicationMap(), u"rt"_s, u"us-east"_s));
    QTest::newRow("a publication relay region that is an integer")
            << cbor(with(publicationMap(), u"rt"_s, QCborArray{u"us-east"_s, 1}));
    QTest::newRow("publication crossed flag as an integer")
            << cbor(with(publicationMap(), u"x"_s, 1));
    QTest::newRow("publication sequenced flag as an integer")
            << cbor(with(publicationMap(), u"sq"_s, 1));
    QTest::newRow("publication offset as text") << cbor(with(publicationMap(), u"off"_s, u"12"_s));
    QTest::newRow("publication epoch as bytes") << cbor(with(publicationMap(), u"ep"_s, "e"_ba));
    QTest::newRow("publication origin node as an integer")
            << cbor(with(publicationMap(), u"on"_s, 2));
    QTest::newRow("publication origin sequence as text")
            << cbor(with(publicationMap(), u"oq"_s, u"5"_s));
    QTest::newRow("publication excepted connection as text")
            << cbor(with(publicationMap(), u"ex"_s, u"513"_s));
    QTest::newRow("interest origin as bytes") << cbor(with(interestMap(), u"id"_s, "n1"_ba));
    QTest::newRow("presence origin as an integer") << cbor(with(presenceMap(), u"id"_s, 1));

    // An integer out of range.
    QTest::newRow("a negative interest count")
            << cbor(interestWithEntry(QCborArray{u"a"_s, u"c"_s, -1}));
    QTest::newRow("an interest count over the int range")
            << cbor(interestWithEntry(QCborArray{u"a"_s, u"c"_s, qint64(1) << 31}));
    QTest::newRow("member state 4") << cbor(welcomeWithMember(u"s"_s, 4));
    QTest::newRow("member state -1") << cbor(welcomeWithMember(u"s"_s, -1));
    QTest::newRow("a negative incarnation") << cbor(welcomeWithMember(u"i"_s, -1));
    QTest::newRow("an incarnation over 2 to the 62nd")
            << cbor(welcomeWithMember(u"i"_s, (qint64(1) << 62) + 1));
    QTest::newRow("a negative protocol version") << cbor(with(helloMap(), u"v"_s, -1));
    QTest::newRow("a negative join expiry") << cbor(with(helloMap(), u"je"_s, -1));
    QTest::newRow("a negative ping sequence") << cbor(with(pingMap(), u"q"_s, -1));
    QTest::newRow("a negative ack sequence") << cbor(with(ackMap(), u"q"_s, -1));
    QTest::newRow("a negative ping request sequence") << cbor(with(pingRequestMap(), u"q"_s, -1));
    QTest::newRow("a negative interest version") << cbor(with(interestMap(), u"v"_s, -1));
    QTest::newRow("a negative presence version") << cbor(with(presenceMap(), u"v"_s, -1));
    QTest::newRow("publication origin 2") << cbor(with(publicationMap(), u"o"_s, 2));
    QTest::newRow("a negative publication time") << cbor(with(publicationMap(), u"ms"_s, -1));
    QTest::newRow("a negative member start time") << cbor(welcomeWithMember(u"st"_s, -1));
    QTest::newRow("a negative publication offset") << cbor(with(publicationMap(), u"off"_s, -1));
    QTest::newRow("an origin sequence of 0") << cbor(with(publicationMap(), u"oq"_s, 0));
    QTest::newRow("a negative excepted connection") << cbor(with(publicationMap(), u"ex"_s, -1));

    // Values no member may have.
    QTest::newRow("a member with an empty id") << cbor(welcomeWithMember(u"id"_s, u""_s));

    // Malformed interest and presence entries.
    QTest::newRow("an interest entry that is a map") << cbor(interestWithEntry(QCborMap{}));
    QTest::newRow("an interest entry without its count")
            << cbor(interestWithEntry(QCborArray{u"a"_s, u"c"_s}));
    QTest::newRow("an interest entry with a fourth element")
            << cbor(interestWithEntry(QCborArray{u"a"_s, u"c"_s, 1, 1}));
    QTest::newRow("an interest entry whose app is an integer")
            << cbor(interestWithEntry(QCborArray{1, u"c"_s, 1}));
    QTest::newRow("an interest entry whose channel is bytes")
            << cbor(interestWithEntry(QCborArray{u"a"_s, "c"_ba, 1}));
    QTest::newRow("an interest entry whose count is text")
            << cbor(interestWithEntry(QCborArray{u"a"_s, u"c"_s, u"1"_s}));
    QTest::newRow("a presence entry that is text") << cbor(presenceWithEntry(u"u1"_s));
    QTest::newRow("a presence entry without its flag")
            << cbor(presenceWithEntry(QCborArray{u"a"_s, u"c"_s, u"u1"_s, "{}"_ba}));
    QTest::newRow("a presence entry with a sixth element")
            << cbor(presenceWithEntry(QCborArray{u"a"_s, u"c"_s, u"u1"_s, "{}"_ba, true, 0}));
    QTest::newRow("a presence entry whose user is an integer")
            << cbor(presenceWithEntry(QCborArray{u"a"_s, u"c"_s, 1, "{}"_ba, true}));
    QTest::newRow("a presence entry whose info is text")
            << cbor(presenceWithEntry(QCborArray{u"a"_s, u"c"_s, u"u1"_s, u"{}"_s, true}));
    QTest::newRow("a presence entry whose flag is an integer")
            << cbor(presenceWithEntry(QCborArray{u"a"_s, u"c"_s, u"u1"_s, "{}"_ba, 1}));

    // Malformed publisher and tags.
    QTest::newRow("a publisher of three elements")
            << cbor(with(publicationMap(), u"p"_s, QCborArray{u"u"_s, u"c"_s, "{}"_ba}));
    QTest::newRow("a publisher whose user is an integer")
            << cbor(with(publicationMap(), u"p"_s, QCborArray{1, u"c"_s, "{}"_ba, "{}"_ba}));
    QTest::newRow("a publisher whose conn info is text")
            << cbor(with(publicationMap(), u"p"_s, QCborArray{u"u"_s, u"c"_s, u"{}"_s, "{}"_ba}));
    QTest::newRow("an odd tag list of three")
            << cbor(with(publicationMap(), u"g"_s, QCborArray{u"k"_s, u"v"_s, u"k2"_s}));
    QTest::newRow("an odd tag list of one")
            << cbor(with(publicationMap(), u"g"_s, QCborArray{u"k"_s}));
    QTest::newRow("a tag value that is an integer")
            << cbor(with(publicationMap(), u"g"_s, QCborArray{u"k"_s, 1}));
    QTest::newRow("a tag key that is bytes")
            << cbor(with(publicationMap(), u"g"_s, QCborArray{"k"_ba, u"v"_s}));
}

void tst_PeerMessages::malformedPayloadIsRefused()
{
    QFETCH(QByteArray, payload);

    const Result<PeerMessage> decoded = decodePeerMessage(payload);
    QVERIFY2(!decoded,
             qPrintable(u"decoded as alternative %1"_s.arg(decoded ? decoded->index() : 0)));
    QVERIFY(!decoded.error().message.isEmpty());
}

void tst_PeerMessages::framePrefixesBigEndianLength()
{
    QCOMPARE(framePeerMessage("abc"_ba), QByteArray::fromHex("00000003") + "abc"_ba);
    QCOMPARE(framePeerMessage(QByteArray()), QByteArray::fromHex("00000000"));
    const QByteArray large(0x01'02'03, 'x');
    QCOMPARE(framePeerMessage(large).left(4), QByteArray::fromHex("00010203"));
    QCOMPARE(framePeerMessage(large).size(), 4 + 0x01'02'03);
    QCOMPARE(framePeerMessage(large).sliced(4), large);
}

void tst_PeerMessages::framesSplitAtEveryByte()
{
    const QList<QByteArray> payloads{encodePeerMessage(Ping{1}), QByteArray(), Binary,
                                     encodePeerMessage(Refused{u"bye"_s})};
    QByteArray stream;
    for (const QByteArray &payload : payloads) {
        stream += frame(payload);
    }

    for (qsizetype split = 0; split <= stream.size(); ++split) {
        PeerFrameReader reader;
        QVERIFY(reader.append(stream.first(split)));
        QList<QByteArray> frames = drain(reader);
        QVERIFY(reader.append(stream.sliced(split)));
        frames += drain(reader);
        QVERIFY2(frames == payloads, qPrintable(u"split at byte %1"_s.arg(split)));
        QVERIFY(!reader.failed());
        QVERIFY(!reader.next());
    }
}

void tst_PeerMessages::framesFedOneByteAtATime()
{
    const QList<QByteArray> payloads{"first"_ba, QByteArray(), "third"_ba};
    QByteArray stream;
    for (const QByteArray &payload : payloads) {
        stream += frame(payload);
    }

    PeerFrameReader reader;
    QList<QByteArray> frames;
    for (char byte : std::as_const(stream)) {
        QVERIFY(reader.append(QByteArray(1, byte)));
        frames += drain(reader);
    }
    QCOMPARE(frames, payloads);
    QVERIFY(!reader.failed());
}

void tst_PeerMessages::severalFramesInOneAppend()
{
    PeerFrameReader reader;
    QVERIFY(!reader.next());
    QVERIFY(reader.append(frame("one"_ba) + frame("two"_ba) + frame("three"_ba) + "\x00\x00"_ba));
    QCOMPARE(reader.next(), "one"_ba);
    QCOMPARE(reader.next(), "two"_ba);
    QCOMPARE(reader.next(), "three"_ba);
    QVERIFY2(!reader.next(), "half a header is not a frame");

    QVERIFY(reader.append("\x00\x04"_ba + "four"_ba));
    QCOMPARE(reader.next(), "four"_ba);
    QVERIFY(!reader.next());
    QVERIFY(!reader.failed());
}

void tst_PeerMessages::longStreamInOddChunks()
{
    QList<QByteArray> payloads;
    QByteArray stream;
    for (int i = 0; i < 200; ++i) {
        payloads.append(QByteArray(i % 37, char('a' + i % 26)));
        stream += frame(payloads.last());
    }

    PeerFrameReader reader;
    QList<QByteArray> frames;
    for (qsizetype at = 0; at < stream.size(); at += 7) {
        QVERIFY(reader.append(stream.mid(at, 7)));
        if (const std::optional<QByteArray> payload = reader.next()) {
            frames.append(*payload);
        }
    }
    frames += drain(reader);
    QCOMPARE(frames.size(), payloads.size());
    QCOMPARE(frames, payloads);
}

void tst_PeerMessages::emptyPayloadFrame()
{
    PeerFrameReader reader;
    QVERIFY(reader.append(QByteArray::fromHex("00000000")));
    const std::optional<QByteArray> payload = reader.next();
    QVERIFY(payload);
    QCOMPARE(*payload, QByteArray());
    QVERIFY(!reader.next());
    QVERIFY(!reader.failed());
    QVERIFY2(!decodePeerMessage(*payload), "an empty payload is no message");
}

void tst_PeerMessages::frameAtTheLimitIsAccepted()
{
    PeerFrameReader reader;
    QVERIFY(reader.append(header(quint32(MaxPeerFrameBytes)) + "partial"_ba));
    QVERIFY(!reader.failed());
    QVERIFY2(!reader.next(), "the frame is not complete yet");
    QVERIFY(!reader.failed());
}

void tst_PeerMessages::frameOverTheLimitPoisons_data()
{
    QTest::addColumn<QByteArray>("first");
    QTest::addColumn<QByteArray>("second");

    const QByteArray over = header(quint32(MaxPeerFrameBytes) + 1);
    QTest::newRow("one byte over the limit, whole") << over << QByteArray();
    QTest::newRow("one byte over the limit, header split")
            << over.first(2) << over.sliced(2) + "xyz"_ba;
    QTest::newRow("the largest length a header can hold")
            << QByteArray::fromHex("ffffffff") + "x"_ba << QByteArray();
}

void tst_PeerMessages::frameOverTheLimitPoisons()
{
    QFETCH(QByteArray, first);
    QFETCH(QByteArray, second);

    PeerFrameReader reader;
    bool accepted = reader.append(first);
    if (!second.isEmpty()) {
        QVERIFY2(accepted, "half a header announces nothing yet");
        accepted = reader.append(second);
    }
    QVERIFY(!accepted);
    QVERIFY(reader.failed());
    QVERIFY(!reader.next());

    QVERIFY2(!reader.append(frame("ok"_ba)), "nothing after a poisoned header is trusted");
    QVERIFY(!reader.next());
    QVERIFY(reader.failed());
}

void tst_PeerMessages::frameOverTheLimitAfterAGoodFrame()
{
    PeerFrameReader reader;
    // append() may accept the bytes, since the frame it looks at first is good.
    (void)reader.append(frame("good"_ba) + header(quint32(MaxPeerFrameBytes) + 1));
    QCOMPARE(reader.next(), "good"_ba);
    QVERIFY(!reader.next());
    QVERIFY2(reader.failed(), "once read, the oversized length poisons the stream");
    QVERIFY(!reader.append(frame("after"_ba)));
    QVERIFY(!reader.next());
}

QTEST_GUILESS_MAIN(tst_PeerMessages)
#include "tst_peermessages.moc"
