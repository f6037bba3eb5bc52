// Every system preset of presets/library encoded on real clips (issue 4, "a test per system
// preset"): the layers that come out, their sizes, profiles and levels, the GOP and the keyframes
// shared by every layer, the audio settings, the file names the preset's pattern gives, and, on
// the clip of 10 s or more, the bitrates (±15 %).
//
// The expected values are worked out here from the preset file and the clip's known size, not by
// the engine's planner, so the test checks the planner too:
// - bbb-1080p24-mpeg2-mp2.ts (1920x1080 16:9, 24 fps, 2.5 s): every layer up to 1080p; 4K ladder
//   layers are dropped (ladders never upscale), single-layer presets scale to their box, up too.
//   Its first 0.5 s; 2.1 s (a GOP of 2 s and the keyframe after it) for a single layer above SD.
// - vfr-640x360-h264-aac-17s.mp4 (640x360 16:9, variable frame rate): its first 10 s give the
//   bitrates and the GOP (in frames) of every preset's layers. Ladders keep only their layers up to 640x360.
//   A single-layer preset above SD would upscale 10 s to 720p, 1080p or 4K (minutes of x264 on
//   two cores for nothing the 1080p run does not show) and is checked on the 1080p clip only.
// Audio-only presets run on speech-audio-only.flac.
//
// Twins: many presets differ from an earlier one only in their audio and names ("... Audio 5.1",
// "... for iOS Cellular Only", Smooth Streaming and Adaptive Bitrate sets of the same ladder).
// Their preset files have the same picture sections (everything but name, aliases, description,
// source, audio and outputs, compared as text), so x264 gets the same settings for the same
// frames. The first preset of each picture signature is the one whose video is measured the
// long way (10 s for the bitrates, 2.1 s for the GOP of a single layer above SD); a twin runs
// every check of its own on the same clips except the repeated video measurement: the layers
// kept, names, sizes, profiles, levels, audio, its audio bitrate and its GOP, on 6 s.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "encoders/engine.hpp"
#include "encoders/measure.hpp"
#include "tests/encoders/decoded_media.hpp"
#include "tests/encoders/test_support.hpp"

namespace mw::encoders {
namespace {

using namespace test_support;
using presets::Preset;

struct Clip {
  const char* name;
  int width, height;  // display size, 16:9
  double fps;         // nominal
};
constexpr Clip kHd{"bbb-1080p24-mpeg2-mp2.ts", 1920, 1080, 24.0};
constexpr Clip kVfr{"vfr-640x360-h264-aac-17s.mp4", 640, 360, 30.0};
constexpr const char* kAudioClip = "speech-audio-only.flac";
constexpr double kHdSeconds = 0.5;        // 12 frames: sizes, profiles, audio, names
constexpr double kHdGopSeconds = 2.1;     // one 2 s GOP and the keyframe after it (50 frames)
constexpr double kBitrateSeconds = 10.0;  // "±15 % on clips of 10 s or more"
constexpr double kTwinSeconds = 6.0;      // a twin's audio bitrate and GOP: 3 GOPs, AAC settled

int even(double v) { return 2 * static_cast<int>(std::lround(v / 2.0)); }

// A 16:9 picture fitted into a box with its aspect kept (MES AutoSize).
std::pair<int, int> fit_16x9(int box_w, int box_h) {
  if (box_w * 9 <= box_h * 16) return {box_w, even(box_w * 9.0 / 16.0)};
  return {even(box_h * 16.0 / 9.0), box_h};
}

// A single layer above SD: a 10 s run would upscale the 640x360 clip to HD or 4K (minutes of x264
// on two cores), so it runs 2.1 s of the 1080p clip instead.
bool single_layer_above_sd(const Preset& p) {
  return p.video && p.video->layers.size() == 1 && p.video->layers[0].width * p.video->layers[0].height > 848 * 480;
}

// The preset file's top-level sections that decide the pictures, as written: every section but
// the name, aliases, description, source, audio and outputs (a section added later counts).
std::string picture_sections(const Preset& p) {
  std::istringstream in(read_text(p.origin));
  std::string out, line;
  bool keep = false;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] != ' ' && line[0] != '#' && line[0] != '-') {
      const std::string key = line.substr(0, line.find(':'));
      keep = key != "name" && key != "aliases" && key != "description" && key != "source" &&
             key != "audio" && key != "outputs";
    }
    if (keep) out += line + '\n';
  }
  return out;
}

