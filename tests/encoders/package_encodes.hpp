#pragma once
// The encodes the packaging tests share (engine_package_test.cpp, engine_playback_test.cpp): a
// few seconds of the VFR clip as streaming packages from inline presets, each encoded once per
// test program (encode_cache.hpp).

#include <map>
#include <string>

#include "presets/loader.hpp"
#include "tests/encoders/encode_cache.hpp"

namespace mw::encoders::test_support {

inline constexpr const char* kClip =
    "vfr-640x360-h264-aac-17s.mp4";  // 640x360 about 30 fps, AAC stereo
inline constexpr const char* kStem = "vfr-640x360-h264-aac-17s";
inline constexpr double kFrameS =
    1.0 / 30;  // one frame of the encodes (frame_rate: source, ~30 fps)

// Two layers and the audio as CMAF (HLS + DASH), Smooth and TS from one encode of 6 s: with
// 2 s segments the audio runs a few ms past the video's last keyframe segment (the case where
// a packager cutting audio on its own clock writes a last segment of one AAC frame).
inline constexpr const char* kCmafSmoothTs = R"(name: Package Test CMAF Smooth TS
video:
  keyframe_interval: 2
  layers:
    - {width: 640, height: 360, bitrate: 700}
    - {width: 320, height: 180, bitrate: 250}
audio:
  bitrate: 96
outputs:
  - file_name: "{Basename}_{Width}x{Height}_{VideoBitrate}"
    format: cmaf
    streams: video_only
  - file_name: "{Basename}_audio_{AudioBitrate}"
    format: cmaf
    streams: audio_only
  - file_name: "{Basename}_{Width}x{Height}_{VideoBitrate}"
    format: smooth
    streams: video_only
  - file_name: "{Basename}_audio_{AudioBitrate}"
    format: smooth
    streams: audio_only
  - file_name: "{Basename}_{Width}x{Height}_{VideoBitrate}"
    format: ts
)";
inline constexpr double kCmafSmoothTsDurationS = 6;

// Three layers as separate HLS and DASH packages with 4 s segments over 2 s GOPs (10 s: 4, 4, 2).
inline constexpr const char* kHlsDashFourSeconds = R"(name: Package Test HLS DASH 4s
video:
  keyframe_interval: 2
  layers:
    - {width: 640, height: 360, bitrate: 600}
    - {width: 480, height: 270, bitrate: 350}
    - {width: 320, height: 180, bitrate: 200}
audio:
  bitrate: 64
outputs:
  - file_name: "{Basename}_{Height}p"
    format: hls
    streams: video_only
    segment_duration: 4
    manifest_name: "{Basename}_hls"
  - file_name: "{Basename}_audio"
    format: hls
    streams: audio_only
    segment_duration: 4
    manifest_name: "{Basename}_hls"
  - file_name: "{Basename}_{Height}p"
    format: dash
    streams: video_only
    segment_duration: 4
    manifest_name: "{Basename}_dash"
  - file_name: "{Basename}_audio"
    format: dash
    streams: audio_only
    segment_duration: 4
    manifest_name: "{Basename}_dash"
)";
inline constexpr double kHlsDashDurationS = 10;

inline const presets::Preset& inline_preset(const char* yaml) {
  static std::map<std::string, presets::Preset> parsed;
  auto it = parsed.find(yaml);
  if (it == parsed.end())
    it = parsed.emplace(yaml, presets::parse_preset_yaml(yaml, "inline")).first;
  return it->second;
}

inline const EncodedClip& cmaf_smooth_ts() {
  return EncodeCache::get(kClip, inline_preset(kCmafSmoothTs), kCmafSmoothTsDurationS);
}
inline const EncodedClip& hls_dash_four_seconds() {
  return EncodeCache::get(kClip, inline_preset(kHlsDashFourSeconds), kHlsDashDurationS);
}

}  // namespace mw::encoders::test_support
