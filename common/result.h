#pragma once

// Result<T>: the value of a fallible parse or validation, or the reason it failed.
// C++20 has no std::expected; this is the small subset the project needs. The error code
// is protocol-specific (a Pusher error code, an HTTP status, 0 when only the text matters).

#include <QString>

#include <optional>
#include <utility>

namespace DNotifier {

struct Error
{
    int code = 0;
    QString message;
};

template<typename T>
class [[nodiscard]] Result
{
public:
    Result(T value)
        : m_value(std::move(value))
    { }

    Result(Error error)
        : m_error(std::move(error))
    { }

    bool isOk() const { return m_value.has_value(); }

    explicit operator bool() const { return isOk(); }

    const T &value() const & { return *m_value; }

    T &value() & { return *m_value; }

    T &&value() && { return std::move(*m_value); }

    const T *operator->() const { return &*m_value; }

    const T &operator*() const { return *m_value; }

    const Error &error() const { return m_error; }

private:
    std::optional<T> m_value;
    Error m_error;
};

template<>
class [[nodiscard]] Result<void>
{
public:
    Result() = default;

    Result(Error error)
        : m_ok(false)
        , m_error(std::move(error))
    { }

    bool isOk() const { return m_ok; }

    explicit operator bool() const { return m_ok; }

    const Error &error() const { return m_error; }

private:
    bool m_ok = true;
    Error m_error;
};

} // namespace DNotifier
