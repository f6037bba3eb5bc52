// Every system preset (presets/library, AMS-V2-REFERENCE.md §7) planned on real clips with
// make_plan (no encoding): the layers and their sizes, bitrates, profiles and levels, the GOP in
// frames, scene cuts, the audio, and the output file names the preset's pattern gives. The
// expected values are written from the reference's tables, not from the YAML files, so a typo
// in a preset file fails here.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "encoders/plan.hpp"
#include "encoders/probe.hpp"
#include "presets/library.hpp"
#include "presets/loader.hpp"
#include "presets/preset_error.hpp"
#include "tests/encoders/test_support.hpp"

namespace mw::encoders {
namespace {

using namespace test_support;

constexpr std::string_view k1080p = "bbb-1080p24-mpeg2-mp2.ts";  // 1920x1080, 24 fps, stereo
constexpr std::string_view kPortrait4k = "phone-portrait-4k60-h264-rotate90.mp4";
constexpr std::string_view kSmall = "vfr-640x360-h264-aac-17s.mp4";

/// A clip probed once per test binary.
const MediaInfo& probed(std::string_view clip) {
  static std::map<std::string, MediaInfo, std::less<>> cache;
  auto it = cache.find(clip);
  if (it == cache.end()) it = cache.emplace(std::string(clip), probe(media(clip))).first;
  return it->second;
}

/// One expected encoder: output size, kbps, x264 profile and level ("" = automatic).
struct Layer {
  int width;
  int height;
  int kbps;
  std::string_view profile = "high";
  std::string_view level = "";
};

Layer main_(int w, int h, int kbps, std::string_view level = "") { return {w, h, kbps, "main", level}; }
Layer base(int w, int h, int kbps, std::string_view level) { return {w, h, kbps, "baseline", level}; }

std::vector<Layer> with_profile(std::vector<Layer> layers, std::string_view profile) {
  for (Layer& layer : layers) layer.profile = profile;
  return layers;
}

enum class Naming {
  Mes,   ///< {Basename}_{Width}x{Height}_{VideoBitrate}.mp4
  Wame,  ///< {Basename}_H264_{VideoBitrate}kbps_AAC_und_ch{Channel}_{AudioBitrate}kbps.mp4
  MesAudio,  ///< {Basename}_AAC_{AudioBitrate}.mp4
  WameSmooth,  ///< Smooth Streaming: {Basename}_H264_{VideoBitrate}kbps(.ismv), video only
};

struct Expected {
  std::string_view preset;
  std::string_view clip;
  double keyframe_interval_s;
  bool scene_cut;
  std::vector<Layer> layers;
  int channels;
  int sampling_rate;
  int audio_kbps;
  bool he_aac = false;          ///< HE-AAC requested: encoded AAC-LC, with a plan note
  Naming naming = Naming::Mes;
  int reference_frames = 3;     ///< MES 3, WAME 4
  int max_kbps_of_first = 0;    ///< VBV maxrate of layer 0 when not the bitrate
  int dropped = 0;              ///< layers above the source, dropped with a note each
  double frame_rate = 0;        ///< output rate when the preset sets one; 0 = the source's
};

// The ladders of AMS-V2-REFERENCE.md §7 as the 1920x1080 16:9 clip comes out of them: boxes of
// another aspect are fitted keeping 16:9 with even sizes (848x480 -> 848x478, 640x480 -> 640x360).
const std::vector<Layer> kMes1080 = {{1920, 1080, 6000}, {1920, 1080, 4700}, {1280, 720, 3400},
                                     {960, 540, 2250},   {960, 540, 1500},   {640, 360, 1000},
                                     {640, 360, 650},    {320, 180, 400}};
const std::vector<Layer> kMes720 = {{1280, 720, 3400}, {960, 540, 2250}, {960, 540, 1500},
                                    {640, 360, 1000},  {640, 360, 650},  {320, 180, 400}};
const std::vector<Layer> kMes16x9Sd = {
    {848, 478, 1900}, {848, 478, 1300}, {640, 360, 900}, {640, 360, 650}, {426, 240, 400}};
const std::vector<Layer> kMes4x3Sd = {
    {640, 360, 1600}, {640, 360, 1300}, {480, 270, 800}, {480, 270, 600}, {360, 202, 400}};
// The 4K ladder on the 2160x3840 portrait phone clip: boxes turn; 4096x2304 (2304x4096) is
// above the source and dropped.
const std::vector<Layer> kMes4kPortrait = {
    {2160, 3840, 18000}, {2160, 3840, 16000}, {2160, 3840, 14000}, {1440, 2560, 12000},
    {1440, 2560, 10000}, {1440, 2560, 8000},  {1080, 1920, 6000},  {1080, 1920, 4700},
    {720, 1280, 3400},   {540, 960, 2250},    {360, 640, 1000}};
const std::vector<Layer> kWameXbox = {{1280, 720, 4500}, {1280, 720, 3400}, {960, 540, 2250},
                                      {768, 432, 1550},  {624, 352, 1100},  {480, 270, 750},
                                      {398, 224, 550},   {368, 208, 350}};
const std::vector<Layer> kWame16x9Sd = {
    {848, 478, 1900}, {848, 478, 1300}, {636, 358, 900}, {636, 358, 650}, {424, 238, 400}};
const std::vector<Layer> kWame4x3Sd = {
    {640, 360, 1600}, {640, 360, 1300}, {480, 270, 800}, {480, 270, 600}, {320, 180, 400}};

std::vector<Layer> wame_720p_3g() {
  std::vector<Layer> layers = kMes720;
  layers.push_back({320, 180, 250});
  layers.push_back({320, 180, 150});
  return layers;
}

Expected wame(std::string_view name, double gop, std::vector<Layer> layers, int kbps,
              bool he = false) {
  const Naming naming = name.find("Smooth Streaming") != std::string_view::npos ? Naming::WameSmooth : Naming::Wame;
  return {name, k1080p, gop, false, std::move(layers), 2, 44100, kbps, he, naming, 4};
}

/// Every supported preset with fixed layers, or audio only.
std::vector<Expected> expectations() {
  const std::vector<Layer> ios16x9 = {
      {1920, 1080, 8500, "high", "4"}, main_(1280, 720, 6500, "3.1"), main_(1280, 720, 5000, "3.1"),
      main_(960, 540, 3500, "3.1"),    base(640, 360, 1200, "3.1"),   base(640, 360, 600, "3"),
      base(480, 270, 400, "3"),        base(416, 234, 200, "3")};
  const std::vector<Layer> ios4x3 = {
      {1920, 1080, 8500, "high", "5"}, main_(1280, 720, 6500, "3.2"), main_(1280, 720, 5000, "3.2"),
      main_(960, 540, 3500, "3.1"),    base(640, 360, 1200, "3.1"),   base(640, 360, 600, "3"),
      base(480, 270, 400, "3"),        base(400, 226, 200, "3")};
  std::vector<Expected> all = {
      // MES multiple bitrate
      {"H264 Multiple Bitrate 1080p", k1080p, 2, false, kMes1080, 2, 48000, 128},
      {"H264 Multiple Bitrate 1080p Audio 5.1", k1080p, 2, false, kMes1080, 6, 48000, 384},
      {"H264 Multiple Bitrate 720p", k1080p, 2, false, kMes720, 2, 48000, 128},
      {"H264 Multiple Bitrate 720p Audio 5.1", k1080p, 2, false, kMes720, 6, 48000, 384},
      {"H264 Multiple Bitrate 16x9 SD", k1080p, 2, false, kMes16x9Sd, 2, 48000, 128},
      {"H264 Multiple Bitrate 16x9 SD Audio 5.1", k1080p, 2, false, kMes16x9Sd, 6, 48000, 384},
      {"H264 Multiple Bitrate 4x3 SD", k1080p, 2, false, kMes4x3Sd, 2, 48000, 128},
      {"H264 Multiple Bitrate 4x3 SD Audio 5.1", k1080p, 2, false, kMes4x3Sd, 6, 48000, 384},
      {"H264 Multiple Bitrate 16x9 for iOS", k1080p, 3, false, ios16x9, 2, 48000, 64, true},
      {"H264 Multiple Bitrate 4x3 for iOS", k1080p, 3, false, ios4x3, 2, 48000, 64, true},
      {"H264 Multiple Bitrate 4K", kPortrait4k, 2, false, kMes4kPortrait, 2, 48000, 128},
      {"H264 Multiple Bitrate 4K Audio 5.1", kPortrait4k, 2, false, kMes4kPortrait, 6, 48000, 384},
      // MES single bitrate
      {"H264 Single Bitrate 1080p", k1080p, 2, true, {{1920, 1080, 6750}}, 2, 48000, 128},
      {"H264 Single Bitrate 1080p Audio 5.1", k1080p, 2, true, {{1920, 1080, 6750}}, 6, 48000, 384},
      {"H264 Single Bitrate 720p", k1080p, 2, true, {{1280, 720, 4500}}, 2, 48000, 128},
      {"H264 Single Bitrate 720p Audio 5.1", k1080p, 2, true, {{1280, 720, 4500}}, 6, 48000, 384},
      {"H264 Single Bitrate 16x9 SD", k1080p, 2, true, {{848, 478, 2200}}, 2, 48000, 128},
      {"H264 Single Bitrate 16x9 SD Audio 5.1", k1080p, 2, true, {{848, 478, 2200}}, 6, 48000, 384},
      {"H264 Single Bitrate 4x3 SD", k1080p, 2, true, {{640, 360, 1800}}, 2, 48000, 128},
      {"H264 Single Bitrate 4x3 SD Audio 5.1", k1080p, 2, true, {{640, 360, 1800}}, 6, 48000, 384},
      {"H264 Single Bitrate 4K", kPortrait4k, 2, true, {{2160, 3840, 18000}}, 2, 48000, 128},
      {"H264 Single Bitrate 4K Audio 5.1", kPortrait4k, 2, true, {{2160, 3840, 18000}}, 6, 48000, 384},
      {"H264 Single Bitrate 720p for Android", k1080p, 5, true, {base(1280, 720, 2000, "3.1")}, 2,
       48000, 192},
      {"H264 Single Bitrate High Quality SD for Android", k1080p, 5, true,
       {base(480, 270, 500, "3")}, 2, 48000, 128},
      {"H264 Single Bitrate Low Quality SD for Android", k1080p, 5, true, {base(176, 100, 56, "2")},
       2, 48000, 24, true},
      // MES audio only
      {"AAC Audio", k1080p, 0, false, {}, 2, 48000, 128, false, Naming::MesAudio},
      {"AAC Good Quality Audio", k1080p, 0, false, {}, 2, 48000, 192, false, Naming::MesAudio},
      // WAME
      wame("H264 Broadband 1080p", 5, {{1920, 1080, 6750}}, 128),
      wame("H264 Broadband 720p", 5, {main_(1280, 720, 4500)}, 128),
      wame("H264 Broadband SD 16x9", 5, {main_(852, 480, 2200)}, 128),
      wame("H264 Broadband SD 4x3", 5, {main_(640, 360, 1800)}, 128),
      wame("H264 Smooth Streaming 1080p", 2, kMes1080, 128),
      wame("H264 Smooth Streaming 720p", 2, with_profile(kMes720, "main"), 96),
      wame("H264 Smooth Streaming 720p for 3G or 4G", 2, with_profile(wame_720p_3g(), "main"), 56),
      wame("H264 Smooth Streaming 720p Xbox Live ADK", 2, kWameXbox, 128),
      wame("H264 Smooth Streaming SD 16x9", 2, with_profile(kWame16x9Sd, "main"), 96),
      wame("H264 Smooth Streaming SD 4x3", 2, with_profile(kWame4x3Sd, "main"), 96),
      wame("H264 Smooth Streaming Windows Phone 7 Series", 2,
           {main_(640, 360, 1000), main_(640, 360, 800), main_(640, 360, 600), main_(640, 360, 400),
            main_(640, 360, 200)},
           64, true),
      wame("H264 Adaptive Bitrate MP4 Set 1080p", 2, kMes1080, 128),
      wame("H264 Adaptive Bitrate MP4 Set 720p", 2, with_profile(kMes720, "main"), 96),
      wame("H264 Adaptive Bitrate MP4 Set SD 16x9", 2, with_profile(kWame16x9Sd, "main"), 96),
      wame("H264 Adaptive Bitrate MP4 Set SD 4x3", 2, with_profile(kWame4x3Sd, "main"), 96),
      wame("H264 Adaptive Bitrate MP4 Set 1080p for iOS Cellular Only", 2, kMes1080, 56),
      wame("H264 Adaptive Bitrate MP4 Set 720p for iOS Cellular Only", 2,
           with_profile(kMes720, "main"), 56),
      wame("H264 Adaptive Bitrate MP4 Set SD 16x9 for iOS Cellular Only", 2,
           with_profile(kWame16x9Sd, "main"), 56),
      wame("H264 Adaptive Bitrate MP4 Set SD 4x3 for iOS Cellular Only", 2,
           with_profile(kWame4x3Sd, "main"), 56),
      // The 2012-era name (our choice of values, h264-hd-720p-vbr.yaml)
      {"H.264 HD 720p VBR", k1080p, 2, true, {{1280, 720, 4500}}, 2, 48000, 128},
  };
  all.back().max_kbps_of_first = 6750;
  for (Expected& e : all) {
    if (e.clip == kPortrait4k && e.layers.size() > 1) e.dropped = 1;
    if (e.preset == "H264 Single Bitrate Low Quality SD for Android") e.frame_rate = 12;
  }
  return all;
}

/// The file name the preset's pattern gives for one layer (or the audio file).
std::string expected_file_name(const Expected& e, const MediaInfo& input, const Layer* layer) {
  // {Basename}: the first 32 characters of the input name without its extension (MES).
  const std::string base = input.name.substr(0, std::min<std::size_t>(input.name.rfind('.'), 32));
  switch (e.naming) {
    case Naming::Mes:
      return base + "_" + std::to_string(layer->width) + "x" + std::to_string(layer->height) + "_" +
             std::to_string(layer->kbps) + ".mp4";
    case Naming::Wame:
      return base + "_H264_" + std::to_string(layer->kbps) + "kbps_AAC_und_ch" +
             std::to_string(e.channels) + "_" + std::to_string(e.audio_kbps) + "kbps.mp4";
    case Naming::WameSmooth:  // the rendition's stem: the packager adds .ismv
      return base + "_H264_" + std::to_string(layer->kbps) + "kbps";
    case Naming::MesAudio:
      break;
  }
  return base + "_AAC_" + std::to_string(e.audio_kbps) + ".mp4";
}

bool is_planned_here(const presets::Preset& preset) {
  return preset.unsupported.empty() && preset.images.empty() &&
         !(preset.video && preset.video->ladder == presets::LadderMode::ContentAdaptive);
}

// ---- Loading ----------------------------------------------------------------------------------

TEST(PresetLibrary, EveryPresetFileLoadsAndValidatesUnderAUniqueName) {
  std::set<std::string> names;
  std::size_t files = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::filesystem::path(MW_SOURCE_DIR) / "presets" / "library")) {
    if (entry.path().extension() != ".yaml") continue;
    SCOPED_TRACE(entry.path().string());
    ++files;
    const presets::Preset preset = presets::load_preset_file(entry.path());
    EXPECT_NO_THROW(presets::validate_preset(preset));
    EXPECT_FALSE(preset.source.empty());
    // A preset's own alias may normalize to its name ("H264 HD 720p VBR"); other presets may not.
    std::set<std::string> own{presets::normalize_preset_name(preset.name)};
    for (const std::string& alias : preset.aliases) own.insert(presets::normalize_preset_name(alias));
    for (const std::string& name : own) {
      EXPECT_TRUE(names.insert(name).second) << preset.name << ": '" << name << "' is taken";
    }
  }
  EXPECT_EQ(files, 61u);
  EXPECT_EQ(preset_library().all().size(), files);
}

