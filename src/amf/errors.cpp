#include "amf/errors.hpp"

namespace sluice::amf {

namespace {
constexpr base::ErrorInfo rows[] = {
#define SLUICE_ERROR(name, fatal, description) {#name, fatal, description},
#include "amf/errors.def"
#undef SLUICE_ERROR
};
}  // namespace

const base::TableCategory& error_category() noexcept {
    static const base::TableCategory category("amf", rows);
    return category;
}

}  // namespace sluice::amf
