#pragma once
// The thumbnail part of a plan (MES JpgImage / PngImage / BmpImage, AMS-V2-REFERENCE.md §8
// "Thumbnails"): which output times are captured, at which sizes, into which files. Decided
// before any frame is decoded; the thumbnail stage (encoders/thumbnail_stage.hpp) executes it.
//
// Rules taken from MES (media-services-dotnet-generate-thumbnail-with-mes.md,
// generate-thumbnail-sprite.md) and the decisions where MES is silent:
//  - Start, Step and Range are each a frame number (frames at the source's average frame rate),
//    a percent of the output duration, or a time. Captures are at Start + k x Step for every
//    k >= 0 with a time before Start + Range and before the end of the input; no Step means one
//    image. A Start at or beyond the end fails the task (Configuration).
//  - Start {Best}: one image, the first "interesting" frame of the first kBestWindowS seconds
//    (see thumbnail_stage.hpp for the measure); Step and Range are ignored.
//  - {Index} (exactly once in the file name) is the capture's 1-based number written with six
//    digits, "000001", as AMS names thumbnails (its encoders' default "Thumbnail{Index}" files
//    are Thumbnail000001.jpg). Every layer of a capture shares its index, so a codec with several
//    layers needs {Width}, {Height} or {Resolution} in the file name to tell them apart.
//  - Sizes: a percent is of the displayed picture (square pixels, after rotation), so 100% x 100%
//    of a portrait phone clip is portrait. Two pixel sizes are a box, turned to the picture's
//    orientation, that the picture fits inside keeping its display aspect (MES AutoSize); one
//    size of 0 follows from the other and the aspect; both 0 is the picture's size.
//  - Sprite (SpriteColumn M >= 1, JPEG only, times or percents only): every capture of a layer
//    tiled into one JPEG grid of M columns (tiles of even size, the last row padded black), at
//    most kMaxSpritePixels, plus a WebVTT file whose cues map each capture's time span to
//    "<sprite file>#xywh=x,y,w,h" (W3C Media Fragments). The sprite takes {Index} = 000001 and
//    the VTT file the sprite's name with the extension ".vtt".

#include <string>
#include <vector>

#include "encoders/media_info.hpp"
#include "presets/preset.hpp"

namespace mw::encoders {

/// {Best} looks at the first this many seconds of the output (MES: "the first few seconds").
inline constexpr double kBestWindowS = 5.0;
/// The largest sprite, pixels (generate-thumbnail-sprite.md: "around 8M pixels or less").
inline constexpr long long kMaxSpritePixels = 8LL * 1024 * 1024;
/// The most images one codec may capture (a Step of one frame over hours would fill disks).
inline constexpr size_t kMaxCaptures = 100000;

/// One thumbnail size of one image codec.
struct ImageLayerPlan {
  presets::ImageLayer layer;  ///< the preset's layer
  int width = 0, height = 0;  ///< output picture (tile for sprites), pixels, displayed orientation
  int qscale = 0;             ///< JPEG: libavcodec mjpeg qscale 1 (best) - 31, from layer.quality
  std::vector<std::string> file_names;      ///< one per capture (empty for sprites)
  std::string sprite_file_name;             ///< sprites: the grid JPEG
  std::string vtt_file_name;                ///< sprites: the WebVTT file
  int sprite_width = 0, sprite_height = 0;  ///< sprites: the grid's size, pixels
};

/// One image codec (MES JpgImage/PngImage/BmpImage) bound to its output.
struct ImagePlan {
  int codec_index = 0;  ///< index into Preset::images
  presets::OutputFormat format = presets::OutputFormat::Jpg;
  bool best = false;            ///< Start {Best}: one capture, chosen while decoding
  std::vector<double> times_s;  ///< capture times, output seconds, ascending (empty when best)
  double end_s = 0;  ///< end of the last span, s (Range end or duration; {Best}: its window's end)
  int sprite_columns = 0;  ///< > 0: one sprite per layer
  std::string filter;      ///< libavfilter graph from [in] to [v0]..[vN-1], one sink per layer
  std::vector<ImageLayerPlan> layers;

  /// How many pictures are captured (1 for {Best}).
  size_t captures() const { return best ? 1 : times_s.size(); }
  /// "JpgImage", "PngImage" or "BmpImage" (the MES codec Type).
  const char* type_name() const;
};

/// Plans every image codec of `preset` for `video`.
/// @param duration_s  the output's media duration, seconds (after trimming; 0 when unknown)
/// @param input_name  the primary input's file name, for {Basename}
/// @param input_path  the input, for error messages
/// @throws EncodeError Configuration naming the codec and field at fault: a time at or beyond the
///         end (naming the time and the duration), a percent without a known duration, a Step of
///         0, no output of the codec's format (or an image output without a codec), a file name
///         without exactly one {Index} or with a macro thumbnails do not have, two files with one
///         name, a sprite that is not JPEG, uses frame numbers or is larger than kMaxSpritePixels
std::vector<ImagePlan> plan_images(const presets::Preset& preset, const VideoTrackInfo& video,
                                   double duration_s, const std::string& input_name,
                                   const std::string& input_path);

/// The libavcodec mjpeg qscale (1 best - 31 worst) for a JPEG quality 1 (worst) - 100 (best):
/// the IJG scale (libjpeg jcparam.c: 5000/Q below 50, 200-2Q from 50) applied to mjpeg's
/// quantiser, whose tables are the MPEG-1 intra matrix x qscale / 8 (about 0.15 x the IJG
/// percentage). Quality 90 -> 3, 75 -> 8, 50 -> 15.
int jpeg_qscale(int quality);

/// A time as WebVTT writes it, "HH:MM:SS.mmm" (W3C WebVTT §4.2 timestamps).
std::string vtt_timestamp(double seconds);

}  // namespace mw::encoders
