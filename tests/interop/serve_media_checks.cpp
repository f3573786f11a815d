#include "interop/serve_media_checks.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace sluice::test {

std::vector<const Received*> media_of(const std::vector<Received>& log, std::size_t from) {
    std::vector<const Received*> out;
    for (std::size_t i = from; i < log.size(); ++i) {
        if (log[i].is_media()) out.push_back(&log[i]);
    }
    return out;
}

bool wait_media(RawClient& client, std::size_t from, std::size_t count, Clock::time_point deadline) {
    while (media_of(client.log(), from).size() < count) {
        if (client.next(deadline) == nullptr) return false;
    }
    return true;
}

bool same(const Received& got, const ClipTag& want) {
    return got.message.type == want.type && got.message.timestamp == want.timestamp &&
           got.message.payload == want.payload;
}

void expect_media(const std::vector<ClipTag>& want, const std::vector<const Received*>& got,
                  const std::string& who) {
    // The first difference says more than the count.
    const std::size_t common = std::min(got.size(), want.size());
    for (std::size_t i = 0; i < common; ++i) {
        ASSERT_TRUE(same(*got[i], want[i]))
            << who << ": message " << i << " is " << got[i]->label << " @" << got[i]->message.timestamp
            << " (" << got[i]->message.payload.size() << " bytes), expected type "
            << static_cast<int>(want[i].type) << " @" << want[i].timestamp << " (" << want[i].payload.size()
            << " bytes)";
    }
    ASSERT_EQ(got.size(), want.size()) << who << ": media message count";
}

bool is_unpublish(const Received& r) {
    return r.label == "command:onStatus NetStream.Play.UnpublishNotify";
}

}  // namespace sluice::test
