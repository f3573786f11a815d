#include "rtmp/errors.hpp"

namespace sluice::rtmp {

namespace {
constexpr base::ErrorInfo rows[] = {
#define SLUICE_ERROR(name, fatal, description) {#name, fatal, description},
#include "rtmp/errors.def"
#undef SLUICE_ERROR
};
}  // namespace

const base::TableCategory& error_category() noexcept {
    static const base::TableCategory category("rtmp", rows);
    return category;
}

}  // namespace sluice::rtmp
