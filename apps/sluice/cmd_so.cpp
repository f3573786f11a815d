// `sluice so URL NAME`: uses a remote shared object, prints it, edits it and
// (with --watch) follows it (RTMP 1.0 §7.1.3; client/shared_object.hpp).
//
// connect to rtmp://host/app[/instance] (the whole path is the application:
// a shared object belongs to an application instance, not a stream), then
// Use NAME and wait for the server's answer; the properties it holds go to
// stdout, one `key = value` per line (values in amf::debug_string's form:
// strings quoted, numbers bare). Then the edits, one at a time, each
// waiting for its Success or refusal: every --set in order, every --remove
// in order, then --send (which waits for the server's echo: it broadcasts
// to the sender too). Each outcome goes to stderr. Without --watch:
// Release and close. With --watch, every sync entry, message and status
// that arrives after the initial state goes to stdout, one per line:
//
//   change KEY = VALUE (was OLD)      another client set it ("(new)" when it was not there)
//   success KEY = VALUE               our change was accepted
//   reject KEY = VALUE (ours was X)   our change was refused; the server's value is back
//                                     ("reject KEY (ours was X)": the server has no KEY)
//   delete KEY (was OLD)              clear
//   message HANDLER(ARG, ...)         status CODE LEVEL
// (old values, and values in stderr lines, cut to 60 characters)
//
// until Ctrl-C (SIGINT/SIGTERM raced against the session with the `||`
// awaitable operator, as cmd_play.cpp does) or the server closes.
//
// Exit codes: 0 done (or interrupted) with every edit accepted; 1 usage;
// 2 network or protocol failure, the object refused (e.g.
// SharedObject.BadPersistence), or an edit refused (the other edits are
// still tried, and --watch still runs; the exit code stays 2).
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "amf/debug_string.hpp"
#include "client/client.hpp"
#include "client/shared_object.hpp"
#include "commands.hpp"
#include "connect_flags.hpp"
#include "rtmp/url.hpp"

namespace sluice::app {

namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

struct SoOptions {
    std::string url;
    std::string name;
    bool persistent = false;
    std::vector<std::string> sets;
    std::vector<std::string> removes;
    std::vector<std::string> send;  ///< handler, then arguments
    bool watch = false;
    bool amf3 = false;
    ConnectFlags connect;
    double timeout_s = 10;
};

struct Edit {
    bool remove = false;
    std::string name;
    amf::Value value;
};

struct Outcome {
    int code = 2;
    std::string reason;
};

/// Ends the session with an exit code (thrown inside it, caught by run()).
struct Failure {
    int code;
    std::string reason;
};

/// true/false, null, a decimal number, "quoted" (a string, quotes dropped), else the text as a string.
amf::Value parse_value(const std::string& text) {
    if (text == "true") return true;
    if (text == "false") return false;
    if (text == "null") return amf::Null{};
    if (text.size() >= 2 && text.front() == '"' && text.back() == '"') return text.substr(1, text.size() - 2);
    // strtod alone would also take "inf", "nan" and hex: only plain decimals are numbers.
    const bool decimal = !text.empty() && text.find_first_not_of("0123456789+-.eE") == std::string::npos;
    if (decimal) {
        char* end = nullptr;
        const double number = std::strtod(text.c_str(), &end);
        if (end == text.c_str() + text.size() && std::isfinite(number)) return number;
    }
    return text;
}

/// A value for a one-line message: long ones cut, with their size.
std::string short_text(const amf::Value& value) {
    constexpr std::size_t max_chars = 60;
    std::string text = amf::debug_string(value);
    if (text.size() > max_chars)
        text = text.substr(0, max_chars) + "... (" + std::to_string(text.size()) + " chars)";
    return text;
}

std::string arguments_text(const std::vector<amf::Value>& arguments) {
    std::string out;
    for (const auto& a : arguments) out += (out.empty() ? "" : ", ") + amf::debug_string(a);
    return out;
}

std::string hint(const std::string& code) {
    if (code == "SharedObject.BadPersistence")
        return " (it exists with the other persistence: add or drop --persistent)";
    if (code == "SharedObject.NoReadAccess") return " (the server does not let this client read it)";
    if (code == "SharedObject.NoWriteAccess")
        return " (this client may not change it, or the server's limit on value size or property count was "
               "reached)";
    if (code == "SharedObject.ObjectCreationFailed")
        return " (the server's limit on shared objects was reached, or it refuses this name)";
    return "";
}

std::string statuses_text(const std::vector<client::SharedObjectStatus>& statuses) {
    std::string out;
    for (const auto& s : statuses) out += (out.empty() ? "" : ", ") + s.code + hint(s.code);
    return out.empty() ? "no reason given" : out;
}

bool has_error(const std::vector<client::SharedObjectStatus>& statuses) {
    for (const auto& s : statuses)
        if (s.level == "error") return true;
    return false;
}

class SoSession {
public:
    SoSession(const SoOptions& options, const rtmp::Url& url, std::vector<Edit> edits, client::Client& client)
        : options_(options),
          url_(url),
          edits_(std::move(edits)),
          client_(client),
          so_(options.name, options.persistent),
          timeout_(static_cast<std::int64_t>(options.timeout_s * 1000)) {}

