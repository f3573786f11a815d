#include "flv/errors.hpp"

namespace sluice::flv {

namespace {
constexpr base::ErrorInfo rows[] = {
#define SLUICE_ERROR(name, fatal, description) {#name, fatal, description},
#include "flv/errors.def"
#undef SLUICE_ERROR
};
}  // namespace

const base::TableCategory& error_category() noexcept {
    static const base::TableCategory category("flv", rows);
    return category;
}

}  // namespace sluice::flv
