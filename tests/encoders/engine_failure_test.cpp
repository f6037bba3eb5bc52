// encoders::encode() on inputs it must refuse, and a stop request in the middle of an encode:
// each failure has the category the daemon turns into the AMS ErrorDetail code, a message that
// names the file and the cause, and leaves nothing at all in the output folder.

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "encoders/engine.hpp"
#include "tests/encoders/test_support.hpp"

namespace mw::encoders {
namespace {

using namespace test_support;
using Clock = std::chrono::steady_clock;

class FailedEncode : public ::testing::Test {
 protected:
  /// Encodes `input` with the shipped preset into a fresh folder and returns the error.
  std::optional<EncodeError> encode_failure(const std::string& input,
                                            std::string_view preset_name = kVideoPreset) {
    EncodeRequest request;
    request.input = input;
    request.preset = &preset(preset_name);
    request.output_dir = output_dir();
    return encode_error_of([&] { encode(request, nullptr, std::stop_token{}); });
  }
  std::filesystem::path output_dir() const { return temp_.path() / "out"; }
  const TempDir& temp() const { return temp_; }

 private:
  TempDir temp_;
};

TEST_F(FailedEncode, TruncatedMdatIsMalformedContentSayingWhereItEnded) {
  const std::string input = media("truncated-mdat-640x360-h264-aac.mp4");
  // The error comes from the demuxer after 10 s of pictures, whatever the preset: the smallest
  // video preset (176x144 at 12 fps) gets there without 10 s of 720p x264.
  const auto error = encode_failure(input, "H264 Single Bitrate Low Quality SD for Android");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->category(), ErrorCategory::MalformedContent);
  const std::string message = error->what();
  EXPECT_TRUE(contains(message, input)) << message;
  EXPECT_TRUE(contains(message, "stream 0")) << message;
  EXPECT_TRUE(contains(message, "input ended early at")) << message;
  EXPECT_TRUE(contains(message, "of 17.06 s")) << message;
  EXPECT_EQ(entries_of(output_dir()), std::vector<std::string>{});
}

TEST_F(FailedEncode, MissingMoovIsUnreadableInput) {
  const std::string input = media("truncated-moov-missing-720p-h264.mp4");
  const auto error = encode_failure(input);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->category(), ErrorCategory::InputUnreadable);
  EXPECT_TRUE(contains(error->what(), input)) << error->what();
  EXPECT_TRUE(contains(error->what(), "moov atom not found")) << error->what();
  EXPECT_EQ(entries_of(output_dir()), std::vector<std::string>{});
}

TEST_F(FailedEncode, EmptyFileIsUnreadableInput) {
  const std::string input = temp().write("empty.mp4", "");
  const auto error = encode_failure(input);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->category(), ErrorCategory::InputUnreadable);
  EXPECT_TRUE(contains(error->what(), input)) << error->what();
  EXPECT_TRUE(contains(error->what(), "empty")) << error->what();
  EXPECT_EQ(entries_of(output_dir()), std::vector<std::string>{});
}

TEST_F(FailedEncode, TextFileNamedMp4IsUnreadableInput) {
  const std::string input = temp().write("x.mp4", "this is a note, not a video\n");
  const auto error = encode_failure(input);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->category(), ErrorCategory::InputUnreadable);
  EXPECT_TRUE(contains(error->what(), input)) << error->what();
  EXPECT_TRUE(contains(error->what(), "not a readable media file")) << error->what();
  EXPECT_EQ(entries_of(output_dir()), std::vector<std::string>{});
}

TEST_F(FailedEncode, AudioOnlyFlacWithTheVideoPresetIsUnsupported) {
  const std::string input = media("speech-audio-only.flac");
  const auto error = encode_failure(input);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->category(), ErrorCategory::UnsupportedFormat);
  EXPECT_TRUE(contains(error->what(), input)) << error->what();
  EXPECT_TRUE(contains(error->what(), "no video stream")) << error->what();
  EXPECT_EQ(entries_of(output_dir()), std::vector<std::string>{});
}

