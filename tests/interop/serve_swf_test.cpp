// SWF verification (REFERENCE.md §9.5): `sluice serve` with an [[app]]
// swf_verify list asks every client of that application for the proof of
// its player SWF (user control 26) and answers connect only after a
// matching user control 27, judged by librtmp (rtmpdump -w/-x) and our
// client (--swf-hash/--swf-size).
//  - rtmpdump and `sluice play` with the right hash and size play a stream
//    `sluice publish` (with them too) publishes. FFmpeg computes the proof
//    only when it plays, so it cannot publish here.
//  - rtmpdump with a wrong hash, our client with a wrong size and our
//    client without the flags are refused: the server logs "SWF
//    verification failed" naming the peer, and keeps serving.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <thread>

#include "interop/serve_players.hpp"
#include "interop/serve_test.hpp"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

// Any 32 bytes serve as the "SWF hash": the server checks the HMAC only.
const std::string swf_hash = "5b3bd3ba1e6a8d3c6b2d2dfe0b1e4c4c9f1c1a0f6cd8a0f0e1d2c3b4a5968778";
const std::string swf_size = "123456";
const std::string wrong_hash = "0000000000000000000000000000000000000000000000000000000000000001";

class ServeSwf : public ServeTest {
protected:
    void SetUp() override {
        const std::string config = dir_.file("sluice.toml");
        // A short connect_timeout: it also bounds the wait for the proof.
        std::ofstream(config)
            << "[limits]\nconnect_timeout_ms = 3000\n[[app]]\nname = \"live\"\nswf_verify = [\"" << swf_hash
            << ":" << swf_size << "\"]\n";
        start_server({"--config", config});
    }

    std::vector<std::string> rtmpdump(const std::string& name, const std::string& hash,
                                      const std::string& out) const {
        return {"rtmpdump", "-r", server_->url("live", name), "--live", "-w", hash, "-x", swf_size,
                "-o",       out};
    }

    std::size_t count(const std::string& needle) const {
        const std::string log = server_->full_log();
        std::size_t n = 0;
        for (std::size_t at = log.find(needle); at != std::string::npos; at = log.find(needle, at + 1)) ++n;
        return n;
    }
};

TEST_F(ServeSwf, RtmpdumpAndOurClientWithTheRightSwfPlay) {
    std::string error;
    const Clip clip = make_clip(dir_.file("clip.flv"), 3, error);
    ASSERT_TRUE(error.empty()) << error;
    const auto source_audio = decoded_hashes(clip.path, 'a', error);
    ASSERT_TRUE(source_audio) << error;

    Player dump{PlayerKind::rtmpdump, dir_.file("dump.flv"), dir_.file("dump.log"), nullptr};
    dump.process = std::make_unique<Process>(rtmpdump("s", swf_hash, dump.out), dump.log);
    Process ours({serve_binary(), "play", server_->url("live", "s"), "-o", dir_.file("ours.flv"), "--timeout",
                  "30", "--swf-hash", swf_hash, "--swf-size", swf_size},
                 dir_.file("ours.log"));
    std::this_thread::sleep_for(1000ms);
    ASSERT_EQ(run_process({serve_binary(), "publish", clip.path, server_->url("live", "s"), "--swf-hash",
                           swf_hash, "--swf-size", swf_size},
                          dir_.file("publish.log"), 30s),
              std::optional<int>(0))
        << read_file(dir_.file("publish.log"));

    EXPECT_TRUE(finish_player(dump, Clock::now() + 15s).empty()) << read_file(dump.log);
    check_player_file(clip, *source_audio, dump, true);
    ASSERT_EQ(ours.wait(Clock::now() + 15s), std::optional<int>(0)) << read_file(dir_.file("ours.log"));
    const auto got = read_flv_media(dir_.file("ours.flv"), error);
    ASSERT_TRUE(error.empty()) << error;
    ASSERT_EQ(got.size(), clip.media.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
        ASSERT_EQ(got[i].type, clip.media[i].type) << i;
        ASSERT_TRUE(std::ranges::equal(got[i].payload.bytes(), clip.media[i].payload.bytes())) << i;
    }
    EXPECT_EQ(count("rejected: SWF verification failed:"), 0u) << server_->full_log();
    EXPECT_EQ(count("connect #"), 3u) << server_->full_log();
}

TEST_F(ServeSwf, AWrongOrMissingProofIsRefused) {
    // rtmpdump: a wrong hash.
    const auto dump =
        run_process(rtmpdump("s", wrong_hash, dir_.file("dump.flv")), dir_.file("dump.log"), 20s);
    ASSERT_TRUE(dump.has_value()) << read_file(dir_.file("dump.log"));
    EXPECT_NE(*dump, 0) << read_file(dir_.file("dump.log"));
    EXPECT_EQ(count("rejected: SWF verification failed:"), 1u) << server_->full_log();
    EXPECT_NE(server_->full_log().find("peer=127.0.0.1"), std::string::npos) << server_->full_log();

    // Ours: the right hash with a wrong size (exit 2: refused), then no
    // proof at all: the request goes unanswered and the server refuses
    // at limits.connect_timeout (3 s here).
    const auto ours = [&](const std::string& tag, std::vector<std::string> flags) {
        std::vector<std::string> argv{
            serve_binary(), "play", server_->url("live", "s"), "-o", dir_.file(tag + ".flv"),
            "--timeout",    "20"};
        argv.insert(argv.end(), flags.begin(), flags.end());
        return run_process(argv, dir_.file(tag + ".log"), 30s);
    };
    EXPECT_EQ(ours("wrong_size", {"--swf-hash", swf_hash, "--swf-size", "123457"}), std::optional<int>(2))
        << read_file(dir_.file("wrong_size.log"));
    EXPECT_NE(read_file(dir_.file("wrong_size.log")).find("SWF verification failed"), std::string::npos)
        << read_file(dir_.file("wrong_size.log"));
    EXPECT_EQ(count("rejected: SWF verification failed:"), 2u) << server_->full_log();

    const auto started = Clock::now();
    EXPECT_EQ(ours("none", {}), std::optional<int>(2)) << read_file(dir_.file("none.log"));
    EXPECT_GE(Clock::now() - started, 2500ms);
    EXPECT_NE(read_file(dir_.file("none.log")).find("SWF verification failed"), std::string::npos)
        << read_file(dir_.file("none.log"));
    EXPECT_EQ(count("rejected: SWF verification failed:"), 3u) << server_->full_log();
    EXPECT_NE(server_->full_log().find("no response within"), std::string::npos) << server_->full_log();
    EXPECT_EQ(count("rejected: SWF verification failed:"), 3u) << server_->full_log();
}

}  // namespace
}  // namespace sluice::test