    asio::awaitable<Outcome> run() {
        try {
            co_await client_.connect(url_);
            co_await use();
            for (const Edit& edit : edits_)
                if (!co_await apply(edit)) ++refused_;
            if (!options_.send.empty() && !co_await send()) ++refused_;
            if (options_.watch) {
                for (;;) co_await next_update(std::nullopt);
            }
            co_await release();
            co_return ended("");
        } catch (const Failure& f) {
            co_return Outcome{f.code, f.reason};
        } catch (const client::ClientError& e) {
            co_return failure(e);
        }
    }

    /// Releases the object if it is still in use (after an interrupted watch).
    asio::awaitable<void> release() {
        if (!so_.connected() || !client_.connected()) co_return;
        rtmp::SharedObjectMessage message = so_.release();
        co_await client_.send_shared_object(std::move(message));
    }

    void interrupt() { interrupted_ = true; }

    /// Exit 2 when an edit was refused (also after --watch ends), else 0 with `reason`.
    Outcome ended(std::string reason) const {
        if (refused_ == 0) return Outcome{0, std::move(reason)};
        return Outcome{2, std::to_string(refused_) + " edit" + (refused_ > 1 ? "s" : "") + " refused"};
    }

private:
    using Deadline = std::optional<Clock::time_point>;

    Deadline deadline() const { return Clock::now() + timeout_; }

    std::string seconds_text() const {
        char text[32];
        std::snprintf(text, sizeof text, "%g s", options_.timeout_s);
        return text;
    }

    /// Reads until a message for this object arrives, applies it (printing
    /// it with --watch once the initial state is out) and returns what it
    /// did; nullopt past `until`.
    asio::awaitable<std::optional<client::SharedObjectUpdate>> next_update(Deadline until) {
        for (;;) {
            std::optional<std::chrono::milliseconds> wait;
            if (until)
                wait = std::max(std::chrono::milliseconds(1),
                                std::chrono::duration_cast<std::chrono::milliseconds>(*until - Clock::now()));
            client::Incoming in;
            try {
                in = co_await client_.next(wait);
            } catch (const client::ClientError& e) {
                if (e.code() == client::Errc::timed_out) co_return std::nullopt;
                throw;
            }
            using Kind = client::Incoming::Kind;
            if (in.kind == Kind::closed) throw Failure{2, "the server closed the connection"};
            if (in.kind == Kind::other && rtmp::is_shared_object(in.message.type))
                std::fprintf(stderr, "sluice so: skipped a shared-object message that does not decode\n");
            if (in.kind != Kind::shared_object || !in.shared_object || in.shared_object->name != so_.name())
                continue;
            client::SharedObjectUpdate update = so_.apply(*in.shared_object);
            if (printing_) print(update);
            co_return update;
        }
    }

