#include "flv/file_reader.hpp"

#include <algorithm>

#include "flv/errors.hpp"

namespace sluice::flv {

FileReader::FileReader(Options options) noexcept
    : options_(options), state_(options.expect_file_header ? State::file_header : State::tag_header) {}

std::size_t FileReader::fill_scratch(base::Bytes input, std::size_t want) {
    const std::size_t take = std::min(want - scratch_size_, input.size());
    std::copy_n(input.begin(), take, scratch_.begin() + static_cast<std::ptrdiff_t>(scratch_size_));
    scratch_size_ += take;
    return take;
}

FileReader::ReadResult FileReader::fail(std::size_t consumed, std::error_code error) {
    state_ = State::failed;
    error_ = error;
    offset_ += consumed;
    return {consumed, std::nullopt, error};
}

FileReader::ReadResult FileReader::read(base::Bytes input) {
    if (state_ == State::failed) return {0, std::nullopt, error_};
    std::size_t pos = 0;
    for (;;) {
        switch (state_) {
            case State::file_header: {
                pos += fill_scratch(input.subspan(pos), FileHeader::size);
                // Judge the signature on the first bytes so that a non-FLV input
                // fails at once instead of after 9 bytes of waiting.
                if (!could_be_flv({scratch_.data(), scratch_size_}))
                    return fail(pos, Errc::file_signature_invalid);
                if (scratch_size_ < FileHeader::size) break;
                auto header = FileHeader::decode({scratch_.data(), scratch_size_});
                if (!header) return fail(pos, header.error());
                file_header_ = *header;
                scratch_size_ = 0;
                padding_left_ = header->data_offset - FileHeader::size;
                expected_previous_ = 0;
                state_ = padding_left_ > 0 ? State::header_padding : State::previous_tag_size;
                continue;
            }
            case State::header_padding: {
                const std::size_t take = std::min(padding_left_, input.size() - pos);
                pos += take;
                padding_left_ -= take;
                if (padding_left_ > 0) break;
                state_ = State::previous_tag_size;
                continue;
            }
            case State::previous_tag_size: {
                pos += fill_scratch(input.subspan(pos), 4);
                if (scratch_size_ < 4) break;
                base::ByteReader in({scratch_.data(), 4});
                const std::uint32_t value = in.u32be();
                scratch_size_ = 0;
                if (value != expected_previous_) {
                    if (!options_.leniency.accept_previous_tag_size_mismatch) {
                        return fail(pos, Errc::previous_tag_size_mismatch);
                    }
                    ++mismatches_;
                }
                state_ = State::tag_header;
                continue;
            }
            case State::tag_header: {
                pos += fill_scratch(input.subspan(pos), TagHeader::size);
                if (scratch_size_ < TagHeader::size) break;
                base::ByteReader in({scratch_.data(), TagHeader::size});
                header_ = *TagHeader::decode(in);  // 11 bytes present: cannot fail
                scratch_size_ = 0;
                if (header_.data_size > options_.limits.max_tag_data_bytes)
                    return fail(pos, Errc::tag_too_large);
                data_.clear();
                state_ = State::tag_data;
                continue;
            }
            case State::tag_data: {
                const std::size_t want = header_.data_size - data_.size();
                const std::size_t take = std::min(want, input.size() - pos);
                // Grow with what has arrived (at most twice the bytes received,
                // so a declared size alone never allocates) and never past the
                // declared size (so a finished tag holds no spare capacity).
                if (data_.capacity() < data_.size() + take) {
                    const std::size_t doubled = std::max(data_.size() + take, 2 * data_.size());
                    data_.reserve(std::min<std::size_t>(header_.data_size, doubled));
                }
                const auto chunk = input.subspan(pos, take);
                data_.insert(data_.end(), chunk.begin(), chunk.end());
                pos += take;
                if (data_.size() < header_.data_size) break;
                Tag tag{header_, base::Payload::from(std::move(data_))};
                data_ = {};
                expected_previous_ = static_cast<std::uint32_t>(TagHeader::size) + header_.data_size;
                state_ = State::previous_tag_size;
                ++tag_count_;
                offset_ += pos;
                return {pos, std::move(tag), {}};
            }
            case State::failed:
                return {0, std::nullopt, error_};
        }
        // A `break` above means the input is exhausted in the current state.
        offset_ += pos;
        return {pos, std::nullopt, {}};
    }
}

FileReader::Finish FileReader::finish() const noexcept {
    Finish f;
    f.tag_count = tag_count_;
    switch (state_) {
        case State::failed:
            f.ending = Ending::failed;
            break;
        case State::file_header:
            f.ending = Ending::truncated_file_header;
            f.dropped_bytes = scratch_size_;
            break;
        case State::header_padding:
            f.ending = Ending::truncated_file_header;
            f.dropped_bytes = file_header_ ? file_header_->data_offset - padding_left_ : 0;
            break;
        case State::previous_tag_size:
            f.ending = scratch_size_ == 0 ? Ending::missing_final_trailer : Ending::truncated_trailer;
            f.dropped_bytes = scratch_size_;
            break;
        case State::tag_header:
            f.ending = scratch_size_ == 0 ? Ending::clean : Ending::truncated_tag_header;
            f.dropped_bytes = scratch_size_;
            break;
        case State::tag_data:
            f.ending = Ending::truncated_tag_data;
            f.dropped_bytes = TagHeader::size + data_.size();
            break;
    }
    return f;
}

}  // namespace sluice::flv
