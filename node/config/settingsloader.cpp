#include "settingsloader.h"

#include <QAbstractSocket>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QJsonValue>
#include <QRegularExpression>
#include <QStringList>

#include <array>
#include <cmath>
#include <limits>
#include <utility>

using namespace Qt::Literals::StringLiterals;

namespace DNotifier::Config {

namespace {

// One value from one layer. Environment variables and flags are text; config file values keep
// their JSON type, so `"port": "80"` is a type error while DNOTIFIER_PORT=80 is fine.
struct Input
{
    QString label; // as the user wrote it: "port", "apps[1].key", "DNOTIFIER_PORT", "--port"
    QJsonValue value;
    bool isText = false;
    // Relative paths are taken from here: the config file's directory, or the working directory.
    QString baseDir;
};

QString shown(const QJsonValue &value)
{
    const QByteArray json = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(json.mid(1, json.size() - 2));
}

QString typeName(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return u"null"_s;
    case QJsonValue::Bool:
        return u"a boolean"_s;
    case QJsonValue::Double:
        return u"a number"_s;
    case QJsonValue::String:
        return u"a string"_s;
    case QJsonValue::Array:
        return u"an array"_s;
    case QJsonValue::Object:
        return u"an object"_s;
    case QJsonValue::Undefined:
        break;
    }
    return u"undefined"_s;
}

Error rejected(const QString &label, const QJsonValue &value, const QString &expected)
{
    return Error{0, u"%1: %2 is not allowed; expected %3"_s.arg(label, shown(value), expected)};
}

Error wrongType(const Input &in, const QString &expected)
{
    return Error{0, u"%1: %2 has the wrong type (%3); expected %4"_s.arg(in.label, shown(in.value),
                                                                         typeName(in.value),
                                                                         expected)};
}

// Secrets and join tokens are described by their length, never shown: error messages end up in
// logs.
Error rejectedHidden(const QString &label, const QString &value, const QString &expected)
{
    const QString described = value.isEmpty()
                                      ? u"\"\""_s
                                      : u"a value of %1 characters (not shown)"_s.arg(value.size());
    return Error{0, u"%1: %2 is not allowed; expected %3"_s.arg(label, described, expected)};
}

Error wrongTypeHidden(const Input &in, const QString &expected)
{
    return Error{0, u"%1: the value (not shown) has the wrong type (%2); expected %3"_s
                            .arg(in.label, typeName(in.value), expected)};
}

constexpr qsizetype MaxSecretLength = 200;
// The cluster secret guards every node of the cluster, so it gets a floor that an app secret,
// kept for compatibility with existing Pusher setups, does not.
constexpr qsizetype MinClusterSecretLength = 16;

// Printable ASCII keeps an HMAC key the same bytes in every SDK, whatever text encoding the SDK
// assumes; spaces are refused because a stray one is a copy-and-paste slip far more often than
// part of a secret.
Result<void> checkSecret(const QString &label, const QString &secret, qsizetype minLength)
{
    static const QRegularExpression printable(u"^[!-~]*$"_s);
    if (secret.size() < minLength || secret.size() > MaxSecretLength
        || !printable.match(secret).hasMatch()) {
        return rejectedHidden(label, secret,
                              u"%1 to %2 printable ASCII characters without spaces"_s.arg(minLength)
                                      .arg(MaxSecretLength));
    }
    return {};
}

Result<QString> textIn(const Input &in, const QString &expected)
{
    if (!in.isText && !in.value.isString()) {
        return wrongType(in, expected);
    }
    return in.value.toString();
}

Result<qint64> integerIn(const Input &in, qint64 min, qint64 max)
{
    const QString expected = u"an integer from %1 to %2"_s.arg(min).arg(max);
    if (in.isText) {
        bool ok = false;
        const qint64 number = in.value.toString().toLongLong(&ok);
        if (!ok || number < min || number > max) {
            return rejected(in.label, in.value, expected);
        }
        return number;
    }
    if (!in.value.isDouble()) {
        return wrongType(in, expected);
    }
    const double number = in.value.toDouble();
    if (number != std::trunc(number) || number < double(min) || number > double(max)) {
        return rejected(in.label, in.value, expected);
    }
    return qint64(number);
}

template<typename T>
struct MemberOf;

template<typename O, typename F>
struct MemberOf<F O::*>
{
    using Owner = O;
    using Field = F;
};

template<auto Member, qint64 Min, qint64 Max>
Result<void> setInteger(typename MemberOf<decltype(Member)>::Owner &owner, const Input &in)
{
    using Field = typename MemberOf<decltype(Member)>::Field;
    static_assert(Min >= std::numeric_limits<Field>::min());
    static_assert(Max <= std::numeric_limits<Field>::max());
    const Result<qint64> number = integerIn(in, Min, Max);
    if (!number) {
        return number.error();
    }
    owner.*Member = static_cast<Field>(*number);
    return {};
}

template<auto Member>
Result<void> setBool(typename MemberOf<decltype(Member)>::Owner &owner, const Input &in)
{
    if (in.isText) {
        const QString text = in.value.toString();
        if (text != "true"_L1 && text != "false"_L1) {
            return rejected(in.label, in.value, u"true or false"_s);
        }
        owner.*Member = text == "true"_L1;
        return {};
    }
    if (!in.value.isBool()) {
        return wrongType(in, u"true or false"_s);
    }
    owner.*Member = in.value.toBool();
    return {};
}

Result<void> setDataDir(NodeSettings &settings, const Input &in)
{
    const QString expected = u"a directory path"_s;
    const Result<QString> path = textIn(in, expected);
    if (!path) {
        return path.error();
    }
    if (path->isEmpty()) {
        return rejected(in.label, in.value, expected);
    }
    settings.dataDir = QDir::cleanPath(QDir(in.baseDir).absoluteFilePath(*path));
    return {};
}

// QHostAddress also takes inet_aton shorthand ("1" is 0.0.0.1, "0x7f000001"), which is more
// likely a typo than intent, so IPv4 must be written as four plain decimal numbers.
bool isPlainAddress(const QString &text)
{
    static const QRegularExpression dottedQuad(
            u"^(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}$"_s);
    return text.contains(u':') || dottedQuad.match(text).hasMatch();
}

// A listening address: `host` and `peer_host`.
template<auto Member>
Result<void> setAddress(typename MemberOf<decltype(Member)>::Owner &owner, const Input &in)
{
    const QString expected = u"an IPv4 or IPv6 address such as 127.0.0.1, 0.0.0.0 or ::"_s;
    const Result<QString> text = textIn(in, expected);
    if (!text) {
        return text.error();
    }
    QHostAddress address;
    if (!isPlainAddress(*text) || !address.setAddress(*text)) {
        return rejected(in.label, in.value, expected);
    }
    owner.*Member = address;
    return {};
}

// A host other nodes dial: an IPv4 address or a DNS name. A name that the resolver would read
// as an IPv4 shorthand ("127.1", "0x7f000001") is refused as `host` refuses it, and so is one
// whose last label is all digits, which RFC 1123 rules out for names ("300.1.1.1" is a typo).
bool isDialHost(const QString &host)
{
    static const QRegularExpression dnsName(
            u"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
            "(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"_s);
    static const QRegularExpression numericLastLabel(u"(^|\\.)[0-9]+$"_s);
    QHostAddress address;
    if (address.setAddress(host)) {
        return isPlainAddress(host) && address.protocol() == QAbstractSocket::IPv4Protocol;
    }
    return !numericLastLabel.match(host).hasMatch() && dnsName.match(host).hasMatch();
}

// "host:port" as other nodes dial it. An IPv6 address needs brackets, or its last group could
// not be told from the port. The port has no leading zero, so each endpoint has one spelling.
bool isEndpoint(const QString &text)
{
    static const QRegularExpression shape(u"^(\\[([^\\]]*)\\]|([^:\\[\\]]*)):([1-9][0-9]{0,4})$"_s);
    const QRegularExpressionMatch match = shape.match(text);
    if (!match.hasMatch() || match.captured(4).toInt() > 65535) {
        return false;
    }
    if (!text.startsWith(u'[')) {
        return isDialHost(match.captured(3));
    }
    QHostAddress address;
    return address.setAddress(match.captured(2))
           && address.protocol() == QAbstractSocket::IPv6Protocol;
}

const QString EndpointExpected =
        u"host:port with a port from 1 to 65535 and a host that is an IPv4 address, a DNS name or "
        "an IPv6 address in brackets, such as 10.0.0.2:6002, node-b.example:6002 or [::1]:6002"_s;

Result<QString> endpointIn(const Input &in)
{
    const Result<QString> text = textIn(in, EndpointExpected);
    if (!text) {
        return text.error();
    }
    if (!isEndpoint(*text)) {
        return rejected(in.label, in.value, EndpointExpected);
    }
    return *text;
}

Result<void> setAdvertise(ClusterSettings &cluster, const Input &in)
{
    const Result<QString> endpoint = endpointIn(in);
    if (!endpoint) {
        return endpoint.error();
    }
    cluster.advertise = *endpoint;
    return {};
}

// The file takes a JSON array; environment variables and flags a comma-separated list, whose
// entries may be padded with spaces. A repeated entry counts once.
Result<void> setSeeds(ClusterSettings &cluster, const Input &in)
{
    QList<Input> entries;
    if (in.isText) {
        for (const QString &entry : in.value.toString().split(u',')) {
            entries.append({in.label, entry.trimmed(), true, in.baseDir});
        }
    } else if (in.value.isArray()) {
        const QJsonArray array = in.value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            entries.append({u"%1[%2]"_s.arg(in.label).arg(i), array.at(i), false, in.baseDir});
        }
    } else {
        return wrongType(in, u"an array of host:port strings"_s);
    }

