#pragma once
// Shared by the MES preset tests: MES JSON/XML presets in the shapes of the MES documentation
// (AMS-V2-REFERENCE.md §8 sources) and helpers to catch and check translation errors.

#include <gtest/gtest.h>

#include "presets/mes_preset.hpp"

#include <filesystem>
#include <string>
#include <string_view>

#include "presets/library.hpp"
#include "presets/loader.hpp"
#include "presets/preset_error.hpp"
#include "tests/presets/test_files.hpp"

namespace mw::presets::mes_test {

using test_support::edited;
using test_support::line_of;
using test_support::shipped_library_dir;
using test_support::TempDir;

inline bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

inline std::filesystem::path sample_presets_dir() {
  return std::filesystem::path(MW_SOURCE_DIR) / "samples" / "presets";
}

// ---- Presets in the shapes of the MES docs (AMS-V2-REFERENCE.md §8 sources) -------------------

/// Single bitrate 720p with thumbnails, as DOCS media-services-advanced-encoding-with-mes.md
/// writes it (SceneChangeDetection as the string "true", no Type-less layer fields).
constexpr std::string_view kSingleBitrateJson = R"({
  "Version": 1.0,
  "Codecs": [
    {
      "KeyFrameInterval": "00:00:02",
      "SceneChangeDetection": "true",
      "H264Layers": [
        {
          "Profile": "Auto",
          "Level": "auto",
          "Bitrate": 4500,
          "MaxBitrate": 4500,
          "BufferWindow": "00:00:05",
          "Width": 1280,
          "Height": 720,
          "ReferenceFrames": 3,
          "EntropyMode": "Cabac",
          "AdaptiveBFrame": true,
          "Type": "H264Layer",
          "FrameRate": "0/1"
        }
      ],
      "Type": "H264Video"
    },
    {
      "Channels": 2,
      "SamplingRate": 48000,
      "Bitrate": 128,
      "Type": "AACAudio"
    }
  ],
  "Outputs": [
    {
      "FileName": "{Basename}_{Width}x{Height}_{VideoBitrate}.mp4",
      "Format": {
        "Type": "MP4Format"
      }
    }
  ]
}
)";

/// "H264 Single Bitrate 720p" in XML as the MES preset pages write it (http namespace, UTF-16
/// declaration, empty Chapters).
constexpr std::string_view kSingleBitrateXml = R"(<?xml version="1.0" encoding="utf-16"?>
<Preset xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" Version="1.0" xmlns="http://www.windowsazure.com/media/encoding/Preset/2014/03">
  <Encoding>
    <H264Video>
      <KeyFrameInterval>00:00:02</KeyFrameInterval>
      <SceneChangeDetection>true</SceneChangeDetection>
      <H264Layers>
        <H264Layer>
          <Bitrate>4500</Bitrate>
          <Width>1280</Width>
          <Height>720</Height>
          <FrameRate>0/1</FrameRate>
          <Profile>Auto</Profile>
          <Level>auto</Level>
          <BFrames>3</BFrames>
          <ReferenceFrames>3</ReferenceFrames>
          <Slices>0</Slices>
          <AdaptiveBFrame>true</AdaptiveBFrame>
          <EntropyMode>Cabac</EntropyMode>
          <BufferWindow>00:00:05</BufferWindow>
          <MaxBitrate>4500</MaxBitrate>
        </H264Layer>
      </H264Layers>
      <Chapters />
    </H264Video>
    <AACAudio>
      <Profile>AACLC</Profile>
      <Channels>2</Channels>
      <SamplingRate>48000</SamplingRate>
      <Bitrate>128</Bitrate>
    </AACAudio>
  </Encoding>
  <Outputs>
    <Output FileName="{Basename}_{Width}x{Height}_{VideoBitrate}.mp4">
      <MP4Format />
    </Output>
  </Outputs>
</Preset>
)";

