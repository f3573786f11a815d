// so_fanout: a load generator for remote shared objects (RTMP 1.0 §7.1.3;
// client/shared_object.hpp) against a running server. It connects N
// subscribers and one editor to one object; once every subscriber holds the
// object, the editor sends M changes as fast as the server answers them,
// with at most W requests unanswered (each waits for its Success), and every
// subscriber counts the Changes it receives.
//
//   so_fanout URL [--subscribers N] [--changes M] [--window W] [--keys K]
//             [--value-bytes B] [--name NAME] [--persistent] [--amf3]
//             [--threads T] [--timeout S]
//
// URL is rtmp://host[:port]/app[/instance] (the whole path is the
// application, as for `sluice so`). Change j sets key "k<j mod K>" to a
// string of B bytes (default 16) that ends with j. Defaults: N 100, M 20000,
// W 16, K 16, object "fanout", transient, AMF0, 1 subscriber thread,
// timeout 120 s.
//
// Threads: the editor runs on a thread and io_context of its own, so that
// the subscribers' reading does not slow its sending; the subscribers are
// spread over T threads, each with its own io_context.
//
// Measures (t0: the editor sends its first change):
//   changes_per_s          M / (last Success - t0): what the server sustains
//   deliveries_per_s       Changes received by all subscribers / (last
//                          subscriber done - t0)
//   last_delivery_s        last subscriber done - t0 (a subscriber is done
//                          when it has seen M changes)
//   lag_s                  last subscriber done - the editor's last Success
//   reordered              messages whose version was below the one before
//                          (the server promises version order: should be 0)
// Prints one human line on stderr and one JSON object on stdout. Exit code
// 0 when every subscriber saw every change, 1 on a usage error, 2 when a
// connection failed, the object was refused or the timeout passed (the
// figures are printed all the same).
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "client/client.hpp"
#include "client/shared_object.hpp"
#include "rtmp/url.hpp"

namespace {

namespace asio = boost::asio;
using namespace sluice;
using Clock = std::chrono::steady_clock;

struct Options {
    std::string url;
    int subscribers = 100;
    int changes = 20000;
    int window = 16;
    int keys = 16;
    int value_bytes = 16;
    std::string name = "fanout";
    bool persistent = false;
    bool amf3 = false;
    int threads = 1;
    double timeout_s = 120;
};

/// What one subscriber saw.
struct Subscriber {
    std::uint64_t changes = 0;
    std::uint64_t reordered = 0;
    std::optional<Clock::time_point> done;  ///< when it had seen every change
    std::string error;
};

/// The editor's figures.
struct Editor {
    std::uint64_t successes = 0;
    std::uint64_t reordered = 0;
    Clock::time_point first_sent{};
    Clock::time_point last_success{};
    std::string error;
};

/// Subscribers ready (holding the object) or failed, for the editor to wait on.
struct Readiness {
    std::mutex mutex;
    std::condition_variable changed;
    int ready = 0;
    int failed = 0;
    std::atomic<bool> editor_failed{false};  ///< the subscribers stop waiting