    QList<QString> seeds;
    for (const Input &entry : std::as_const(entries)) {
        const Result<QString> endpoint = endpointIn(entry);
        if (!endpoint) {
            return endpoint.error();
        }
        if (!seeds.contains(*endpoint)) {
            seeds.append(*endpoint);
        }
    }
    cluster.seeds = seeds;
    return {};
}

Result<QString> matchedText(const Input &in,
                            const QRegularExpression &pattern,
                            const QString &expected)
{
    const Result<QString> text = textIn(in, expected);
    if (!text) {
        return text.error();
    }
    if (!pattern.match(*text).hasMatch()) {
        return rejected(in.label, in.value, expected);
    }
    return *text;
}

// An array of IP addresses in the file; a comma-separated list in the environment.
Result<void> setTrustedProxies(NodeSettings &settings, const Input &in)
{
    const QString expected = u"a list of IPv4 or IPv6 addresses"_s;
    QStringList entries;
    if (in.isText) {
        entries = in.value.toString().split(u',', Qt::SkipEmptyParts);
    } else if (in.value.isArray()) {
        for (const QJsonValue &entry : in.value.toArray()) {
            if (!entry.isString()) {
                return wrongType(in, expected);
            }
            entries.append(entry.toString());
        }
    } else {
        return wrongType(in, expected);
    }
    QList<QString> proxies;
    for (const QString &entry : std::as_const(entries)) {
        const QString address = entry.trimmed();
        if (!isPlainAddress(address) || QHostAddress(address).isNull()) {
            return rejected(in.label, in.value, expected);
        }
        proxies.append(address);
    }
    settings.trustedProxies = proxies;
    return {};
}

Result<void> setLogLevel(NodeSettings &settings, const Input &in)
{
    const QString expected = u"one of debug, info, warning, error"_s;
    const Result<QString> level = textIn(in, expected);
    if (!level) {
        return level.error();
    }
    if (!QStringList{u"debug"_s, u"info"_s, u"warning"_s, u"error"_s}.contains(*level)) {
        return rejected(in.label, in.value, expected);
    }
    settings.logLevel = *level;
    return {};
}

Result<void> setRegion(ClusterSettings &cluster, const Input &in)
{
    static const QRegularExpression pattern(u"^[A-Za-z0-9_.-]{1,64}$"_s);
    const Result<QString> region =
            matchedText(in, pattern, u"1 to 64 characters from A-Z, a-z, 0-9, '.', '_' and '-'"_s);
    if (!region) {
        return region.error();
    }
    cluster.region = *region;
    return {};
}

Result<void> setNodeName(ClusterSettings &cluster, const Input &in)
{
    static const QRegularExpression pattern(u"^[A-Za-z0-9_.:-]{1,64}$"_s);
    const Result<QString> name =
            matchedText(in, pattern,
                        u"1 to 64 characters from A-Z, a-z, 0-9, '.', '_', ':' and '-'"_s);
    if (!name) {
        return name.error();
    }
    cluster.nodeName = *name;
    return {};
}

// As node/cluster/jointoken.h writes it; the settings do not depend on the cluster layer.
constexpr QLatin1StringView JoinTokenPrefix("dnj1.");

