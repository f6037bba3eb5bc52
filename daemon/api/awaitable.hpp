#pragma once
// boost::asio::awaitable, usable on its own: Boost 1.74's awaitable.hpp uses std::exchange
// without including <utility>.

// clang-format off
#include <utility>
#include <boost/asio/awaitable.hpp>
// clang-format on