TEST(PresetLibrary, EverySupportedFixedPresetHasPlanExpectations) {
  std::set<std::string, std::less<>> expected;
  for (const Expected& e : expectations()) expected.insert(std::string(e.preset));
  for (const presets::Preset* preset : preset_library().all()) {
    if (is_planned_here(*preset)) {
      EXPECT_TRUE(expected.contains(preset->name)) << preset->name;
    }
  }
  EXPECT_EQ(expected.size(), expectations().size()) << "a preset is expected twice";
}

TEST(PresetLibrary, ContentAdaptivePresetsLoadWithoutLayers) {
  // Planned once the content-adaptive ladder builder exists; here: they load as such.
  for (const std::string_view name : {"Adaptive Streaming", "Content Adaptive Multiple Bitrate MP4"}) {
    SCOPED_TRACE(name);
    const presets::Preset resolved = preset_library().resolve(name);
    ASSERT_TRUE(resolved.video);
    EXPECT_EQ(resolved.video->ladder, presets::LadderMode::ContentAdaptive);
    EXPECT_TRUE(resolved.video->layers.empty());
    EXPECT_FALSE(resolved.video->upscale_allowed());
    ASSERT_TRUE(resolved.audio);
    EXPECT_EQ(resolved.audio->bitrate_kbps, 128);
  }
}

