// The streaming manifests from known segment records (no encode): the HLS master's bandwidths
// and default audio, the RFC 8216 peak segment bit rate, the DASH timeline's runs.

#include "encoders/package/manifests.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mw::encoders::package {
namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

Rendition video(const std::string& stem, int width, int height) {
  Rendition r;
  r.stem = stem;
  r.video = true;
  r.width = r.display_width = width;
  r.height = r.display_height = height;
  r.frame_rate = {25, 1};
  r.codec_string = "avc1.4D401F";
  return r;
}

Rendition audio(const std::string& stem) {
  Rendition r;
  r.stem = stem;
  r.channels = 2;
  r.sample_rate = 48000;
  r.codec_string = "mp4a.40.2";
  return r;
}

// Segments of 2 s (timescale 1000) of the given sizes in bytes.
WrittenRendition written(const Rendition& r, const std::vector<int64_t>& bytes) {
  WrittenRendition w;
  w.source = &r;
  w.timescale = 1000;
  w.init_file = r.stem + "_init.mp4";
  w.media_playlist = r.stem + ".m3u8";
  for (size_t i = 0; i < bytes.size(); ++i)
    w.segments.push_back({r.stem + "_0000" + std::to_string(i + 1) + ".m4s", static_cast<int64_t>(i) * 2000, 2000,
                          bytes[i], 50});
  return w;
}

TEST(HlsMaster, BandwidthIsThePeakSegmentRateOfVideoPlusTheLargestAudio) {
  const Rendition v = video("clip_720", 1280, 720), low = audio("clip_aac_64"), high = audio("clip_aac_128");
  // Video 1000 kbit/s, then a 2 s segment at 1500 kbit/s; audio 64 and 128 kbit/s.
  const std::vector<WrittenRendition> rs = {written(v, {250000, 375000, 250000}), written(low, {16000, 16000, 16000}),
                                            written(high, {32000, 32000, 32000})};
  EXPECT_DOUBLE_EQ(rs[0].peak_bps(2.0), 1500000.0);  // one 2 s segment is a run of 0.5-1.5 targets
  EXPECT_NEAR(rs[0].average_bps(), 1166666.7, 0.1);
  const std::string m = hls_master_playlist(rs, 2.0);
  EXPECT_TRUE(contains(m, "BANDWIDTH=1628000,AVERAGE-BANDWIDTH=1294667,CODECS=\"avc1.4D401F,mp4a.40.2\","
                          "RESOLUTION=1280x720,FRAME-RATE=25.000,AUDIO=\"audio\"\nclip_720.m3u8\n"))
      << m;
  // The default audio is the highest bitrate, whatever the order of the renditions.
  EXPECT_TRUE(contains(m, "NAME=\"clip_aac_128\",DEFAULT=YES")) << m;
  EXPECT_TRUE(contains(m, "NAME=\"clip_aac_64\",DEFAULT=NO")) << m;
}

TEST(DashMpd, EqualSegmentsAreOneRunOfTheTimeline) {
  const Rendition v = video("clip_720", 1280, 720);
  const std::vector<WrittenRendition> rs = {written(v, {250000, 250000, 250000})};
  const std::string mpd = dash_mpd(rs, 2.0, 6.0);
  EXPECT_TRUE(contains(mpd, "<S t=\"0\" d=\"2000\" r=\"2\" />")) << mpd;
  EXPECT_TRUE(contains(mpd, "mediaPresentationDuration=\"PT6S\"")) << mpd;
  EXPECT_TRUE(contains(mpd, "bandwidth=\"1000000\"")) << mpd;
}

}  // namespace
}  // namespace mw::encoders::package
