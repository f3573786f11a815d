#pragma once
// Glue that turns a module's X-macro error table into a std::error_category.
//
// Each module keeps one `errors.def` with rows
//     SLUICE_ERROR(enumerator, fatal, "description")
// where `fatal` says whether the error must close the connection (true) or
// only refuses the current message or command (false; nghttp2's fatal
// boundary). The module's errors.hpp builds its `enum class Errc` and a
// table of ErrorInfo from the same rows, and exposes its category through
// base::TableCategory, so the text, the classification and the enumerator
// can never drift apart.
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

namespace sluice::base {

struct ErrorInfo {
    std::string_view name;         ///< the enumerator, e.g. "chunk_size_invalid"
    bool fatal;                    ///< true: close the connection
    std::string_view description;  ///< one sentence for logs and `_error` descriptions
};

/// A std::error_category whose messages come from a static table indexed by
/// the enumerator value (value 0 is reserved for "no error" and is not in the table).
class TableCategory final : public std::error_category {
public:
    constexpr TableCategory(const char* name, std::span<const ErrorInfo> rows) noexcept
        : name_(name), rows_(rows) {}

    const char* name() const noexcept override { return name_; }
    std::string message(int value) const override;
    /// The row for `value`, or nullptr for 0 and unknown values.
    const ErrorInfo* info(int value) const noexcept;

private:
    const char* name_;
    std::span<const ErrorInfo> rows_;
};

/// True when `ec` belongs to a TableCategory and its row says fatal.
/// Errors from other categories (e.g. system errors) count as fatal.
bool is_fatal(const std::error_code& ec) noexcept;

}  // namespace sluice::base