// The earlier preset of `names` whose pictures `name`'s are (see "Twins" above), or "" when
// `name` is the first with its picture sections or has no video.
std::string twin_of(const std::string& name, const std::vector<std::string>& names) {
  const Preset& p = preset(name);
  if (!p.video) return "";
  const std::string pictures = picture_sections(p);
  EXPECT_NE(pictures.find("video:"), std::string::npos) << p.origin << ": no video section read";
  for (const std::string& earlier : names) {
    if (earlier == name) return "";
    if (preset(earlier).video && picture_sections(preset(earlier)) == pictures) return earlier;
  }
  return "";
}

struct ExpectedLayer {
  const presets::VideoLayer* layer;
  int width, height;
};

// The layers a 16:9 clip of clip_w x clip_h gets: ladders drop the layers larger than it.
std::vector<ExpectedLayer> expected_layers(const Preset& p, const Clip& clip) {
  std::vector<ExpectedLayer> out;
  if (!p.video) return out;
  const bool ladder = p.video->layers.size() > 1;
  for (const auto& l : p.video->layers) {
    const auto [w, h] = fit_16x9(l.width, l.height);
    if (ladder && !p.video->upscale_allowed() && (w > clip.width || h > clip.height)) continue;
    out.push_back({&l, w, h});
  }
  return out;
}

std::string replace_all(std::string s, const std::string& what, const std::string& with) {
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + with.size()))
    s.replace(at, what.size(), with);
  return s;
}

// The MES FileName macros (AMS-V2-REFERENCE.md §8), expanded here independently of the engine.
// A streaming output's {Extension} is "": the packager names the files (.ismv, .isma...).
std::string expand(std::string pattern, const std::string& basename, const ExpectedLayer* v,
                   const presets::AudioCodec* a, int audio_kbps, bool streaming = false) {
  pattern = replace_all(pattern, "{Basename}", basename.substr(0, 32));
  pattern = replace_all(pattern, "{Extension}", streaming ? "" : ".mp4");
  pattern = replace_all(pattern, "{Codec}", v ? "H264" : "AAC");
  if (v) {
    pattern = replace_all(pattern, "{Width}", std::to_string(v->width));
    pattern = replace_all(pattern, "{Height}", std::to_string(v->height));
    pattern = replace_all(pattern, "{Resolution}", std::to_string(v->width) + "x" + std::to_string(v->height));
    pattern = replace_all(pattern, "{VideoBitrate}", std::to_string(v->layer->bitrate_kbps));
  }
  if (a) {
    pattern = replace_all(pattern, "{AudioBitrate}", std::to_string(audio_kbps));
    pattern = replace_all(pattern, "{Channel}", std::to_string(a->channels));
  }
  return replace_all(pattern, "{Bitrate}", std::to_string(v ? v->layer->bitrate_kbps : audio_kbps));
}

struct ExpectedFile {
  std::string name;
  const ExpectedLayer* video = nullptr;
  int audio_kbps = 0;     // 0: no audio in the file
  bool manifest = false;  // a Smooth Streaming .ism/.ismc (no media)
};

std::vector<ExpectedFile> expected_files(const Preset& p, const std::vector<ExpectedLayer>& layers,
                                         const std::string& basename) {
  std::vector<ExpectedFile> out;
  const presets::AudioCodec* a = p.audio ? &*p.audio : nullptr;
  bool smooth_manifests = false;
  for (const auto& o : p.outputs) {
    // MP4 files, or Smooth Streaming (the only streaming format of the library): a fragmented
    // .ismv per video layer, an .isma with the audio, and the .ism/.ismc manifests.
    const bool smooth = o.format == presets::OutputFormat::Smooth;
    if (o.format != presets::OutputFormat::Mp4 && !smooth) continue;
    smooth_manifests |= smooth;
    const int kbps = a ? (o.audio_bitrate_kbps > 0 ? o.audio_bitrate_kbps : a->bitrate_kbps) : 0;
    if (o.streams == presets::OutputStreams::AudioOnly || layers.empty()) {
      out.push_back({expand(o.file_name, basename, nullptr, a, kbps, smooth) + (smooth ? ".isma" : ""), nullptr, kbps});
      continue;
    }
    const bool with_audio = o.streams == presets::OutputStreams::Interleaved;
    for (const auto& l : layers)
      out.push_back({expand(o.file_name, basename, &l, a, kbps, smooth) + (smooth ? ".ismv" : ""), &l,
                     with_audio ? kbps : 0});
  }
  if (smooth_manifests)
    for (const char* ext : {".ism", ".ismc"}) out.push_back({basename.substr(0, 32) + ext, nullptr, 0, true});
  return out;
}

