#include "encoders/engine.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <mutex>
#include <system_error>

#include "encoders/adaptive_ladder.hpp"
#include "encoders/input_file.hpp"
#include "encoders/measure.hpp"
#include "encoders/metadata.hpp"
#include "encoders/package/package.hpp"
#include "encoders/probe.hpp"
#include "presets/format_rules.hpp"

namespace mw::encoders {

namespace {

// The MIME type of a thumbnail file, by its extension (image_plan.hpp names them).
const char* image_mime_type(const std::filesystem::path& file) {
  const std::string ext = file.extension().string();
  if (ext == ".png") return "image/png";
  if (ext == ".bmp") return "image/bmp";
  if (ext == ".vtt") return "text/vtt";
  return "image/jpeg";
}

// Removes the files of a failed encode. Never throws.
struct Cleanup {
  std::vector<std::filesystem::path> files;
  bool armed = true;
  ~Cleanup() {
    if (!armed) return;
    std::error_code ec;
    for (const auto& f : files) std::filesystem::remove(f, ec);
  }
};

// Maps a stage's 0-100 onto [from, to] of the whole encode, never going back.
class ProgressSpan : public ProgressListener {
 public:
  ProgressSpan(ProgressListener* outer, double from, double to) : outer_(outer), from_(from), to_(to) {}
  void on_progress(double percent) override {
    if (outer_ == nullptr) return;
    const double value = from_ + (to_ - from_) * std::clamp(percent, 0.0, 100.0) / 100.0;
    std::lock_guard lock(mutex_);
    if (value <= last_) return;
    last_ = value;
    outer_->on_progress(value);
  }
  void on_video_frames(int64_t frames) override {
    if (outer_ != nullptr) outer_->on_video_frames(frames);
  }

