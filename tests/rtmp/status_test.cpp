// The status catalogue (REFERENCE.md §5): lookups both ways, levels, and
// that every code of the reference table has a row.
#include "rtmp/status.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace sluice::rtmp {
namespace {

TEST(Status, LookupByEnumAndCode) {
    EXPECT_EQ(status_code(Status::publish_start), "NetStream.Publish.Start");
    EXPECT_EQ(status_level(Status::publish_bad_name), StatusLevel::error);
    EXPECT_EQ(status_level(Status::play_insufficient_bw), StatusLevel::warning);
    EXPECT_EQ(find_status("NetConnection.Connect.Success"), Status::connect_success);
    EXPECT_EQ(find_status("netconnection.connect.success"), std::nullopt);
    EXPECT_EQ(find_status(""), std::nullopt);
    EXPECT_EQ(to_string(StatusLevel::warning), "warning");
    EXPECT_EQ(parse_status_level("error"), StatusLevel::error);
    EXPECT_EQ(parse_status_level("fatal"), std::nullopt);
}

TEST(Status, EveryRowRoundTripsAndCodesAreUnique) {
    std::set<std::string> codes;
    for (std::size_t i = 0; i < status_count(); ++i) {
        const auto s = static_cast<Status>(i);
        const StatusInfo& row = status_info(s);
        EXPECT_EQ(row.status, s);
        EXPECT_FALSE(row.description.empty()) << row.code;
        EXPECT_EQ(find_status(row.code), s) << row.code;
        EXPECT_TRUE(codes.insert(std::string(row.code)).second) << "duplicate " << row.code;
    }
}

TEST(Status, EveryReferenceCodeWithItsLevel) {
    // REFERENCE.md §5, column by column.
    const std::pair<const char*, StatusLevel> table[] = {
        {"NetConnection.Connect.Success", StatusLevel::status},
        {"NetConnection.Connect.Rejected", StatusLevel::error},
        {"NetConnection.Connect.InvalidApp", StatusLevel::error},
        {"NetConnection.Connect.Failed", StatusLevel::error},
        {"NetConnection.Connect.Closed", StatusLevel::status},
        {"NetConnection.Connect.AppShutdown", StatusLevel::error},
        {"NetConnection.Connect.IdleTimeout", StatusLevel::status},
        {"NetConnection.Connect.ReconnectRequest", StatusLevel::status},
        {"NetConnection.Call.Failed", StatusLevel::error},
        {"NetConnection.Call.BadVersion", StatusLevel::error},
        {"NetConnection.Call.Prohibited", StatusLevel::error},
        {"NetStream.Publish.Start", StatusLevel::status},
        {"NetStream.Publish.BadName", StatusLevel::error},
        {"NetStream.Publish.Idle", StatusLevel::status},
        {"NetStream.Unpublish.Success", StatusLevel::status},
        {"NetStream.Play.Start", StatusLevel::status},
        {"NetStream.Play.Stop", StatusLevel::status},
        {"NetStream.Play.Reset", StatusLevel::status},
        {"NetStream.Play.Failed", StatusLevel::error},
        {"NetStream.Play.StreamNotFound", StatusLevel::error},
        {"NetStream.Play.PublishNotify", StatusLevel::status},
        {"NetStream.Play.UnpublishNotify", StatusLevel::status},
        {"NetStream.Play.Complete", StatusLevel::status},
        {"NetStream.Play.Switch", StatusLevel::status},
        {"NetStream.Play.Transition", StatusLevel::status},
        {"NetStream.Play.TransitionComplete", StatusLevel::status},
        {"NetStream.Play.InsufficientBW", StatusLevel::warning},
        {"NetStream.Play.FileStructureInvalid", StatusLevel::error},
        {"NetStream.Play.NoSupportedTrackFound", StatusLevel::error},
        {"NetStream.Seek.Notify", StatusLevel::status},
        {"NetStream.Seek.Failed", StatusLevel::error},
        {"NetStream.Seek.InvalidTime", StatusLevel::error},
        {"NetStream.Pause.Notify", StatusLevel::status},
        {"NetStream.Unpause.Notify", StatusLevel::status},
        {"NetStream.Record.Start", StatusLevel::status},
        {"NetStream.Record.Stop", StatusLevel::status},
        {"NetStream.Record.NoAccess", StatusLevel::error},
        {"NetStream.Record.Failed", StatusLevel::error},
        {"NetStream.Data.Start", StatusLevel::status},
        {"NetStream.Buffer.Empty", StatusLevel::status},
        {"NetStream.Buffer.Full", StatusLevel::status},
        {"NetStream.Buffer.Flush", StatusLevel::status},
        {"NetStream.Failed", StatusLevel::error},
        {"NetStream.InvalidArg", StatusLevel::error},
        {"NetStream.Clear.Success", StatusLevel::status},
        {"NetStream.Clear.Failed", StatusLevel::error},
        {"SharedObject.NoReadAccess", StatusLevel::error},
        {"SharedObject.NoWriteAccess", StatusLevel::error},
        {"SharedObject.ObjectCreationFailed", StatusLevel::error},
        {"SharedObject.BadPersistence", StatusLevel::error},
        {"SharedObject.UriMismatch", StatusLevel::error},
    };
    for (const auto& [code, level] : table) {
        const auto s = find_status(code);
        ASSERT_TRUE(s.has_value()) << code;
        EXPECT_EQ(status_level(*s), level) << code;
    }
    EXPECT_EQ(status_count(), std::size(table));
}

}  // namespace
}  // namespace sluice::rtmp
