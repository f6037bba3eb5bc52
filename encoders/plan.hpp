#pragma once
// The plan: a resolved preset applied to one probed input. Everything the pipeline needs is
// decided here, before any frame is decoded: which streams, the libavfilter graph descriptions,
// each encoder's settings, the output file names. The pipeline only executes it, and the same
// plan renders the equivalent ffmpeg command line (for `presets explain` and the benchmarks).

#include <optional>
#include <string>
#include <vector>

#include "encoders/image_plan.hpp"
#include "encoders/media_info.hpp"
#include "presets/preset.hpp"

namespace mw::encoders {

/// Options of one encode beyond the preset.
struct PlanOptions {
  double start_s = 0;     ///< skip this much of the input (seconds from its first video frame)
  double duration_s = 0;  ///< encode at most this much (seconds); 0 = to the end
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

/// One output file and the encoders whose packets it carries.
struct OutputFilePlan {
  std::string file_name;  ///< after macro expansion, e.g. "clip_1280x720_4500.mp4"
  int video = -1;         ///< index into EncodePlan::video, -1 for none
  bool audio = false;
  presets::OutputFormat format = presets::OutputFormat::Mp4;
};

struct EncodePlan {
  std::string input_path;
  std::string preset_name;
  int video_stream = -1;      ///< input stream index decoded for video, -1 for none
  int audio_stream = -1;      ///< input stream index decoded for audio, -1 for none
  double origin_s = 0;        ///< input time that becomes output time 0 (the first video frame)
  double start_s = 0;         ///< PlanOptions::start_s
  double duration_s = 0;      ///< expected output media duration, seconds (0 when unknown)
  double max_duration_s = 0;  ///< PlanOptions::duration_s (0 = to the end)
  double declared_end_s = 0;  ///< where the input says its media ends, relative to origin_s
  std::string video_filter;   ///< libavfilter graph from [in] to [v0]..[vN-1]
  std::string audio_filter;   ///< libavfilter graph from [in] to [a0]
  std::vector<VideoEncodePlan> video;
  std::optional<AudioEncodePlan> audio;
  std::vector<OutputFilePlan> outputs;  ///< the MP4 outputs (image outputs are in `images`)
  std::vector<ImagePlan> images;        ///< thumbnails, from the same decoded video (image_plan.hpp)
  std::vector<std::string> notes;  ///< decisions worth telling the user (fallbacks, dropped layers)

  /// The ffmpeg command line that does the same encode (same filters and encoder settings).
  std::string ffmpeg_command(const std::string& output_dir) const;
};

/// Applies a preset to a probed input.
/// @throws EncodeError UnsupportedFormat when the input lacks what the preset needs (a video
///         preset on an audio-only file, an audio-only preset on a file without audio), or
///         Configuration when the preset cannot be applied (e.g. a trim beyond the input's end)
EncodePlan make_plan(const presets::Preset& preset, const MediaInfo& input,
                     const PlanOptions& options = {});

/// Expands the AMS FileName macros (AMS-V2-REFERENCE.md §8: {Basename} is the first 32
/// characters of the input file name without extension; {Extension} includes the dot).
std::string expand_file_name(const std::string& pattern, const std::string& input_name,
                             const VideoEncodePlan* video, const AudioEncodePlan* audio,
                             presets::OutputFormat format);

}  // namespace mw::encoders
