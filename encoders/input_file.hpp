#pragma once
// An opened input: the demuxer (libavformat) with clear errors for unusable files, and the
// corrections for what libavformat 5.1 reads wrongly (24-bit 'ipcm' audio in MP4, whose chunks
// are re-read at their real sample size; see isobmff_pcm.hpp).

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "encoders/av/ptr.hpp"

namespace mw::encoders {

class InputFile {
 public:
  /// Opens and reads the stream info of a media file.
  /// @throws EncodeError (InputUnreadable): "FILE: no such file", "FILE: the file is empty
  ///         (0 bytes)", "FILE: not a readable media file: REASON (libav's detail)", or
  ///         "FILE: no audio or video stream".
  static InputFile open(const std::string& path);

  InputFile(InputFile&&) noexcept = default;
  InputFile& operator=(InputFile&&) noexcept = default;
  ~InputFile() = default;

  AVFormatContext* format() const { return fmt_.get(); }
  const std::string& path() const { return path_; }

  /// Reads the next packet into `pkt` (unreferenced first), with corrections applied.
  /// @return false at the end of the file
  /// @throws EncodeError (MalformedContent) when reading fails for another reason than the end
  bool read(AVPacket* pkt);

 private:
  InputFile() = default;
  void plan_pcm_repacks();

  // Re-reads the chunks of one mis-sized PCM stream. `chunks` maps a packet's position as the
  // demuxer computed it to the real position and size.
  struct PcmRepack {
    int stream = -1;
    std::map<int64_t, std::pair<int64_t, int>> chunks;
  };

  av::InputFormatPtr fmt_;
  av::IoContextPtr raw_;  // a second reader of the same file for PcmRepack (opened on demand)
  std::string path_;
  std::vector<PcmRepack> repacks_;
};

}  // namespace mw::encoders
