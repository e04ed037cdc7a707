// odbctx::error, the C++ form of odbctx_error, and the exception that
// carries one where a function cannot return an expected (constructors,
// odbctx::current()).
#ifndef ODBCTX_ERROR_HPP
#define ODBCTX_ERROR_HPP

#include <odbctx.h>

#include <iosfwd>
#include <stdexcept>
#include <string>

namespace odbctx {

// What failed, copied out of the C session so that it outlives the next call.
// code is one of the negative ODBCTX_E* codes of odbctx.h; sqlstate is "" when
// the failure did not come from the driver. message never holds a password.
struct ODBCTX_API error {
    int code = ODBCTX_OK;
    std::string sqlstate;
    long native = 0;
    std::string message;

    // The last failure recorded on s (a "no session" error for NULL s).
    static error last(const odbctx_session *s);
    static error from(const odbctx_error &e);
    // For failures of the C++ layer itself, which have no driver diagnostics.
    static error make(int code, std::string message);

    // "ODBCTX_ESQL", ...
    const char *name() const noexcept { return odbctx_strerror(code); }

    // One line: "ODBCTX_ESQL [42P01] (native 7): message".
    std::string to_string() const;
};

ODBCTX_API std::ostream &operator<<(std::ostream &os, const error &e);

// Thrown by the guards' constructors and by odbctx::current(); what() is
// error().to_string().
class ODBCTX_API error_exception : public std::runtime_error {
public:
    explicit error_exception(odbctx::error e);
    const odbctx::error &error() const noexcept { return err_; }

private:
    odbctx::error err_;
};

} // namespace odbctx

#endif
