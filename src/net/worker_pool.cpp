#include "net/worker_pool.hpp"

#include <algorithm>

namespace sluice::net {

WorkerPool::WorkerPool(std::size_t count) {
    if (count == 0) count = std::max(1u, std::thread::hardware_concurrency());
    workers_.reserve(count);
    for (std::size_t i = 0; i < count; ++i) workers_.push_back(std::make_unique<Worker>());
}

WorkerPool::~WorkerPool() {
    stop();
    join();
}

void WorkerPool::start() {
    for (auto& worker : workers_) {
        if (worker->thread.joinable()) continue;
        worker->thread = std::thread([&context = worker->context] { context.run(); });
    }
}

void WorkerPool::stop() noexcept {
    for (auto& worker : workers_) {
        worker->guard.reset();
        worker->context.stop();
    }
}

void WorkerPool::join() noexcept {
    for (auto& worker : workers_) {
        if (worker->thread.joinable()) worker->thread.join();
    }
}

}  // namespace sluice::net
