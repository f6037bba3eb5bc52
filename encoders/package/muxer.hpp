#pragma once
// The packager's muxers: libavformat's mp4 (CMAF segments), ismv (Smooth Streaming) and mpegts
// muxers, fed with packets copied from the input MP4s (no re-encode).

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "encoders/av/ptr.hpp"

namespace mw::encoders::package {

using Bytes = std::vector<uint8_t>;

/// Splits a run of ISO BMFF boxes at its first 'moof' or 'styp' box: {before, from there}.
/// Used to separate the initialization segment (ftyp + moov) from the first media segment
/// (ISO/IEC 23009-1 §6.3; ISO/IEC 23000-19 CMAF §7.3).
std::pair<Bytes, Bytes> split_at_first_fragment(const Bytes& boxes);

/// One muxer over copies of some input streams.
class PacketMuxer {
 public:
  enum class Kind {
    CmafSegments,  ///< mp4, fragmented (CMAF): header and each fragment returned as bytes
    SmoothFile,    ///< ismv, fragmented, one file with its mfra index (Smooth Streaming)
    TransportStream,  ///< mpegts, one file
  };
  /// @param streams the input streams to copy (codec parameters and time base)
  /// @param file    the file written (SmoothFile, TransportStream); ignored for CmafSegments
  /// @throws EncodeError (Output) naming `label` when the muxer cannot be set up or opened
  PacketMuxer(Kind kind, const std::vector<const AVStream*>& streams, const std::filesystem::path& file,
              std::string label);
  ~PacketMuxer();
  PacketMuxer(const PacketMuxer&) = delete;
  PacketMuxer& operator=(const PacketMuxer&) = delete;

  /// Writes one packet of output stream `stream` whose timestamps are in `time_base`.
  void write(int stream, AVPacket* packet, AVRational time_base);
  /// Ends the current fragment (CmafSegments, SmoothFile) and, for CmafSegments, returns the
  /// bytes written since the last call: the first call returns the init segment followed by
  /// the first media segment (split them with split_at_first_fragment).
  Bytes end_fragment();
  /// Writes the trailer and closes the file (SmoothFile, TransportStream). For CmafSegments the
  /// trailer is discarded (CMAF segments carry no index).
  void finish();
  /// The time base libav chose for output stream `stream` (the mp4 muxer may pick its own).
  AVRational time_base(int stream) const;

 private:
  Kind kind_;
  std::string label_;
  av::OutputFormatPtr ctx_;
  bool dyn_open_ = false;
};

}  // namespace mw::encoders::package
