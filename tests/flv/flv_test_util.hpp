#pragma once
// Helpers shared by the FLV tests: drive a FileReader over pieces and build
// small FLV files with FileWriter.
#include <cstdint>
#include <system_error>

#include <gtest/gtest.h>
#include <vector>

#include "base/byte_writer.hpp"
#include "flv/file_reader.hpp"
#include "flv/file_writer.hpp"
#include "support/split_feeder.hpp"

namespace sluice::flv::test_util {

struct Collected {
    std::vector<Tag> tags;
    std::error_code error;
};

/// Feeds every piece fully (looping while the reader completes tags).
inline Collected feed(FileReader& reader, const sluice::test::Pieces& pieces) {
    Collected out;
    for (base::Bytes piece : pieces) {
        for (;;) {
            auto r = reader.read(piece);
            EXPECT_LE(r.consumed, piece.size());
            piece = piece.subspan(r.consumed);
            if (r.error) {
                out.error = r.error;
                return out;
            }
            if (!r.tag) {
                EXPECT_TRUE(piece.empty()) << "no tag and no error, yet input left over";
                break;
            }
            out.tags.push_back(std::move(*r.tag));
            if (piece.empty()) break;
        }
    }
    return out;
}

struct SampleTag {
    std::uint8_t type;
    base::Timestamp timestamp;
    base::ByteVector data;
};

/// A small FLV: header (audio + video) and the given tags; `ends` receives
/// the offset just after each tag's data.
inline base::ByteVector build_file(const std::vector<SampleTag>& tags,
                                   std::vector<std::size_t>* ends = nullptr) {
    FileWriter writer;
    base::ByteWriter out;
    FileHeader h;
    h.has_audio = h.has_video = true;
    out.bytes(writer.header(h));
    for (const auto& t : tags) {
        auto f = writer.frame(t.type, t.timestamp, t.data.size());
        out.bytes(f->header);
        out.bytes(t.data);
        if (ends) ends->push_back(out.size());
        out.bytes(f->trailer);
    }
    return out.take();
}

}  // namespace sluice::flv::test_util
