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
/// Output container or image format (MES Output Format Type: MP4Format, JpgFormat, PngFormat,
/// BmpFormat).
/// An output's container. Mp4 is progressive MP4 (faststart); Jpg/Png/Bmp are thumbnails;
/// the streaming formats package the encoded layers without re-encoding (DESIGN.md "outputs"):
/// Smooth (fragmented .ismv/.isma + .ism/.ismc), Hls and Dash (CMAF segments with an HLS master
/// playlist / a DASH MPD), Cmaf (both over the same segments), Ts (MPEG-TS, one file per layer).
enum class OutputFormat { Mp4, Jpg, Png, Bmp, Smooth, Hls, Dash, Cmaf, Ts };

/// One H.264 layer (MES H264Layer).
struct VideoLayer {
  int width = 0;                 ///< pixels, even, in the box's orientation (0 when width_percent)
  int height = 0;                ///< pixels, even (0 when height_percent)
  int width_percent = 0;         ///< 1-100: the width as a percent of the source (MES "100%"); 0 = pixels
  int height_percent = 0;        ///< 1-100: the height as a percent of the source; 0 = pixels
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

/// MES H264Video Condition: what to do when the input has no video stream.
enum class VideoCondition {
  None,                                 ///< no video stream is an error
  InsertBlackIfNoVideo,                 ///< every layer encodes black frames at the layer's size
  InsertBlackIfNoVideoBottomLayerOnly,  ///< only the lowest layer is kept, encoding black
};

/// How the layers of a video codec are chosen.
enum class LadderMode {
  Fixed,            ///< the `layers` as written
  ContentAdaptive,  ///< built from the input ("Adaptive Streaming", "Content Adaptive Multiple
                    ///< Bitrate MP4"): never above its resolution or bitrate; `layers` is empty
};

/// The video codec section (MES H264Video).
struct VideoCodec {
  double keyframe_interval_s = 2.0;     ///< fixed IDR spacing (GOP length), seconds
  bool scene_change_detection = false;  ///< extra keyframes at scene cuts; single-layer only
  Complexity complexity = Complexity::Balanced;
  StretchMode stretch = StretchMode::AutoSize;
  Orientation orientation = Orientation::FollowSource;
  /// Scale up into a layer's box when the source is smaller. Defaults to true for single-layer
  /// presets (they scale to their box, down or up) and false for ladders (layers above the
  /// source are dropped and the task's HistoricalEvents say so): DESIGN.md, MES.
  std::optional<bool> allow_upscale;
  VideoCondition condition = VideoCondition::None;
  LadderMode ladder = LadderMode::Fixed;
  std::vector<VideoLayer> layers;  ///< at least one for LadderMode::Fixed, empty for ContentAdaptive

