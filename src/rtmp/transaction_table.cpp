#include "rtmp/transaction_table.hpp"

#include <utility>

#include "rtmp/errors.hpp"

namespace sluice::rtmp {
namespace {
// Ids are doubles on the wire; stay within the range where every integer
// is exact, and wrap to 1 (a connection that makes 2^53 calls is fiction,
// but the arithmetic must not stall).
constexpr double max_exact_id = 9007199254740991.0;
}  // namespace

base::Result<double> TransactionTable::begin(std::string command, std::uint64_t context) {
    if (pending_.size() >= max_pending_) return Errc::transaction_table_full;
    // At most size() ids are pending, so this finds a free one in size()+1 steps.
    while (find(next_id_) != nullptr) next_id_ = next_id_ >= max_exact_id ? 1 : next_id_ + 1;
    const double id = next_id_;
    next_id_ = next_id_ >= max_exact_id ? 1 : next_id_ + 1;
    pending_.push_back(PendingCall{id, std::move(command), context});
    return id;
}

base::Status TransactionTable::insert(double transaction_id, std::string command, std::uint64_t context) {
    if (transaction_id == 0) return Errc::command_malformed;
    if (find(transaction_id) != nullptr) return Errc::transaction_id_in_use;
    if (pending_.size() >= max_pending_) return Errc::transaction_table_full;
    pending_.push_back(PendingCall{transaction_id, std::move(command), context});
    return {};
}

std::optional<PendingCall> TransactionTable::complete(double transaction_id) {
    for (auto it = pending_.begin(); it != pending_.end(); ++it) {
        if (it->transaction_id == transaction_id) {
            PendingCall call = std::move(*it);
            pending_.erase(it);
            return call;
        }
    }
    return std::nullopt;
}

const PendingCall* TransactionTable::find(double transaction_id) const noexcept {
    for (const auto& call : pending_) {
        if (call.transaction_id == transaction_id) return &call;
    }
    return nullptr;
}

}  // namespace sluice::rtmp
