// The loudness normalisation decision (pass 2) and its metadata, from given measurements.

#include "encoders/loudness.hpp"

#include <gtest/gtest.h>

#include <pugixml.hpp>

#include "encoders/metadata.hpp"
#include "tests/encoders/test_support.hpp"

namespace mw::encoders {
namespace {

using test_support::contains;

AudioEncodePlan stereo48k() {
  AudioEncodePlan a;
  a.codec.sampling_rate = 48000;
  a.channel_layout = "stereo";
  return a;
}

LoudnessMeasurement measured(double lufs, double true_peak, double lra, double duration_s = 60) {
  LoudnessMeasurement m;
  m.integrated_lufs = lufs;
  m.relative_gate_lufs = lufs - 10.5;
  m.true_peak_dbtp = true_peak;
  m.sample_peak_dbfs = true_peak - 0.3;
  m.loudness_range_lu = lra;
  m.duration_s = duration_s;
  return m;
}

TEST(LoudnessPlan, HeadroomAndNarrowRangeGiveOneLinearGainBackAtThePresetRate) {
  const auto n =
      plan_loudness_normalization({-23, -1, 7}, measured(-30.0, -12.0, 5.0), stereo48k());
  EXPECT_TRUE(n.linear);
  EXPECT_DOUBLE_EQ(n.gain_db, 7.0);
  EXPECT_EQ(
      n.filter,
      "loudnorm=I=-23.00:TP=-1.00:LRA=7.00:measured_I=-30.00:measured_TP=-12.00:measured_LRA=5.00:"
      "measured_thresh=-40.50:offset=0:linear=true,aresample=48000,"
      "aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo");
  EXPECT_TRUE(contains(n.note, "by one linear gain of +7.0 dB")) << n.note;
}

TEST(LoudnessPlan, PeaksThatWouldClipGoToTheDynamicModeAndSaySo) {
  const auto n = plan_loudness_normalization({-16, -1, 7}, measured(-30.0, -6.0, 5.0), stereo48k());
  EXPECT_FALSE(n.linear);
  EXPECT_TRUE(contains(
      n.note, "dynamic mode (a linear gain of +14.0 dB would put the true peak at 8.0 dBTP)"))
      << n.note;
}

TEST(LoudnessPlan, ShortClipWithoutARangeIsStillLinear) {
  // Under 3 s there is no short-term window, so no loudness range: loudnorm would read 0 as
  // "not measured" and refuse its linear mode.
  const auto n =
      plan_loudness_normalization({-23, -1, 7}, measured(-40.0, -20.0, 0.0, 2.5), stereo48k());
  EXPECT_TRUE(n.linear);
  EXPECT_TRUE(contains(n.filter, ":measured_LRA=0.10:")) << n.filter;
}

TEST(LoudnessPlan, NearSilenceIsRaisedByAtMost40Db) {
  const auto n =
      plan_loudness_normalization({-23, -1, 7}, measured(-68.0, -50.0, 3.0), stereo48k());
  EXPECT_DOUBLE_EQ(n.gain_db, kMaxLoudnessGainDb);
  EXPECT_DOUBLE_EQ(n.target_lufs, -28.0);
  EXPECT_TRUE(contains(n.filter, "loudnorm=I=-28.00:")) << n.filter;
  EXPECT_TRUE(
      contains(n.note, "gain capped at +40 dB: the audio is raised to -28.0 LUFS, not -23.0 LUFS"))
      << n.note;
}

TEST(LoudnessPlan, DigitalSilenceIsLeftAlone) {
  const auto n = plan_loudness_normalization({-23, -1, 7}, LoudnessMeasurement{}, stereo48k());
  EXPECT_EQ(n.filter, "");
  EXPECT_TRUE(contains(n.note, "the audio is silent")) << n.note;
}

TEST(LoudnessPlan, TargetOutsideLoudnormsRangeIsAConfigurationErrorNamingTheField) {
  const auto error = test_support::encode_error_of([] {
    plan_loudness_normalization({-23, -12, 7}, measured(-30, -12, 5), stereo48k());
  });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->category(), ErrorCategory::Configuration);
  EXPECT_TRUE(contains(error->what(), "audio.loudness.true_peak -12 dBTP is outside -9..0 dBTP"))
      << error->what();
}

TEST(LoudnessPlan, AppliedBeforeTheAudioOutputLabel) {
  EncodePlan plan;
  plan.audio_filter = "[in]aresample=async=1[a0]";
  LoudnessNormalization n;
  n.filter = "loudnorm=I=-23";
  n.note = "loudness: x";
  apply_loudness_normalization(plan, n);
  EXPECT_EQ(plan.audio_filter, "[in]aresample=async=1,loudnorm=I=-23[a0]");
  EXPECT_EQ(plan.notes, std::vector<std::string>{"loudness: x"});
}

TEST(LoudnessMetadata, DialogNormalizationIsTheRoundedLoudnessWithinMinus31ToMinus1) {
  EXPECT_EQ(dialog_normalization(-23.4), -23);
  EXPECT_EQ(dialog_normalization(-23.6), -24);
  EXPECT_EQ(dialog_normalization(-45.0), -31);
  EXPECT_EQ(dialog_normalization(-70.0), -31);
  EXPECT_EQ(dialog_normalization(-0.2), -1);
}

TEST(LoudnessMetadata, ManifestAudioTrackCarriesTheMeteringResult) {
  MeasuredFile f;
  f.name = "clip_AAC_192.mp4";
  MeasuredTrack a;
  a.channels = 2;
  a.sampling_rate = 48000;
  LoudnessMeasurement l = measured(-23.04, -1.37, 4.0);
  l.sample_peak_dbfs = -2.5;
  l.meter = "mediaworker ebur128 (libavfilter 8.44.100)";
  a.loudness = l;
  f.tracks.push_back(a);
  EncodePlan plan;
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(output_manifest_xml({f}, plan, "clip.wav").c_str()));
  const auto n = doc.child("AssetFiles")
                     .child("AssetFile")
                     .child("AudioTracks")
                     .child("AudioTrack")
                     .child("LoudnessMeteringResultParameters");
  ASSERT_TRUE(n);
  EXPECT_STREQ(n.attribute("DPLMVersionInformation").value(),
               "mediaworker ebur128 (libavfilter 8.44.100)");
  EXPECT_STREQ(n.attribute("DialogNormalization").value(), "-23");
  EXPECT_STREQ(n.attribute("IntegratedLoudness").value(), "-23.04");
  EXPECT_STREQ(n.attribute("IntegratedLoudnessUnit").value(), "LKFS");
  EXPECT_STREQ(n.attribute("SamplePeak").value(), "-2.50");
  EXPECT_STREQ(n.attribute("TruePeak").value(), "-1.37");
  EXPECT_STREQ(n.attribute("TruePeakUnit").value(), "dBTP");
}

}  // namespace
}  // namespace mw::encoders
