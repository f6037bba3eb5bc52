#include "encoders/encode_stage.hpp"

#include <fmt/format.h>

#include "encoders/encode_error.hpp"

namespace mw::encoders {

EncodeStage::EncodeStage(std::unique_ptr<FilterGraph> graph, std::string description,
                         std::vector<Encoder>& encoders, std::vector<std::vector<Route>> routes,
                         FrameQueue& queue, std::string file, std::function<void()> written)
    : graph_(std::move(graph)),
      description_(std::move(description)),
      encoders_(encoders),
      routes_(std::move(routes)),
      queue_(queue),
      file_(std::move(file)),
      written_(std::move(written)),
      filtered_(av::make_frame()) {}

void EncodeStage::send(size_t i, AVFrame* frame) {
  encoders_[i].encode(frame, [&](AVPacket* packet) {
    for (const Route& r : routes_[i]) {
      av::PacketPtr copy(av_packet_clone(packet));  // a new reference, not a copy of the data
      if (!copy) throw std::bad_alloc();
      r.file->write(r.stream, copy.get(), encoders_[i].time_base());
    }
    written_();
  });
}

void EncodeStage::pull_all() {
  for (size_t i = 0; i < encoders_.size(); ++i) {
    while (graph_->pull(i, filtered_.get())) {
      const AVRational from = graph_->sink_time_base(i), to = encoders_[i].time_base();
      if (av_cmp_q(from, to) != 0) filtered_->pts = av_rescale_q(filtered_->pts, from, to);
      send(i, filtered_.get());
      av_frame_unref(filtered_.get());
    }
  }
}

void EncodeStage::run(std::stop_token stop) {
  while (auto frame = queue_.pop()) {
    if (stop.stop_requested()) return;
    AVFrame* f = frame->get();
    const FilterInput& in = graph_->input();
    if (!in.matches(f)) {
      // The decoder changed picture size or format (or audio layout): finish the old graph and
      // build the same description for the new frames. Encoders and outputs stay.
      graph_->push(nullptr);
      pull_all();
      const int frame_size = in.type == AVMEDIA_TYPE_AUDIO ? encoders_[0].frame_size() : 0;
      graph_ = std::make_unique<FilterGraph>(description_, FilterInput::from_frame(f, in.type, in.time_base),
                                             encoders_.size(), frame_size, file_);
    }
    graph_->push(f);
    pull_all();
  }
  if (stop.stop_requested()) return;
  graph_->push(nullptr);
  pull_all();
  for (size_t i = 0; i < encoders_.size(); ++i) send(i, nullptr);
}

}  // namespace mw::encoders
