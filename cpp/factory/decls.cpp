// The type-erased parts of odbctx::factory<T> (include/odbctx/factory.hpp):
// field declarations and traits are the same types for every T, so what
// handles them is compiled here once.
#include <odbctx/factory.hpp>

namespace odbctx::detail {

void put_decl(field_decls &decls, field_decl d)
{
    for (auto &e : decls)
        if (e.id == d.id) {
            e = std::move(d);
            return;
        }
    decls.push_back(std::move(d));
}

const field_decls *trait_table::find(std::string_view name) const
{
    for (const auto &t : traits_)
        if (t.first == name)
            return &t.second;
    return nullptr;
}

void trait_table::set(std::string name, field_decls decls)
{
    for (auto &t : traits_)
        if (t.first == name) {
            t.second = std::move(decls);
            return;
        }
    traits_.emplace_back(std::move(name), std::move(decls));
}

std::string trait_table::names() const
{
    std::string known;
    for (const auto &t : traits_)
        known += (known.empty() ? "" : ", ") + t.first;
    return known.empty() ? "none" : known;
}

} // namespace odbctx::detail

namespace odbctx::detail {

// A setup commit: the factories' rows are the test's, so this commit does
// not make the session's later writes the application's in the
// never-committed report (odbctx_uncommitted).
void commit_or_throw(session &s)
{
    if (odbctx_commit_setup(s.handle()) != ODBCTX_OK)
        throw error_exception(error::last(s.handle()));
}

} // namespace odbctx::detail
