#include "encoders/pipeline.hpp"

#include <fmt/format.h>

#include <atomic>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>

#include "encoders/encode_error.hpp"
#include "encoders/encode_stage.hpp"
#include "encoders/source_stage.hpp"
#include "encoders/thumbnail_stage.hpp"

namespace mw::encoders {

namespace {

// Queue depths: two decoded pictures (3 MB at 1080p, 12 MB at 4K; x264's own lookahead keeps
// the encoder fed, so a deeper queue only costs memory: bench/, docs/benchmarks.md) and about a
// second of audio.
constexpr size_t kVideoQueueFrames = 2;
constexpr size_t kAudioQueueFrames = 48;
// The thumbnail stage drops almost every frame at once: two frames keep it fed.
constexpr size_t kImageQueueFrames = 2;

// Collects the first error of any stage and stops the others.
class FirstError {
 public:
  explicit FirstError(std::vector<FrameQueue*> queues) : queues_(std::move(queues)) {}
  void record(std::exception_ptr e) {
    {
      std::lock_guard lock(mutex_);
      if (!error_) error_ = e;
    }
    abort();
  }
  void abort() {
    stop_.request_stop();
    for (auto* q : queues_) q->abort();
  }
  std::stop_token token() const { return stop_.get_token(); }
  std::exception_ptr error() const {
    std::lock_guard lock(mutex_);
    return error_;
  }

 private:
  std::vector<FrameQueue*> queues_;
  std::stop_source stop_;
  mutable std::mutex mutex_;
  std::exception_ptr error_;
};

// Turns bytes written into a monotonic percentage of the expected duration.
class Progress {
 public:
  Progress(const std::vector<std::unique_ptr<OutputFile>>& files, double duration_s, ProgressListener* listener)
      : files_(files), duration_s_(duration_s), listener_(listener) {}
  void set_thumbnails(const ThumbnailStage* thumbnails) { thumbnails_ = thumbnails; }
  void set_video_frames(const std::atomic<int64_t>* frames) { video_frames_ = frames; }
  void update() {
    if (listener_ != nullptr && video_frames_ != nullptr) {
      const int64_t frames = video_frames_->load(std::memory_order_relaxed);
      std::lock_guard lock(mutex_);
      if (frames != last_frames_) {
        last_frames_ = frames;
        listener_->on_video_frames(frames);
      }
    }
    if (listener_ == nullptr || duration_s_ <= 0) return;
    double written = -1;
    for (const auto& f : files_) {
      const double s = f->written_seconds();
      written = written < 0 ? s : std::min(written, s);
    }
    if (thumbnails_) {
      const double s = thumbnails_->reached_seconds();
      written = written < 0 ? s : std::min(written, s);
    }
    const double percent = std::clamp(100.0 * written / duration_s_, 0.0, 99.9);
    std::lock_guard lock(mutex_);
    if (percent >= last_ + 0.1) {
      last_ = percent;
      listener_->on_progress(percent);
    }
  }