// The token is decoded and verified where the cluster starts; the prefix alone catches pasting
// something else. It carries the cluster secret, so it is never echoed.
Result<void> setJoinToken(ClusterSettings &cluster, const Input &in)
{
    if (!in.isText && !in.value.isString()) {
        return wrongTypeHidden(in, u"a string"_s);
    }
    const QString token = in.value.toString();
    if (!token.startsWith(JoinTokenPrefix)) {
        return rejectedHidden(in.label, token,
                              u"a token from dnotifier-node join-token, which starts with \"%1\""_s
                                      .arg(JoinTokenPrefix));
    }
    cluster.joinToken = token;
    return {};
}

Result<void> setClusterSecret(ClusterSettings &cluster, const Input &in)
{
    if (!in.isText && !in.value.isString()) {
        return wrongTypeHidden(in, u"a string"_s);
    }
    const QString secret = in.value.toString();
    if (const Result<void> checked = checkSecret(in.label, secret, MinClusterSecretLength);
        !checked) {
        return checked.error();
    }
    cluster.secret = secret.toLatin1();
    return {};
}

Result<void> setAppId(AppSettings &app, const Input &in)
{
    const Result<QString> id = textIn(in, u"a string of digits"_s);
    if (!id) {
        return id.error();
    }
    if (const Result<void> checked = checkAppId(in.label, *id); !checked) {
        return checked.error();
    }
    app.id = *id;
    return {};
}

Result<void> setAppKey(AppSettings &app, const Input &in)
{
    const Result<QString> key = textIn(in, u"a string"_s);
    if (!key) {
        return key.error();
    }
    if (const Result<void> checked = checkAppKey(in.label, *key); !checked) {
        return checked.error();
    }
    app.key = key->toLatin1();
    return {};
}

Result<void> setAppSecret(AppSettings &app, const Input &in)
{
    if (!in.isText && !in.value.isString()) {
        return wrongTypeHidden(in, u"a string"_s);
    }
    const QString secret = in.value.toString();
    if (const Result<void> checked = checkAppSecret(in.label, secret); !checked) {
        return checked.error();
    }
    app.secret = secret.toLatin1();
    return {};
}

Result<void> setApiKey(AppSettings &app, const Input &in)
{
    // Checked like a secret and, like one, never echoed.
    if (!in.isText && !in.value.isString()) {
        return wrongTypeHidden(in, u"a string"_s);
    }
    const QString key = in.value.toString();
    if (const Result<void> checked = checkAppSecret(in.label, key); !checked) {
        return checked.error();
    }
    app.apiKey = key.toLatin1();
    return {};
}

Result<void> setTokenKeyFile(AppSettings &app, const Input &in)
{
    const QString expected = u"the path of a PEM public key or JWKS file"_s;
    const Result<QString> path = textIn(in, expected);
    if (!path) {
        return path.error();
    }
    if (path->isEmpty()) {
        return rejected(in.label, in.value, expected);
    }
    app.tokenKeyFile = QDir::cleanPath(QDir(in.baseDir).absoluteFilePath(*path));
    return {};
}

template<QString AppSettings::*Member>
Result<void> setClaimText(AppSettings &app, const Input &in)
{
    const QString expected = u"a non-empty string"_s;
    const Result<QString> text = textIn(in, expected);
    if (!text) {
        return text.error();
    }
    if (text->isEmpty()) {
        return rejected(in.label, in.value, expected);
    }
    app.*Member = *text;
    return {};
}

const QStringList webhookEventNames{
        u"channel_occupied"_s, u"channel_vacated"_s, u"member_added"_s,       u"member_removed"_s,
        u"client_event"_s,     u"cache_miss"_s,      u"subscription_count"_s,
};

Result<QList<QString>> webhookEvents(const Input &in)
{
    const QString expected = u"one of "_s + webhookEventNames.join(u", ");
    if (!in.value.isArray()) {
        return wrongType(in, u"an array of event names, each "_s + expected);
    }
    QList<QString> events;
    const QJsonArray array = in.value.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        const Input item{u"%1[%2]"_s.arg(in.label).arg(i), array.at(i), false, in.baseDir};
        const Result<QString> name = textIn(item, expected);
        if (!name) {
            return name.error();
        }
        if (!webhookEventNames.contains(*name)) {
            return rejected(item.label, item.value, expected);
        }
        if (!events.contains(*name)) {
            events.append(*name);
        }
    }
    return events;
}

Result<QUrl> webhookUrl(const Input &in)
{
    const QString expected = u"an http:// or https:// URL with a host"_s;
    const Result<QString> text = textIn(in, expected);
    if (!text) {
        return text.error();
    }
    const QUrl url(*text, QUrl::StrictMode);
    const bool isHttp = url.scheme() == "http"_L1 || url.scheme() == "https"_L1;
    if (!url.isValid() || !isHttp || url.host().isEmpty()) {
        return rejected(in.label, in.value, expected);
    }
    return url;
}

Result<void> checkKnownKeys(const QString &label,
                            const QJsonObject &object,
                            const QStringList &allowed)
{
    for (const QString &key : object.keys()) {
        if (!allowed.contains(key)) {
            const QString path = label.isEmpty() ? key : label + u'.' + key;
            const QString where = label.isEmpty() ? u"at the top level"_s : u"in "_s + label;
            return Error{0, u"unknown key \"%1\"; allowed %2 are: %3"_s.arg(path, where,
                                                                            allowed.join(u", "))};
        }
    }
    return {};
}

Error missingKey(const QString &label, const QString &key, const QString &why)
{
    return Error{0, u"%1.%2 is missing; %3"_s.arg(label, key, why)};
}

Result<WebhookTarget> webhookTarget(const Input &in)
{
    if (!in.value.isObject()) {
        return wrongType(in, u"an object with \"url\" and, optionally, \"events\""_s);
    }
    const QJsonObject object = in.value.toObject();
    if (const Result<void> known = checkKnownKeys(in.label, object, {u"events"_s, u"url"_s});
        !known) {
        return known.error();
    }
    if (!object.contains("url"_L1)) {
        return missingKey(in.label, u"url"_s, u"every webhook needs a URL"_s);
    }
    const Result<QUrl> url =
            webhookUrl({in.label + u".url"_s, object.value("url"_L1), false, in.baseDir});
    if (!url) {
        return url.error();
    }
    WebhookTarget target{*url, {}};
    if (object.contains("events"_L1)) {
        const Result<QList<QString>> events = webhookEvents(
                {in.label + u".events"_s, object.value("events"_L1), false, in.baseDir});
        if (!events) {
            return events.error();
        }
        target.events = *events;
    }
    return target;
}

