// libFuzzer target: the signature check of a Pusher HTTP API request (HttpApi::verifySignature)
// with a hostile method, path, query and body.
//
// Not covered here: HTTP parsing itself (fuzz_http_connection drives HttpConnection, around
// Debian's libhttp-parser), and the percent-decoding of the query, which
// httpconnection.cpp does with QUrlQuery in a helper it does not expose. The query pairs below
// stand for its output: already decoded, so they may hold any byte.
//
// Input layout, so that seeds stay readable:
//   line 1: METHOD SIGNED-PATH
//   line 2: the query, pairs split at '&' and each at its first '='
//   rest:   the body

#include <node/pusher/httpapi.h>

#include <QByteArray>
#include <QList>
#include <QPair>

#include <cstddef>
#include <cstdint>

using namespace DNotifier;
using namespace Qt::Literals::StringLiterals;

namespace {

// The app and clock of worked example B in the Pusher protocol brief, section 2.1, so that the
// seed requests carry valid signatures.
constexpr qint64 ExampleBTime = 1700000000;

Config::AppSettings probeApp()
{
    Config::AppSettings app;
    app.id = u"42"_s;
    app.key = "probe-key"_ba;
    app.secret = "probe-secret"_ba;
    return app;
}

QByteArray takeLine(QByteArrayView &rest)
{
    const qsizetype end = rest.indexOf('\n');
    const QByteArrayView line = end < 0 ? rest : rest.first(end);
    rest = end < 0 ? QByteArrayView() : rest.sliced(end + 1);
    return line.toByteArray();
}

QList<QPair<QByteArray, QByteArray>> splitQuery(const QByteArray &query)
{
    QList<QPair<QByteArray, QByteArray>> pairs;
    for (const QByteArray &item : query.split('&')) {
        const qsizetype equals = item.indexOf('=');
        pairs.append(equals < 0 ? qMakePair(item, QByteArray())
                                : qMakePair(item.first(equals), item.sliced(equals + 1)));
    }
    return pairs;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    static const Config::AppSettings app = probeApp();
    QByteArrayView rest(data, static_cast<qsizetype>(size));
    const QByteArray requestLine = takeLine(rest);
    const qsizetype space = requestLine.indexOf(' ');

    Http::Request request;
    request.method = space < 0 ? requestLine : requestLine.first(space);
    const QByteArray signedPath = space < 0 ? QByteArray() : requestLine.sliced(space + 1);
    request.rawPath = signedPath;
    request.path = QString::fromUtf8(signedPath);
    request.query = splitQuery(takeLine(rest));
    request.body = rest.toByteArray();

    static_cast<void>(Pusher::HttpApi::verifySignature(request, app, signedPath, ExampleBTime));
    return 0;
}
