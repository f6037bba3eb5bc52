#pragma once
// Opens any input libavformat can read and describes it (encoders/media_info.hpp).

#include <string>

#include "encoders/encode_error.hpp"
#include "encoders/media_info.hpp"

namespace mw::encoders {

/// Probes a media file: container, every video and audio track, display matrix, colour
/// properties. Corrects what libavformat 5.1 reads wrongly (24-bit 'ipcm' audio, see
/// isobmff_pcm.hpp).
/// @throws EncodeError (InputUnreadable) naming the file and libav's reason when the file is
///         missing, empty or not a media file libavformat can open.
MediaInfo probe(const std::string& path);

class InputFile;
/// Describes an already opened input (what probe() does after opening it).
MediaInfo describe(const InputFile& input);

}  // namespace mw::encoders