// A config array read entry by entry, each labelled with its index ("apps[2]") in errors.
template<typename T>
Result<QList<T>> arrayOf(const Input &in,
                         const QString &expected,
                         Result<T> (*entry)(const Input &))
{
    if (!in.value.isArray()) {
        return wrongType(in, expected);
    }
    QList<T> entries;
    const QJsonArray array = in.value.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        Result<T> read = entry({u"%1[%2]"_s.arg(in.label).arg(i), array.at(i), false, in.baseDir});
        if (!read) {
            return read.error();
        }
        entries.append(std::move(read).value());
    }
    return entries;
}

Result<void> setWebhooks(AppSettings &app, const Input &in)
{
    Result<QList<WebhookTarget>> targets =
            arrayOf(in, u"an array of webhook objects"_s, &webhookTarget);
    if (!targets) {
        return targets.error();
    }
    app.webhooks = std::move(targets).value();
    return {};
}

using NamespaceApply = Result<void> (*)(NamespaceSettings &, const Input &);

Result<void> setNamespaceName(NamespaceSettings &space, const Input &in)
{
    static const QRegularExpression pattern(u"^[A-Za-z0-9_.-]{0,64}$"_s);
    const Result<QString> name = textIn(in, u"a string of letters, digits, _ . -"_s);
    if (!name) {
        return name.error();
    }
    if (!pattern.match(*name).hasMatch()) {
        return rejected(in.label, in.value,
                        u"up to 64 letters, digits, _ . or - (\"\" names channels without ':')"_s);
    }
    space.name = *name;
    return {};
}

struct NamespaceKey
{
    QLatin1StringView name;
    NamespaceApply apply;
};

const std::array<NamespaceKey, 7> namespaceKeys{{
        {"name"_L1, &setNamespaceName},
        {"history_size"_L1, &setInteger<&NamespaceSettings::historySize, 0, 10000>},
        {"history_ttl"_L1, &setInteger<&NamespaceSettings::historyTtlSeconds, 1, 86400>},
        {"presence"_L1, &setBool<&NamespaceSettings::presence>},
        {"join_leave"_L1, &setBool<&NamespaceSettings::joinLeave>},
        {"allow_publish"_L1, &setBool<&NamespaceSettings::allowPublish>},
        {"allow_subscribe"_L1, &setBool<&NamespaceSettings::allowSubscribe>},
}};

Result<NamespaceSettings> namespaceSettings(const Input &in)
{
    if (!in.value.isObject()) {
        return wrongType(in, u"an object with \"name\" and channel options"_s);
    }
    const QJsonObject object = in.value.toObject();
    QStringList allowed;
    for (const NamespaceKey &key : namespaceKeys) {
        allowed.append(QString(key.name));
    }
    if (const Result<void> known = checkKnownKeys(in.label, object, allowed); !known) {
        return known.error();
    }
    if (!object.contains("name"_L1)) {
        return missingKey(in.label, u"name"_s, u"every namespace needs a name"_s);
    }
    NamespaceSettings space;
    for (const NamespaceKey &key : namespaceKeys) {
        if (!object.contains(key.name)) {
            continue;
        }
        const Input field{in.label + u'.' + QString(key.name), object.value(key.name), false,
                          in.baseDir};
        if (const Result<void> applied = key.apply(space, field); !applied) {
            return applied.error();
        }
    }
    return space;
}

Result<void> setNamespaces(AppSettings &app, const Input &in)
{
    if (!in.value.isArray()) {
        return wrongType(in, u"an array of namespace objects"_s);
    }
    QList<NamespaceSettings> spaces;
    const QJsonArray array = in.value.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        const Input item{u"%1[%2]"_s.arg(in.label).arg(i), array.at(i), false, in.baseDir};
        const Result<NamespaceSettings> space = namespaceSettings(item);
        if (!space) {
            return space.error();
        }
        for (const NamespaceSettings &earlier : std::as_const(spaces)) {
            if (earlier.name == space->name) {
                return rejected(item.label + u".name"_s, QJsonValue(space->name),
                                u"a name no other namespace of this app uses"_s);
            }
        }
        spaces.append(*space);
    }
    app.namespaces = spaces;
    return {};
}

// A PEM file of a listener's own certificate or key.
template<auto Member>
Result<void> setPemPath(typename MemberOf<decltype(Member)>::Owner &owner, const Input &in)
{
    const QString expected = u"the path of a PEM file"_s;
    const Result<QString> path = textIn(in, expected);
    if (!path) {
        return path.error();
    }
    if (path->isEmpty()) {
        return rejected(in.label, in.value, expected);
    }
    owner.*Member = QDir::cleanPath(QDir(in.baseDir).absoluteFilePath(*path));
    return {};
}

// Admin keys are machine-made in the data directory; one written by hand gets the cluster
// secret's floor, since it guards as much.
Result<AdminKey> adminKey(const Input &in)
{
    const QString shape = u"an object with \"name\", \"role\" and \"key\""_s;
    if (!in.value.isObject()) {
        return wrongType(in, shape);
    }
    const QJsonObject object = in.value.toObject();
    const QStringList fields{u"key"_s, u"name"_s, u"role"_s};
    if (const Result<void> known = checkKnownKeys(in.label, object, fields); !known) {
        return known.error();
    }
    for (const QString &field : fields) {
        if (!object.contains(field)) {
            return missingKey(in.label, field, u"every admin key needs a name, role and key"_s);
        }
    }
    static const QRegularExpression namePattern(u"^[A-Za-z0-9_.@-]{1,64}$"_s);
    const Input name{in.label + u".name"_s, object.value("name"_L1), false, in.baseDir};
    if (!name.value.isString() || !namePattern.match(name.value.toString()).hasMatch()) {
        return rejected(name.label, name.value, u"1 to 64 letters, digits, _ . @ or -"_s);
    }
    const Input role{in.label + u".role"_s, object.value("role"_L1), false, in.baseDir};
    if (role.value != QJsonValue(u"admin"_s) && role.value != QJsonValue(u"read-only"_s)) {
        return rejected(role.label, role.value, u"\"admin\" or \"read-only\""_s);
    }
    const Input key{in.label + u".key"_s, object.value("key"_L1), false, in.baseDir};
    if (!key.value.isString()) {
        return wrongTypeHidden(key, u"a string"_s);
    }
    if (const Result<void> checked =
                checkSecret(key.label, key.value.toString(), MinClusterSecretLength);
        !checked) {
        return checked.error();
    }
    return AdminKey{name.value.toString(),
                    role.value == QJsonValue(u"admin"_s) ? AdminRole::Admin : AdminRole::ReadOnly,
                    key.value.toString().toUtf8()};
}

