#include "client/connect_arguments.hpp"

#include <charconv>
#include <cmath>
#include <optional>

#include "client/errors.hpp"

namespace sluice::client {

namespace {

constexpr std::size_t max_depth = 16;

std::error_code invalid(std::string* why, const std::string& item, const std::string& problem) {
    if (why) *why = "--conn \"" + item + "\": " + problem;
    return make_error_code(Errc::connect_argument_invalid);
}

std::optional<double> parse_number(std::string_view text) {
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
    return value;
}

}  // namespace

base::Result<std::vector<amf::Value>> parse_connect_arguments(const std::vector<std::string>& items,
                                                              std::string* why) {
    std::vector<amf::Value> top;
    // Objects being built, innermost last, each with the name it will take in its parent.
    struct Open {
        std::string name;
        amf::Object object;
    };
    std::vector<Open> open;

    for (const std::string& item : items) {
        std::string_view rest = item;
        const bool named = rest.size() >= 2 && rest[0] == 'N' && rest[1] != ':';
        if (named) rest.remove_prefix(1);
        if (rest.size() < 2 || rest[1] != ':')
            return invalid(why, item, "expected TYPE:VALUE with TYPE one of B, N, S, Z, O");
        const char type = rest[0];
        rest.remove_prefix(2);
        std::string name;
        if (named) {
            const auto colon = rest.find(':');
            if (colon == std::string_view::npos)
                return invalid(why, item, "a named item is NTYPE:name:value");
            name = std::string(rest.substr(0, colon));
            rest.remove_prefix(colon + 1);
        }
        const bool closes = type == 'O' && !named && rest == "0";
        if (!closes && named != !open.empty()) {
            return invalid(why, item,
                           named ? "a named item must be inside an object (O:1 ... O:0)"
                                 : "items inside an object need a name (NB:, NN:, NS:, NZ:, NO:)");
        }

        amf::Value value;
        switch (type) {
            case 'B':
                if (rest != "0" && rest != "1") return invalid(why, item, "a Boolean is 0 or 1");
                value = amf::Value(rest == "1");
                break;
            case 'N': {
                const auto number = parse_number(rest);
                if (!number) return invalid(why, item, "not a finite number");
                value = amf::Value(*number);
                break;
            }
            case 'S':
                value = amf::Value(std::string(rest));
                break;
            case 'Z':
                value = amf::Value(amf::Null{});
                break;
            case 'O':
                if (rest == "1") {
                    if (open.size() >= max_depth) return invalid(why, item, "objects nest too deep");
                    open.push_back(Open{name, {}});
                    continue;
                }
                if (rest != "0") return invalid(why, item, "O:1 opens an object and O:0 closes it");
                if (open.empty()) return invalid(why, item, "O:0 closes no object");
                {
                    Open done = std::move(open.back());
                    open.pop_back();
                    if (open.empty()) {
                        top.emplace_back(std::move(done.object));
                    } else {
                        open.back().object.set(std::move(done.name), amf::Value(std::move(done.object)));
                    }
                }
                continue;
            default:
                return invalid(why, item, std::string("unknown type '") + type + "' (B, N, S, Z, O)");
        }
        if (open.empty()) {
            top.push_back(std::move(value));
        } else {
            open.back().object.set(std::move(name), std::move(value));
        }
    }
    if (!open.empty()) return invalid(why, items.back(), "an object is not closed (O:0)");
    return top;
}

}  // namespace sluice::client
