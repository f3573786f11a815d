#pragma once
// rtmp::TransactionTable: calls waiting for `_result` / `_error`, by
// transaction id (STYLE.md §2 item 6; RTMP 1.0 §7.2.1; REFERENCE.md §4).
//
// A `_result` carries only the transaction id; what it answers (connect,
// createStream, releaseStream...) is known only to the side that sent the
// call. Both roles keep one table per connection:
//   - a client registers each call it sends with begin() (which allocates
//     the id: 1 for the first call, as every client uses for connect) and
//     looks the answer up with complete();
//   - a server registers the calls it makes to the client (e.g. a custom
//     `call` with a non-zero id) the same way.
//
// Contract:
//  - Bounded: at most `max_pending` entries; begin()/insert() beyond that is
//    transaction_table_full (a peer that never answers cannot grow it).
//  - Ids are Numbers on the wire; the table keys them by the exact double.
//    begin() never hands out 0 (0 = no reply expected) and skips ids still
//    pending. insert() of a pending id is transaction_id_in_use.
//  - complete() removes and returns the entry; an unknown id (a peer's
//    unsolicited or duplicate `_result`) returns nullopt, never an error.
//  - Not thread-safe; owned by one connection. Lookups are linear (the
//    table is small; the default limit is 64).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"

namespace sluice::rtmp {

struct PendingCall {
    double transaction_id = 0;
    std::string command;        ///< the name sent, e.g. "createStream"
    std::uint64_t context = 0;  ///< caller's tag (e.g. a NetStream slot or request id)
    friend bool operator==(const PendingCall&, const PendingCall&) = default;
};

class TransactionTable {
public:
    static constexpr std::size_t default_max_pending = 64;

    explicit TransactionTable(std::size_t max_pending = default_max_pending) : max_pending_(max_pending) {}

    /// Allocates the next free id (1, 2, 3, ...) and records the call.
    base::Result<double> begin(std::string command, std::uint64_t context = 0);
    /// Records a call under an id chosen by the caller (must not be 0).
    base::Status insert(double transaction_id, std::string command, std::uint64_t context = 0);
    /// Removes and returns the pending call for `transaction_id`, or nullopt.
    std::optional<PendingCall> complete(double transaction_id);
    /// The pending call for `transaction_id` without removing it, or nullptr.
    const PendingCall* find(double transaction_id) const noexcept;

    std::size_t size() const noexcept { return pending_.size(); }
    bool empty() const noexcept { return pending_.empty(); }
    std::size_t max_pending() const noexcept { return max_pending_; }
    /// Forgets every pending call (connection closed); ids keep counting.
    void clear() noexcept { pending_.clear(); }

private:
    std::size_t max_pending_;
    double next_id_ = 1;
    std::vector<PendingCall> pending_;
};

}  // namespace sluice::rtmp
