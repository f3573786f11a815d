#include "base/error.hpp"

namespace sluice::base {

const ErrorInfo* TableCategory::info(int value) const noexcept {
    if (value <= 0 || static_cast<std::size_t>(value) > rows_.size()) return nullptr;
    return &rows_[static_cast<std::size_t>(value) - 1];
}

std::string TableCategory::message(int value) const {
    if (value == 0) return "success";
    const ErrorInfo* row = info(value);
    return row ? std::string(row->description) : std::string("unknown error");
}

bool is_fatal(const std::error_code& ec) noexcept {
    if (!ec) return false;
    if (const auto* table = dynamic_cast<const TableCategory*>(&ec.category())) {
        const ErrorInfo* row = table->info(ec.value());
        return row == nullptr || row->fatal;
    }
    return true;
}

}  // namespace sluice::base