    void add(bool ok) {
        {
            std::lock_guard lock(mutex);
            (ok ? ready : failed) += 1;
        }
        changed.notify_all();
    }
};

client::ClientOptions client_options(const Options& options) {
    client::ClientOptions out;
    out.object_encoding = options.amf3 ? 3 : 0;
    out.step_timeout =
        std::chrono::milliseconds(static_cast<std::int64_t>(std::min(options.timeout_s, 10.0) * 1000));
    return out;
}

std::chrono::milliseconds left(Clock::time_point deadline) {
    return std::max(std::chrono::milliseconds(1),
                    std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
}

/// Reads until a message of `so` arrives and applies it; nullopt at the
/// deadline; throws a message when the server closes.
asio::awaitable<std::optional<client::SharedObjectUpdate>> next_update(client::Client& c,
                                                                       client::SharedObject& so,
                                                                       Clock::time_point deadline,
                                                                       std::uint64_t& reordered) {
    for (;;) {
        if (Clock::now() >= deadline) co_return std::nullopt;
        client::Incoming in;
        try {
            in = co_await c.next(left(deadline));
        } catch (const client::ClientError& e) {
            if (e.code() == client::Errc::timed_out) co_return std::nullopt;
            throw;
        }
        if (in.kind == client::Incoming::Kind::closed)
            throw std::runtime_error("the server closed the connection");
        if (in.kind != client::Incoming::Kind::shared_object || in.shared_object->name != so.name()) continue;
        if (in.shared_object->version < so.version()) ++reordered;
        co_return so.apply(*in.shared_object);
    }
}

/// Connects and uses the object; throws when refused, or without an answer
/// within a step timeout.
asio::awaitable<void> join(client::Client& c, client::SharedObject& so, const rtmp::Url& url,
                           Clock::time_point deadline, std::uint64_t& reordered) {
    co_await c.connect(url);
    co_await c.send_shared_object(so.use());
    const auto until = std::min(deadline, Clock::now() + c.options().step_timeout);
    while (!so.connected()) {
        auto update = co_await next_update(c, so, until, reordered);
        if (!update) throw std::runtime_error("no answer to Use (does the server have shared objects?)");
        if (!update->statuses.empty()) throw std::runtime_error("Use refused: " + update->statuses[0].code);
    }
}

asio::awaitable<void> subscribe(const Options& options, const rtmp::Url& url, Subscriber& result,
                                Readiness& readiness, Clock::time_point deadline) {
    client::Client c(co_await asio::this_coro::executor, client_options(options));
    client::SharedObject so(options.name, options.persistent);
    bool joined = false;
    try {
        co_await join(c, so, url, deadline, result.reordered);
        joined = true;
        readiness.add(true);
        const auto wanted = static_cast<std::uint64_t>(options.changes);
        while (result.changes < wanted) {
            // In slices of a second, so that a failed editor ends the wait.
            const auto until = std::min(deadline, Clock::now() + std::chrono::seconds(1));
            auto update = co_await next_update(c, so, until, result.reordered);
            if (!update && Clock::now() < deadline && !readiness.editor_failed.load()) continue;
            if (!update) {
                result.error = "stopped after " + std::to_string(result.changes) + " changes" +
                               (readiness.editor_failed.load() ? " (the editor failed)" : " (timed out)");
                break;
            }
            for (const client::SyncEntry& e : update->sync)
                if (e.code == client::SyncCode::change) ++result.changes;
        }
        if (result.changes >= wanted) result.done = Clock::now();
    } catch (const std::exception& e) {
        result.error = e.what();
    }
    if (!joined) readiness.add(false);
    try {
        co_await c.close();
    } catch (const std::exception&) {
        // Best effort: the figures are already taken.
    }
}

asio::awaitable<void> edit(const Options& options, const rtmp::Url& url, Editor& result, Readiness& readiness,
                           Clock::time_point deadline) {
    client::Client c(co_await asio::this_coro::executor, client_options(options));
    client::SharedObject so(options.name, options.persistent);
    try {
        co_await join(c, so, url, deadline, result.reordered);
        {
            // Blocks this thread (the editor's own) until every subscriber holds the object.
            std::unique_lock lock(readiness.mutex);
            const bool all = readiness.changed.wait_until(
                lock, deadline, [&] { return readiness.ready + readiness.failed >= options.subscribers; });
            if (!all) throw std::runtime_error("the subscribers did not all join in time");
        }
        const auto window = static_cast<std::size_t>(options.window);
        const std::string padding(static_cast<std::size_t>(std::max(0, options.value_bytes - 8)), '.');
        int sent = 0;
        result.first_sent = Clock::now();
        while (result.successes < static_cast<std::uint64_t>(options.changes)) {
            if (sent < options.changes && so.pending_count() < window) {
                char tail[16];
                std::snprintf(tail, sizeof tail, "%08d", sent);
                co_await c.send_shared_object(
                    so.set_property("k" + std::to_string(sent % options.keys), padding + tail));
                ++sent;
                continue;
            }
            auto update = co_await next_update(c, so, deadline, result.reordered);
            if (!update)
                throw std::runtime_error("timed out after " + std::to_string(result.successes) +
                                         " Successes");
            if (!update->statuses.empty())
                throw std::runtime_error("change refused: " + update->statuses[0].code);
            for (const client::SyncEntry& e : update->sync) {
                if (e.code == client::SyncCode::success) {
                    ++result.successes;
                    result.last_success = Clock::now();
                }
            }
        }
        co_await c.send_shared_object(so.release());
    } catch (const std::exception& e) {
        result.error = e.what();
        readiness.editor_failed.store(true);
    }
    try {
        co_await c.close();
    } catch (const std::exception&) {
        // Best effort, as for the subscribers.
    }
}

double seconds(Clock::duration d) {
    return std::chrono::duration<double>(d).count();
}

int usage(const char* argv0) {
    std::fprintf(
        stderr,
        "usage: %s rtmp://host[:port]/app [--subscribers N] [--changes M] [--window W] [--keys K]\n"
        "       [--value-bytes B] [--name NAME] [--persistent] [--amf3] [--threads T] [--timeout S]\n",
        argv0);
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string key = argv[i];
        const bool has_value = i + 1 < argc;
        auto number = [&](int& out) {
            if (!has_value) return false;
            out = std::atoi(argv[++i]);
            return true;
        };
        bool ok = true;
        if (key == "--subscribers")
            ok = number(options.subscribers);
        else if (key == "--changes")
            ok = number(options.changes);
        else if (key == "--window")
            ok = number(options.window);
        else if (key == "--keys")
            ok = number(options.keys);
        else if (key == "--value-bytes")
            ok = number(options.value_bytes);
        else if (key == "--threads")
            ok = number(options.threads);
        else if (key == "--name" && has_value)
            options.name = argv[++i];
        else if (key == "--timeout" && has_value)
            options.timeout_s = std::atof(argv[++i]);
        else if (key == "--persistent")
            options.persistent = true;
        else if (key == "--amf3")
            options.amf3 = true;
        else if (key.rfind("--", 0) != 0 && options.url.empty())
            options.url = key;
        else
            ok = false;
        if (!ok) return usage(argv[0]);
    }
    if (options.url.empty() || options.subscribers < 1 || options.changes < 1 || options.window < 1 ||
        options.keys < 1 || options.value_bytes < 1 || options.threads < 1 || options.timeout_s <= 0)
        return usage(argv[0]);
    std::string why;
    auto url = rtmp::Url::parse(options.url, &why);
    if (!url) {
        std::fprintf(stderr, "so_fanout: bad URL '%s': %s\n", options.url.c_str(), why.c_str());
        return 1;
    }
    if (!url->stream.empty()) url->app += "/" + url->stream;  // the whole path is the application
    url->stream.clear();

    const auto deadline =
        Clock::now() + std::chrono::milliseconds(static_cast<std::int64_t>(options.timeout_s * 1000));
    Readiness readiness;
    std::vector<Subscriber> subscribers(static_cast<std::size_t>(options.subscribers));
    Editor editor;

    std::vector<std::unique_ptr<asio::io_context>> contexts;
    for (int t = 0; t < options.threads; ++t) contexts.push_back(std::make_unique<asio::io_context>(1));
    for (std::size_t i = 0; i < subscribers.size(); ++i) {
        asio::co_spawn(*contexts[i % contexts.size()],
                       subscribe(options, *url, subscribers[i], readiness, deadline), asio::detached);
    }
    std::vector<std::thread> threads;
    for (auto& context : contexts) threads.emplace_back([&context] { context->run(); });
    asio::io_context editor_context(1);
    asio::co_spawn(editor_context, edit(options, *url, editor, readiness, deadline), asio::detached);
    std::thread editor_thread([&] { editor_context.run(); });
    editor_thread.join();
    for (auto& t : threads) t.join();

    // Figures.
    std::uint64_t deliveries = 0, reordered = editor.reordered;
    int complete = 0;
    std::optional<Clock::time_point> last_done;
    std::string first_error = editor.error;
    for (const Subscriber& s : subscribers) {
        deliveries += s.changes;
        reordered += s.reordered;
        if (s.done) {
            ++complete;
            last_done = last_done ? std::max(*last_done, *s.done) : *s.done;
        }
        if (first_error.empty() && !s.error.empty()) first_error = s.error;
    }
    const bool all = complete == options.subscribers && editor.error.empty();
    const double editor_s = editor.successes > 0 ? seconds(editor.last_success - editor.first_sent) : 0;
    const double changes_per_s = editor_s > 0 ? static_cast<double>(editor.successes) / editor_s : 0;
    const Clock::time_point end = last_done ? *last_done : Clock::now();
    const double last_delivery_s = editor.successes > 0 ? seconds(end - editor.first_sent) : 0;
    const double deliveries_per_s =
        last_delivery_s > 0 ? static_cast<double>(deliveries) / last_delivery_s : 0;
    const double lag_s = last_done && editor.successes > 0 ? seconds(*last_done - editor.last_success) : 0;

    std::fprintf(
        stderr,
        "so_fanout: %d subscribers (%d complete), %llu/%d changes (window %d, %s%s): %.0f changes/s "
        "over %.3f s; %llu deliveries, %.0f deliveries/s; last subscriber done %.3f s after the first "
        "change (%.3f s after the last Success); %llu reordered%s%s\n",
        options.subscribers, complete, static_cast<unsigned long long>(editor.successes), options.changes,
        options.window, options.persistent ? "persistent" : "transient", options.amf3 ? ", AMF3" : "",
        changes_per_s, editor_s, static_cast<unsigned long long>(deliveries), deliveries_per_s,
        last_delivery_s, lag_s, static_cast<unsigned long long>(reordered),
        first_error.empty() ? "" : "; first error: ", first_error.c_str());
    std::printf(
        "{\"subscribers\": %d, \"subscribers_complete\": %d, \"changes\": %d, \"successes\": %llu, "
        "\"window\": %d, \"keys\": %d, \"value_bytes\": %d, \"persistent\": %s, \"amf3\": %s, "
        "\"editor_s\": %.4f, \"changes_per_s\": %.1f, \"deliveries\": %llu, \"deliveries_per_s\": %.1f, "
        "\"last_delivery_s\": %.4f, \"lag_s\": %.4f, \"reordered\": %llu, \"ok\": %s}\n",
        options.subscribers, complete, options.changes, static_cast<unsigned long long>(editor.successes),
        options.window, options.keys, options.value_bytes, options.persistent ? "true" : "false",
        options.amf3 ? "true" : "false", editor_s, changes_per_s, static_cast<unsigned long long>(deliveries),
        deliveries_per_s, last_delivery_s, lag_s, static_cast<unsigned long long>(reordered),
        all ? "true" : "false");
    return all ? 0 : 2;
}
