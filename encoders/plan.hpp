#pragma once
// The plan: a resolved preset applied to one probed input. Everything the pipeline needs is
// decided here, before any frame is decoded: which streams, the libavfilter graph descriptions,
// each encoder's settings, the output file names. The pipeline only executes it, and the same
// plan renders the equivalent ffmpeg command line (for `presets explain` and the benchmarks).

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "encoders/image_plan.hpp"
#include "encoders/media_info.hpp"
#include "presets/preset.hpp"

namespace mw::encoders {

/// Options of one encode beyond the preset.
struct PlanOptions {
  /// Skip this much of the input (seconds from its first video frame). Ignored when the preset
  /// has Sources (their StartTime decides).
  double start_s = 0;
  /// Encode at most this much (seconds); 0 = to the end. With Sources it caps the whole
  /// (concatenated) output.
  double duration_s = 0;
};

/// One input of the task as make_plan sees it: the probed file and the AMS input asset it is
/// the primary file of (matched against Source::asset_id; "" when the caller has no asset).
struct PlanInput {
  MediaInfo info;
  std::string asset_id;
};

/// One span of one input (an MES Sources entry). Output time runs through the segments in
/// order: segment k starts where segment k-1 ended.
///
/// Times: MES StartTime is an absolute input timestamp; here it becomes `start_s`, counted from
/// `origin_s` (the lead track's first timestamp: the first video frame, or the first audio
/// sample of an audio-only encode), the same origin PlanOptions::start_s counts from. So a
/// StartTime of 12.5 s on an input whose first frame is stamped 10 s gives start_s = 2.5.
struct SegmentPlan {
  size_t input = 0;           ///< index into the inputs given to make_plan
  std::string input_path;
  std::string asset_id;
  int video_stream = -1;      ///< input stream decoded for video, -1 for none
  int audio_stream = -1;      ///< input stream decoded for audio, -1 for none
  double origin_s = 0;        ///< input time of the lead track's first timestamp, seconds
  double start_s = 0;         ///< where the span starts, seconds after origin_s
  double duration_s = 0;      ///< the span's expected length, seconds (0 when unknown)
  double max_duration_s = 0;  ///< the span's cut, seconds (0 = to the input's end)
  /// With several segments: the libavfilter graph ([in] to [a0]) the source stage runs on this
  /// span's audio to trim it to [0, duration_s), convert it to the preset's rate and layout and
  /// pad it to exactly duration_s, so the spans join without a gap. "" with one segment.
  std::string audio_filter;
};

/// A picture size in pixels.
struct Size {
  int width = 0;
  int height = 0;
};

/// The output size of a layer (MES StretchMode, AMS-V2-REFERENCE.md §8).
/// @param display  the displayed picture in square pixels (after SAR and rotation)
/// @param box      the layer's Width x Height, already turned to the picture's orientation
/// @return even dimensions: AutoSize fits inside the box keeping the display aspect (down, or
///         up when allow_upscale); AutoFit and None return the box itself
Size fit_to_box(double display_w, double display_h, Size box, presets::StretchMode stretch,
                bool allow_upscale);

/// One H.264 encoder (one layer).
struct VideoEncodePlan {
  presets::VideoLayer layer;  ///< the preset's layer
  Size size;                  ///< encoded picture size (after rotation), pixels
  Size picture;               ///< the picture inside `size` (differs from size with AutoFit padding)
  Fraction frame_rate;        ///< nominal output rate, frames per second
  int keyint_frames = 0;      ///< fixed GOP length, frames
  bool scene_cut = false;     ///< x264 scenecut on (extra keyframes at cuts)
  std::string x264_preset;    ///< "veryfast", "medium", "slow"
  std::string profile;        ///< "baseline", "main", "high"
  std::string level;          ///< "" or e.g. "3.1"
  std::string x264_params;    ///< the x264-params option string
};

/// The AAC encoder.
struct AudioEncodePlan {
  presets::AudioCodec codec;
  std::string channel_layout;  ///< libav layout name: "mono", "stereo", "5.1", "7.1"
  std::string profile;         ///< libavcodec aac profile option: "aac_low"
  std::string note;            ///< a documented fallback, e.g. HE-AAC encoded as AAC-LC
};

/// The folder (inside the output folder) where the MP4s that a streaming output packages are
/// written before packaging; removed once the package is written.
inline constexpr const char* kStagingFolder = ".mw-staging";

/// One output file and the encoders whose packets it carries.
struct OutputFilePlan {
  /// After macro expansion, e.g. "clip_1280x720_4500.mp4"; for a streaming format the name stem
  /// of the rendition's files ({Extension} expands to ""), e.g. "clip_1280x720_4500".
  std::string file_name;
  int video = -1;         ///< index into EncodePlan::video, -1 for none
  bool audio = false;
  /// Which AAC encoder when `audio`: 0 = EncodePlan::audio, k >= 1 = EncodePlan::extra_audio[k-1]
  /// (the audio-only renditions at their own bitrate, Output::audio_bitrate_kbps).
  int audio_encoder = 0;
  presets::OutputFormat format = presets::OutputFormat::Mp4;
  /// Where the pipeline writes the MP4, relative to the output folder: file_name for Mp4;
  /// kStagingFolder/<format>/<file_name>.mp4 for a streaming format (packaged afterwards: the
  /// packager names each rendition's files after the MP4's stem).
  std::string mux_name() const;
};

/// One streaming output: the MP4 outputs it packages (encoders/package/package.hpp).
struct PackagePlan {
  presets::OutputFormat format = presets::OutputFormat::Hls;  ///< Smooth, Hls, Dash, Cmaf or Ts
  std::string manifest_name;      ///< expanded, e.g. "clip" for clip.m3u8 / clip.mpd / clip.ism
  double segment_duration_s = 0;  ///< 0 = the keyframe interval
  std::vector<size_t> outputs;    ///< indexes into EncodePlan::outputs, in rendition order
};

struct EncodePlan {
  // The first segment's input and span (the whole plan when there is one segment).
  std::string input_path;
  std::string preset_name;
  int video_stream = -1;      ///< input stream index decoded for video, -1 for none
  int audio_stream = -1;      ///< input stream index decoded for audio, -1 for none
  double origin_s = 0;        ///< input time that becomes output time 0 (the first video frame)
  double start_s = 0;         ///< the first segment's start (PlanOptions::start_s or Source StartTime)
  double duration_s = 0;      ///< expected output media duration, seconds (0 when unknown)
  double max_duration_s = 0;  ///< the first segment's cut (0 = to the end)
  double declared_end_s = 0;  ///< where the input says its media ends, relative to origin_s
  /// The spans encoded one after the other (MES Sources); at least one. With more than one the
  /// source stage trims and re-times each span itself and the graphs below carry no trim.
  std::vector<SegmentPlan> segments;
  /// The video frames are generated (MES InsertBlackIfNoVideo): `video_filter` starts from a
  /// color source and ignores [in]; no input stream is decoded for video.
  bool black_video = false;
  /// The audio is generated (MES InsertSilenceIfNoAudio): `audio_filter` starts from anullsrc.
  bool silent_audio = false;
  std::string video_filter;   ///< libavfilter graph from [in] to [v0]..[vN-1]
  std::string audio_filter;   ///< libavfilter graph from [in] to [a0] (..[aN] with extra_audio)
  std::vector<VideoEncodePlan> video;
  std::optional<AudioEncodePlan> audio;
  /// Further AAC encoders fed by the same audio graph (sink [a1].. in order): audio-only
  /// outputs at their own bitrate (WAME "Adaptive Bitrate MP4 Set").
  std::vector<AudioEncodePlan> extra_audio;
  std::vector<OutputFilePlan> outputs;  ///< the MP4 outputs (image outputs are in `images`)
  std::vector<PackagePlan> packages;    ///< the streaming outputs, one per format
  std::vector<ImagePlan> images;        ///< thumbnails, from the same decoded video (image_plan.hpp)
  std::vector<std::string> notes;  ///< decisions worth telling the user (fallbacks, dropped layers)

