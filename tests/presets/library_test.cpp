#include "presets/library.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "presets/preset_error.hpp"
#include "tests/presets/test_files.hpp"

namespace mw::presets {
namespace {

using test_support::shipped_library_dir;
using test_support::TempDir;

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

/// A minimal valid audio-only preset named `name` with `extra` lines after the name.
std::string audio_preset(std::string_view name, std::string_view extra = "", int kbps = 128) {
  return "name: " + std::string(name) + "\n" + std::string(extra) +
         "audio:\n  bitrate: " + std::to_string(kbps) +
         "\noutputs:\n  - file_name: \"{Basename}_{AudioBitrate}{Extension}\"\n";
}

/// The message of the PresetError `resolve` raises for `configuration` ("" if it resolves).
std::string resolve_error(const PresetLibrary& library, std::string_view configuration) {
  try {
    library.resolve(configuration);
  } catch (const PresetError& error) {
    return error.what();
  }
  ADD_FAILURE() << "'" << configuration << "' resolved";
  return "";
}

/// Sets an environment variable for one scope, restoring the old value after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

class SystemLibraryTest : public ::testing::Test {
 protected:
  const PresetLibrary library_ = PresetLibrary::load({shipped_library_dir()});
};

// ---- Names -------------------------------------------------------------------------------------

TEST(NormalizePresetNameTest, DropsCaseSpacesDashesUnderscoresAndDots) {
  EXPECT_EQ(normalize_preset_name("H.264 HD 720p VBR"), "h264hd720pvbr");
  EXPECT_EQ(normalize_preset_name("h264-hd_720P\tvbr "), "h264hd720pvbr");
  EXPECT_EQ(normalize_preset_name("  "), "");
  EXPECT_EQ(normalize_preset_name("16x9 SD"), "16x9sd");
  // A name read from a file saved with a byte order mark was once "unknown preset", with the
  // same-looking name as the first suggestion.
  EXPECT_EQ(normalize_preset_name("\xEF\xBB\xBFH264 Single Bitrate 720p"), "h264singlebitrate720p");
  EXPECT_EQ(normalize_preset_name("\xEF\xBB\xBF"), "");
}

TEST_F(SystemLibraryTest, NameResolutionIgnoresCaseAndSpacing) {
  EXPECT_EQ(library_.resolve("h264 single bitrate 720P").name, "H264 Single Bitrate 720p");
  EXPECT_EQ(library_.resolve("H.264-HD-720p-VBR").name, "H.264 HD 720p VBR");
  EXPECT_EQ(library_.resolve("H264 HD 720p VBR").name, "H.264 HD 720p VBR");
  EXPECT_EQ(library_.resolve("  aac_good_quality_audio ").name, "AAC Good Quality Audio");
  EXPECT_EQ(library_.resolve("H264 Single Bitrate 16x9 SD").video->layers.at(0).width, 848);
  EXPECT_EQ(library_.resolve("\xEF\xBB\xBFH264 Single Bitrate 720p").name, "H264 Single Bitrate 720p");
}

TEST_F(SystemLibraryTest, NameWithATrailingLineBreakIsStillAName) {
  EXPECT_EQ(library_.resolve("H264 Single Bitrate 1080p\n").name, "H264 Single Bitrate 1080p");
}

TEST_F(SystemLibraryTest, FindReturnsNullForAnUnknownOrEmptyName) {
  EXPECT_EQ(library_.find("H264 Single Bitrate 2160p"), nullptr);
  EXPECT_EQ(library_.find(" - "), nullptr);
  ASSERT_NE(library_.find("h264singlebitrate1080p"), nullptr);
  EXPECT_EQ(library_.find("h264singlebitrate1080p")->video->layers.at(0).bitrate_kbps, 6750);
}

TEST_F(SystemLibraryTest, UnknownNameSuggestsTheClosestNames) {
  const std::string message = resolve_error(library_, "H264 Single Bitrate 702p");
  EXPECT_EQ(message.rfind("unknown preset 'H264 Single Bitrate 702p'; did you mean "
                          "'H264 Single Bitrate 720p'",
                          0),
            0u)
      << message;
  // Three suggestions at most: a pair of quotes for the name asked, three for the names offered.
  EXPECT_EQ(std::count(message.begin(), message.end(), '\''), 8) << message;
}

TEST_F(SystemLibraryTest, MisspeltOldEncoderNameSuggestsTheOldEncoderPreset) {
  const std::string message = resolve_error(library_, "H264 Broadband 702p");
  EXPECT_TRUE(contains(message, "unknown preset 'H264 Broadband 702p'; did you mean "
                                "'H264 Broadband 720p'"))
      << message;
}

// ---- Unsupported presets (VC-1, WMA) ------------------------------------------------------------

TEST_F(SystemLibraryTest, VcOnePresetIsRefusedNamingTheH264PresetToUse) {
  const std::string message = resolve_error(library_, "VC1 Broadband 720p");
  EXPECT_TRUE(contains(message, "preset 'VC1 Broadband 720p' is not supported: mediaworker does "
                                "not encode VC-1 video or WMA audio"))
      << message;
  EXPECT_TRUE(contains(message, "use 'H264 Broadband 720p' instead")) << message;
  ASSERT_NE(library_.find("VC1 Broadband 720p"), nullptr);  // still listed for `presets list`
}

TEST_F(SystemLibraryTest, InlineUnsupportedPresetIsRefusedToo) {
  const std::string message = resolve_error(
      library_, "name: Old\nunsupported: mediaworker does not encode WMA\nuse_instead: X\n");
  EXPECT_TRUE(contains(message, "preset 'Old' is not supported: mediaworker does not encode WMA; "
                                "use 'X' instead"))
      << message;
}

TEST(PresetLibraryTest, UseInsteadNamingNoPresetFailsTheLoad) {
  const TempDir dir;
  const auto file = dir.write(
      "old.yaml", "name: Old\nunsupported: not encoded\nuse_instead: Nothing Like It\n");
  dir.write("voice.yaml", audio_preset("Voice"));
  try {
    PresetLibrary::load({dir.path()});
    ADD_FAILURE() << "a dangling use_instead loaded";
  } catch (const PresetError& error) {
    EXPECT_EQ(error.file(), file.string());
    EXPECT_EQ(error.key(), "use_instead");
    EXPECT_TRUE(contains(error.message(), "'Nothing Like It' is not a preset of the library"))
        << error.what();
  }
}

TEST(PresetLibraryTest, UseInsteadNamingAnotherUnsupportedPresetFailsTheLoad) {
  const TempDir dir;
  dir.write("a.yaml", "name: Old A\nunsupported: not encoded\nuse_instead: Old B\n");
  dir.write("b.yaml", "name: Old B\nunsupported: not encoded\nuse_instead: Old A\n");
  try {
    PresetLibrary::load({dir.path()});
    ADD_FAILURE() << "a use_instead naming an unsupported preset loaded";
  } catch (const PresetError& error) {
    EXPECT_TRUE(contains(error.message(), "is unsupported too")) << error.what();
  }
}

TEST_F(SystemLibraryTest, LongUnknownConfigurationIsShortenedToOneLine) {
  // Valid YAML with a line break, but not a preset of ours, so it is looked up as a name. (MES
  // JSON and XML presets, which start with '{' or '<', are translated: mes_preset_test.cpp.)
  std::string text = "Version: 1.0\nCodecs:\n";
  for (int i = 0; i < 20; ++i) text += "  - KeyFrameInterval: 00:00:02\n";
  const std::string message = resolve_error(library_, text);
  EXPECT_TRUE(contains(message, "unknown preset 'Version: 1.0 Codecs:   - KeyFrame")) << message;
  EXPECT_TRUE(contains(message, "...'")) << message;
  EXPECT_FALSE(contains(message, "\n")) << message;
  EXPECT_LT(message.size(), 400u) << message;
}

TEST_F(SystemLibraryTest, EmptyConfigurationIsNotLookedUp) {
  for (const std::string_view configuration : {"", "  ", " - "}) {
    EXPECT_TRUE(contains(resolve_error(library_, configuration), "the Configuration is empty"));
  }
}

TEST(EmptyLibraryTest, UnknownNameSaysTheLibraryIsEmpty) {
  const TempDir dir;
  const PresetLibrary library = PresetLibrary::load({dir.path()});
  EXPECT_TRUE(library.all().empty());
  EXPECT_EQ(resolve_error(library, "H264 Single Bitrate 720p"),
            "unknown preset 'H264 Single Bitrate 720p'; the preset library is empty");
}

// ---- Inline presets ---------------------------------------------------------------------------

TEST_F(SystemLibraryTest, InlineYamlResolves) {
  const Preset preset = library_.resolve(audio_preset("Podcast", "", 96));
  EXPECT_EQ(preset.name, "Podcast");
  EXPECT_EQ(preset.origin, "inline");
  ASSERT_TRUE(preset.audio);
  EXPECT_EQ(preset.audio->bitrate_kbps, 96);
}

TEST_F(SystemLibraryTest, InlineYamlIsRecognisedByItsAudioKeyAndChecked) {
  const std::string inline_without_name =
      "audio:\n  bitrate: 96\noutputs:\n  - file_name: \"{Basename}{Extension}\"\n";
  try {
    library_.resolve(inline_without_name);
    ADD_FAILURE() << "a preset without a name resolved";
  } catch (const PresetError& error) {
    EXPECT_EQ(error.file(), "inline");
    EXPECT_EQ(error.key(), "name");
    EXPECT_EQ(error.line(), 1);
  }
}

TEST_F(SystemLibraryTest, InlineThumbnailOnlyYamlIsRecognisedByItsImagesKey) {
  // A thumbnail-only preset has neither video nor audio; without its name it was once looked up
  // as a preset named "images: ...".
  const std::string thumbnails_without_name =
      "images:\n  - {format: jpg, layers: [{width: 100}]}\n"
      "outputs:\n  - {file_name: \"{Basename}_{Index}{Extension}\", format: jpg}\n";
  try {
    library_.resolve(thumbnails_without_name);
    ADD_FAILURE() << "a preset without a name resolved";
  } catch (const PresetError& error) {
    EXPECT_EQ(error.file(), "inline") << error.what();
    EXPECT_EQ(error.key(), "name") << error.what();
  }
  const Preset preset = library_.resolve("name: Stills\n" + thumbnails_without_name);
  EXPECT_EQ(preset.name, "Stills");
  ASSERT_EQ(preset.images.size(), 1u);
}

TEST_F(SystemLibraryTest, BrokenInlineYamlReportsTheSyntaxErrorLine) {
  const std::string broken = "name: Broken\naudio:\n  bitrate: [96\noutputs: []\n";
  try {
    library_.resolve(broken);
    ADD_FAILURE() << "broken YAML resolved";
  } catch (const PresetError& error) {
    EXPECT_EQ(error.file(), "inline");
    EXPECT_GE(error.line(), 3) << error.what();
    EXPECT_TRUE(contains(error.message(), "invalid YAML")) << error.what();
  }
}

// ---- Loading folders --------------------------------------------------------------------------

TEST_F(SystemLibraryTest, AllListsEveryPresetSortedByName) {
  std::vector<std::string> names;
  for (const Preset* preset : library_.all()) names.push_back(preset->name);
  EXPECT_EQ(names.size(), test_support::shipped_preset_count());
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_EQ(names.front(), "AAC Audio");
  EXPECT_EQ(names.back(), "WMA High Quality Audio");
}

TEST(PresetLibraryTest, OverrideFolderReplacesASystemPreset) {
  const TempDir overrides;
  const auto file = overrides.write("my-720p.yaml", R"(name: h264 single bitrate 720p
description: Our 720p, at a lower bitrate.
video:
  layers:
    - width: 1280
      height: 720
      bitrate: 3000
outputs:
  - file_name: "{Basename}_{Width}x{Height}_{VideoBitrate}{Extension}"
)");
  const PresetLibrary library = PresetLibrary::load({shipped_library_dir(), overrides.path()});
  const Preset* preset = library.find("H264 Single Bitrate 720p");
  ASSERT_NE(preset, nullptr);
  EXPECT_EQ(preset->origin, file.string());
  EXPECT_EQ(preset->video->layers.at(0).bitrate_kbps, 3000);
  EXPECT_FALSE(preset->audio);
  EXPECT_EQ(library.all().size(), test_support::shipped_preset_count());
}

TEST(PresetLibraryTest, OverrideAnsweringToAnAliasReplacesThatPreset) {
  const TempDir overrides;
  overrides.write("vbr.yaml", audio_preset("Our VBR", "aliases: [H264-HD-720p-VBR]\n"));
  const PresetLibrary library = PresetLibrary::load({shipped_library_dir(), overrides.path()});
  EXPECT_EQ(library.resolve("H.264 HD 720p VBR").name, "Our VBR");
  EXPECT_EQ(library.all().size(), test_support::shipped_preset_count());
}

TEST(PresetLibraryTest, TwoFilesOfOneFolderAnsweringToOneNameIsAnError) {
  const TempDir dir;
  const auto first = dir.write("a.yaml", audio_preset("Voice"));
  const auto second = dir.write("b.yaml", audio_preset("Speech", "aliases: [Narration, VOICE]\n"));
  try {
    PresetLibrary::load({dir.path()});
    ADD_FAILURE() << "a clashing folder loaded";
  } catch (const PresetError& error) {
    EXPECT_EQ(error.file(), second.string());
    EXPECT_EQ(error.key(), "aliases[1]");
    EXPECT_TRUE(contains(error.message(), first.string())) << error.what();
    EXPECT_TRUE(contains(error.message(), "'voice'")) << error.what();
  }
}

TEST(PresetLibraryTest, MesJsonAndXmlFilesOfAFolderAreLoadedByDescriptionOrFileStem) {
  const TempDir dir;
  dir.write("one.yaml", audio_preset("One"));
  const auto json = dir.write("web-audio.json", R"({"Version": 1.0, "Codecs": [
    {"Type": "AACAudio", "Profile": "AACLC", "Channels": 2, "SamplingRate": 48000, "Bitrate": 96}],
    "Outputs": [{"FileName": "{Basename}_{AudioBitrate}{Extension}", "Format": {"Type": "MP4Format"}}]})");
  dir.write("podcast.xml", R"(<?xml version="1.0" encoding="utf-8"?>
<Preset Version="1.0" xmlns="http://www.windowsazure.com/media/encoding/Preset/2014/03">
  <Description>Podcast 64k</Description>
  <Encoding><AACAudio><Profile>AACLC</Profile><Channels>1</Channels><SamplingRate>48000</SamplingRate><Bitrate>64</Bitrate></AACAudio></Encoding>
  <Outputs><Output FileName="{Basename}_{AudioBitrate}{Extension}"><MP4Format/></Output></Outputs>
</Preset>
)");
  const PresetLibrary library = PresetLibrary::load({dir.path()});
  ASSERT_EQ(library.all().size(), 3u);
  // No Description: the file stem is the name a Configuration gives.
  const Preset web = library.resolve("web-audio");
  EXPECT_EQ(web.origin, json.string());
  EXPECT_EQ(web.audio->bitrate_kbps, 96);
  const Preset podcast = library.resolve("Podcast 64k");
  EXPECT_EQ(podcast.audio->channels, 1);
  EXPECT_EQ(podcast.audio->bitrate_kbps, 64);
}

