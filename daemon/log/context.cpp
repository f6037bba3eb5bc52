#include "daemon/log/context.hpp"

#include <utility>

namespace mw::log {

namespace {
thread_local Context current_context;
}

const Context& current() { return current_context; }

Scope::Scope(Context context) : previous_(std::exchange(current_context, std::move(context))) {}

Scope::~Scope() { current_context = std::move(previous_); }

}  // namespace mw::log
