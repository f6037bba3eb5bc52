#pragma once
// The preset model: what a system preset file (presets/library/*.yaml) or an inline preset
// resolves to. Plain structs with defaults; the loader fills them and the validator checks them
// once. Field meanings follow the Media Encoder Standard preset schema (AMS-V2-REFERENCE.md §8)
// where MES has the field; units are in each field's comment.
//
// This module knows nothing of libav: `encoders/plan` turns a Preset plus a probed input into an
// encoding graph.

#include <optional>
#include <string>
#include <vector>

namespace mw::presets {

/// A frame rate as a fraction; {0, 1} means "same as the source" (MES FrameRate "0/1").
struct FrameRate {
  int num = 0;
  int den = 1;
  bool is_source() const { return num == 0; }
  double value() const { return den ? static_cast<double>(num) / den : 0.0; }
};

/// MES StretchMode: how the picture fits the layer's Width x Height box.
enum class StretchMode {
  AutoSize,  ///< fit inside the box keeping the display aspect, square pixels, no padding
  AutoFit,   ///< fit inside the box and pad (letterbox/pillarbox) to exactly the box
  None,      ///< exactly the box, aspect ignored
};

/// Which orientation the layer box applies in.
enum class Orientation {
  FollowSource,  ///< the box is turned to the displayed picture's orientation (MES
                 ///< PreserveResolutionAfterRotation): a portrait clip on 1280x720 -> 720x1280
  Pinned,        ///< the box is used as written, whatever the picture's orientation
};

enum class H264Profile { Auto, Baseline, Main, High };
enum class EntropyMode { Cabac, Cavlc };
/// MES Complexity, mapped to x264 presets: Speed -> veryfast, Balanced -> medium, Quality -> slow.
enum class Complexity { Speed, Balanced, Quality };
enum class AacProfile { AacLc, HeAacV1, HeAacV2 };
enum class OutputFormat { Mp4 };

/// One H.264 layer (MES H264Layer).
struct VideoLayer {
  int width = 0;                 ///< pixels, even, in the box's orientation
  int height = 0;                ///< pixels, even
  int bitrate_kbps = 0;          ///< average bitrate (x264 ABR target), kbps (1000 bit/s)
  int max_bitrate_kbps = 0;      ///< VBV maxrate, kbps; 0 means equal to bitrate_kbps
  double buffer_window_s = 5.0;  ///< VBV buffer as seconds at max bitrate (MES BufferWindow)
  H264Profile profile = H264Profile::Auto;
  std::string level;             ///< "" for automatic, otherwise an H.264 level such as "3.1"
  int b_frames = 3;              ///< B-frames between reference frames (MES BFrames)
  int reference_frames = 3;      ///< MES ReferenceFrames
  bool adaptive_b_frames = true; ///< MES AdaptiveBFrame (x264 b-adapt)
  EntropyMode entropy = EntropyMode::Cabac;
  int slices = 0;                ///< 0 lets the encoder decide
  FrameRate frame_rate;          ///< {0,1}: the source's rate

  /// The effective VBV maxrate in kbps.
  int maxrate_kbps() const { return max_bitrate_kbps > 0 ? max_bitrate_kbps : bitrate_kbps; }
  /// The VBV buffer size in kbit (maxrate x buffer window).
  int bufsize_kbit() const { return static_cast<int>(maxrate_kbps() * buffer_window_s + 0.5); }
};

/// The video codec section (MES H264Video).
struct VideoCodec {
  double keyframe_interval_s = 2.0;     ///< fixed IDR spacing (GOP length), seconds
  bool scene_change_detection = false;  ///< extra keyframes at scene cuts; single-layer only
  Complexity complexity = Complexity::Balanced;
  StretchMode stretch = StretchMode::AutoSize;
  Orientation orientation = Orientation::FollowSource;
  bool allow_upscale = true;  ///< single layer: scale up into the box; ladders never upscale
  std::vector<VideoLayer> layers;  ///< at least one
};

/// The audio codec section (MES AACAudio).
struct AudioCodec {
  AacProfile profile = AacProfile::AacLc;
  int channels = 2;             ///< 1, 2, 6 or 8 (the output's channel count; input is mixed)
  int sampling_rate = 48000;    ///< Hz
  int bitrate_kbps = 128;       ///< kbps
};

/// One output file pattern (MES Outputs entry).
struct Output {
  /// File name pattern with the AMS macros {Basename} {Width} {Height} {VideoBitrate}
  /// {AudioBitrate} {Bitrate} {Codec} {Channel} {Resolution} {Extension} ({Extension} includes
  /// the dot, as in MES).
  std::string file_name;
  OutputFormat format = OutputFormat::Mp4;
};

/// A complete preset.
struct Preset {
  std::string name;                  ///< the Configuration string users send, e.g. "H264 Single Bitrate 720p"
  std::vector<std::string> aliases;  ///< other names that resolve to this preset
  std::string description;           ///< one paragraph for `presets show`
  std::string source;                ///< where the settings come from and any deviation
  std::optional<VideoCodec> video;   ///< absent for audio-only presets
  std::optional<AudioCodec> audio;   ///< absent for video-only presets
  std::vector<Output> outputs;       ///< at least one
  std::string origin;                ///< file the preset was loaded from, or "inline"
};

}  // namespace mw::presets
