#pragma once
// libav logging: libav reports many causes only through av_log ("moov atom not found"). The
// capture keeps the last error-level line of each thread so errors can name the real cause, and
// forwards lines at or above the chosen level to stderr.

#include <string>

namespace mw::av {

/// Installs the av_log callback (once per process; later calls only change the level).
/// @param forward_level lines at or above this AV_LOG_* level go to stderr (AV_LOG_QUIET: none)
void install_log_capture(int forward_level);

/// Installs the callback with nothing forwarded if no one installed it yet (the engine calls
/// this so errors can name libav's cause whoever the caller is). Never changes the level.
void ensure_log_capture();

/// The last error-level libav message logged on this thread ("" if none), trimmed.
std::string last_log_error();

/// Forgets this thread's last message (call before an operation whose cause you want).
void clear_log_error();

}  // namespace mw::av