/// A trimmed multi-bitrate ladder (the docs' "Trim a video" JSON, three of its layers).
constexpr std::string_view kTrimmedLadderJson = R"({
  "Version": 1.0,
  "Sources": [
    {
      "StartTime": "00:00:04",
      "Duration": "00:00:16"
    }
  ],
  "Codecs": [
    {
      "KeyFrameInterval": "00:00:03",
      "StretchMode": "AutoSize",
      "H264Layers": [
        {
          "Profile": "Auto", "Level": "auto", "Bitrate": 3400, "MaxBitrate": 3400,
          "BufferWindow": "00:00:05", "Width": 1280, "Height": 720, "BFrames": 3,
          "ReferenceFrames": 3, "AdaptiveBFrame": true, "Type": "H264Layer", "FrameRate": "0/1"
        },
        {
          "Profile": "Main", "Level": "3.1", "Bitrate": 2250, "MaxBitrate": 3000,
          "BufferWindow": "00:00:04", "Width": 960, "Height": 540, "BFrames": 2,
          "ReferenceFrames": 4, "AdaptiveBFrame": false, "Type": "H264Layer", "FrameRate": "0/1"
        },
        {
          "Profile": "Baseline", "Level": "3.0", "Bitrate": 400, "Width": 320, "Height": 180,
          "Type": "H264Layer", "FrameRate": "0/1", "Slices": 2
        }
      ],
      "Type": "H264Video"
    },
    {
      "Profile": "HEAACV2",
      "Channels": 2,
      "SamplingRate": 48000,
      "Bitrate": 64,
      "Type": "AACAudio"
    }
  ],
  "Outputs": [
    {
      "FileName": "{Basename}_{Width}x{Height}_{VideoBitrate}.mp4",
      "Format": {
        "Type": "MP4Format"
      }
    }
  ]
}
)";

/// `kSingleBitrateJson` with its Codecs replaced by `codecs` and its Outputs by `outputs`.
inline std::string json_preset(std::string_view codecs,
                        std::string_view outputs =
                            R"([{"FileName": "{Basename}_{Bitrate}.mp4",
                                                          "Format": {"Type": "MP4Format"}}])",
                        std::string_view extra = "") {
  return R"({"Version": 1.0, )" + std::string(extra) + R"("Codecs": )" + std::string(codecs) +
         R"(, "Outputs": )" + std::string(outputs) + "}";
}

constexpr std::string_view kVideoCodec = R"({"Type": "H264Video", "H264Layers": [
  {"Type": "H264Layer", "Bitrate": 1000, "Width": 640, "Height": 360}]})";
constexpr std::string_view kAudioCodec = R"({"Type": "AACAudio", "Bitrate": 128})";

/// Text as UTF-16 (little or big endian) with a byte order mark; `utf8` may hold any character
/// of the Basic Multilingual Plane.
inline std::string utf16_with_bom(std::string_view utf8, bool little_endian) {
  std::string out = little_endian ? "\xFF\xFE" : "\xFE\xFF";
  for (std::size_t i = 0; i < utf8.size();) {
    const auto byte = static_cast<unsigned char>(utf8[i]);
    unsigned code = byte;
    int extra = 0;
    if (byte >= 0xE0) {
      code = byte & 0x0F;
      extra = 2;
    } else if (byte >= 0xC0) {
      code = byte & 0x1F;
      extra = 1;
    }
    for (int k = 1; k <= extra; ++k)
      code = (code << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3F);
    i += 1 + extra;
    const char high = static_cast<char>(code >> 8);
    const char low = static_cast<char>(code & 0xFF);
    out += little_endian ? std::string{low, high} : std::string{high, low};
  }
  return out;
}

/// The PresetError of translating `text` (a test failure if it translates).
inline PresetError error_of(std::string_view text) {
  try {
    parse_mes_preset(text, "inline");
  } catch (const PresetError& error) {
    return error;
  }
  ADD_FAILURE() << "the preset translated:\n" << text;
  return PresetError("", 0, "", "");
}

/// Expects translating `text` to fail at `key` with a message containing `part`, and at `line`
/// when it is not 0.
inline void expect_error(std::string_view text, std::string_view key, std::string_view part,
                  int line = 0) {
  const PresetError error = error_of(text);
  EXPECT_EQ(error.file(), "inline") << error.what();
  EXPECT_EQ(error.key(), key) << error.what();
  EXPECT_TRUE(contains(error.message(), part)) << error.what();
  if (line != 0) {
    EXPECT_EQ(error.line(), line) << error.what();
  }
}

}  // namespace mw::presets::mes_test