std::string profile_name(presets::H264Profile p) {
  switch (p) {
    case presets::H264Profile::Baseline: return "Constrained Baseline";  // x264's baseline
    case presets::H264Profile::Main: return "Main";
    case presets::H264Profile::High: case presets::H264Profile::Auto: break;
  }
  return "High";
}

// The presentation-order frame numbers of the video keyframes of a file (the GOP in frames:
// the clips' timestamps have gaps, so seconds would not tell the interval).
std::vector<int> keyframe_frames(const std::string& path) {
  auto in = detail::open(path);
  const int stream = detail::best_stream(in.get(), AVMEDIA_TYPE_VIDEO, path);
  std::vector<std::pair<int64_t, bool>> frames;  // pts, keyframe
  detail::Packet packet(av_packet_alloc());
  while (av_read_frame(in.get(), packet.get()) >= 0) {
    if (packet->stream_index == stream) frames.emplace_back(packet->pts, (packet->flags & AV_PKT_FLAG_KEY) != 0);
    av_packet_unref(packet.get());
  }
  std::sort(frames.begin(), frames.end());
  std::vector<int> keyframes;
  for (size_t i = 0; i < frames.size(); ++i)
    if (frames[i].second) keyframes.push_back(static_cast<int>(i));
  return keyframes;
}

// The presets the sweep encodes, in the library's order (which decides the twins).
std::vector<std::string> sweep_presets() {
  std::vector<std::string> names;
  for (const Preset* p : preset_library().all()) {
    if (!p->unsupported.empty()) continue;                                                  // VC-1/WMA: library tests
    if (p->video && p->video->ladder == presets::LadderMode::ContentAdaptive) continue;     // adaptive tests
    if (!p->images.empty() && !p->video && !p->audio) continue;                              // thumbnail tests
    names.push_back(p->name);
  }
  return names;
}

// Encodes the clip with the preset; every failure of the checks names the preset and the file.
class PresetSweep : public ::testing::TestWithParam<std::string> {
 protected:
  const Preset& preset() const { return test_support::preset(GetParam()); }
  // The earlier preset with the same picture sections, or "" (see "Twins" above).
  std::string twin() const { return twin_of(GetParam(), sweep_presets()); }

  std::map<std::string, MeasuredFile> encode_clip(const std::string& clip, double duration_s) {
    EncodeRequest request;
    request.options.duration_s = duration_s;
    request.input = media(clip);
    request.preset = &preset();
    request.output_dir = dir_.path() / std::filesystem::path(clip).stem();
    const EncodeResult result = encode(request, nullptr, {});
    keyint_ = result.plan.video.empty() ? 0 : result.plan.video.front().keyint_frames;
    std::map<std::string, MeasuredFile> files;
    for (size_t i = 0; i < result.measured.size(); ++i) files[result.measured[i].name] = result.measured[i];
    return files;
  }

  void check_audio(const MeasuredFile& f, int kbps, bool bitrate) const {
    const auto& a = *preset().audio;
    const MeasuredTrack* t = f.audio();
    ASSERT_NE(t, nullptr) << f.name << ": no audio track";
    EXPECT_EQ(t->codec, "aac") << f.name;
    EXPECT_EQ(t->profile, "LC") << f.name << " (HE-AAC is encoded AAC-LC: libavcodec has no SBR)";
    EXPECT_EQ(t->channels, a.channels) << f.name;
    EXPECT_EQ(t->sampling_rate, a.sampling_rate) << f.name;
    if (bitrate) {
      EXPECT_NEAR(t->bitrate_kbps, kbps, 0.15 * kbps) << f.name << ": audio kbps";
    }
  }

  // Whether the 10 s run is skipped (a single layer above SD: it would upscale 10 s of 640x360
  // to HD or 4K, minutes of x264 on two cores); the 1080p run then covers a whole GOP.
  bool big_single_layer() const {
    return single_layer_above_sd(preset());
  }

