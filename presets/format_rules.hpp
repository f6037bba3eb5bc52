#pragma once
// The preset format's rules shared by the loader and the validator: limits, allowed values and
// the YAML spelling of each enum value (docs/presets.md lists each with its source). Internal to
// the presets module.

#include <algorithm>
#include <array>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "presets/preset.hpp"

namespace mw::presets::format {

// ---------------------------------------------------------------------------------------------
// Limits and allowed values (docs/presets.md lists each with its source).

inline constexpr int kMinSize = 16;  ///< pixels
inline constexpr int kMaxSize = 8192;
inline constexpr int kMaxVideoKbps = 200000;
inline constexpr int kMaxBFrames = 16;
inline constexpr int kMaxReferenceFrames = 16;
inline constexpr int kMaxSlices = 32;
inline constexpr double kMaxKeyframeIntervalS = 60;
inline constexpr double kMaxBufferWindowS = 60;
inline constexpr double kMaxFrameRate = 240;  ///< frames per second
inline constexpr int kMinAudioKbps = 8;
inline constexpr int kMaxAudioKbps = 1024;
inline constexpr int kMaxPercent = 100;       ///< MES "100%": sizes are 1%..100% of the source
inline constexpr int kMaxJpegQuality = 100;   ///< MES JpgLayer Quality 1..100
inline constexpr int kMaxSpriteColumns = 64;  ///< keeps a sprite near MES's ~8 Mpixel advice
/// EBU R128 targets within what ffmpeg 5.1's loudnorm filter accepts (its I, TP, LRA options).
inline constexpr double kMinIntegratedLufs = -70, kMaxIntegratedLufs = -5;
inline constexpr double kMinTruePeakDbtp = -9, kMaxTruePeakDbtp = 0;
inline constexpr double kMinLoudnessRangeLu = 1, kMaxLoudnessRangeLu = 50;

/// H.264 levels (ITU-T H.264 Table A-1).
inline constexpr std::string_view kLevels[] = {"1",   "1b",  "1.1", "1.2", "1.3", "2",   "2.1",
                                        "2.2", "3",   "3.1", "3.2", "4",   "4.1", "4.2",
                                        "5",   "5.1", "5.2", "6",   "6.1", "6.2"};
/// AAC channel counts the encoder writes (1, 2, 5.1 and 7.1 layouts).
inline constexpr int kChannelCounts[] = {1, 2, 6, 8};
/// AAC sampling rates, Hz.
inline constexpr int kSamplingRates[] = {8000,  11025, 12000, 16000, 22050, 24000,
                                  32000, 44100, 48000, 88200, 96000};
/// File name macros of MES Outputs (AMS-V2-REFERENCE.md §8).
inline constexpr std::string_view kMacros[] = {"Basename",     "Width",    "Height", "VideoBitrate",
                                        "AudioBitrate", "Bitrate",  "Codec",  "Channel",
                                        "Resolution",   "Extension", "Index"};

// ---------------------------------------------------------------------------------------------
// The YAML spelling of each enum value.

template <typename E>
struct Choice {
  std::string_view text;
  E value;
};

inline constexpr Choice<Complexity> kComplexities[] = {{"speed", Complexity::Speed},
                                                {"balanced", Complexity::Balanced},
                                                {"quality", Complexity::Quality}};
inline constexpr Choice<StretchMode> kStretchModes[] = {{"auto_size", StretchMode::AutoSize},
                                                 {"auto_fit", StretchMode::AutoFit},
                                                 {"none", StretchMode::None}};
inline constexpr Choice<Orientation> kOrientations[] = {{"follow_source", Orientation::FollowSource},
                                                 {"pinned", Orientation::Pinned}};
inline constexpr Choice<H264Profile> kProfiles[] = {{"auto", H264Profile::Auto},
                                             {"baseline", H264Profile::Baseline},
                                             {"main", H264Profile::Main},
                                             {"high", H264Profile::High}};
inline constexpr Choice<EntropyMode> kEntropyModes[] = {{"cabac", EntropyMode::Cabac},
                                                 {"cavlc", EntropyMode::Cavlc}};
inline constexpr Choice<AacProfile> kAacProfiles[] = {{"aac_lc", AacProfile::AacLc},
                                               {"he_aac_v1", AacProfile::HeAacV1},
                                               {"he_aac_v2", AacProfile::HeAacV2}};
inline constexpr Choice<OutputFormat> kOutputFormats[] = {{"mp4", OutputFormat::Mp4},
                                                        {"jpg", OutputFormat::Jpg},
                                                        {"png", OutputFormat::Png},
                                                        {"bmp", OutputFormat::Bmp},
                                                        {"smooth", OutputFormat::Smooth},
                                                        {"hls", OutputFormat::Hls},
                                                        {"dash", OutputFormat::Dash},
                                                        {"cmaf", OutputFormat::Cmaf},
                                                        {"ts", OutputFormat::Ts}};
/// The formats of an `images[]` codec (MES JpgImage, PngImage, BmpImage).
inline constexpr Choice<OutputFormat> kImageFormats[] = {{"jpg", OutputFormat::Jpg},
                                                       {"png", OutputFormat::Png},
                                                       {"bmp", OutputFormat::Bmp}};
inline constexpr Choice<OutputStreams> kOutputStreams[] = {
    {"interleaved", OutputStreams::Interleaved},
    {"video_only", OutputStreams::VideoOnly},
    {"audio_only", OutputStreams::AudioOnly}};
inline constexpr Choice<VideoCondition> kVideoConditions[] = {
    {"none", VideoCondition::None},
    {"insert_black_if_no_video", VideoCondition::InsertBlackIfNoVideo},
    {"insert_black_if_no_video_bottom_layer_only",
     VideoCondition::InsertBlackIfNoVideoBottomLayerOnly}};
inline constexpr Choice<LadderMode> kLadderModes[] = {{"fixed", LadderMode::Fixed},
                                                      {"content_adaptive", LadderMode::ContentAdaptive}};
inline constexpr Choice<DeinterlaceMode> kDeinterlaceModes[] = {{"auto", DeinterlaceMode::Auto},
                                                                {"off", DeinterlaceMode::Off}};
inline constexpr Choice<Rotation> kRotations[] = {{"auto", Rotation::Auto},
                                                  {"0", Rotation::R0},
                                                  {"90", Rotation::R90},
                                                  {"180", Rotation::R180},
                                                  {"270", Rotation::R270}};

/// The choice whose YAML spelling is `text`, or nullptr.
template <const auto& kChoices>
constexpr const auto* find_choice(std::string_view text) {
  for (const auto& choice : kChoices) {
    if (choice.text == text) return &choice;
  }
  return static_cast<decltype(&kChoices[0])>(nullptr);
}

/// The YAML spelling of a choice value, e.g. "jpg" for OutputFormat::Jpg.
template <const auto& kChoices, typename E>
constexpr std::string_view text_of(E value) {
  for (const auto& choice : kChoices) {
    if (choice.value == value) return choice.text;
  }
  return "?";
}

/// Whether `format` is a picture format (jpg, png, bmp) rather than a container.
constexpr bool is_image_format(OutputFormat format) {
  return format == OutputFormat::Jpg || format == OutputFormat::Png || format == OutputFormat::Bmp;
}
/// The formats that package the encoded layers (no re-encode): smooth, hls, dash, cmaf, ts.
constexpr bool is_streaming_format(OutputFormat format) {
  return format != OutputFormat::Mp4 && !is_image_format(format);
}

/// "a, b, c" from a list of texts, each wrapped in `before` and `after`.
template <typename Range, typename Text>
inline std::string join(const Range& items, Text text_of, std::string_view before = "",
                 std::string_view after = "") {
  std::string joined;
  for (const auto& item : items) {
    if (!joined.empty()) joined += ", ";
    joined.append(before).append(text_of(item)).append(after);
  }
  return joined;
}

inline std::string join_texts(std::span<const std::string_view> texts, std::string_view before = "",
                       std::string_view after = "") {
  return join(
      texts, [](std::string_view t) { return t; }, before, after);
}


}  // namespace mw::presets::format
