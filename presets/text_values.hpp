#pragma once
// Value forms written as text in both preset formats (YAML and MES JSON/XML): plain numbers,
// MES xs:time ("00:00:02") and AssetID GUIDs. Internal to the presets module.

#include <charconv>
#include <cmath>
#include <optional>
#include <string_view>
#include <system_error>
#include <type_traits>

namespace mw::presets::text_values {

/// Parses all of `text` as a non-negative number (digits first: no sign, no blanks; a floating
/// value must be finite); false if anything is left over.
template <typename T>
bool parse_number(std::string_view text, T& out) {
  if (text.empty() || text.front() < '0' || text.front() > '9') return false;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (error != std::errc() || end != text.data() + text.size()) return false;
  if constexpr (std::is_floating_point_v<T>) return std::isfinite(out);
  return true;
}

/// xs:time as MES writes it (AMS-V2-REFERENCE.md §8: KeyFrameInterval, BufferWindow, StartTime):
/// "HH:MM:SS" with an optional fraction ("00:00:02", "0:00:05.5"); minutes and seconds below 60.
/// @return seconds, or nullopt when `text` is not of that form
inline std::optional<double> parse_clock_time(std::string_view text) {
  const auto first = text.find(':');
  if (first == std::string_view::npos) return std::nullopt;
  const auto second = text.find(':', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  const std::string_view minutes_text = text.substr(first + 1, second - first - 1);
  const std::string_view seconds_text = text.substr(second + 1);
  unsigned hours = 0;
  unsigned minutes = 0;
  double seconds = 0;
  if (!parse_number(text.substr(0, first), hours) || minutes_text.size() != 2 ||
      !parse_number(minutes_text, minutes) || minutes > 59 || seconds_text.size() < 2 ||
      !parse_number(seconds_text, seconds) || seconds >= 60) {
    return std::nullopt;
  }
  return hours * 3600.0 + minutes * 60.0 + seconds;
}

/// A GUID as MES AssetID writes it (no "nb:cid:UUID:" prefix): 8-4-4-4-12 hex digits.
inline bool is_guid(std::string_view text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    const char c = text[i];
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (dash ? c != '-' : !hex) return false;
  }
  return true;
}

}  // namespace mw::presets::text_values
