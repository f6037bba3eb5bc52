#include "encoders/encode_stage.hpp"

#include <fmt/format.h>

#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

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
      if (layer_queues_.empty()) {
        send(i, filtered_.get());
        av_frame_unref(filtered_.get());
        continue;
      }
      av::FramePtr out = av::make_frame();
      av_frame_move_ref(out.get(), filtered_.get());
      if (!layer_queues_[i]->push(std::move(out))) return;  // closed: an encoder failed
    }
  }
}

void EncodeStage::filter_all(std::stop_token stop) {
  while (auto frame = queue_.pop()) {
    if (stop.stop_requested()) return;
    frames_in_.fetch_add(1, std::memory_order_relaxed);
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
}

void EncodeStage::run(std::stop_token stop) {
  if (encoders_.size() <= 1) {
    filter_all(stop);
    if (stop.stop_requested()) return;
    for (size_t i = 0; i < encoders_.size(); ++i) send(i, nullptr);
    return;
  }
  // Two frames per layer: enough to keep each encoder fed while the graph filters the next
  // picture; memory stays bounded (a 1080p frame is 3 MB).
  constexpr size_t kLayerQueueFrames = 2;
  for (size_t i = 0; i < encoders_.size(); ++i) layer_queues_.push_back(std::make_unique<FrameQueue>(kLayerQueueFrames));
  std::mutex error_mutex;
  std::exception_ptr error;
  std::atomic<bool> failed = false;
  auto fail = [&](std::exception_ptr e) {
    {
      std::lock_guard lock(error_mutex);
      if (!error) error = e;
    }
    failed = true;
    for (auto& q : layer_queues_) q->abort();
    queue_.abort();  // the source stage stops feeding us
  };
  {
    std::vector<std::jthread> workers;  // joined (below) before the queues go away
    for (size_t i = 0; i < encoders_.size(); ++i) {
      workers.emplace_back([&, i] {
        try {
          while (auto frame = layer_queues_[i]->pop()) {
            if (stop.stop_requested()) return;
            send(i, frame->get());
          }
          if (!failed && !stop.stop_requested()) send(i, nullptr);  // the end: flush the encoder
        } catch (...) {
          fail(std::current_exception());
        }
      });
    }
    try {
      filter_all(stop);
    } catch (...) {
      fail(std::current_exception());
    }
    for (auto& q : layer_queues_) q->close();  // the workers drain their frames, then flush
  }
  layer_queues_.clear();
  if (error) std::rethrow_exception(error);
}

}  // namespace mw::encoders