Result<void> setAdminKeys(AdminSettings &admin, const Input &in)
{
    Result<QList<AdminKey>> keys = arrayOf(in, u"an array of admin key objects"_s, &adminKey);
    if (!keys) {
        return keys.error();
    }
    admin.keys = std::move(keys).value();
    return {};
}

using AppApply = Result<void> (*)(AppSettings &, const Input &);
using ClusterApply = Result<void> (*)(ClusterSettings &, const Input &);
using AdminApply = Result<void> (*)(AdminSettings &, const Input &);
using NodeApply = Result<void> (*)(NodeSettings &, const Input &);

template<AppApply Apply>
Result<void> onDefaultApp(NodeSettings &settings, const Input &in)
{
    return Apply(settings.defaultApp, in);
}

template<ClusterApply Apply>
Result<void> onCluster(NodeSettings &settings, const Input &in)
{
    return Apply(settings.cluster, in);
}

template<AdminApply Apply>
Result<void> onAdmin(NodeSettings &settings, const Input &in)
{
    return Apply(settings.admin, in);
}

struct AppKey
{
    QLatin1StringView name;
    AppApply apply;
};

const std::array<AppKey, 28> appKeys{{
        {"id"_L1, &setAppId},
        {"key"_L1, &setAppKey},
        {"secret"_L1, &setAppSecret},
        {"api_key"_L1, &setApiKey},
        {"token_key_file"_L1, &setTokenKeyFile},
        {"token_audience"_L1, &setClaimText<&AppSettings::tokenAudience>},
        {"token_issuer"_L1, &setClaimText<&AppSettings::tokenIssuer>},
        {"enabled"_L1, &setBool<&AppSettings::enabled>},
        {"client_events"_L1, &setBool<&AppSettings::clientEvents>},
        {"subscription_count_events"_L1, &setBool<&AppSettings::subscriptionCountEvents>},
        {"max_connections"_L1, &setInteger<&AppSettings::maxConnections, 1, 1000000>},
        {"max_channel_name_length"_L1, &setInteger<&AppSettings::maxChannelNameLength, 1, 1000>},
        {"max_event_name_length"_L1, &setInteger<&AppSettings::maxEventNameLength, 1, 1000>},
        {"max_event_payload_bytes"_L1,
         &setInteger<&AppSettings::maxEventPayloadBytes, 1, 16 * 1024 * 1024>},
        {"max_event_channels"_L1, &setInteger<&AppSettings::maxEventChannels, 1, 1000>},
        {"max_batch_size"_L1, &setInteger<&AppSettings::maxBatchSize, 1, 1000>},
        {"max_presence_members"_L1, &setInteger<&AppSettings::maxPresenceMembers, 1, 100000>},
        {"max_presence_member_bytes"_L1,
         &setInteger<&AppSettings::maxPresenceMemberBytes, 1, 64 * 1024>},
        {"max_presence_user_id_length"_L1,
         &setInteger<&AppSettings::maxPresenceUserIdLength, 1, 1024>},
        {"max_client_events_per_second"_L1,
         &setInteger<&AppSettings::maxClientEventsPerSecond, 1, 10000>},
        {"max_message_bytes"_L1,
         &setInteger<&AppSettings::maxMessageBytes, 1024, 16 * 1024 * 1024>},
        {"max_outbound_bytes"_L1,
         &setInteger<&AppSettings::maxOutboundBytes, 64 * 1024, 1024 * 1024 * 1024>},
        {"max_messages_per_second"_L1, &setInteger<&AppSettings::maxMessagesPerSecond, 1, 100000>},
        {"max_api_requests_per_second"_L1,
         &setInteger<&AppSettings::maxApiRequestsPerSecond, 1, 1000000>},
        {"max_subscriptions_per_connection"_L1,
         &setInteger<&AppSettings::maxSubscriptionsPerConnection, 1, 100000>},
        {"webhook_batch_ms"_L1, &setInteger<&AppSettings::webhookBatchMilliseconds, 0, 60000>},
        {"webhooks"_L1, &setWebhooks},
        {"namespaces"_L1, &setNamespaces},
}};

// A setting of the node itself. An empty name means the setting cannot be given that way.
struct NodeKey
{
    QLatin1StringView configKey;
    QLatin1StringView envVar;
    QLatin1StringView flag;
    std::optional<QString> CommandLine::*flagValue;
    NodeApply apply;
};

constexpr NodeKey fileOnly(QLatin1StringView configKey, NodeApply apply)
{
    return {configKey, {}, {}, nullptr, apply};
}

// The default app's id, key and secret sit inside "app" in the config file, so their
// environment variables and flags have no top-level config key beside them.
constexpr NodeKey notInFile(QLatin1StringView envVar,
                            QLatin1StringView flag,
                            std::optional<QString> CommandLine::*flagValue,
                            NodeApply apply)
{
    return {{}, envVar, flag, flagValue, apply};
}

// Settings without a flag: the cluster secret, because other users can read a process's
// arguments, and the cluster timings, which are tuning that belongs with the deployment.
constexpr NodeKey fileAndEnvironment(QLatin1StringView configKey,
                                     QLatin1StringView envVar,
                                     NodeApply apply)
{
    return {configKey, envVar, {}, nullptr, apply};
}

constexpr QLatin1StringView ProbeIntervalKey("cluster_probe_interval_ms");
constexpr QLatin1StringView ProbeTimeoutKey("cluster_probe_timeout_ms");
constexpr QLatin1StringView ClientCertificateKey("tls_cert");
constexpr QLatin1StringView ClientPrivateKeyKey("tls_key");
constexpr QLatin1StringView AdminCertificateKey("admin_tls_cert");
constexpr QLatin1StringView AdminPrivateKeyKey("admin_tls_key");

