// EBU R128 loudness normalisation (AudioCodec::loudness) on real clips: the encoded audio
// reaches the target loudness and stays under the true-peak limit as ffmpeg's own ebur128 meter
// (run as a separate program on the output file) measures it, and the manifest carries the
// same values.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <mutex>
#include <optional>
#include <pugixml.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "encoders/engine.hpp"
#include "tests/encoders/test_support.hpp"
#include "tests/support/process.hpp"

namespace mw::encoders {
namespace {

using namespace test_support;

/// What ffmpeg's ebur128 summary says about a file's first audio track.
struct FfmpegLoudness {
  double integrated_lufs = NAN;
  double sample_peak_dbfs = NAN;
  double true_peak_dbtp = NAN;
};

// The number after `label` in the part of `text` that follows `section`.
double summary_value(const std::string& text, const std::string& section,
                     const std::string& label) {
  const size_t s = text.find(section);
  if (s == std::string::npos) return NAN;
  const size_t l = text.find(label, s);
  if (l == std::string::npos) return NAN;
  const std::string rest = text.substr(l + label.size(), 20);
  if (rest.find("-inf") != std::string::npos) return -INFINITY;
  return std::strtod(rest.c_str(), nullptr);
}

FfmpegLoudness ffmpeg_ebur128(const std::filesystem::path& file) {
  const auto r = mw::test::run({"/usr/bin/env", "ffmpeg", "-hide_banner", "-nostats", "-i",
                                file.string(), "-map", "0:a:0", "-af",
                                "ebur128=peak=true+sample:framelog=verbose", "-f", "null", "-"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const size_t summary = r.err.find("Summary:");
  EXPECT_NE(summary, std::string::npos) << r.err;
  const std::string text = summary == std::string::npos ? "" : r.err.substr(summary);
  return {summary_value(text, "Integrated loudness:", "I:"),
          summary_value(text, "Sample peak:", "Peak:"), summary_value(text, "True peak:", "Peak:")};
}

/// A copy of a shipped preset with loudness normalisation to `integrated_lufs`.
presets::Preset with_loudness(std::string_view name, double integrated_lufs,
                              double true_peak_dbtp = -1.0) {
  presets::Preset p = preset(name);
  p.audio->loudness = presets::Loudness{integrated_lufs, true_peak_dbtp, 7.0};
  return p;
}

/// Records progress, checking it never goes back.
class Progress : public ProgressListener {
 public:
  void on_progress(double percent) override {
    std::lock_guard lock(mutex_);
    values.push_back(percent);
  }
  std::mutex mutex_;
  std::vector<double> values;
};

struct Normalised {
  TempDir dir;
  EncodeResult result;
  Progress progress;
  std::filesystem::path media() const { return dir.path() / result.files.at(0).name; }
  pugi::xml_node loudness_node(pugi::xml_document& doc, size_t file = 0) const {
    std::string manifest;
    for (const auto& f : result.files)
      if (contains(f.name, "_manifest.xml")) manifest = f.name;
    EXPECT_TRUE(doc.load_file((dir.path() / manifest).c_str())) << manifest;
    return doc.child("AssetFiles")
        .find_child_by_attribute("AssetFile", "Name", result.files.at(file).name.c_str())
        .child("AudioTracks")
        .child("AudioTrack")
        .child("LoudnessMeteringResultParameters");
  }
};

std::unique_ptr<Normalised> encode_normalised(const std::string& clip, const presets::Preset& p,
                                              double duration_s = 0) {
  auto n = std::make_unique<Normalised>();
  EncodeRequest request;
  request.input = media(clip);
  request.preset = &p;
  request.output_dir = n->dir.path();
  request.options.duration_s = duration_s;
  n->result = encode(request, &n->progress, std::stop_token{});
  return n;
}

std::string notes_of(const EncodeResult& r) {
  std::string all;
  for (const auto& n : r.plan.notes) all += n + "\n";
  return all;
}

TEST(LoudnessNormalisation, QuietSpeechReachesMinus23LufsUnderTheTruePeakLimit) {
  // speech-audio-only.flac measures -40.7 LUFS, true peak -21.9 dBTP: +17.7 dB, linear.
  const auto p = with_loudness(kAudioPreset, -23.0);
  const auto n = encode_normalised("speech-audio-only.flac", p);
  ASSERT_TRUE(n->result.input_loudness);
  EXPECT_NEAR(n->result.input_loudness->integrated_lufs, -40.7, 0.2);
  const FfmpegLoudness out = ffmpeg_ebur128(n->media());
  EXPECT_NEAR(out.integrated_lufs, -23.0, 1.0);
  EXPECT_LE(out.true_peak_dbtp, -1.0 + 0.3);
  EXPECT_TRUE(contains(notes_of(n->result), "normalised to -23.0 LUFS by one linear gain of +17."))
      << notes_of(n->result);
  EXPECT_TRUE(
      contains(n->result.plan.audio_filter, "loudnorm=I=-23.00:TP=-1.00:LRA=7.00:measured_I=-40."))
      << n->result.plan.audio_filter;
  // The measuring pass is part of the progress, which never goes back and ends at 100.
  ASSERT_FALSE(n->progress.values.empty());
  EXPECT_TRUE(std::is_sorted(n->progress.values.begin(), n->progress.values.end()));
  EXPECT_GT(std::count_if(n->progress.values.begin(), n->progress.values.end(),
                          [](double v) { return v < 40.0; }),
            0);
  EXPECT_EQ(n->progress.values.back(), 100.0);
}

TEST(LoudnessNormalisation, ManifestCarriesTheOutputLoudnessAsAnIndependentMeterReadsIt) {
  const auto p = with_loudness(kAudioPreset, -23.0);
  const auto n = encode_normalised("speech-audio-only.flac", p);
  const FfmpegLoudness out = ffmpeg_ebur128(n->media());
  pugi::xml_document doc;
  const auto l = n->loudness_node(doc);
  ASSERT_TRUE(l) << "no LoudnessMeteringResultParameters";
  EXPECT_TRUE(
      contains(l.attribute("DPLMVersionInformation").value(), "mediaworker ebur128 (libavfilter "));
  EXPECT_NEAR(l.attribute("IntegratedLoudness").as_double(), out.integrated_lufs, 0.15);
  EXPECT_STREQ(l.attribute("IntegratedLoudnessUnit").value(), "LKFS");
  EXPECT_STREQ(l.attribute("IntegratedLoudnessGatingMethod").value(), "ITU-R BS.1770-4 relative");
  EXPECT_EQ(l.attribute("DialogNormalization").as_int(),
            static_cast<int>(std::lround(out.integrated_lufs)));
  EXPECT_NEAR(l.attribute("SamplePeak").as_double(), out.sample_peak_dbfs, 0.1);
  EXPECT_STREQ(l.attribute("SamplePeakUnit").value(), "dBFS");
  EXPECT_NEAR(l.attribute("TruePeak").as_double(), out.true_peak_dbtp, 0.1);
  EXPECT_STREQ(l.attribute("TruePeakUnit").value(), "dBTP");
  EXPECT_FALSE(l.attribute("IntegratedLoudnessSpeechPercentage"))
      << "no speech gating: no percentage";
}

TEST(LoudnessNormalisation, FilmSoundtrackReachesAStreamingTargetOfMinus16Lufs) {
  // The Big Buck Bunny transport stream's music and effects: -46.9 LUFS, true peak -32.2 dBTP.
  const auto p = with_loudness(kAudioPreset, -16.0);
  const auto n = encode_normalised("bbb-1080p24-mpeg2-mp2.ts", p);
  const FfmpegLoudness out = ffmpeg_ebur128(n->media());
  EXPECT_NEAR(out.integrated_lufs, -16.0, 1.0);
  EXPECT_LE(out.true_peak_dbtp, -1.0 + 0.3);
  pugi::xml_document doc;
  const auto l = n->loudness_node(doc);
  EXPECT_NEAR(l.attribute("IntegratedLoudness").as_double(), out.integrated_lufs, 0.15);
  EXPECT_EQ(l.attribute("DialogNormalization").as_int(),
            static_cast<int>(std::lround(out.integrated_lufs)));
}

TEST(LoudnessNormalisation, VideoFileCarriesNormalisedAudioInSyncWithItsPicture) {
  const auto p = with_loudness(kVideoPreset, -23.0);
  const auto n = encode_normalised("bbb-1080p24-mpeg2-mp2.ts", p, 2.0);
  const FfmpegLoudness out = ffmpeg_ebur128(n->media());
  EXPECT_NEAR(out.integrated_lufs, -23.0, 1.0);
  EXPECT_LE(out.true_peak_dbtp, -1.0 + 0.3);
  const MeasuredFile& m = n->result.measured.at(0);
  ASSERT_TRUE(m.video() && m.audio());
  // loudnorm runs at 192 kHz inside the graph; the track comes back at the preset's rate and
  // as long as the picture.
  EXPECT_EQ(m.audio()->sampling_rate, 48000);
  EXPECT_NEAR(m.audio()->duration_s, m.video()->duration_s, 0.05);
  pugi::xml_document doc;
  EXPECT_TRUE(n->loudness_node(doc));
  EXPECT_TRUE(std::is_sorted(n->progress.values.begin(), n->progress.values.end()));
}

TEST(LoudnessNormalisation, SilentSoundtrackIsLeftAloneWithANote) {
  // The 6-minute clip's audio track is digital silence.
  const auto p = with_loudness(kAudioPreset, -23.0);
  const auto n = encode_normalised("long-1080p60-av1-aac-6min.mp4", p, 3.0);
  ASSERT_TRUE(n->result.input_loudness);
  EXPECT_TRUE(n->result.input_loudness->silent());
  EXPECT_TRUE(contains(notes_of(n->result), "the audio is silent")) << notes_of(n->result);
  EXPECT_FALSE(contains(n->result.plan.audio_filter, "loudnorm")) << n->result.plan.audio_filter;
  pugi::xml_document doc;
  const auto l = n->loudness_node(doc);
  ASSERT_TRUE(l);
  EXPECT_EQ(l.attribute("IntegratedLoudness").as_double(), -70.0);
  EXPECT_EQ(l.attribute("DialogNormalization").as_int(), -31);
  EXPECT_STREQ(l.attribute("TruePeak").value(), "-INF");
  EXPECT_NEAR(n->result.measured.at(0).audio()->duration_s, 3.0, 0.05);
}

/// Requests a stop at the first progress report (which comes from the measuring pass).
class StopAtFirstReport : public ProgressListener {
 public:
  void on_progress(double percent) override {
    std::lock_guard lock(mutex_);
    if (!first) {
      first = percent;
      source.request_stop();
    }
  }
  std::mutex mutex_;
  std::optional<double> first;
  std::stop_source source;
};

TEST(LoudnessNormalisation, InsertedSilenceOnAVideoOnlyClipIsLeftAloneWithANote) {
  // InsertSilenceIfNoAudio with loudness on a clip without audio once failed the task ("the
  // plan encodes no audio to measure").
  presets::Preset p = with_loudness(kVideoPreset, -23.0);
  p.audio->insert_silence_if_no_audio = true;
  const auto n = encode_normalised("bbb-800x640-h264-video-only-14s.mp4", p, 1.0);
  ASSERT_TRUE(n->result.input_loudness);
  EXPECT_TRUE(n->result.input_loudness->silent());
  EXPECT_TRUE(contains(notes_of(n->result), "the audio is silent")) << notes_of(n->result);
  EXPECT_FALSE(contains(n->result.plan.audio_filter, "loudnorm")) << n->result.plan.audio_filter;
  ASSERT_EQ(n->result.measured.size(), 1u);
  ASSERT_NE(n->result.measured[0].audio(), nullptr);
  EXPECT_EQ(ffmpeg_ebur128(n->media()).sample_peak_dbfs, -INFINITY);
  pugi::xml_document doc;
  const auto l = n->loudness_node(doc);
  ASSERT_TRUE(l);
  EXPECT_EQ(l.attribute("IntegratedLoudness").as_double(), -70.0);
}

TEST(LoudnessNormalisation, CancelDuringTheMeasuringPassStopsItAndLeavesNothing) {
  const auto p = with_loudness(kAudioPreset, -23.0);
  TempDir dir;
  EncodeRequest request;
  request.input = media("long-1080p60-av1-aac-6min.mp4");
  request.preset = &p;
  request.output_dir = dir.path() / "out";
  StopAtFirstReport listener;
  const auto error =
      encode_error_of([&] { encode(request, &listener, listener.source.get_token()); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->category(), ErrorCategory::Canceled) << error->what();
  ASSERT_TRUE(listener.first);
  EXPECT_LT(*listener.first, 40.0) << "the stop came after the measuring pass";
  EXPECT_EQ(entries_of(request.output_dir), std::vector<std::string>{});
}

}  // namespace
}  // namespace mw::encoders
