#include "peermessages.h"

#include <QCborArray>
#include <QCborMap>
#include <QCborValue>

#include <limits>

namespace DNotifier::Cluster {

using namespace Qt::Literals::StringLiterals;

namespace {

enum class Type {
    Hello = 1,
    Challenge = 2,
    Proof = 3,
    Welcome = 4,
    Refused = 5,
    Members = 10,
    Ping = 11,
    Ack = 12,
    PingRequest = 13,
    Interest = 20,
    Presence = 21,
    ClientPresence = 22,
    Publication = 30,
    UserCommand = 40,
    NodeStatus = 50,
    AdminRelay = 51,
    ManagedApps = 52,
};

// Short keys: every publication crossing a link carries them.
constexpr auto KeyType = "t"_L1;

QCborMap memberMap(const MemberRecord &member)
{
    return QCborMap{{u"id"_s, member.id},
                    {u"n"_s, member.name},
                    {u"a"_s, member.address},
                    {u"r"_s, member.region},
                    {u"i"_s, qint64(member.incarnation)},
                    {u"s"_s, int(member.state)},
                    {u"st"_s, member.startedMs}};
}

QCborMap publicationMap(const RemotePublication &remote)
{
    const Broker::Publication &publication = remote.publication;
    QCborMap map{{KeyType, int(Type::Publication)},
                 {u"app"_s, remote.appId},
                 {u"c"_s, publication.channel},
                 {u"e"_s, publication.event},
                 {u"d"_s, publication.data},
                 {u"j"_s, publication.dataIsJson},
                 {u"o"_s, publication.origin == Broker::Origin::Client ? 1 : 0},
                 {u"ms"_s, publication.createdMs}};
    if (!publication.userId.isEmpty()) {
        map.insert(u"u"_s, publication.userId);
    }
    if (publication.publisher) {
        const Broker::PublisherInfo &info = *publication.publisher;
        map.insert(u"p"_s, QCborArray{info.user, info.client, info.connInfo, info.chanInfo});
    }
    if (!remote.relayTo.isEmpty()) {
        QCborArray regions;
        for (const QString &region : remote.relayTo) {
            regions.append(region);
        }
        map.insert(u"rt"_s, regions);
    }
    if (remote.crossed) {
        map.insert(u"x"_s, true);
    }
    if (remote.sequenced) {
        map.insert(u"sq"_s, true);
        map.insert(u"off"_s, qint64(publication.offset));
        map.insert(u"ep"_s, remote.epoch);
    }
    if (!remote.origin.isEmpty()) {
        map.insert(u"on"_s, remote.origin);
        map.insert(u"oq"_s, qint64(remote.originSequence));
        map.insert(u"ex"_s, qint64(remote.except));
    }
    if (!publication.tags.isEmpty()) {
        QCborArray tags;
        for (const auto &[key, value] : publication.tags) {
            tags.append(key);
            tags.append(value);
        }
        map.insert(u"g"_s, tags);
    }
    return map;
}

// Reads typed fields out of a decoded map and remembers the first problem, so each message
// decoder reads straight through and checks once.
class FieldReader
{
public:
    explicit FieldReader(QCborMap map)
        : m_map(std::move(map))
    { }

    QString text(QLatin1StringView key, bool required = true)
    {
        const QCborValue value = m_map.value(key);
        if (value.isString()) {
            return value.toString();
        }
        fail(key, value, required, u"a text string"_s);
        return {};
    }

    QByteArray bytes(QLatin1StringView key, bool required = true)
    {
        const QCborValue value = m_map.value(key);
        if (value.isByteArray()) {
            return value.toByteArray();
        }
        fail(key, value, required, u"a byte string"_s);
        return {};
    }

    qint64 integer(QLatin1StringView key, qint64 min, qint64 max, bool required = true)
    {
        const QCborValue value = m_map.value(key);
        if (value.isInteger() && value.toInteger() >= min && value.toInteger() <= max) {
            return value.toInteger();
        }
        fail(key, value, required, u"an integer from %1 to %2"_s.arg(min).arg(max));
        return 0;
    }

