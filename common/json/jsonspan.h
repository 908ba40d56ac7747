#pragma once

// Finds where a member's value sits in a JSON text, so a payload can be forwarded byte for
// byte instead of re-serialised (which would reorder keys and respell numbers). Meant for
// text that a JSON parser has already accepted: it skips values by their brackets and
// strings, and does not validate.

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

#include <optional>

namespace DNotifier::Json {

// The exact text of the value at `path` (member names, outermost first) inside the object
// `json`; nullopt when a step is missing or not an object. Member names are compared as
// written, so a name spelled with escapes is not found.
std::optional<QByteArrayView> memberSpan(QByteArrayView json, const QList<QByteArrayView> &path);

} // namespace DNotifier::Json
