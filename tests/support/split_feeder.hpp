#pragma once
// Feeds one input to a decoder in every way a network could cut it
// (STYLE.md rule 9; Beast's parsegrind, nghttp2's one byte per read):
//   - whole, in one piece;
//   - one byte at a time;
//   - in two pieces, at every split point 1..n-1.
// `run` receives the pieces for one plan and a label naming the plan, and
// should build a fresh decoder, feed the pieces in order and check the
// result (use SCOPED_TRACE(label) so a failure says which plan broke).
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "base/byte_reader.hpp"

namespace sluice::test {

using Pieces = std::vector<base::Bytes>;

template <class Run>
void for_each_split(base::Bytes input, Run&& run) {
    run(Pieces{input}, std::string("whole"));
    Pieces bytewise;
    for (std::size_t i = 0; i < input.size(); ++i) bytewise.push_back(input.subspan(i, 1));
    run(bytewise, std::string("byte at a time"));
    for (std::size_t cut = 1; cut < input.size(); ++cut) {
        run(Pieces{input.first(cut), input.subspan(cut)}, "split at " + std::to_string(cut));
    }
}

}  // namespace sluice::test
