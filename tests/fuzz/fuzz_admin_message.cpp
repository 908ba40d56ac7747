// libFuzzer target: text from outside the node for the admin channel. The input is read both
// as an admin request (what a console sends) and as a node status (what a peer sends once a
// second). A status that decodes must decode to the same figures after encoding, or a console
// would show other numbers than the node measured; a request that parses must name a method.

#include <node/admin/adminrequest.h>
#include <node/admin/nodestatus.h>

#include <QByteArray>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace DNotifier;

namespace {

void checkRequest(const QByteArray &input)
{
    const auto parsed = Admin::parseAdminRequest(input);
    if (const auto *request = std::get_if<Admin::AdminRequest>(&parsed)) {
        if (!request->id.isDouble() || request->id.toDouble() < 1) {
            std::fprintf(stderr, "a request parsed with an id that is not a positive number\n");
            std::abort();
        }
    }
}

void checkStatus(const QByteArray &input)
{
    const std::optional<Admin::NodeStatus> status = Admin::decodeNodeStatus(input);
    if (!status) {
        return;
    }
    const QByteArray encoded = Admin::encodeNodeStatus(*status);
    const std::optional<Admin::NodeStatus> again = Admin::decodeNodeStatus(encoded);
    if (!again || Admin::encodeNodeStatus(*again) != encoded) {
        std::fprintf(stderr, "a decoded node status changes in a round trip\n");
        std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray input(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    checkRequest(input);
    checkStatus(input);
    return 0;
}