TEST(PresetLibrary, EveryVcOneAndWmaPresetIsRefusedNamingItsH264Replacement) {
  const std::map<std::string_view, std::string_view> replacements = {
      {"VC1 Broadband 1080p", "H264 Broadband 1080p"},
      {"VC1 Broadband 720p", "H264 Broadband 720p"},
      {"VC1 Broadband SD 16x9", "H264 Broadband SD 16x9"},
      {"VC1 Broadband SD 4x3", "H264 Broadband SD 4x3"},
      {"VC1 Smooth Streaming 1080p", "H264 Smooth Streaming 1080p"},
      {"VC1 Smooth Streaming 1080p Xbox Live ADK", "H264 Smooth Streaming 1080p"},
      {"VC1 Smooth Streaming 720p", "H264 Smooth Streaming 720p"},
      {"VC1 Smooth Streaming 720p Xbox Live ADK", "H264 Smooth Streaming 720p Xbox Live ADK"},
      {"VC1 Smooth Streaming SD 16x9", "H264 Smooth Streaming SD 16x9"},
      {"VC1 Smooth Streaming SD 4x3", "H264 Smooth Streaming SD 4x3"},
      {"WMA High Quality Audio", "AAC Good Quality Audio"}};
  std::size_t unsupported = 0;
  for (const presets::Preset* preset : preset_library().all()) {
    unsupported += preset->unsupported.empty() ? 0 : 1;
  }
  EXPECT_EQ(unsupported, replacements.size());
  for (const auto& [name, instead] : replacements) {
    SCOPED_TRACE(name);
    try {
      preset_library().resolve(name);
      ADD_FAILURE() << "resolved";
    } catch (const presets::PresetError& error) {
      const std::string message = error.what();
      EXPECT_TRUE(contains(message, "preset '" + std::string(name) + "' is not supported"))
          << message;
      EXPECT_TRUE(contains(message, name.starts_with("WMA") ? "mediaworker does not encode WMA"
                                                            : "mediaworker does not encode VC-1"))
          << message;
      EXPECT_TRUE(contains(message, "use '" + std::string(instead) + "' instead")) << message;
    }
    EXPECT_NO_THROW(preset_library().resolve(instead));
  }
}

