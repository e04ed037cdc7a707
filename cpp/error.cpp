// odbctx::error and odbctx::error_exception: a C error as a C++ value.
#include <odbctx/error.hpp>

#include <cstring>
#include <ostream>
#include <utility>

namespace odbctx {

error error::from(const odbctx_error &e)
{
    error out;
    out.code = e.code;
    out.sqlstate.assign(e.sqlstate, strnlen(e.sqlstate, sizeof e.sqlstate));
    out.native = e.native;
    out.message.assign(e.message, strnlen(e.message, sizeof e.message));
    return out;
}

error error::last(const odbctx_session *s)
{
    return from(*odbctx_last_error(s));
}

error error::make(int code, std::string message)
{
    error out;
    out.code = code;
    out.message = std::move(message);
    return out;
}

std::string error::to_string() const
{
    const char *n = odbctx_strerror(code);
    std::string out = n ? n : "ODBCTX_E?";
    if (!sqlstate.empty())
        out += " [" + sqlstate + "] (native " + std::to_string(native) + ")";
    out += ": ";
    out += message;
    return out;
}

std::ostream &operator<<(std::ostream &os, const error &e)
{
    return os << e.to_string();
}

error_exception::error_exception(odbctx::error e)
    : std::runtime_error(e.to_string()), err_(std::move(e)) {}

} // namespace odbctx
