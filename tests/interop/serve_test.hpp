#pragma once
// ServeTest: the gtest fixture the `sluice serve` suites derive from. A test
// starts the server (start_server(), usually from SetUp) in its own TempDir;
// every test then ends with the server still alive (no crash) and a clean
// SIGTERM: exit code 0 within 5 s. The server's log is complete once it
// exited and is printed for a failed test. A test that stops the server
// itself sets terminated_ so the end-of-test check is skipped.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "interop/serve_fixture.hpp"

namespace sluice::test {

class ServeTest : public ::testing::Test {
protected:
    /// Starts `sluice serve` with its log in dir_ and `extra_args` appended
    /// (e.g. {"--config", FILE}); a fatal failure when it does not listen.
    void start_server(const std::vector<std::string>& extra_args = {}) {
        server_ = std::make_unique<ServeProcess>(dir_.file("serve.log"), extra_args);
        ASSERT_NE(server_->port(), 0) << server_->error() << "\n" << server_->log();
    }

    void TearDown() override {
        finish_server();
        if (HasFailure() && server_) std::cerr << "--- server log ---\n" << server_->log() << "\n";
    }

    /// The end-of-test check: the server is running and exits 0 on SIGTERM.
    void finish_server() {
        if (!server_ || server_->port() == 0 || terminated_) return;
        terminated_ = true;
        EXPECT_TRUE(server_->process().running()) << "the server died during the test";
        const auto rc = server_->terminate(Clock::now() + std::chrono::seconds(5));
        EXPECT_EQ(rc, std::optional<int>(0)) << "SIGTERM did not end the server with 0";
    }

    TempDir dir_;
    std::unique_ptr<ServeProcess> server_;
    bool terminated_ = false;
};

}  // namespace sluice::test