// ---- Planning ---------------------------------------------------------------------------------

TEST(PresetLibrary, EveryPresetPlansItsPublishedLayersAudioAndFileNames) {
  for (const Expected& e : expectations()) {
    SCOPED_TRACE(e.preset);
    const MediaInfo& input = probed(e.clip);
    const presets::Preset preset = preset_library().resolve(e.preset);
    const EncodePlan plan = make_plan(preset, input);

    ASSERT_EQ(plan.video.size(), e.layers.size());
    const double fps =
        e.frame_rate > 0 ? e.frame_rate : input.primary_video()->frame_rate.value();
    for (std::size_t i = 0; i < e.layers.size(); ++i) {
      SCOPED_TRACE("layer " + std::to_string(i));
      const Layer& want = e.layers[i];
      const VideoEncodePlan& got = plan.video[i];
      EXPECT_EQ(got.size.width, want.width);
      EXPECT_EQ(got.size.height, want.height);
      EXPECT_EQ(got.layer.bitrate_kbps, want.kbps);
      EXPECT_EQ(got.layer.maxrate_kbps(),
                i == 0 && e.max_kbps_of_first ? e.max_kbps_of_first : want.kbps);
      EXPECT_EQ(got.layer.bufsize_kbit(), got.layer.maxrate_kbps() * 5);  // BufferWindow 5 s
      EXPECT_EQ(got.profile, want.profile);
      EXPECT_EQ(got.level, want.level);
      EXPECT_EQ(got.layer.b_frames, want.profile == "baseline" ? 0 : 3);
      EXPECT_EQ(got.layer.reference_frames, e.reference_frames);
      EXPECT_EQ(got.keyint_frames, std::lround(e.keyframe_interval_s * fps));
      EXPECT_EQ(got.scene_cut, e.scene_cut);
      EXPECT_EQ(contains(got.x264_params, "scenecut=0"), !e.scene_cut) << got.x264_params;
      EXPECT_EQ(contains(got.x264_params, "cabac=0"), want.profile == "baseline")
          << got.x264_params;
    }

    ASSERT_TRUE(plan.audio);
    EXPECT_EQ(plan.audio->codec.channels, e.channels);
    EXPECT_EQ(plan.audio->codec.sampling_rate, e.sampling_rate);
    EXPECT_EQ(plan.audio->codec.bitrate_kbps, e.audio_kbps);
    EXPECT_EQ(plan.audio->profile, "aac_low");
    EXPECT_EQ(plan.audio->channel_layout, e.channels == 6 ? "5.1" : "stereo");
    EXPECT_EQ(contains(plan.audio->note, "HE-AAC"), e.he_aac) << plan.audio->note;

    // The video files (or the one audio file), one per layer, named by the preset's pattern.
    // Audio-only renditions of the WAME MP4 sets follow them: see the DISABLED_ test below.
    const std::size_t files = e.layers.empty() ? 1 : e.layers.size();
    ASSERT_GE(plan.outputs.size(), files);
    for (std::size_t i = 0; i < files; ++i) {
      const Layer* layer = e.layers.empty() ? nullptr : &e.layers[i];
      EXPECT_EQ(plan.outputs[i].file_name, expected_file_name(e, input, layer));
      EXPECT_EQ(plan.outputs[i].video, layer ? static_cast<int>(i) : -1);
      // Smooth Streaming: video-only .ismv layers, the audio in one .isma after them, all
      // packaged into one .ism/.ismc named after the input.
      EXPECT_EQ(plan.outputs[i].audio, e.naming != Naming::WameSmooth);
    }
    if (e.naming == Naming::WameSmooth) {
      ASSERT_EQ(plan.outputs.size(), files + 1);
      const std::string base = input.name.substr(0, std::min<std::size_t>(input.name.rfind('.'), 32));
      EXPECT_EQ(plan.outputs.back().file_name,
                base + "_AAC_und_ch" + std::to_string(e.channels) + "_" + std::to_string(e.audio_kbps) + "kbps");
      EXPECT_TRUE(plan.outputs.back().audio);
      ASSERT_EQ(plan.packages.size(), 1u);
      EXPECT_EQ(plan.packages[0].format, presets::OutputFormat::Smooth);
      EXPECT_EQ(plan.packages[0].manifest_name, base);
      EXPECT_EQ(plan.packages[0].outputs.size(), files + 1);
    } else {
      EXPECT_TRUE(plan.packages.empty());
    }

    std::size_t dropped_notes = 0;
    for (const std::string& note : plan.notes) dropped_notes += contains(note, "dropped") ? 1 : 0;
    EXPECT_EQ(dropped_notes, static_cast<std::size_t>(e.dropped));
  }
}

