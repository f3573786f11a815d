#pragma once
// net::WorkerPool: N worker threads, each running its own io_context
// (ARCHITECTURE.md "Threads and the media path"). A connection lives on one
// worker for its whole life; workers hand each other immutable messages by
// posting to each other's context, never by sharing mutable state.
//
// Contract:
//  - The contexts exist from construction; start() launches one thread per
//    context. Work posted before start() runs once it starts.
//  - Each context keeps running while idle (work guard) until stop().
//  - stop() asks every context to stop; join() waits for the threads. The
//    destructor does both.
//  - pick() spreads new connections round-robin; it is called from the
//    accepting thread only.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <cstddef>
#include <memory>
#include <thread>
#include <vector>

namespace sluice::net {

class WorkerPool {
public:
    /// `count` = 0 means one worker per hardware thread (at least 1).
    explicit WorkerPool(std::size_t count);
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    void start();
    void stop() noexcept;
    void join() noexcept;

    std::size_t size() const noexcept { return workers_.size(); }
    boost::asio::io_context& context(std::size_t index) noexcept { return workers_[index]->context; }
    /// The worker that takes the next connection (round-robin).
    std::size_t pick() noexcept { return next_++ % workers_.size(); }

private:
    struct Worker {
        boost::asio::io_context context{1};
        boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard{
            context.get_executor()};
        std::thread thread;
    };
    std::vector<std::unique_ptr<Worker>> workers_;
    std::size_t next_ = 0;
};

}  // namespace sluice::net
