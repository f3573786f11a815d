#include "demux/errors.hpp"

namespace sluice::demux {

namespace {
constexpr base::ErrorInfo rows[] = {
#define SLUICE_ERROR(name, fatal, description) {#name, fatal, description},
#include "demux/errors.def"
#undef SLUICE_ERROR
};
}  // namespace

const base::TableCategory& error_category() noexcept {
    static const base::TableCategory category("demux", rows);
    return category;
}

}  // namespace sluice::demux