  // `seconds` of the 17 s clip (the audio clip for an audio-only preset): the layers a 640x360
  // source keeps, their GOP in frames and keyframes shared by every layer, the audio bitrate, and
  // with `video_bitrate` every layer's bitrate (±15 %).
  void check_small_clip(double seconds, bool video_bitrate) {
    const Preset& p = preset();
    const std::string clip = p.video ? kVfr.name : kAudioClip;
    const auto layers = expected_layers(p, kVfr);
    const auto expected = expected_files(p, layers, std::filesystem::path(clip).stem().string());
    const auto files = encode_clip(clip, seconds);
    ASSERT_EQ(files.size(), expected.size()) << "the files of '" << p.name << "'";
    std::vector<double> keyframes;
    for (const auto& e : expected) {
      ASSERT_TRUE(files.count(e.name)) << e.name << " missing";
      const MeasuredFile& f = files.at(e.name);
      if (e.manifest) continue;
      if (e.audio_kbps > 0) check_audio(f, e.audio_kbps, clip != kAudioClip);  // the flac is 2.7 s
      if (!e.video) continue;
      const MeasuredTrack* v = f.video();
      ASSERT_NE(v, nullptr) << e.name;
      EXPECT_EQ(v->width, e.video->width) << e.name;
      EXPECT_EQ(v->height, e.video->height) << e.name;
      const int target = e.video->layer->bitrate_kbps;
      if (video_bitrate) {
        EXPECT_NEAR(v->bitrate_kbps, target, 0.15 * target) << e.name << ": video kbps against " << target;
      }
      // GOP = keyframe interval, in frames (the clip's timestamps vary, so not in seconds): one
      // keyframe every interval, and with scene-change detection none further apart.
      const auto& rate = e.video->layer->frame_rate;  // "0/1" (the source's) or the layer's own
      const int keyint =
          static_cast<int>(std::lround(p.video->keyframe_interval_s * (rate.is_source() ? kVfr.fps : rate.value())));
      EXPECT_NEAR(keyint_, keyint, 1) << e.name;
      const auto key = keyframe_frames((dir_.path() / "vfr-640x360-h264-aac-17s" / e.name).string());
      ASSERT_FALSE(key.empty()) << e.name;
      EXPECT_EQ(key.front(), 0) << e.name;
      for (size_t k = 1; k < key.size(); ++k) EXPECT_LE(key[k] - key[k - 1], keyint_) << e.name;
      if (!p.video->scene_change_detection) {
        EXPECT_GE(key.size(), static_cast<size_t>((seconds - 0.1) / p.video->keyframe_interval_s)) << e.name;
        for (size_t k = 0; k < key.size(); ++k) EXPECT_EQ(key[k], static_cast<int>(k) * keyint_) << e.name;
      }
      if (keyframes.empty()) {
        keyframes = v->keyframe_times_s;
      } else {
        EXPECT_EQ(v->keyframe_times_s, keyframes) << e.name << ": keyframes differ from the first layer's";
      }
    }
  }

  TempDir dir_;
  int keyint_ = 0;  // the last encode's GOP in frames
};