TEST(PresetLibrary, FourKLadderOnAPortraitPhoneClipDropsOnlyTheLayerAboveIt) {
  const EncodePlan plan = make_plan(preset("H264 Multiple Bitrate 4K"), probed(kPortrait4k));
  ASSERT_EQ(plan.video.size(), 11u);
  EXPECT_EQ(plan.video[0].size.width, 2160);
  EXPECT_EQ(plan.video[0].size.height, 3840);
  bool named = false;
  for (const std::string& note : plan.notes) {
    named |= contains(note, "layer 0 (4096x2304 at 20000 kbps) dropped");
  }
  EXPECT_TRUE(named) << "no note names the dropped 4096x2304 layer";
}

/// The layers a ladder keeps on the 640x360 clip: those not above 640x360 once fitted.
struct SmallSourceCase {
  std::string_view preset;
  std::vector<int> kept_kbps;
  std::vector<std::string_view> dropped;  ///< "layer i (WxH at K kbps)"
};

TEST(PresetLibrary, LaddersDropEveryLayerAboveASmallSourceAndSaySo) {
  const std::vector<SmallSourceCase> cases = {
      {"H264 Multiple Bitrate 1080p",
       {1000, 650, 400},
       {"layer 0 (1920x1080 at 6000 kbps)", "layer 1 (1920x1080 at 4700 kbps)",
        "layer 2 (1280x720 at 3400 kbps)", "layer 3 (960x540 at 2250 kbps)",
        "layer 4 (960x540 at 1500 kbps)"}},
      {"H264 Multiple Bitrate 16x9 SD",
       {900, 650, 400},
       {"layer 0 (848x480 at 1900 kbps)", "layer 1 (848x480 at 1300 kbps)"}},
      // 640x480 fits a 16:9 picture as 640x360: the source's size, so nothing is dropped.
      {"H264 Multiple Bitrate 4x3 SD", {1600, 1300, 800, 600, 400}, {}},
      {"H264 Multiple Bitrate 16x9 for iOS",
       {1200, 600, 400, 200},
       {"layer 0 (1920x1080 at 8500 kbps)", "layer 1 (1280x720 at 6500 kbps)",
        "layer 2 (1280x720 at 5000 kbps)", "layer 3 (960x540 at 3500 kbps)"}},
      {"H264 Smooth Streaming 720p for 3G or 4G",
       {1000, 650, 400, 250, 150},
       {"layer 0 (1280x720 at 3400 kbps)", "layer 1 (960x540 at 2250 kbps)",
        "layer 2 (960x540 at 1500 kbps)"}},
      {"H264 Adaptive Bitrate MP4 Set SD 16x9",
       {900, 650, 400},
       {"layer 0 (848x480 at 1900 kbps)", "layer 1 (848x480 at 1300 kbps)"}},
  };
  for (const SmallSourceCase& c : cases) {
    SCOPED_TRACE(c.preset);
    const EncodePlan plan = make_plan(preset(c.preset), probed(kSmall));
    std::vector<int> kept;
    for (const VideoEncodePlan& layer : plan.video) {
      kept.push_back(layer.layer.bitrate_kbps);
      EXPECT_LE(layer.size.width, 640);
      EXPECT_LE(layer.size.height, 360);
    }
    EXPECT_EQ(kept, c.kept_kbps);
    std::size_t dropped_notes = 0;
    for (const std::string& note : plan.notes) dropped_notes += contains(note, "dropped") ? 1 : 0;
    EXPECT_EQ(dropped_notes, c.dropped.size());
    for (const std::string_view layer : c.dropped) {
      bool named = false;
      for (const std::string& note : plan.notes) named |= contains(note, std::string(layer) + " dropped");
      EXPECT_TRUE(named) << "no note names " << layer;
    }
  }
}