    void print(const client::SharedObjectUpdate& update) const {
        if (update.use_success) std::printf("use-success v%u\n", so_.version());
        for (const client::SyncEntry& e : update.sync) {
            const amf::Value* now = so_.find(e.name);
            const std::string value = now ? " = " + amf::debug_string(*now) : "";
            const bool had = !e.old_value.is<amf::Undefined>();
            const std::string old = had ? short_text(e.old_value) : "";
            switch (e.code) {
                case client::SyncCode::change:
                    std::printf("change %s%s (%s%s)\n", e.name.c_str(), value.c_str(), had ? "was " : "new",
                                old.c_str());
                    break;
                case client::SyncCode::success:
                    std::printf("success %s%s\n", e.name.c_str(), value.c_str());
                    break;
                case client::SyncCode::reject:
                    std::printf("reject %s%s (ours was %s)\n", e.name.c_str(), value.c_str(),
                                had ? old.c_str() : "a delete");
                    break;
                case client::SyncCode::remove:
                    std::printf("delete %s%s%s%s\n", e.name.c_str(), had ? " (was " : "", old.c_str(),
                                had ? ")" : "");
                    break;
                case client::SyncCode::clear:
                    std::printf("clear\n");
                    break;
            }
        }
        for (const auto& c : update.calls)
            std::printf("message %s(%s)\n", c.handler.c_str(), arguments_text(c.arguments).c_str());
        for (const auto& s : update.statuses) std::printf("status %s %s\n", s.code.c_str(), s.level.c_str());
        std::fflush(stdout);
    }

    asio::awaitable<void> use() {
        rtmp::SharedObjectMessage message = so_.use();
        co_await client_.send_shared_object(std::move(message));
        const Deadline until = deadline();
        while (!so_.connected()) {
            auto update = co_await next_update(until);
            if (!update)
                throw Failure{2, "no answer to the use of '" + so_.name() + "' within " + seconds_text() +
                                     " (does the server support shared objects on this application?)"};
            if (has_error(update->statuses))
                throw Failure{2, "the server refused shared object '" + so_.name() +
                                     "': " + statuses_text(update->statuses)};
        }
        std::fprintf(stderr, "sluice so: '%s' on %s: version %u, %zu propert%s%s\n", so_.name().c_str(),
                     url_.tc_url().c_str(), so_.version(), so_.properties().size(),
                     so_.properties().size() == 1 ? "y" : "ies", so_.persistent() ? " (persistent)" : "");
        for (const amf::Property& p : so_.properties())
            std::printf("%s = %s\n", p.name.c_str(), amf::debug_string(p.value).c_str());
        std::fflush(stdout);
        printing_ = options_.watch;
    }

    /// One --set or --remove: false when the server refused it.
    asio::awaitable<bool> apply(const Edit& edit) {
        const std::string what =
            edit.remove ? "removing " + edit.name : edit.name + " = " + short_text(edit.value);
        rtmp::SharedObjectMessage message =
            edit.remove ? so_.remove_property(edit.name) : so_.set_property(edit.name, edit.value);
        co_await client_.send_shared_object(std::move(message));
        const Deadline until = deadline();
        while (so_.pending(edit.name)) {
            auto update = co_await next_update(until);
            if (!update) throw Failure{2, "no answer to " + what + " within " + seconds_text()};
            bool rejected = false;
            for (const client::SyncEntry& e : update->sync)
                if (e.name == edit.name && e.code == client::SyncCode::reject) rejected = true;
            // A refusal without the restoring Change is still a refusal.
            if (rejected || (has_error(update->statuses) && so_.pending(edit.name))) {
                const amf::Value* now = so_.find(edit.name);
                std::fprintf(stderr, "sluice so: the server refused %s: %s; it holds %s\n", what.c_str(),
                             statuses_text(update->statuses).c_str(),
                             now ? (edit.name + " = " + short_text(*now)).c_str() : "no such property");
                co_return false;
            }
        }
        std::fprintf(stderr, "sluice so: %s: accepted (version %u)\n", what.c_str(), so_.version());
        co_return true;
    }