  /// The ffmpeg command line that does the same encode (same filters and encoder settings).
  /// With several segments (concatenation) it shows the first segment's input only. Thumbnails
  /// are written by a select (the frame nearest each capture time) + the image layer's scale and
  /// the image2 muxer, sprites by the tile filter; what ffmpeg cannot do ({Best}, a sprite's
  /// WebVTT file) is said in a trailing "# no ffmpeg equivalent ..." shell comment line, and a
  /// plan with only such outputs is that comment alone, never a command that fails. A streaming
  /// output's layers are written as MP4s into its staging folder (the command starts with the
  /// `mkdir -p` of it), and a trailing comment line per streaming output gives the
  /// `mediaworker package` command that packages them.
  std::string ffmpeg_command(const std::string& output_dir) const;
};

/// Applies a preset to a probed input.
/// @throws EncodeError UnsupportedFormat when the input lacks what the preset needs (a video
///         preset on an audio-only file, an audio-only preset on a file without audio), or
///         Configuration when the preset cannot be applied (e.g. a trim beyond the input's end)
EncodePlan make_plan(const presets::Preset& preset, const MediaInfo& input,
                     const PlanOptions& options = {});

/// Applies a preset to the task's inputs (in the task's input-asset order). Without Sources
/// the first input is encoded whole; with Sources each entry picks its input by AssetID ("" =
/// the first input) and the spans are concatenated (MES Sources).
/// @throws EncodeError as above, and Configuration naming the source index, asset and times
///         when a StartTime lies before the input's first timestamp or beyond its end, an
///         AssetID is not an input, the concatenated inputs differ in frame rate or one lacks
///         the audio track the preset encodes (MES: every input has one audio track and the
///         same frame rate), a crop lies outside the picture, or an output layout cannot be
///         made from the input
EncodePlan make_plan(const presets::Preset& preset, const std::vector<PlanInput>& inputs,
                     const PlanOptions& options = {});

/// Replaces each "{Macro}" of an AMS FileName pattern by value("Macro"); text outside braces and
/// an unclosed '{' are kept. `value` throws for a macro it does not know.
std::string expand_macros(const std::string& pattern,
                          const std::function<std::string(const std::string& macro)>& value);

/// The MES {Basename} macro: the first 32 characters of the input file name without extension
/// (AMS-V2-REFERENCE.md §8); characters of UTF-8, never a part of one.
std::string basename_macro(const std::string& input_name);

/// Expands the AMS FileName macros (AMS-V2-REFERENCE.md §8: {Basename} is the first 32
/// characters of the input file name without extension; {Extension} includes the dot).
std::string expand_file_name(const std::string& pattern, const std::string& input_name,
                             const VideoEncodePlan* video, const AudioEncodePlan* audio,
                             presets::OutputFormat format);

}  // namespace mw::encoders