TEST(PresetLibrary, FourKLadderOnASmallSourceKeepsOnlyItsLowestLayer) {
  const EncodePlan plan = make_plan(preset("H264 Multiple Bitrate 4K"), probed(kSmall));
  ASSERT_EQ(plan.video.size(), 1u);
  EXPECT_EQ(plan.video[0].layer.bitrate_kbps, 1000);
  EXPECT_EQ(plan.video[0].size.width, 640);
  EXPECT_EQ(plan.video[0].size.height, 360);
}

// `streams: audio_only` outputs with their own `audio_bitrate` (WAME Adaptive Bitrate MP4 Sets)
// and image outputs (WAME Thumbnails: JPEG 300 px wide every 5 s).
TEST(PresetLibrary, AudioOnlyRenditionsAndThumbnailsArePlanned) {
  const MediaInfo& input = probed(k1080p);
  const std::string base = "bbb-1080p24-mpeg2-mp2";
  {
    // 6 video files with the 96 kbps audio, then audio-only MP4s at 96 and 56 kbps.
    const EncodePlan plan = make_plan(preset("H264 Adaptive Bitrate MP4 Set 720p"), input);
    ASSERT_EQ(plan.outputs.size(), 8u);
    EXPECT_EQ(plan.outputs[0].file_name, base + "_H264_3400kbps_AAC_und_ch2_96kbps.mp4");
    EXPECT_EQ(plan.outputs[6].file_name, base + "_AAC_und_ch2_96kbps.mp4");
    EXPECT_EQ(plan.outputs[7].file_name, base + "_AAC_und_ch2_56kbps.mp4");
    for (std::size_t i = 6; i < 8; ++i) {
      EXPECT_EQ(plan.outputs[i].video, -1);
      EXPECT_TRUE(plan.outputs[i].audio);
    }
  }
  {
    const EncodePlan plan =
        make_plan(preset("H264 Adaptive Bitrate MP4 Set 1080p for iOS Cellular Only"), input);
    ASSERT_EQ(plan.outputs.size(), 9u);
    EXPECT_EQ(plan.outputs[8].file_name, base + "_AAC_und_ch2_56kbps.mp4");
    EXPECT_EQ(plan.outputs[8].video, -1);
  }
  {
    const EncodePlan plan = make_plan(preset("Thumbnails"), input);
    EXPECT_TRUE(plan.video.empty());
    EXPECT_FALSE(plan.audio);
    EXPECT_TRUE(plan.outputs.empty());  // no MP4
    ASSERT_EQ(plan.images.size(), 1u);
    EXPECT_EQ(plan.images[0].times_s, (std::vector<double>{0.0}));  // the clip is 2.5 s: one capture
    ASSERT_EQ(plan.images[0].layers.size(), 1u);
    EXPECT_EQ(plan.images[0].layers[0].width, 300);
    EXPECT_EQ(plan.images[0].layers[0].height, 169);  // 16:9, aspect kept
    ASSERT_EQ(plan.images[0].layers[0].file_names.size(), 1u);
    EXPECT_EQ(plan.images[0].layers[0].file_names[0], base + "_000001.jpg");
  }
}

}  // namespace
}  // namespace mw::encoders