TEST(PresetLibraryTest, OnlyPresetFilesOfTheFolderItselfAreLoaded) {
  const TempDir dir;
  dir.write("one.yaml", audio_preset("One"));
  dir.write("two.yml", audio_preset("Two"));
  dir.write("README.md", "not a preset: [");
  dir.write("old.yaml.bak", "not a preset: [");
  dir.write("drafts/three.yaml", audio_preset("Three"));
  const PresetLibrary library = PresetLibrary::load({dir.path()});
  ASSERT_EQ(library.all().size(), 2u);
  EXPECT_EQ(library.all()[0]->name, "One");
  EXPECT_EQ(library.all()[1]->name, "Two");
}

TEST(PresetLibraryTest, BrokenFileFailsTheLoadNamingIt) {
  const TempDir dir;
  dir.write("good.yaml", audio_preset("Good"));
  const auto bad = dir.write("bad.yaml", audio_preset("Bad", "", 2000));
  try {
    PresetLibrary::load({dir.path()});
    ADD_FAILURE() << "a folder with a broken preset loaded";
  } catch (const PresetError& error) {
    EXPECT_EQ(error.file(), bad.string());
    EXPECT_EQ(error.key(), "audio.bitrate");
    EXPECT_EQ(error.line(), 3);
  }
}