 private:
  ProgressListener* outer_;
  double from_, to_;
  std::mutex mutex_;
  double last_ = 0;
};

// The share of the progress bar the loudness measuring pass takes: it decodes only the audio,
// which is quick beside a video encode and about as long as an AAC encode.
double loudness_pass_share(const EncodePlan& plan) { return plan.video.empty() ? 40.0 : 5.0; }

// The share of the progress bar packaging takes (a remux: fast beside the encode).
constexpr double kPackagingShare = 3.0;

}  // namespace

EncodeResult encode(const EncodeRequest& request, ProgressListener* listener, std::stop_token stop) {
  if (request.preset == nullptr)
    throw EncodeError(ErrorCategory::Configuration, "no preset given");
  EncodeResult result;
  std::vector<EncodeInput> wanted = request.inputs;
  if (wanted.empty()) wanted.push_back({request.input, ""});
  // Only the inputs the preset reads are opened: all of them for Sources naming assets.
  bool all = false;
  for (const auto& s : request.preset->sources) all |= !s.asset_id.empty();
  if (!all) wanted.resize(1);
  std::vector<InputFile> files;
  std::vector<PlanInput> described;
  for (const auto& in : wanted) {
    files.push_back(InputFile::open(in.path));
    described.push_back({describe(files.back()), in.asset_id});
  }
  result.input = described.front().info;
  // A content-adaptive ladder is built from the primary input first (a short probe encode).
  std::vector<std::string> ladder_notes;
  const presets::Preset preset =
      with_adaptive_ladder(*request.preset, result.input, request.options, stop, ladder_notes);
  result.plan = make_plan(preset, described, request.options);
  result.plan.notes.insert(result.plan.notes.begin(), ladder_notes.begin(), ladder_notes.end());
  std::vector<InputFile*> opened;
  for (auto& f : files) opened.push_back(&f);

  std::error_code ec;
  std::filesystem::create_directories(request.output_dir, ec);
  if (ec)
    throw EncodeError(ErrorCategory::Output, fmt::format("{}: cannot create the output folder: {}",
                                                         request.output_dir.string(), ec.message()));
  // Loudness normalisation, pass 1: measure the audio as the plan's audio graph delivers it,
  // then add loudnorm to that graph (encoders/loudness.hpp).
  const presets::Loudness* loudness =
      preset.audio && preset.audio->loudness && result.plan.audio ? &*preset.audio->loudness
                                                                                    : nullptr;
  double pipeline_from = 0;
  if (loudness && result.plan.silent_audio) {
    // InsertSilenceIfNoAudio: the audio is generated digital silence, with nothing to measure
    // (the input has no audio stream); it is left alone, as measured silence is.
    result.input_loudness = LoudnessMeasurement{};
    result.input_loudness->meter = "none: silence inserted for an input without audio";
    apply_loudness_normalization(result.plan,
                                 plan_loudness_normalization(*loudness, *result.input_loudness, *result.plan.audio));
  } else if (loudness) {
    pipeline_from = loudness_pass_share(result.plan);
    ProgressSpan measuring(listener, 0, pipeline_from);
    result.input_loudness = measure_plan_loudness(
        result.plan, [&](double share) { measuring.on_progress(100.0 * share); }, stop);
    apply_loudness_normalization(result.plan,
                                 plan_loudness_normalization(*loudness, *result.input_loudness, *result.plan.audio));
  }

  Cleanup cleanup;
  // A streaming output's layers are encoded as MP4 files into the staging folder, then packaged
  // (encoders/package/package.hpp); the staging folder goes in every case.
  const auto staging = request.output_dir / kStagingFolder;
  struct StagingGuard {
    std::filesystem::path dir;
    ~StagingGuard() {
      std::error_code e;
      if (!dir.empty()) std::filesystem::remove_all(dir, e);
    }
  } staging_guard;
  if (!result.plan.packages.empty()) {
    std::filesystem::remove_all(staging, ec);
    for (const PackagePlan& p : result.plan.packages)
      if (!ec)
        std::filesystem::create_directories(
            (request.output_dir / result.plan.outputs.at(p.outputs.front()).mux_name()).parent_path(), ec);
    if (ec)
      throw EncodeError(ErrorCategory::Output, fmt::format("{}: cannot create the staging folder: {}",
                                                           staging.string(), ec.message()));
    staging_guard.dir = staging;
  }
  const double pipeline_to = result.plan.packages.empty() ? 100 : 100 - kPackagingShare;
  ProgressSpan encoding(listener, pipeline_from, pipeline_to);
  const auto started = std::chrono::steady_clock::now();
  const auto media = run_pipeline(result.plan, opened, request.output_dir, &encoding, stop);
  result.pipeline_wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  cleanup.files = media;

  std::vector<MeasuredFile> measured;
  std::vector<int> measured_outputs;  // the plan output each measured file came from
  std::vector<OutputAssetFile> images;
  std::optional<LoudnessMeasurement> output_loudness;
  for (size_t i = 0; i < media.size(); ++i) {
    if (i >= result.plan.outputs.size()) {  // thumbnails and sprite WebVTT files: not measured
      const auto size = std::filesystem::file_size(media[i], ec);
      images.push_back({media[i].filename().string(), ec ? 0 : static_cast<int64_t>(size), image_mime_type(media[i]), false});
      continue;
    }
    if (result.plan.outputs[i].format != presets::OutputFormat::Mp4) continue;  // staged: packaged below
    measured.push_back(measure_file(media[i].string()));
    if (loudness && measured.back().audio()) {
      // Every file carries the same encoded audio (one AAC encoder): measured once, decoded
      // from the first file that has it.
      if (!output_loudness) output_loudness = measure_file_loudness(media[i].string());
      for (auto& t : measured.back().tracks)
        if (!t.video) t.loudness = output_loudness;
    }
    const bool has_video = measured.back().video() != nullptr;
    measured_outputs.push_back(static_cast<int>(i));
    result.files.push_back({media[i].filename().string(), measured.back().size_bytes,
                            has_video ? "video/mp4" : "audio/mp4", false});
  }
  ProgressSpan packaging(listener, pipeline_to, 100);
  for (size_t k = 0; k < result.plan.packages.size(); ++k) {
    const PackagePlan& plan = result.plan.packages[k];
    package::PackageRequest pr;
    for (size_t out : plan.outputs) pr.inputs.push_back({media.at(out), result.plan.outputs[out].file_name});
    pr.formats = {plan.format};
    pr.manifest_name = plan.manifest_name;
    pr.segment_duration_s = plan.segment_duration_s;
    pr.output_dir = request.output_dir;
    const double share = 100.0 / static_cast<double>(result.plan.packages.size());
    const auto packaged = package::package_media(
        pr, [&](double done) { packaging.on_progress(share * (static_cast<double>(k) + done)); }, stop);
    for (const auto& f : packaged.files) cleanup.files.push_back(request.output_dir / f.name);
    for (const auto& f : packaged.files) {
      // Separate hls and dash outputs of one file_name write the same segment files: listed
      // once. Of another size, two outputs whose names expand alike (hls "{Basename}_{Height}p"
      // and dash "{Basename}_180p") wrote different files under one name: the later package
      // replaced the earlier one's, which its manifest names.
      const auto earlier =
          std::find_if(result.files.begin(), result.files.end(),
                       [&](const auto& written) { return written.name == f.name; });
      if (earlier != result.files.end() && earlier->size_bytes == f.size_bytes) continue;
      if (earlier != result.files.end())
        throw EncodeError(
            ErrorCategory::Configuration,
            fmt::format(
                "{}: two outputs write this file (the {} package '{}' and an earlier output, "
                "with other contents); give them different file names",
                f.name, presets::format::text_of<presets::format::kOutputFormats>(plan.format),
                plan.manifest_name));
      result.files.push_back({f.name, f.size_bytes, f.mime_type, false});
      measured.push_back(f.measured);
      measured_outputs.push_back(f.input >= 0 ? static_cast<int>(plan.outputs.at(static_cast<size_t>(f.input))) : -1);
    }
  }
  for (auto& image : images) result.files.push_back(std::move(image));
  if (!result.files.empty()) result.files.front().is_primary = true;
  const std::string stem = std::filesystem::path(result.input.name).stem().string();
  const std::string manifest = stem + "_manifest.xml";
  const std::string input_metadata =
      request.input_metadata_name.empty() ? stem + "_metadata.xml" : request.input_metadata_name;
  for (const auto& [name, content] :
       {std::pair{manifest, output_manifest_xml(measured, result.plan, result.input.name, measured_outputs)},
        std::pair{input_metadata, input_metadata_xml(result.input)}}) {
    const auto path = request.output_dir / name;
    write_file_atomically(path, content);
    cleanup.files.push_back(path);
    result.files.push_back({name, static_cast<int64_t>(content.size()), "application/xml", false});
  }
  result.measured = std::move(measured);
  cleanup.armed = false;
  if (listener) listener->on_progress(100.0);
  return result;
}

}  // namespace mw::encoders
