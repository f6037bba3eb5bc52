#include "encoders/source_frames.hpp"

#include <fmt/format.h>

#include <exception>
#include <thread>

#include "encoders/encode_error.hpp"
#include "encoders/input_file.hpp"
#include "encoders/source_stage.hpp"

namespace mw::encoders {

void decode_source(const EncodePlan& plan, AVMediaType type,
                   const std::function<void(const FilterInput&)>& on_input,
                   const std::function<void(av::FramePtr)>& on_frame, std::stop_token stop) {
  const bool video = type == AVMEDIA_TYPE_VIDEO;
  EncodePlan one = plan;  // only this stream; the duration check was the encode's to make
  if (video)
    one.audio_stream = -1;
  else
    one.video_stream = -1;
  one.duration_s = 0;
  if ((video ? one.video_stream : one.audio_stream) < 0)
    throw EncodeError(ErrorCategory::Processing,
                      fmt::format("{}: the plan decodes no {} stream", plan.input_path,
                                  video ? "video" : "audio"));
  InputFile input = InputFile::open(plan.input_path);
  // Queue depths as in the pipeline: two pictures, about a second of audio.
  FrameQueue queue(video ? 2 : 48);
  SourceStage source(input, one, video ? &queue : nullptr, video ? nullptr : &queue);
  on_input(video ? source.video_input() : source.audio_input());

  std::stop_source local;
  std::stop_callback on_cancel(stop, [&] {
    local.request_stop();
    queue.abort();
  });
  std::exception_ptr source_error, consumer_error;
  {
    std::jthread thread([&] {
      try {
        source.run(local.get_token());
      } catch (...) {
        source_error = std::current_exception();
        queue.abort();
      }
    });
    try {
      while (auto frame = queue.pop()) {
        if (stop.stop_requested()) break;
        on_frame(std::move(*frame));
      }
    } catch (...) {
      consumer_error = std::current_exception();
      local.request_stop();
      queue.abort();
    }
  }  // joins the source thread
  if (consumer_error) std::rethrow_exception(consumer_error);
  if (source_error) std::rethrow_exception(source_error);
  if (stop.stop_requested())
    throw EncodeError(ErrorCategory::Canceled, fmt::format("{}: encode canceled", plan.input_path));
}

}  // namespace mw::encoders