 private:
  const std::vector<std::unique_ptr<OutputFile>>& files_;
  double duration_s_;
  ProgressListener* listener_;
  const ThumbnailStage* thumbnails_ = nullptr;
  const std::atomic<int64_t>* video_frames_ = nullptr;
  std::mutex mutex_;
  double last_ = 0;
  int64_t last_frames_ = 0;
};

// What the unused [in] of a generated stream's graph is told (no frame ever reaches it).
FilterInput generated_input(AVMediaType type) {
  FilterInput in;
  in.type = type;
  if (type == AVMEDIA_TYPE_VIDEO) {
    in.time_base = {1, 25};
    in.width = 16;
    in.height = 16;
    in.pix_fmt = AV_PIX_FMT_YUV420P;
  } else {
    in.time_base = {1, 48000};
    in.sample_rate = 48000;
    in.sample_fmt = AV_SAMPLE_FMT_FLTP;
    in.channel_layout = "stereo";
  }
  return in;
}

}  // namespace

std::vector<std::filesystem::path> run_pipeline(const EncodePlan& plan, InputFile& input,
                                                const std::filesystem::path& output_dir,
                                                ProgressListener* listener, std::stop_token stop) {
  return run_pipeline(plan, std::vector<InputFile*>{&input}, output_dir, listener, stop);
}

std::vector<std::filesystem::path> run_pipeline(const EncodePlan& plan, const std::vector<InputFile*>& inputs,
                                                const std::filesystem::path& output_dir,
                                                ProgressListener* listener, std::stop_token stop) {
  const std::string& file = inputs.at(0)->path();
  const bool has_video = !plan.video.empty(), has_audio = plan.audio.has_value();
  // Generated streams (MES InsertBlackIfNoVideo / InsertSilenceIfNoAudio) decode nothing: their
  // graph starts from a source filter, and their queue is empty from the start.
  const bool decode_video = has_video && !plan.black_video && plan.video_stream >= 0;
  const bool decode_audio = has_audio && !plan.silent_audio && plan.audio_stream >= 0;
  const bool has_images = plan.video_stream >= 0 && !plan.images.empty();
  FrameQueue video_queue(kVideoQueueFrames), audio_queue(kAudioQueueFrames), image_queue(kImageQueueFrames);
  if (!decode_video) video_queue.close();
  if (!decode_audio) audio_queue.close();
  // One decode: thumbnails get a second reference to each frame the H.264 layers get (or, in a
  // thumbnail-only task, the frames themselves).
  SourceStage source(inputs, plan, decode_video ? &video_queue : has_images ? &image_queue : nullptr,
                     decode_audio ? &audio_queue : nullptr);
  if (decode_video && has_images) source.tap_video(&image_queue);

  // Filter graphs first: the encoders take their time base from the graph's sinks.
  std::unique_ptr<FilterGraph> video_graph, audio_graph;
  std::vector<Encoder> video_encoders, audio_encoders;
  if (has_video) {
    video_graph = std::make_unique<FilterGraph>(plan.video_filter,
                                                decode_video ? source.video_input() : generated_input(AVMEDIA_TYPE_VIDEO),
                                                plan.video.size(), 0, file);
    for (size_t i = 0; i < plan.video.size(); ++i)
      video_encoders.push_back(Encoder::video(plan.video[i], video_graph->sink_time_base(i), file));
  }
  if (has_audio) {
    audio_encoders.push_back(Encoder::audio(*plan.audio, file));
    for (const auto& extra : plan.extra_audio) audio_encoders.push_back(Encoder::audio(extra, file));
    audio_graph = std::make_unique<FilterGraph>(plan.audio_filter,
                                                decode_audio ? source.audio_input() : generated_input(AVMEDIA_TYPE_AUDIO),
                                                audio_encoders.size(), audio_encoders[0].frame_size(), file);
  }

  std::vector<std::unique_ptr<OutputFile>> outputs;
  std::vector<std::vector<Route>> video_routes(video_encoders.size()), audio_routes(audio_encoders.size());
  for (const auto& out : plan.outputs) {
    const bool audio = out.audio && has_audio;
    const auto audio_index = static_cast<size_t>(std::max(0, out.audio_encoder));
    std::vector<const Encoder*> streams;
    if (out.video >= 0) streams.push_back(&video_encoders[static_cast<size_t>(out.video)]);
    if (audio) streams.push_back(&audio_encoders.at(audio_index));
    outputs.push_back(std::make_unique<OutputFile>(output_dir / out.mux_name(), streams));
    int stream = 0;
    if (out.video >= 0) video_routes[static_cast<size_t>(out.video)].push_back({outputs.back().get(), stream++});
    if (audio) audio_routes[audio_index].push_back({outputs.back().get(), stream++});
  }

  Progress progress(outputs, plan.duration_s, listener);
  std::unique_ptr<ThumbnailStage> thumbnails;
  if (has_images) {
    thumbnails = std::make_unique<ThumbnailStage>(plan.images, source.video_input(), image_queue, output_dir,
                                                  file, [&] { progress.update(); });
    progress.set_thumbnails(thumbnails.get());
  }
  FirstError first_error({&video_queue, &audio_queue, &image_queue});
  std::stop_callback on_cancel(stop, [&] { first_error.abort(); });
  auto guarded = [&](auto body) {
    return [&first_error, body]() mutable {
      try {
        body(first_error.token());
      } catch (...) {
        first_error.record(std::current_exception());
      }
    };
  };
  {
    EncodeStage video_stage(std::move(video_graph), plan.video_filter, video_encoders,
                            std::move(video_routes), video_queue, file, [&] { progress.update(); });
    EncodeStage audio_stage(std::move(audio_graph), plan.audio_filter, audio_encoders,
                            std::move(audio_routes), audio_queue, file, [&] { progress.update(); });
    if (decode_video) progress.set_video_frames(&video_stage.frames_in());
    std::vector<std::jthread> threads;  // declared last: joined before the stages are destroyed
    if (has_video) threads.emplace_back(guarded([&](std::stop_token t) { video_stage.run(t); }));
    if (has_audio) threads.emplace_back(guarded([&](std::stop_token t) { audio_stage.run(t); }));
    if (has_images) threads.emplace_back(guarded([&](std::stop_token t) { thumbnails->run(t); }));
    threads.emplace_back(guarded([&](std::stop_token t) { source.run(t); }));
  }  // joins every stage

  if (auto e = first_error.error()) std::rethrow_exception(e);
  if (stop.stop_requested()) throw EncodeError(ErrorCategory::Canceled, fmt::format("{}: encode canceled", file));
  // A span shorter than one frame (Sources Duration "00:00:00.001", a StartTime just before the
  // end) reaches the encoders with no frame: the file would lack the track the preset asks for.
  for (auto& out : outputs) {
    const auto empty = out->empty_streams();
    if (empty.empty()) continue;
    throw EncodeError(ErrorCategory::Configuration,
                      fmt::format("{}: output '{}': no {} frame lies within the {:.3f} s to encode from input "
                                  "{:.3f} s (a Sources StartTime or Duration, or --start/--duration, that "
                                  "selects less than one frame)",
                                  file, out->final_path().filename().string(),
                                  empty.front() == AVMEDIA_TYPE_VIDEO ? "video" : "audio", plan.duration_s,
                                  plan.origin_s + plan.start_s));
  }
  for (auto& out : outputs) out->finish();
  std::vector<std::filesystem::path> paths;
  for (auto& out : outputs) {
    out->commit();
    paths.push_back(out->final_path());
  }
  if (thumbnails)
    for (auto& p : thumbnails->commit()) paths.push_back(std::move(p));
  return paths;
}

}  // namespace mw::encoders
