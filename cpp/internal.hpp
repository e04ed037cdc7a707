// What the parts of libodbctx++ share; not installed.
#ifndef ODBCTX_CPP_INTERNAL_HPP
#define ODBCTX_CPP_INTERNAL_HPP

namespace odbctx {
class suite;
namespace detail {

// The registry's last resort (registry.hpp, step 3). install_suite fails
// (returns false) while another suite is installed; uninstall_suite only
// removes s itself.
bool install_suite(suite *s) noexcept;
void uninstall_suite(suite *s) noexcept;

} // namespace detail
} // namespace odbctx

#endif
