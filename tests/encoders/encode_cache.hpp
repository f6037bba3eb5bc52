#pragma once
// Encodes each clip once per test binary. Encoding every real clip takes about a minute, so the
// engine tests share the results: the first test that asks for (clip, preset, duration) runs
// encoders::encode() into a folder of this binary's temporary folder and records the result,
// the progress reports and any error; later tests read the record. EncodeCacheEnvironment
// removes the folder when the tests end.

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <tuple>
#include <vector>

#include "encoders/engine.hpp"
#include "tests/encoders/test_support.hpp"

namespace mw::encoders::test_support {

/// Records every progress report, and what the output folder held when 100 was reported.
class ProgressRecorder : public ProgressListener {
 public:
  explicit ProgressRecorder(std::filesystem::path output_dir)
      : output_dir_(std::move(output_dir)) {}
  void on_progress(double percent) override {
    std::lock_guard lock(mutex_);
    values_.push_back(percent);
    if (percent >= 100) folder_at_100_ = entries_of(output_dir_);
  }
  std::vector<double> values() const {
    std::lock_guard lock(mutex_);
    return values_;
  }
  std::vector<std::string> folder_at_100() const {
    std::lock_guard lock(mutex_);
    return folder_at_100_;
  }

 private:
  std::filesystem::path output_dir_;
  mutable std::mutex mutex_;
  std::vector<double> values_;
  std::vector<std::string> folder_at_100_;
};

/// One finished encode of a clip.
struct EncodedClip {
  std::string clip;  ///< file name in MW_MEDIA_DIR
  std::filesystem::path output_dir;
  std::optional<EncodeResult> result;      ///< empty when the encode threw
  std::string error;                       ///< what() of the failure, "" on success
  std::vector<double> progress;            ///< every on_progress value, in order
  std::vector<std::string> folder_at_100;  ///< output folder entries when 100 was reported

  /// The path of the i-th file of the result.
  std::filesystem::path file(size_t i = 0) const { return output_dir / result->files.at(i).name; }
};

class EncodeCache {
 public:
  /// The encode of `clip` with the shipped preset `preset_name` (options.duration_s =
  /// `duration_s`, 0 for the whole clip), run on first use.
  static const EncodedClip& get(const std::string& clip, std::string_view preset_name,
                                double duration_s = 0) {
    return get(clip, preset(preset_name), duration_s);
  }

  /// The encode of `clip` with any preset (an inline one, say), cached by the preset's name:
  /// give different presets different names.
  static const EncodedClip& get(const std::string& clip, const presets::Preset& preset,
                                double duration_s = 0) {
    EncodeCache& cache = instance();
    std::lock_guard lock(cache.mutex_);
    const auto key = std::make_tuple(clip, preset.name, duration_s);
    if (auto it = cache.done_.find(key); it != cache.done_.end()) return it->second;
    if (!cache.root_) cache.root_ = std::make_unique<TempDir>();
    EncodedClip& e = cache.done_[key];
    e.clip = clip;
    e.output_dir = cache.root_->path() / ("out" + std::to_string(cache.done_.size()));
    ProgressRecorder recorder(e.output_dir);
    EncodeRequest request;
    request.input = media(clip);
    request.preset = &preset;
    request.output_dir = e.output_dir;
    request.options.duration_s = duration_s;
    try {
      e.result = encode(request, &recorder, std::stop_token{});
    } catch (const std::exception& ex) {
      e.error = ex.what();
    }
    e.progress = recorder.values();
    e.folder_at_100 = recorder.folder_at_100();
    return e;
  }

  /// Removes every output (at the end of the test program).
  static void clear() {
    EncodeCache& cache = instance();
    std::lock_guard lock(cache.mutex_);
    cache.done_.clear();
    cache.root_.reset();
  }

 private:
  static EncodeCache& instance() {
    static EncodeCache cache;
    return cache;
  }
  std::mutex mutex_;
  std::unique_ptr<TempDir> root_;
  std::map<std::tuple<std::string, std::string, double>, EncodedClip> done_;
};

/// Registered once per test binary: removes the cached outputs after the last test.
class EncodeCacheEnvironment : public ::testing::Environment {
 public:
  void TearDown() override { EncodeCache::clear(); }
};

}  // namespace mw::encoders::test_support