TEST_P(PresetSweep, OnA1080pClipGivesThePublishedLayersNamesGopAndAudio) {
  const Preset& p = preset();
  const bool audio_only = !p.video;
  const std::string clip = audio_only ? kAudioClip : kHd.name;
  const auto layers = expected_layers(p, kHd);
  const auto expected = expected_files(p, layers, std::filesystem::path(clip).stem().string());
  // A single layer above SD shows its GOP on 2.1 s here, unless its twin did (same pictures).
  const std::string twin = big_single_layer() ? this->twin() : "";
  const bool gop_run = big_single_layer() && twin.empty();
  const auto files = encode_clip(clip, gop_run ? kHdGopSeconds : kHdSeconds);

  std::vector<std::string> names, expected_names;
  for (const auto& [name, f] : files) names.push_back(name);
  for (const auto& e : expected) expected_names.push_back(e.name);
  std::sort(expected_names.begin(), expected_names.end());
  ASSERT_EQ(names, expected_names) << "the files of '" << p.name << "'";

  std::vector<double> keyframes;  // of the first layer: every layer must have the same
  for (const auto& e : expected) {
    const MeasuredFile& f = files.at(e.name);
    if (e.manifest) {
      EXPECT_TRUE(f.tracks.empty()) << e.name;
      EXPECT_GT(f.size_bytes, 0) << e.name;
      continue;
    }
    if (e.audio_kbps > 0) {
      check_audio(f, e.audio_kbps, false);
    } else {
      EXPECT_EQ(f.audio(), nullptr) << e.name << ": a video-only file has audio";
    }
    if (!e.video) {
      EXPECT_EQ(f.video(), nullptr) << e.name;
      continue;
    }
    const MeasuredTrack* v = f.video();
    ASSERT_NE(v, nullptr) << e.name;
    EXPECT_EQ(v->width, e.video->width) << e.name;
    EXPECT_EQ(v->height, e.video->height) << e.name;
    EXPECT_EQ(v->profile, profile_name(e.video->layer->profile)) << e.name;
    if (!e.video->layer->level.empty() && e.video->layer->level != "auto") {
      EXPECT_EQ(v->level, e.video->layer->level) << e.name;
    }
    // The first picture is a keyframe; a single layer above SD (no 10 s run) shows its GOP here:
    // at most the keyframe interval between keyframes (scene-change detection may add some).
    const auto key = keyframe_frames((dir_.path() / "bbb-1080p24-mpeg2-mp2" / e.name).string());
    ASSERT_FALSE(key.empty()) << e.name;
    EXPECT_EQ(key.front(), 0) << e.name;
    if (big_single_layer()) {
      const auto& rate = e.video->layer->frame_rate;
      const int keyint =
          static_cast<int>(std::lround(p.video->keyframe_interval_s * (rate.is_source() ? kHd.fps : rate.value())));
      EXPECT_EQ(keyint_, keyint) << e.name << (twin.empty() ? "" : "; its twin: " + twin);
      if (gop_run && keyint < kHdGopSeconds * kHd.fps) {  // not the 5 s GOPs: 2.1 s holds no second
        ASSERT_GT(key.size(), 1u) << e.name << ": no second keyframe in " << kHdGopSeconds << " s";
      }
      for (size_t k = 1; k < key.size(); ++k) EXPECT_LE(key[k] - key[k - 1], keyint) << e.name;
    }
    if (keyframes.empty()) {
      keyframes = v->keyframe_times_s;
    } else {
      EXPECT_EQ(v->keyframe_times_s, keyframes) << e.name << ": keyframes differ from the first layer's";
    }
  }
}

// The 10 s run, for every preset but the single layers above SD and the twins (see bitrate_presets()).
class PresetSweepTenSeconds : public PresetSweep {};

TEST_P(PresetSweepTenSeconds, OnA17sClipMeetsTheBitratesWithinFifteenPercent) {
  check_small_clip(kBitrateSeconds, true);
}

// A twin of a preset of the 10 s run: its own layers, names, audio bitrate and GOP on 6 s; its
// video bitrates are its twin's (the same x264 settings on the same frames).
class PresetSweepTwin : public PresetSweep {};

TEST_P(PresetSweepTwin, On6sOfThe17sClipGivesItsLayersGopAndAudioBitrate) {
  const std::string twin = this->twin();
  ASSERT_FALSE(twin.empty()) << GetParam() << " has no twin";
  SCOPED_TRACE("the video bitrates of '" + GetParam() + "' are checked on its twin '" + twin + "'");
  check_small_clip(kTwinSeconds, false);
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string s;
  for (char c : info.param) s += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return s;
}

// The presets whose 10 s run is affordable: all but a single layer above SD, which would
// upscale 10 s of the 640x360 clip to HD or 4K (minutes of x264 on two cores); those are encoded
// on 2.1 s of the 1080p clip instead (sizes, GOP, audio, names), and no real clip of 10 s or more
// has their resolution. With `twins` false the first preset of each picture signature, with
// `twins` true the others (see "Twins" above).
std::vector<std::string> bitrate_presets(bool twins) {
  const std::vector<std::string> all = sweep_presets();
  std::vector<std::string> names;
  for (const std::string& name : all) {
    const Preset& p = preset(name);
    if (single_layer_above_sd(p)) continue;
    if (twin_of(name, all).empty() != twins) names.push_back(name);
  }
  return names;
}

INSTANTIATE_TEST_SUITE_P(SystemPresets, PresetSweep, ::testing::ValuesIn(sweep_presets()), test_name);
INSTANTIATE_TEST_SUITE_P(SystemPresets, PresetSweepTenSeconds, ::testing::ValuesIn(bitrate_presets(false)), test_name);
INSTANTIATE_TEST_SUITE_P(SystemPresets, PresetSweepTwin, ::testing::ValuesIn(bitrate_presets(true)), test_name);

}  // namespace
}  // namespace mw::encoders
