#pragma once
// One output file being muxed (MP4 with faststart). It is written under a temporary name
// (".NAME.partial" in the same folder) and renamed into place by commit(), so a reader never sees
// a half-written file; discard() removes it. write() is thread-safe: the video and the audio
// stage both write into it.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "encoders/av/ptr.hpp"
#include "encoders/encoder.hpp"

namespace mw::encoders {

class OutputFile {
 public:
  /// Creates the temporary file and writes the MP4 header for one stream per encoder.
  /// @throws EncodeError (Output) naming the file and the reason (permissions, disk full)
  OutputFile(std::filesystem::path final_path, const std::vector<const Encoder*>& streams);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  /// Writes one packet of stream `stream` whose timestamps are in `time_base` (the packet is
  /// unreferenced). Thread-safe.
  void write(int stream, AVPacket* packet, AVRational time_base);
  /// Writes the trailer (the faststart pass moves the moov box to the front) and closes the file.
  void finish();
  /// Renames the finished temporary file to its final name.
  void commit();
  /// Removes the temporary file (after a failure or a cancel). Never throws.
  void discard() noexcept;

  /// Media time written so far, seconds: the least advanced stream's end.
  double written_seconds() const;
  /// The media types of the streams no packet was written to (say, a trim shorter than one
  /// frame), in stream order; empty when every stream has a packet.
  std::vector<AVMediaType> empty_streams() const;
  const std::filesystem::path& final_path() const { return final_path_; }

 private:
  std::filesystem::path final_path_;
  std::filesystem::path temp_path_;
  av::OutputFormatPtr ctx_;
  mutable std::mutex mutex_;
  std::vector<double> stream_end_s_;
  std::vector<int64_t> stream_packets_;  ///< packets written, per stream
  bool header_written_ = false;
  bool committed_ = false;
};

}  // namespace mw::encoders
