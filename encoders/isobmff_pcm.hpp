#pragma once
// ISO/IEC 23003-5 uncompressed audio in ISO BMFF: an 'ipcm' or 'fpcm' sample entry whose real
// sample size is in its 'pcmC' box (format_flags bit 0 = little endian, PCM_sample_size in bits).
// libavformat 5.1 ignores pcmC and takes the 16-bit sample size of the AudioSampleEntry header, so
// 24-bit audio is demuxed as 16-bit chunks of the wrong length and decodes as loud noise. This
// module reads the pcmC boxes so the source stage can re-read those chunks at their real size.

#include <filesystem>
#include <vector>

namespace mw::encoders {

struct PcmTrackConfig {
  int track_id = 0;          ///< tkhd track_ID (libavformat's AVStream.id for MP4)
  int bits_per_sample = 0;   ///< pcmC PCM_sample_size
  bool little_endian = true; ///< pcmC format_flags & 1
  bool is_float = false;     ///< 'fpcm' rather than 'ipcm'
};

/// The pcmC settings of every ipcm/fpcm track of an MP4/MOV file; empty when there are none or
/// the file is not ISO BMFF. Never throws for malformed boxes (they are simply not reported).
std::vector<PcmTrackConfig> read_pcm_track_configs(const std::filesystem::path& file);

}  // namespace mw::encoders