TEST_F(FailedEncode, NoPresetIsAConfigurationError) {
  EncodeRequest request;
  request.input = media("clip-1080x720-h264-aac-mono-1s.mp4");
  request.output_dir = output_dir();
  const auto error = encode_error_of([&] { encode(request, nullptr, std::stop_token{}); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->category(), ErrorCategory::Configuration);
  EXPECT_EQ(entries_of(output_dir()), std::vector<std::string>{});
}

TEST_F(FailedEncode, OutputFolderThatCannotBeCreatedIsAnOutputError) {
  const std::string blocker = temp().write("a-file", "not a folder");
  EncodeRequest request;
  request.input = media("clip-1080x720-h264-aac-mono-1s.mp4");
  request.preset = &preset(kVideoPreset);
  request.output_dir = std::filesystem::path(blocker) / "out";
  const auto error = encode_error_of([&] { encode(request, nullptr, std::stop_token{}); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->category(), ErrorCategory::Output);
  EXPECT_TRUE(contains(error->what(), request.output_dir.string())) << error->what();
}

TEST_F(FailedEncode, StopRequestedBeforeTheStartCancelsLeavingNothing) {
  EncodeRequest request;
  request.input = media("clip-1080x720-h264-aac-mono-1s.mp4");
  request.preset = &preset(kVideoPreset);
  request.output_dir = output_dir();
  std::stop_source stop;
  stop.request_stop();
  const auto error = encode_error_of([&] { encode(request, nullptr, stop.get_token()); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->category(), ErrorCategory::Canceled) << error->what();
  EXPECT_EQ(entries_of(output_dir()), std::vector<std::string>{});
}

/// Requests a stop the first time progress passes a threshold, noting when and what came after.
class StopAtPercent : public ProgressListener {
 public:
  explicit StopAtPercent(double threshold) : threshold_(threshold) {}
  void on_progress(double percent) override {
    std::lock_guard lock(mutex_);
    if (stopped_at_) {
      after_stop_.push_back(percent);
      return;
    }
    if (percent > threshold_) {
      stopped_at_ = percent;
      stop_time_ = Clock::now();
      source_.request_stop();
    }
  }
  std::stop_token token() const { return source_.get_token(); }
  std::optional<double> stopped_at() const {
    std::lock_guard lock(mutex_);
    return stopped_at_;
  }
  Clock::time_point stop_time() const {
    std::lock_guard lock(mutex_);
    return stop_time_;
  }
  std::vector<double> after_stop() const {
    std::lock_guard lock(mutex_);
    return after_stop_;
  }

 private:
  double threshold_;
  std::stop_source source_;
  mutable std::mutex mutex_;
  std::optional<double> stopped_at_;
  Clock::time_point stop_time_;
  std::vector<double> after_stop_;
};

TEST_F(FailedEncode, StopRequestedAt10PercentCancelsPromptlyLeavingNothing) {
  const std::string input = media("long-1080p60-av1-aac-6min.mp4");
  EncodeRequest request;
  request.input = input;
  request.preset = &preset(kVideoPreset);
  request.output_dir = output_dir();
  request.options.duration_s = 30;
  StopAtPercent listener(10);
  const auto start = Clock::now();
  const auto error = encode_error_of([&] { encode(request, &listener, listener.token()); });
  const auto end = Clock::now();
  ASSERT_TRUE(error);
  EXPECT_EQ(error->category(), ErrorCategory::Canceled) << error->what();
  EXPECT_TRUE(contains(error->what(), input)) << error->what();
  ASSERT_TRUE(listener.stopped_at()) << "progress never passed 10 %";
  EXPECT_LT(*listener.stopped_at(), 20.0);
  // Promptly: returning after the stop takes less time than the first 10 % of the work did
  // (finishing the encode would take about nine times that), and the encode made no headway.
  EXPECT_LT(end - listener.stop_time(), listener.stop_time() - start);
  for (double p : listener.after_stop()) EXPECT_LT(p, *listener.stopped_at() + 5.0);
  EXPECT_EQ(entries_of(output_dir()), std::vector<std::string>{});
}

}  // namespace
}  // namespace mw::encoders