const std::array<NodeKey, 38> nodeKeys{{
        {"data_dir"_L1, "DNOTIFIER_DATA_DIR"_L1, Flag::DataDir, &CommandLine::dataDir, &setDataDir},
        {"host"_L1, "DNOTIFIER_HOST"_L1, Flag::Host, &CommandLine::host,
         &setAddress<&NodeSettings::host>},
        {"port"_L1, "DNOTIFIER_PORT"_L1, Flag::Port, &CommandLine::port,
         &setInteger<&NodeSettings::port, 0, 65535>},
        {"io_threads"_L1, "DNOTIFIER_IO_THREADS"_L1, Flag::IoThreads, &CommandLine::ioThreads,
         &setInteger<&NodeSettings::ioThreads, 0, 256>},
        {"activity_timeout"_L1, "DNOTIFIER_ACTIVITY_TIMEOUT"_L1, Flag::ActivityTimeout,
         &CommandLine::activityTimeout,
         &setInteger<&NodeSettings::activityTimeoutSeconds, 1, 3600>},
        {"pong_timeout"_L1, "DNOTIFIER_PONG_TIMEOUT"_L1, Flag::PongTimeout,
         &CommandLine::pongTimeout, &setInteger<&NodeSettings::pongTimeoutSeconds, 1, 3600>},
        fileOnly("max_http_body_bytes"_L1,
                 &setInteger<&NodeSettings::maxHttpBodyBytes, 1024, 64 * 1024 * 1024>),
        fileOnly("webhook_leave_delay"_L1,
                 &setInteger<&NodeSettings::webhookLeaveDelaySeconds, 0, 3600>),
        fileOnly("webhook_retry_seconds"_L1,
                 &setInteger<&NodeSettings::webhookRetrySeconds, 0, 86400>),
        fileAndEnvironment(ClientCertificateKey,
                           "DNOTIFIER_TLS_CERT"_L1,
                           &setPemPath<&NodeSettings::tlsCertificateFile>),
        fileAndEnvironment(ClientPrivateKeyKey,
                           "DNOTIFIER_TLS_KEY"_L1,
                           &setPemPath<&NodeSettings::tlsKeyFile>),
        fileAndEnvironment("log_level"_L1, "DNOTIFIER_LOG_LEVEL"_L1, &setLogLevel),
        fileAndEnvironment("max_connections_per_address"_L1,
                           "DNOTIFIER_MAX_CONNECTIONS_PER_ADDRESS"_L1,
                           &setInteger<&NodeSettings::maxConnectionsPerAddress, 0, 1000000>),
        fileAndEnvironment("max_client_connections"_L1,
                           "DNOTIFIER_MAX_CLIENT_CONNECTIONS"_L1,
                           &setInteger<&NodeSettings::maxClientConnections, 0, 10000000>),
        fileAndEnvironment("handshake_timeout"_L1,
                           "DNOTIFIER_HANDSHAKE_TIMEOUT"_L1,
                           &setInteger<&NodeSettings::handshakeTimeoutSeconds, 1, 300>),
        fileAndEnvironment("trusted_proxies"_L1,
                           "DNOTIFIER_TRUSTED_PROXIES"_L1,
                           &setTrustedProxies),
        fileAndEnvironment("drain_delay"_L1,
                           "DNOTIFIER_DRAIN_DELAY"_L1,
                           &setInteger<&NodeSettings::drainDelaySeconds, 0, 600>),
        notInFile("DNOTIFIER_APP_ID"_L1,
                  Flag::AppId,
                  &CommandLine::appId,
                  &onDefaultApp<&setAppId>),
        notInFile("DNOTIFIER_APP_KEY"_L1,
                  Flag::AppKey,
                  &CommandLine::appKey,
                  &onDefaultApp<&setAppKey>),
        notInFile("DNOTIFIER_APP_SECRET"_L1,
                  Flag::AppSecret,
                  &CommandLine::appSecret,
                  &onDefaultApp<&setAppSecret>),
        {"peer_host"_L1, "DNOTIFIER_PEER_HOST"_L1, Flag::PeerHost, &CommandLine::peerHost,
         &onCluster<&setAddress<&ClusterSettings::peerHost>>},
        {"peer_port"_L1, "DNOTIFIER_PEER_PORT"_L1, Flag::PeerPort, &CommandLine::peerPort,
         &onCluster<&setInteger<&ClusterSettings::peerPort, 0, 65535>>},
        {"advertise"_L1, "DNOTIFIER_ADVERTISE"_L1, Flag::Advertise, &CommandLine::advertise,
         &onCluster<&setAdvertise>},
        {"region"_L1, "DNOTIFIER_REGION"_L1, Flag::Region, &CommandLine::region,
         &onCluster<&setRegion>},
        {"node_name"_L1, "DNOTIFIER_NODE_NAME"_L1, Flag::NodeName, &CommandLine::nodeName,
         &onCluster<&setNodeName>},
        {"seeds"_L1, "DNOTIFIER_SEEDS"_L1, Flag::Seeds, &CommandLine::seeds, &onCluster<&setSeeds>},
        {"join"_L1, "DNOTIFIER_JOIN"_L1, Flag::Join, &CommandLine::join, &onCluster<&setJoinToken>},
        fileAndEnvironment("peer_tls"_L1,
                           "DNOTIFIER_PEER_TLS"_L1,
                           &onCluster<&setBool<&ClusterSettings::peerTls>>),
        fileAndEnvironment("cluster_secret"_L1,
                           "DNOTIFIER_CLUSTER_SECRET"_L1,
                           &onCluster<&setClusterSecret>),
        fileAndEnvironment(ProbeIntervalKey,
                           "DNOTIFIER_CLUSTER_PROBE_INTERVAL_MS"_L1,
                           &onCluster<&setInteger<&ClusterSettings::probeIntervalMs, 50, 60000>>),
        fileAndEnvironment(ProbeTimeoutKey,
                           "DNOTIFIER_CLUSTER_PROBE_TIMEOUT_MS"_L1,
                           &onCluster<&setInteger<&ClusterSettings::probeTimeoutMs, 10, 60000>>),
        fileAndEnvironment("cluster_suspicion_ms"_L1,
                           "DNOTIFIER_CLUSTER_SUSPICION_MS"_L1,
                           &onCluster<&setInteger<&ClusterSettings::suspicionMs, 100, 600000>>),
        fileAndEnvironment("cluster_indirect_probes"_L1,
                           "DNOTIFIER_CLUSTER_INDIRECT_PROBES"_L1,
                           &onCluster<&setInteger<&ClusterSettings::indirectProbes, 0, 16>>),
        {"admin_host"_L1, "DNOTIFIER_ADMIN_HOST"_L1, Flag::AdminHost, &CommandLine::adminHost,
         &onAdmin<&setAddress<&AdminSettings::host>>},
        {"admin_port"_L1, "DNOTIFIER_ADMIN_PORT"_L1, Flag::AdminPort, &CommandLine::adminPort,
         &onAdmin<&setInteger<&AdminSettings::port, 0, 65535>>},
        fileAndEnvironment(AdminCertificateKey,
                           "DNOTIFIER_ADMIN_TLS_CERT"_L1,
                           &onAdmin<&setPemPath<&AdminSettings::certificateFile>>),
        fileAndEnvironment(AdminPrivateKeyKey,
                           "DNOTIFIER_ADMIN_TLS_KEY"_L1,
                           &onAdmin<&setPemPath<&AdminSettings::keyFile>>),
        fileOnly("admin_keys"_L1, &onAdmin<&setAdminKeys>),
}};