    /// --send: false when the server answered with an error status.
    asio::awaitable<bool> send() {
        const std::string& handler = options_.send.front();
        std::vector<amf::Value> arguments;
        for (std::size_t i = 1; i < options_.send.size(); ++i)
            arguments.push_back(parse_value(options_.send[i]));
        const std::string what = handler + "(" + arguments_text(arguments) + ")";
        rtmp::SharedObjectMessage message = so_.send(handler, arguments);
        co_await client_.send_shared_object(std::move(message));
        const Deadline until = deadline();
        for (;;) {
            auto update = co_await next_update(until);
            if (!update) {
                std::fprintf(stderr, "sluice so: sent %s; the server did not echo it within %s\n",
                             what.c_str(), seconds_text().c_str());
                co_return true;
            }
            if (has_error(update->statuses)) {
                std::fprintf(stderr, "sluice so: the server refused message %s: %s\n", what.c_str(),
                             statuses_text(update->statuses).c_str());
                co_return false;
            }
            for (const auto& call : update->calls) {
                if (call.handler == handler && call.arguments == arguments) {
                    std::fprintf(stderr, "sluice so: sent %s\n", what.c_str());
                    co_return true;
                }
            }
        }
    }

    Outcome failure(const client::ClientError& e) const {
        if (interrupted_) return ended("interrupted");
        std::string reason = e.what();
        if (e.step() == client::Step::tcp_connect || e.step() == client::Step::resolve)
            reason += " (is the server running at " + url_.host + ":" + std::to_string(url_.port) + "?)";
        if (e.step() == client::Step::connect && e.status() &&
            e.status()->description.find("does not exist") != std::string::npos)
            reason += " (check the app name '" + url_.app + "' in the URL)";
        return Outcome{2, reason};
    }

    const SoOptions& options_;
    const rtmp::Url& url_;
    std::vector<Edit> edits_;
    client::Client& client_;
    client::SharedObject so_;
    std::chrono::milliseconds timeout_;
    bool printing_ = false;
    bool interrupted_ = false;
    std::size_t refused_ = 0;
};

/// The edits in the order they are applied: every --set, then every --remove.
std::optional<std::vector<Edit>> parse_edits(const SoOptions& options) {
    std::vector<Edit> edits;
    for (const std::string& item : options.sets) {
        const auto eq = item.find('=');
        if (eq == std::string::npos || eq == 0) {
            std::fprintf(stderr, "sluice so: --set takes KEY=VALUE (e.g. --set score=10), not '%s'\n",
                         item.c_str());
            return std::nullopt;
        }
        edits.push_back(Edit{false, item.substr(0, eq), parse_value(item.substr(eq + 1))});
    }
    for (const std::string& name : options.removes) {
        if (name.empty()) {
            std::fprintf(stderr, "sluice so: --remove takes a property name\n");
            return std::nullopt;
        }
        edits.push_back(Edit{true, name, amf::Undefined{}});
    }
    return edits;
}

/// rtmp://host/app[/instance]: the whole path is the application.
std::optional<rtmp::Url> parse_app_url(const std::string& text) {
    std::string why;
    auto url = rtmp::Url::parse(text, &why);
    if (!url) {
        std::fprintf(stderr, "sluice so: bad URL '%s': %s\n", text.c_str(), why.c_str());
        return std::nullopt;
    }
    if (!url->stream.empty()) url->app += "/" + url->stream;
    url->stream.clear();
    return *url;
}

int run_so(const SoOptions& options) {
    const auto url = parse_app_url(options.url);
    if (!url) return 1;
    if (options.name.empty()) {
        std::fprintf(stderr, "sluice so: the shared object needs a name\n");
        return 1;
    }
    auto edits = parse_edits(options);
    if (!edits) return 1;
    client::ClientOptions client_options;
    if (std::string error; !apply_connect_flags(options.connect, client_options, error)) {
        std::fprintf(stderr, "sluice so: %s\n", error.c_str());
        return 1;
    }
    if (options.amf3) client_options.object_encoding = 3;
    client_options.step_timeout =
        std::chrono::milliseconds(static_cast<std::int64_t>(options.timeout_s * 1000));

    asio::io_context context;
    client::Client client(context.get_executor(), client_options);
    asio::signal_set signals(context, SIGINT, SIGTERM);
    SoSession session(options, *url, std::move(*edits), client);
    Outcome outcome;
    auto wait_signal = [&]() -> asio::awaitable<Outcome> {
        co_await signals.async_wait(asio::use_awaitable);
        session.interrupt();
        co_return session.ended("interrupted");
    };
    asio::co_spawn(
        context,
        [&]() -> asio::awaitable<void> {
            using namespace asio::experimental::awaitable_operators;
            auto result = co_await (session.run() || wait_signal());
            outcome = std::visit([](Outcome o) { return o; }, std::move(result));
            signals.cancel();
            try {
                co_await session.release();
                co_await client.close();
            } catch (const client::ClientError&) {
                // Best effort: the server may be gone, or the interrupted step closed the socket.
            }
        },
        asio::detached);
    context.run();
    if (outcome.code != 0) std::fprintf(stderr, "sluice so: %s\n", outcome.reason.c_str());
    return outcome.code;
}

}  // namespace