TEST(PresetLibraryTest, MissingFolderIsAnError) {
  const TempDir dir;
  const auto missing = dir.path() / "no-such-folder";
  try {
    PresetLibrary::load({missing});
    ADD_FAILURE() << "a missing folder loaded";
  } catch (const PresetError& error) {
    EXPECT_EQ(error.file(), missing.string());
    EXPECT_EQ(error.message(), "no such preset folder");
  }
}

// ---- The system preset folder -----------------------------------------------------------------

TEST(DefaultPresetDirTest, EnvironmentVariableWins) {
  const ScopedEnv env("MEDIAWORKER_PRESET_DIR", "/srv/presets");
  EXPECT_EQ(default_preset_dir(), std::filesystem::path("/srv/presets"));
}

TEST(DefaultPresetDirTest, EmptyEnvironmentVariableIsIgnored) {
  const ScopedEnv env("MEDIAWORKER_PRESET_DIR", "");
  EXPECT_EQ(default_preset_dir(), shipped_library_dir());
}

// A build-tree program (this test) reads the source tree's library, not a copy that
// `cmake --install` or the .deb put under /usr/share/mediaworker/presets, whether or not one is
// there: its own folder has no ../share/mediaworker/presets.
TEST(DefaultPresetDirTest, BuildTreeProgramReadsTheSourceLibraryNotAnInstalledOne) {
  const ScopedEnv env("MEDIAWORKER_PRESET_DIR", nullptr);
  EXPECT_EQ(default_preset_dir(), shipped_library_dir());
}

TEST(DefaultPresetDirTest, InstalledLibraryIsFoundRelativeToTheExecutable) {
  EXPECT_EQ(installed_preset_dir("/usr/bin/mediaworker"),
            std::filesystem::path("/usr/share/mediaworker/presets"));
  EXPECT_EQ(installed_preset_dir("/usr/local/bin/mediaworker"),
            std::filesystem::path("/usr/local/share/mediaworker/presets"));
  EXPECT_EQ(installed_preset_dir("/opt/mw/bin/mediaworker"),
            std::filesystem::path("/opt/mw/share/mediaworker/presets"));
}

}  // namespace
}  // namespace mw::presets