// The settings being merged and, for each node key, the input that set it last: a check that
// compares two keys runs after every layer and names each value as it was given.
struct Layers
{
    NodeSettings settings;
    QHash<const NodeKey *, Input> origins;
};

Result<void> applyNodeKey(Layers &layers, const NodeKey &key, const Input &in)
{
    if (const Result<void> applied = key.apply(layers.settings, in); !applied) {
        return applied;
    }
    layers.origins.insert(&key, in);
    return {};
}

struct Origin
{
    QString label;
    QString value;
};

// A merged value as the layer that set it wrote it, or its config key and built-in value.
Origin originOf(const Layers &layers, QLatin1StringView configKey, int value)
{
    for (const NodeKey &key : nodeKeys) {
        if (key.configKey == configKey && layers.origins.contains(&key)) {
            const Input &in = layers.origins.value(&key);
            return {in.label, shown(in.value)};
        }
    }
    return {QString(configKey), u"%1 (the default)"_s.arg(value)};
}

// Runs after all layers: each timing may be fine alone, yet the timeout given in one layer may
// not fit the interval given in another.
Result<void> checkProbeTimings(const Layers &layers)
{
    const ClusterSettings &cluster = layers.settings.cluster;
    if (cluster.probeTimeoutMs < cluster.probeIntervalMs) {
        return {};
    }
    const Origin timeout = originOf(layers, ProbeTimeoutKey, cluster.probeTimeoutMs);
    const Origin interval = originOf(layers, ProbeIntervalKey, cluster.probeIntervalMs);
    return Error{0, u"%1: %2 is not allowed; expected an integer smaller than %3, which is %4"_s
                            .arg(timeout.label, timeout.value, interval.label, interval.value)};
}

// A certificate is useless without its key, and a key alone would silently leave the listener
// as it was (plain, or the admin channel's generated certificate that consoles pinned).
Result<void> checkTlsPair(const QString &certificate,
                          const QString &key,
                          QLatin1StringView certificateName,
                          QLatin1StringView keyName,
                          const QString &what)
{
    if (certificate.isEmpty() == key.isEmpty()) {
        return {};
    }
    const QLatin1StringView missing = certificate.isEmpty() ? certificateName : keyName;
    const QLatin1StringView given = certificate.isEmpty() ? keyName : certificateName;
    return Error{0,
                 u"%1 is set but %2 is not; %3 needs both or neither"_s.arg(given, missing, what)};
}

Result<void> checkTlsPairs(const Layers &layers)
{
    const NodeSettings &settings = layers.settings;
    if (const Result<void> client =
                checkTlsPair(settings.tlsCertificateFile, settings.tlsKeyFile, ClientCertificateKey,
                             ClientPrivateKeyKey, u"the client port"_s);
        !client) {
        return client;
    }
    return checkTlsPair(settings.admin.certificateFile, settings.admin.keyFile, AdminCertificateKey,
                        AdminPrivateKeyKey, u"the admin endpoint"_s);
}

QStringList appKeyNames()
{
    QStringList names;
    for (const AppKey &key : appKeys) {
        names.append(QString(key.name));
    }
    names.sort();
    return names;
}

QStringList topLevelKeyNames()
{
    QStringList names{u"app"_s, u"apps"_s};
    for (const NodeKey &key : nodeKeys) {
        if (!key.configKey.isEmpty()) {
            names.append(QString(key.configKey));
        }
    }
    names.sort();
    return names;
}

Result<void> applyAppObject(AppSettings &app, const Input &in)
{
    if (!in.value.isObject()) {
        return wrongType(in, u"an object with the keys "_s + appKeyNames().join(u", "));
    }
    const QJsonObject object = in.value.toObject();
    if (const Result<void> known = checkKnownKeys(in.label, object, appKeyNames()); !known) {
        return known.error();
    }
    for (const AppKey &key : appKeys) {
        if (!object.contains(key.name)) {
            continue;
        }
        const Input item{in.label + u'.' + key.name, object.value(key.name), false, in.baseDir};
        if (const Result<void> applied = key.apply(app, item); !applied) {
            return applied;
        }
    }
    return {};
}

Result<AppSettings> extraApp(const Input &in)
{
    AppSettings app;
    if (const Result<void> applied = applyAppObject(app, in); !applied) {
        return applied.error();
    }
    const QJsonObject object = in.value.toObject();
    for (const QString &required : {u"id"_s, u"key"_s, u"secret"_s}) {
        if (!object.contains(required)) {
            return missingKey(in.label, required,
                              u"every entry of apps needs id, key and secret"_s);
        }
    }
    return app;
}

Result<void> applyExtraApps(NodeSettings &settings, const Input &in)
{
    Result<QList<AppSettings>> apps = arrayOf(in, u"an array of app objects"_s, &extraApp);
    if (!apps) {
        return apps.error();
    }
    settings.extraApps.append(std::move(apps).value());
    return {};
}

Result<void> applyConfigObject(Layers &layers, const QJsonObject &root, const QString &baseDir)
{
    if (const Result<void> known = checkKnownKeys({}, root, topLevelKeyNames()); !known) {
        return known;
    }
    for (const NodeKey &key : nodeKeys) {
        if (key.configKey.isEmpty() || !root.contains(key.configKey)) {
            continue;
        }
        const Input in{QString(key.configKey), root.value(key.configKey), false, baseDir};
        if (const Result<void> applied = applyNodeKey(layers, key, in); !applied) {
            return applied;
        }
    }
    if (root.contains("app"_L1)) {
        const Input in{u"app"_s, root.value("app"_L1), false, baseDir};
        if (const Result<void> applied = applyAppObject(layers.settings.defaultApp, in); !applied) {
            return applied;
        }
    }
    if (root.contains("apps"_L1)) {
        return applyExtraApps(layers.settings, {u"apps"_s, root.value("apps"_L1), false, baseDir});
    }
    return {};
}

QString parseErrorPosition(const QByteArray &data, int offset)
{
    const QByteArray before = data.left(offset);
    const qsizetype lineStart = before.lastIndexOf('\n') + 1;
    return u"line %1, column %2 (offset %3)"_s.arg(before.count('\n') + 1)
            .arg(offset - lineStart + 1)
            .arg(offset);
}