    bool boolean(QLatin1StringView key, bool required = true)
    {
        const QCborValue value = m_map.value(key);
        if (value.isBool()) {
            return value.toBool();
        }
        fail(key, value, required, u"a boolean"_s);
        return false;
    }

    QCborArray array(QLatin1StringView key, bool required = true)
    {
        const QCborValue value = m_map.value(key);
        if (value.isArray()) {
            return value.toArray();
        }
        fail(key, value, required, u"an array"_s);
        return {};
    }

    QCborMap map(QLatin1StringView key)
    {
        const QCborValue value = m_map.value(key);
        if (value.isMap()) {
            return value.toMap();
        }
        fail(key, value, true, u"a map"_s);
        return {};
    }

    void problem(const QString &message)
    {
        if (m_error.isEmpty()) {
            m_error = message;
        }
    }

    const QString &error() const { return m_error; }

private:
    void fail(QLatin1StringView key, const QCborValue &value, bool required, const QString &what)
    {
        if (value.isUndefined() && !required) {
            return;
        }
        problem(value.isUndefined() ? u"field \"%1\" is missing"_s.arg(key)
                                    : u"field \"%1\" is not %2"_s.arg(key, what));
    }

    QCborMap m_map;
    QString m_error;
};

constexpr qint64 MaxCount = std::numeric_limits<int>::max();
constexpr qint64 MaxUnsigned = std::numeric_limits<qint64>::max();

MemberRecord readMember(FieldReader &fields)
{
    MemberRecord member;
    member.id = fields.text("id"_L1);
    member.name = fields.text("n"_L1);
    member.address = fields.text("a"_L1);
    member.region = fields.text("r"_L1);
    member.incarnation = quint64(fields.integer("i"_L1, 0, qint64(MaxIncarnation)));
    member.state = MemberState(fields.integer("s"_L1, 0, int(MemberState::Left)));
    member.startedMs = fields.integer("st"_L1, 0, MaxUnsigned);
    if (member.id.isEmpty()) {
        fields.problem(u"a member has an empty id"_s);
    }
    return member;
}

MemberRecord readNestedMember(FieldReader &outer, QLatin1StringView key)
{
    FieldReader fields(outer.map(key));
    const MemberRecord member = readMember(fields);
    if (!fields.error().isEmpty()) {
        outer.problem(u"%1: %2"_s.arg(key, fields.error()));
    }
    return member;
}

QList<MemberRecord> readMembers(FieldReader &outer)
{
    QList<MemberRecord> members;
    const QCborArray items = outer.array("m"_L1);
    if (items.size() > MaxMembers) {
        outer.problem(u"a membership update lists more than %1 members"_s.arg(MaxMembers));
        return members;
    }
    for (const QCborValue &item : items) {
        FieldReader fields(item.toMap());
        if (!item.isMap()) {
            outer.problem(u"a member entry is not a map"_s);
            break;
        }
        members.append(readMember(fields));
        if (!fields.error().isEmpty()) {
            outer.problem(fields.error());
            break;
        }
    }
    return members;
}

QList<InterestEntry> readInterest(FieldReader &outer)
{
    QList<InterestEntry> entries;
    for (const QCborValue &item : outer.array("e"_L1)) {
        const QCborArray entry = item.toArray();
        if (!item.isArray() || entry.size() != 3 || !entry.at(0).isString()
            || !entry.at(1).isString() || !entry.at(2).isInteger() || entry.at(2).toInteger() < 0
            || entry.at(2).toInteger() > MaxCount) {
            outer.problem(u"an interest entry is not [app, channel, count]"_s);
            break;
        }
        entries.append(
                {entry.at(0).toString(), entry.at(1).toString(), int(entry.at(2).toInteger())});
    }
    return entries;
}

QList<PresenceEntry> readPresence(FieldReader &outer)
{
    QList<PresenceEntry> entries;
    for (const QCborValue &item : outer.array("e"_L1)) {
        const QCborArray entry = item.toArray();
        if (!item.isArray() || entry.size() != 5 || !entry.at(0).isString()
            || !entry.at(1).isString() || !entry.at(2).isString() || !entry.at(3).isByteArray()
            || !entry.at(4).isBool()) {
            outer.problem(u"a presence entry is not [app, channel, user, info, present]"_s);
            break;
        }
        entries.append({entry.at(0).toString(),
                        entry.at(1).toString(),
                        {entry.at(2).toString(), entry.at(3).toByteArray()},
                        entry.at(4).toBool()});
    }
    return entries;
}

QList<ClientPresenceEntry> readClientPresence(FieldReader &outer)
{
    QList<ClientPresenceEntry> entries;
    for (const QCborValue &item : outer.array("e"_L1)) {
        const QCborArray entry = item.toArray();
        const bool shaped = item.isArray() && entry.size() == 7 && entry.at(0).isString()
                            && entry.at(1).isString() && entry.at(2).isString()
                            && entry.at(3).isString() && entry.at(4).isByteArray()
                            && entry.at(5).isByteArray() && entry.at(6).isBool();
        if (!shaped || entry.at(3).toString().isEmpty()) {
            outer.problem(u"a client presence entry is not [app, channel, user, client, conn "
                          "info, chan info, present]"_s);
            break;
        }
        entries.append({entry.at(0).toString(), entry.at(1).toString(),
                        Broker::PublisherInfo{entry.at(2).toString(), entry.at(3).toString(),
                                              entry.at(4).toByteArray(), entry.at(5).toByteArray()},
                        entry.at(6).toBool()});
    }
    return entries;
}

RemotePublication readPublication(FieldReader &fields)
{
    RemotePublication remote;
    remote.appId = fields.text("app"_L1);
    Broker::Publication &publication = remote.publication;
    publication.channel = fields.text("c"_L1);
    publication.event = fields.text("e"_L1);
    publication.data = fields.bytes("d"_L1);
    publication.dataIsJson = fields.boolean("j"_L1);
    publication.origin =
            fields.integer("o"_L1, 0, 1) == 1 ? Broker::Origin::Client : Broker::Origin::Api;
    publication.createdMs = fields.integer("ms"_L1, 0, MaxUnsigned);
    publication.userId = fields.text("u"_L1, false);
    const QCborArray publisher = fields.array("p"_L1, false);
    if (!publisher.isEmpty()) {
        if (publisher.size() != 4 || !publisher.at(0).isString() || !publisher.at(1).isString()
            || !publisher.at(2).isByteArray() || !publisher.at(3).isByteArray()) {
            fields.problem(u"field \"p\" is not [user, client, conn info, chan info]"_s);
        } else {
            publication.publisher =
                    Broker::PublisherInfo{publisher.at(0).toString(), publisher.at(1).toString(),
                                          publisher.at(2).toByteArray(),
                                          publisher.at(3).toByteArray()};
        }
    }
    for (const QCborValue &region : fields.array("rt"_L1, false)) {
        if (!region.isString()) {
            fields.problem(u"field \"rt\" holds a region that is not text"_s);
            break;
        }
        remote.relayTo.append(region.toString());
    }
    remote.crossed = fields.boolean("x"_L1, false);
    remote.sequenced = fields.boolean("sq"_L1, false);
    if (remote.sequenced) {
        publication.offset = quint64(fields.integer("off"_L1, 0, MaxUnsigned));
        remote.epoch = fields.text("ep"_L1, false);
    }
    remote.origin = fields.text("on"_L1, false);
    if (!remote.origin.isEmpty()) {
        remote.originSequence = quint64(fields.integer("oq"_L1, 1, MaxUnsigned));
        remote.except = Broker::ConnectionId(fields.integer("ex"_L1, 0, MaxUnsigned));
    }
    const QCborArray tags = fields.array("g"_L1, false);
    if (tags.size() % 2 != 0) {
        fields.problem(u"field \"g\" does not hold key and value pairs"_s);
    }
    for (qsizetype i = 0; i + 1 < tags.size(); i += 2) {
        if (!tags.at(i).isString() || !tags.at(i + 1).isString()) {
            fields.problem(u"field \"g\" holds a tag that is not text"_s);
            break;
        }
        publication.tags.append({tags.at(i).toString(), tags.at(i + 1).toString()});
    }
    return remote;
}

// The three kinds of share update differ only in their entries.
template<typename Entry, typename EncodeEntry>
QCborMap shareMap(Type type, const ShareUpdate<Entry> &update, EncodeEntry encodeEntry)
{
    QCborArray entries;
    for (const Entry &entry : update.entries) {
        entries.append(encodeEntry(entry));
    }
    return {{KeyType, int(type)},
            {u"id"_s, update.origin},
            {u"v"_s, qint64(update.version)},
            {u"f"_s, update.full},
            {u"e"_s, entries}};
}

template<typename Entry>
ShareUpdate<Entry> readShare(FieldReader &fields, QList<Entry> (*readEntries)(FieldReader &))
{
    ShareUpdate<Entry> update;
    update.origin = fields.text("id"_L1);
    update.version = quint64(fields.integer("v"_L1, 0, MaxUnsigned));
    update.full = fields.boolean("f"_L1);
    update.entries = readEntries(fields);
    return update;
}

QCborMap encodeMap(const PeerMessage &message)
{
    return std::visit(
            [](const auto &m) -> QCborMap {
                using M = std::decay_t<decltype(m)>;
                if constexpr (std::is_same_v<M, Hello>) {
                    return {{KeyType, int(Type::Hello)}, {u"v"_s, m.version},
                            {u"cl"_s, m.clusterId},      {u"id"_s, m.node},
                            {u"nc"_s, m.nonce},          {u"je"_s, m.joinExpiresAt}};
                } else if constexpr (std::is_same_v<M, Challenge>) {
                    return {{KeyType, int(Type::Challenge)},
                            {u"id"_s, m.node},
                            {u"nc"_s, m.nonce},
                            {u"pf"_s, m.proof}};
                } else if constexpr (std::is_same_v<M, Proof>) {
                    return {{KeyType, int(Type::Proof)},
                            {u"pf"_s, m.proof},
                            {u"me"_s, memberMap(m.self)}};
                } else if constexpr (std::is_same_v<M, Welcome>) {
                    return {{KeyType, int(Type::Welcome)}, {u"me"_s, memberMap(m.self)}};
                } else if constexpr (std::is_same_v<M, Refused>) {
                    return {{KeyType, int(Type::Refused)}, {u"why"_s, m.reason}};
                } else if constexpr (std::is_same_v<M, MembersUpdate>) {
                    QCborArray members;
                    for (const MemberRecord &member : m.members) {
                        members.append(memberMap(member));
                    }
                    return {{KeyType, int(Type::Members)}, {u"m"_s, members}};
                } else if constexpr (std::is_same_v<M, Ping>) {
                    return {{KeyType, int(Type::Ping)}, {u"q"_s, qint64(m.sequence)}};
                } else if constexpr (std::is_same_v<M, Ack>) {
                    return {{KeyType, int(Type::Ack)}, {u"q"_s, qint64(m.sequence)}};
                } else if constexpr (std::is_same_v<M, PingRequest>) {
                    return {{KeyType, int(Type::PingRequest)},
                            {u"q"_s, qint64(m.sequence)},
                            {u"to"_s, m.target}};
                } else if constexpr (std::is_same_v<M, InterestUpdate>) {
                    return shareMap(Type::Interest, m, [](const InterestEntry &entry) {
                        return QCborArray{entry.appId, entry.channel, entry.count};
                    });
                } else if constexpr (std::is_same_v<M, PresenceUpdate>) {
                    return shareMap(Type::Presence, m, [](const PresenceEntry &entry) {
                        return QCborArray{entry.appId, entry.channel, entry.member.userId,
                                          entry.member.userInfo, entry.present};
                    });
                } else if constexpr (std::is_same_v<M, ClientPresenceUpdate>) {
                    return shareMap(Type::ClientPresence, m, [](const ClientPresenceEntry &entry) {
                        const Broker::PublisherInfo &client = entry.client;
                        return QCborArray{entry.appId,   entry.channel,   client.user,
                                          client.client, client.connInfo, client.chanInfo,
                                          entry.present};
                    });
                } else if constexpr (std::is_same_v<M, UserCommandMessage>) {
                    QCborMap map{{KeyType, int(Type::UserCommand)},
                                 {u"k"_s, int(m.command.kind)},
                                 {u"app"_s, m.command.appId},
                                 {u"u"_s, m.command.userId}};
                    if (!m.command.clientId.isEmpty()) {
                        map.insert(u"cid"_s, m.command.clientId);
                    }
                    return map;
                } else if constexpr (std::is_same_v<M, NodeStatusMessage>) {
                    return {{KeyType, int(Type::NodeStatus)},
                            {u"o"_s, m.origin},
                            {u"v"_s, qint64(m.version)},
                            {u"s"_s, m.status}};
                } else if constexpr (std::is_same_v<M, ManagedAppsMessage>) {
                    QCborArray apps;
                    for (const Apps::ManagedApp &app : m.apps) {
                        apps.append(
                                QCborArray{app.id, app.key, app.secret, app.enabled, app.version});
                    }
                    return {{KeyType, int(Type::ManagedApps)}, {u"apps"_s, apps}};
                } else if constexpr (std::is_same_v<M, AdminRelay>) {
                    return {{KeyType, int(Type::AdminRelay)},
                            {u"f"_s, m.from},
                            {u"to"_s, m.to},
                            {u"q"_s, qint64(m.id)},
                            {u"a"_s, m.answer},
                            {u"b"_s, m.body},
                            {u"h"_s, m.hops}};
                } else {
                    static_assert(std::is_same_v<M, RemotePublication>);
                    return publicationMap(m);
                }
            },
            message);
}

ManagedAppsMessage readManagedApps(FieldReader &fields)
{
    ManagedAppsMessage message;
    const QCborArray apps = fields.array("apps"_L1);
    if (apps.size() > MaxManagedApps) {
        fields.problem(u"more than %1 managed apps"_s.arg(MaxManagedApps));
        return message;
    }
    for (const QCborValue &value : apps) {
        const QCborArray app = value.toArray();
        if (app.size() != 5 || !app.at(0).isString() || !app.at(1).isByteArray()
            || !app.at(2).isByteArray() || !app.at(3).isBool() || !app.at(4).isInteger()) {
            fields.problem(u"a managed app must be [id, key, secret, enabled, version]"_s);
            return message;
        }
        message.apps.append({app.at(0).toString(), app.at(1).toByteArray(), app.at(2).toByteArray(),
                             app.at(3).toBool(), app.at(4).toInteger()});
    }
    return message;
}

PeerMessage decodeFields(Type type, FieldReader &fields)
{
    switch (type) {
    case Type::Hello:
        return Hello{int(fields.integer("v"_L1, 0, 1'000'000)), fields.text("cl"_L1),
                     fields.text("id"_L1), fields.bytes("nc"_L1),
                     fields.integer("je"_L1, 0, MaxUnsigned)};
    case Type::Challenge:
        return Challenge{fields.text("id"_L1), fields.bytes("nc"_L1), fields.bytes("pf"_L1)};
    case Type::Proof: {
        const QByteArray proof = fields.bytes("pf"_L1);
        return Proof{proof, readNestedMember(fields, "me"_L1)};
    }
    case Type::Welcome:
        return Welcome{readNestedMember(fields, "me"_L1)};
    case Type::Refused:
        return Refused{fields.text("why"_L1)};
    case Type::Members:
        return MembersUpdate{readMembers(fields)};
    case Type::Ping:
        return Ping{quint64(fields.integer("q"_L1, 0, MaxUnsigned))};
    case Type::Ack:
        return Ack{quint64(fields.integer("q"_L1, 0, MaxUnsigned))};
    case Type::PingRequest:
        return PingRequest{quint64(fields.integer("q"_L1, 0, MaxUnsigned)), fields.text("to"_L1)};
    case Type::Interest:
        return readShare(fields, &readInterest);
    case Type::Presence:
        return readShare(fields, &readPresence);
    case Type::ClientPresence:
        return readShare(fields, &readClientPresence);
    case Type::Publication:
        return readPublication(fields);
    case Type::UserCommand: {
        Delivery::UserCommand command;
        command.kind = Delivery::UserCommand::Kind(
                fields.integer("k"_L1, 0,
                               int(Delivery::UserCommand::Kind::DisconnectCentrifugeUser)));
        command.appId = fields.text("app"_L1);
        command.userId = fields.text("u"_L1);
        command.clientId = fields.text("cid"_L1, false);
        return UserCommandMessage{command};
    }
    case Type::ManagedApps:
        return readManagedApps(fields);
    case Type::AdminRelay: {
        AdminRelay relay;
        relay.from = fields.text("f"_L1);
        relay.to = fields.text("to"_L1);
        relay.id = quint64(fields.integer("q"_L1, 0, MaxUnsigned));
        relay.answer = fields.boolean("a"_L1);
        relay.body = fields.bytes("b"_L1);
        relay.hops = int(fields.integer("h"_L1, 0, MaxAdminRelayHops));
        return relay;
    }
    case Type::NodeStatus:
        return NodeStatusMessage{fields.text("o"_L1),
                                 quint64(fields.integer("v"_L1, 0, MaxUnsigned)),
                                 fields.bytes("s"_L1)};
    }
    fields.problem(u"unknown message type %1"_s.arg(int(type)));
    return Refused{};
}

bool isKnownType(qint64 type)
{
    // Checked before the cast: a wider number could otherwise wrap onto a known type.
    if (type < 0 || type > std::numeric_limits<int>::max()) {
        return false;
    }
    switch (Type(type)) {
    case Type::Hello:
    case Type::Challenge:
    case Type::Proof:
    case Type::Welcome:
    case Type::Refused:
    case Type::Members:
    case Type::Ping:
    case Type::Ack:
    case Type::PingRequest:
    case Type::Interest:
    case Type::Presence:
    case Type::ClientPresence:
    case Type::Publication:
    case Type::UserCommand:
    case Type::NodeStatus:
    case Type::AdminRelay:
    case Type::ManagedApps:
        return true;
    }
    return false;
}

} // namespace

QByteArray encodePeerMessage(const PeerMessage &message)
{
    return QCborValue(encodeMap(message)).toCbor();
}

Result<PeerMessage> decodePeerMessage(const QByteArray &payload)
{
    QCborParserError parseError;
    const QCborValue root = QCborValue::fromCbor(payload, &parseError);
    if (parseError.error != QCborError::NoError) {
        return Error{0, u"not CBOR: %1"_s.arg(parseError.errorString())};
    }
    if (!root.isMap()) {
        return Error{0, u"a peer message must be a CBOR map"_s};
    }
    const QCborValue type = root.toMap().value(KeyType);
    if (!type.isInteger() || !isKnownType(type.toInteger())) {
        return Error{0, u"unknown or missing message type"_s};
    }
    FieldReader fields(root.toMap());
    PeerMessage message = decodeFields(Type(type.toInteger()), fields);
    if (!fields.error().isEmpty()) {
        return Error{0, fields.error()};
    }
    return message;
}

} // namespace DNotifier::Cluster
