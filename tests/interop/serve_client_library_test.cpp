// client::Client against two independent servers: nginx-rtmp (Debian's
// libnginx-mod-rtmp) and the `sluice serve` binary. A library publisher
// sends a real clip's tags (metadata, sequence headers, frames) and a
// library player, connected first, must receive every audio and video
// payload byte-exact with the publisher's timestamps. This proves the
// client's flows (the publish sequence nginx does not answer in part, the
// play statuses, chunk sizes, acknowledgements) with a server that is not
// ours; the commands built on the library have their own suites.
#include <gtest/gtest.h>

#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "client/blocking_client.hpp"
#include "interop/nginx_fixture.hpp"
#include "interop/serve_test.hpp"
#include "rtmp/data_message.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

struct Sent {
    rtmp::MessageType type;
    std::uint32_t timestamp;
    std::vector<std::uint8_t> bytes;
    friend bool operator==(const Sent&, const Sent&) = default;
};

/// The clip as a publisher sends it on stream `id`: metadata as
/// @setDataFrame, then every audio and video tag.
std::vector<rtmp::Message> clip_messages(const Clip& clip, rtmp::MessageStreamId id) {
    std::vector<rtmp::Message> out;
    auto data = rtmp::decode_data_message(rtmp::Message{rtmp::MessageType::data_amf0, 0, id, clip.metadata});
    if (data) {
        if (auto meta = rtmp::MetaData::decode(*data))
            out.push_back(rtmp::encode_data_message(meta->to_set_data_frame(), rtmp::Encoding::amf0, id));
    }
    for (const ClipTag& tag : clip.media)
        out.push_back(rtmp::Message{tag.type, tag.timestamp, id, tag.payload});
    return out;
}

/// One track (audio or video) of a message list, in order: servers may
/// interleave the tracks differently (nginx-rtmp sends the AAC header before
/// the AVC one when both have timestamp 0), but never reorder a track.
std::vector<Sent> track(const std::vector<Sent>& all, rtmp::MessageType type) {
    std::vector<Sent> out;
    for (const Sent& s : all)
        if (s.type == type) out.push_back(s);
    return out;
}

void expect_same_tracks(const std::vector<Sent>& sent, const std::vector<Sent>& received) {
    for (const auto type : {rtmp::MessageType::audio, rtmp::MessageType::video}) {
        const auto want = track(sent, type);
        const auto got = track(received, type);
        ASSERT_FALSE(want.empty());
        ASSERT_EQ(got.size(), want.size()) << "type " << static_cast<int>(type);
        for (std::size_t i = 0; i < want.size(); ++i)
            ASSERT_EQ(got[i], want[i]) << "type " << static_cast<int>(type) << " message " << i;
    }
}

std::vector<std::uint8_t> bytes_of(const base::Payload& payload) {
    const base::Bytes b = payload.bytes();
    return {b.begin(), b.end()};
}

/// Publishes the clip through `url` to a player that joined first; returns
/// what the player received (audio and video) and what was sent.
void relay_clip(const std::string& url_text, std::vector<Sent>& sent, std::vector<Sent>& received) {
    TempDir dir;
    std::string error;
    const Clip clip = make_clip(dir.file("clip.flv"), 2, error);
    ASSERT_TRUE(error.empty()) << error;
    const auto url = rtmp::Url::parse(url_text);
    ASSERT_TRUE(url);

    client::ClientOptions options;
    options.step_timeout = 10s;
    client::BlockingClient player(options);
    player.open_play(*url, -1);

    client::ClientOptions publisher_options = options;
    publisher_options.flash_ver = std::string(client::publisher_flash_ver);
    client::BlockingClient publisher(publisher_options);
    const auto id = publisher.open_publish(*url);
    for (const rtmp::Message& message : clip_messages(clip, id)) {
        publisher.send(message);
        if (message.type == rtmp::MessageType::audio || message.type == rtmp::MessageType::video)
            sent.push_back({message.type, message.timestamp, bytes_of(message.payload)});
    }
    // Read until every media message arrived (or nothing more comes).
    while (received.size() < sent.size()) {
        client::Incoming in;
        try {
            in = player.next(5s);
        } catch (const client::ClientError& e) {
            ADD_FAILURE() << "player: " << e.what();
            break;
        }
        if (in.kind == client::Incoming::Kind::closed) break;
        if (in.kind == client::Incoming::Kind::audio || in.kind == client::Incoming::Kind::video)
            received.push_back({in.message.type, in.message.timestamp, bytes_of(in.message.payload)});
    }
    publisher.close();
}

TEST(ClientLibrary, RelaysAClipThroughNginxRtmpByteExact) {
    if (!NginxProcess::available()) GTEST_SKIP() << NginxProcess::unavailable_reason();
    NginxProcess nginx;
    ASSERT_NE(nginx.port(), 0) << nginx.error();
    std::vector<Sent> sent, received;
    relay_clip(nginx.url("library"), sent, received);
    expect_same_tracks(sent, received);
    if (HasFailure()) std::cerr << nginx.log();
}

class ClientLibraryServe : public ServeTest {
protected:
    void SetUp() override { start_server(); }
};

TEST_F(ClientLibraryServe, RelaysAClipThroughSluiceServeByteExact) {
    std::vector<Sent> sent, received;
    relay_clip("rtmp://127.0.0.1:" + std::to_string(server_->port()) + "/live/library", sent, received);
    expect_same_tracks(sent, received);
}

}  // namespace
}  // namespace sluice::test