  bool upscale_allowed() const {
    return allow_upscale.value_or(ladder == LadderMode::Fixed && layers.size() <= 1);
  }
};

/// EBU R128 loudness normalisation (two passes: measure, then apply), ITU-R BS.1770-4 meters.
struct Loudness {
  double integrated_lufs = -23.0;    ///< target integrated loudness, LUFS (EBU R128: -23)
  double true_peak_dbtp = -1.0;      ///< maximum true peak, dBTP (EBU R128 s1: -1)
  double loudness_range_lu = 7.0;    ///< target loudness range, LU (ffmpeg loudnorm's LRA)
};

/// The audio codec section (MES AACAudio).
struct AudioCodec {
  AacProfile profile = AacProfile::AacLc;
  int channels = 2;             ///< 1, 2, 6 or 8 (the output's channel count; input is mixed)
  int sampling_rate = 48000;    ///< Hz
  int bitrate_kbps = 128;       ///< kbps
  bool insert_silence_if_no_audio = false;  ///< MES Condition="InsertSilenceIfNoAudio"
  std::optional<Loudness> loudness;         ///< normalise to EBU R128 when set
};

/// A thumbnail time (MES Start/Step/Range: a frame number "120", a percent "15%", a time
/// "00:01:00", or for Start the macro "{Best}").
struct ImagePosition {
  enum class Unit { Best, Frame, Percent, Seconds };
  Unit unit = Unit::Best;
  double value = 0;  ///< frames, percent of the duration (0-100), or seconds
};

/// One thumbnail size (MES JpgLayer/PngLayer/BmpLayer).
struct ImageLayer {
  int width = 0;           ///< pixels (0 when width_percent)
  int height = 0;          ///< pixels (0 when height_percent)
  int width_percent = 0;   ///< 1-100 percent of the source width; 0 = pixels
  int height_percent = 0;  ///< 1-100 percent of the source height; 0 = pixels
  int quality = 90;        ///< JPEG quality 1 (worst) - 100 (best); ignored for PNG and BMP
};

/// A thumbnail codec (MES JpgImage/PngImage/BmpImage).
struct ImageCodec {
  OutputFormat format = OutputFormat::Jpg;  ///< Jpg, Png or Bmp
  ImagePosition start;                      ///< default {Best}
  std::optional<ImagePosition> step;        ///< absent: one image
  std::optional<ImagePosition> range;       ///< absent: to the end
  int sprite_columns = 0;                   ///< >= 1: one JPEG grid with this many columns plus a WebVTT file
  std::vector<ImageLayer> layers;           ///< at least one
};

/// One MES Sources entry: a span of one input asset. Several entries concatenate, in order.
struct Source {
  std::string asset_id;              ///< MES AssetID (GUID without "nb:cid:UUID:"); "" = the task's first input
  std::optional<double> start_s;     ///< MES StartTime: absolute input timestamp, seconds
  std::optional<double> duration_s;  ///< MES Duration, seconds; absent = to the end
};

/// MES Filters.
enum class DeinterlaceMode { Auto, Off };
enum class Rotation { Auto, R0, R90, R180, R270 };  ///< Auto follows the display matrix; R0 ignores it
struct Crop {
  int x = 0, y = 0, width = 0, height = 0;  ///< pixels of the source picture (before rotation)
};
struct Filters {
  DeinterlaceMode deinterlace = DeinterlaceMode::Auto;
  Rotation rotation = Rotation::Auto;
  std::optional<Crop> crop;
};

/// Which streams each file of an MP4 output carries.
enum class OutputStreams {
  Interleaved,  ///< one file per video layer, each with the audio (or one audio file)
  VideoOnly,    ///< one file per video layer, no audio ("Adaptive Streaming")
  AudioOnly,    ///< one file with only the audio
};

/// One output file pattern (MES Outputs entry).
struct Output {
  /// File name pattern with the AMS macros {Basename} {Width} {Height} {VideoBitrate}
  /// {AudioBitrate} {Bitrate} {Codec} {Channel} {Resolution} {Extension} ({Extension} includes
  /// the dot, as in MES).
  std::string file_name;
  OutputFormat format = OutputFormat::Mp4;
  OutputStreams streams = OutputStreams::Interleaved;
  /// AudioOnly: this file's own AAC bitrate in kbps (WAME "Adaptive Bitrate MP4 Set" extra
  /// audio-only renditions); 0 = the preset's audio bitrate.
  int audio_bitrate_kbps = 0;
  /// Streaming formats: the target segment (fragment) length, seconds; 0 = the keyframe
  /// interval. Must be a multiple of a fixed keyframe interval (every segment starts with a
  /// keyframe).
  double segment_duration_s = 0;
  /// Streaming formats: the name pattern (same macros as file_name, without {Extension}) of the
  /// manifests: NAME.m3u8 (HLS master), NAME.mpd, NAME.ism and NAME.ismc.
  std::string manifest_name = "{Basename}";
};

/// A complete preset.
struct Preset {
  std::string name;                  ///< the Configuration string users send, e.g. "H264 Single Bitrate 720p"
  std::vector<std::string> aliases;  ///< other names that resolve to this preset
  std::string description;           ///< one paragraph for `presets show`
  std::string source;                ///< where the settings come from and any deviation
  std::optional<VideoCodec> video;   ///< absent for audio-only presets
  std::optional<AudioCodec> audio;   ///< absent for video-only presets
  std::vector<ImageCodec> images;    ///< thumbnails; each binds to the outputs of its format, in order
  std::vector<Source> sources;       ///< MES Sources; empty = all of the task's first input
  Filters filters;                   ///< MES Filters
  std::vector<Output> outputs;       ///< at least one
  /// Non-empty for a published preset mediaworker does not encode (VC-1, WMA): the reason,
  /// given as the task's error instead of mapping the preset to something else.
  std::string unsupported;
  /// With `unsupported`: the name of the supported preset closest to this one, named in the
  /// error (e.g. "H264 Broadband 1080p" for "VC1 Broadband 1080p").
  std::string use_instead;
  std::string origin;                ///< file the preset was loaded from, or "inline"
};

}  // namespace mw::presets
