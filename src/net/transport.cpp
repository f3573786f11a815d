#include "net/transport.hpp"

#include <boost/asio/error.hpp>

namespace sluice::net {

boost::asio::awaitable<IoResult> write_all(Transport& transport, boost::asio::const_buffer buffer) {
    IoResult total;
    while (buffer.size() > 0) {
        const boost::asio::const_buffer one[] = {buffer};
        IoResult r = transport.write_now(one);
        if (r.error == boost::asio::error::would_block) r = co_await transport.write_some(one);
        if (r.error) {
            total.error = r.error;
            break;
        }
        total.bytes += r.bytes;
        buffer += r.bytes;
    }
    co_return total;
}

}  // namespace sluice::net