Run add_so(CLI::App& app) {
    auto options = std::make_shared<SoOptions>();
    CLI::App* cmd = app.add_subcommand("so", "Use a remote shared object: print it, edit it, watch it.");
    cmd->footer(
        "Examples:\n"
        "  sluice so rtmp://127.0.0.1/live chat                  (prints its properties)\n"
        "  sluice so rtmp://127.0.0.1/live chat --set topic=hello --set count=3 --remove old\n"
        "  sluice so rtmp://127.0.0.1/live chat --send say hi --watch\n"
        "Values (--set, --send arguments): true, false, null, decimal numbers (3, -1.5, 2e3);\n"
        "anything else is a string; wrap it in double quotes to force a string (--set 'id=\"42\"').\n"
        "Edits go one at a time, each waiting for the server's answer: every --set, then every\n"
        "--remove, then --send. Properties print as `key = value` on stdout; --watch then prints\n"
        "each change/success/reject/delete/clear, message and status until Ctrl-C.\n"
        "Exit codes: 0 ok, 1 usage, 2 network or protocol failure, the object or an edit refused.");
    cmd->add_option("url", options->url, "rtmp://host[:port]/app[/instance] (the whole path is the app)")
        ->required();
    cmd->add_option("name", options->name, "The shared object's name")->required();
    cmd->add_flag("--persistent", options->persistent,
                  "Use the persistent object of that name (the server keeps it across restarts)");
    cmd->add_option("--set", options->sets, "KEY=VALUE: set a property (repeatable)");
    cmd->add_option("--remove", options->removes, "KEY: delete a property (repeatable)");
    cmd->add_option("--send", options->send, "HANDLER [ARG...]: send a message to every user of the object")
        ->expected(1, 255);
    cmd->add_flag("--watch,-w", options->watch, "After the edits, print what arrives until Ctrl-C");
    cmd->add_flag("--amf3", options->amf3,
                  "Connect with objectEncoding 3: shared-object messages travel as type 16 (AMF3)");
    add_connect_flags(*cmd, options->connect);
    cmd->add_option("--timeout", options->timeout_s,
                    "Seconds each step and each answer may take (default 10)")
        ->check(CLI::Range(0.1, 3600.0));
    return [cmd, options]() -> int { return cmd->parsed() ? run_so(*options) : -1; };
}

}  // namespace sluice::app