Result<QJsonObject> readConfigFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return Error{0, u"cannot read config file \"%1\": %2"_s.arg(path, file.errorString())};
    }
    const QByteArray data = file.readAll();
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(data, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        return Error{0,
                     u"%1: not valid JSON: %2 at %3"_s.arg(path, parseError.errorString(),
                                                           parseErrorPosition(data,
                                                                              parseError.offset))};
    }
    if (!document.isObject()) {
        return Error{0, u"%1: the top level must be a JSON object"_s.arg(path)};
    }
    return document.object();
}

Result<void> applyConfigFile(Layers &layers, const QString &path)
{
    const Result<QJsonObject> root = readConfigFile(path);
    if (!root) {
        return root.error();
    }
    const QString baseDir = QFileInfo(path).absolutePath();
    if (const Result<void> applied = applyConfigObject(layers, *root, baseDir); !applied) {
        return Error{applied.error().code, path + u": "_s + applied.error().message};
    }
    return {};
}

// An environment variable set to the empty string counts as unset: container tools and
// service managers often pass every declared variable, set or not.
Result<void> applyEnvironment(Layers &layers, const QProcessEnvironment &environment)
{
    for (const NodeKey &key : nodeKeys) {
        const QString text = key.envVar.isEmpty() ? QString() : environment.value(key.envVar);
        if (text.isEmpty()) {
            continue;
        }
        const Input in{QString(key.envVar), text, true, QDir::currentPath()};
        if (const Result<void> applied = applyNodeKey(layers, key, in); !applied) {
            return applied;
        }
    }
    return {};
}

Result<void> applyFlags(Layers &layers, const CommandLine &commandLine)
{
    for (const NodeKey &key : nodeKeys) {
        if (!key.flagValue || !(commandLine.*key.flagValue)) {
            continue;
        }
        const QString text = *(commandLine.*key.flagValue);
        const Input in{u"--"_s + key.flag, text, true, QDir::currentPath()};
        if (const Result<void> applied = applyNodeKey(layers, key, in); !applied) {
            return applied;
        }
    }
    return {};
}

std::optional<QString> configFilePath(const CommandLine &commandLine,
                                      const QProcessEnvironment &environment)
{
    if (commandLine.configFile) {
        return commandLine.configFile;
    }
    const QString fromEnvironment = environment.value(u"DNOTIFIER_CONFIG"_s);
    if (!fromEnvironment.isEmpty()) {
        return fromEnvironment;
    }
    return std::nullopt;
}

// Follows the XDG base directory rules, which ignore a relative XDG_DATA_HOME.
Result<QString> defaultDataDir(const QProcessEnvironment &environment)
{
    const QString dataHome = environment.value(u"XDG_DATA_HOME"_s);
    if (QDir::isAbsolutePath(dataHome)) {
        return QDir::cleanPath(dataHome + u"/dnotifier"_s);
    }
    const QString home = environment.value(u"HOME"_s);
    if (QDir::isAbsolutePath(home)) {
        return QDir::cleanPath(home + u"/.local/share/dnotifier"_s);
    }
    return Error{0, u"no data directory: neither XDG_DATA_HOME nor HOME is an absolute path; give "
                    "--data-dir, DNOTIFIER_DATA_DIR or data_dir in the config file"_s};
}

QString appLabel(qsizetype index)
{
    return index == 0 ? u"app"_s : u"apps[%1]"_s.arg(index - 1);
}

QString appDescription(qsizetype index)
{
    return index == 0 ? u"the default app"_s : appLabel(index);
}

} // namespace

Result<void> checkAppId(const QString &label, const QString &id)
{
    static const QRegularExpression digits(u"^[0-9]{1,20}$"_s);
    if (!digits.match(id).hasMatch()) {
        return rejected(label, id, u"a string of 1 to 20 digits, such as \"123456\""_s);
    }
    return {};
}

// Keys travel in URL paths and query strings (/app/<key>, auth_key=<key>); the allowed
// characters need no percent-encoding there.
Result<void> checkAppKey(const QString &label, const QString &key)
{
    static const QRegularExpression allowed(u"^[A-Za-z0-9._-]{1,100}$"_s);
    if (!allowed.match(key).hasMatch()) {
        return rejected(label, key, u"1 to 100 characters from A-Z, a-z, 0-9, '.', '_' and '-'"_s);
    }
    return {};
}

Result<void> checkAppSecret(const QString &label, const QString &secret)
{
    return checkSecret(label, secret, 1);
}

Result<void> checkAppsDistinct(const NodeSettings &settings)
{
    const QList<AppSettings> apps = settings.apps();
    for (qsizetype i = 1; i < apps.size(); ++i) {
        for (qsizetype j = 0; j < i; ++j) {
            if (!apps[i].id.isEmpty() && apps[i].id == apps[j].id) {
                return rejected(appLabel(i) + u".id"_s, apps[i].id,
                                u"an id that no other app uses (%1 has it too)"_s.arg(
                                        appDescription(j)));
            }
            if (!apps[i].key.isEmpty() && apps[i].key == apps[j].key) {
                return rejected(appLabel(i) + u".key"_s, QString::fromLatin1(apps[i].key),
                                u"a key that no other app uses (%1 has it too)"_s.arg(
                                        appDescription(j)));
            }
        }
    }
    return {};
}

Result<NodeSettings> resolveSettings(const CommandLine &commandLine,
                                     const QProcessEnvironment &environment)
{
    Layers layers;
    if (const std::optional<QString> path = configFilePath(commandLine, environment)) {
        if (const Result<void> applied = applyConfigFile(layers, *path); !applied) {
            return applied.error();
        }
    }
    if (const Result<void> applied = applyEnvironment(layers, environment); !applied) {
        return applied.error();
    }
    if (const Result<void> applied = applyFlags(layers, commandLine); !applied) {
        return applied.error();
    }
    if (const Result<void> timings = checkProbeTimings(layers); !timings) {
        return timings.error();
    }
    if (const Result<void> pair = checkTlsPairs(layers); !pair) {
        return pair.error();
    }

    NodeSettings &settings = layers.settings;

    if (settings.dataDir.isEmpty()) {
        const Result<QString> dataDir = defaultDataDir(environment);
        if (!dataDir) {
            return dataDir.error();
        }
        settings.dataDir = *dataDir;
    }
    if (const Result<void> distinct = checkAppsDistinct(settings); !distinct) {
        return distinct.error();
    }
    return std::move(settings);
}

} // namespace DNotifier::Config
