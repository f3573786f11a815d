#pragma once
// What a RawClient player received, compared with what was published: the
// checks the serve_* suites share (every message in order, byte for byte).
#include <cstddef>
#include <string>
#include <vector>

#include "interop/serve_fixture.hpp"
#include "interop/serve_raw_client.hpp"

namespace sluice::test {

/// The audio and video messages of a log from `from` on.
std::vector<const Received*> media_of(const std::vector<Received>& log, std::size_t from = 0);
/// Reads until `count` media messages arrived after `from` (or the deadline).
bool wait_media(RawClient& client, std::size_t from, std::size_t count, Clock::time_point deadline);
/// Same type, timestamp and bytes.
bool same(const Received& got, const ClipTag& want);
/// Checks (gtest) that `got` are exactly `want`, in order; `who` names the player.
void expect_media(const std::vector<ClipTag>& want, const std::vector<const Received*>& got,
                  const std::string& who);
/// onStatus NetStream.Play.UnpublishNotify.
bool is_unpublish(const Received& r);

}  // namespace sluice::test
