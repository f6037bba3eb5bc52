#include "encoders/thumbnail_stage.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <optional>
#include <system_error>

#include "encoders/av/error.hpp"
#include "encoders/av/log.hpp"
#include "encoders/encode_error.hpp"

extern "C" {
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>
}

namespace mw::encoders {

namespace {

constexpr int kStatsWidth = 64, kStatsHeight = 36;

AVCodecID codec_id(presets::OutputFormat f) {
  switch (f) {
    case presets::OutputFormat::Png:
      return AV_CODEC_ID_PNG;
    case presets::OutputFormat::Bmp:
      return AV_CODEC_ID_BMP;
    case presets::OutputFormat::Jpg:
    default:  // Mp4 and the streaming formats are not images
      break;
  }
  return AV_CODEC_ID_MJPEG;
}

// A black full-range 4:2:0 picture (the sprite canvas; the unused tiles of its last row stay so).
av::FramePtr black_canvas(int width, int height) {
  av::FramePtr f = av::make_frame();
  f->format = AV_PIX_FMT_YUVJ420P;
  f->width = width;
  f->height = height;
  f->color_range = AVCOL_RANGE_JPEG;
  if (av_frame_get_buffer(f.get(), 0) < 0) throw std::bad_alloc();
  for (int plane = 0; plane < 3; ++plane) {
    const int rows = plane == 0 ? height : (height + 1) / 2;
    std::memset(f->data[plane], plane == 0 ? 0 : 128,
                static_cast<size_t>(f->linesize[plane]) * rows);
  }
  return f;
}

// Copies an even-sized yuvj420p tile into the canvas at (x, y) (both even).
void blit(AVFrame* canvas, const AVFrame* tile, int x, int y) {
  for (int plane = 0; plane < 3; ++plane) {
    const int shift = plane == 0 ? 0 : 1;
    const int w = tile->width >> shift, h = tile->height >> shift;
    for (int row = 0; row < h; ++row)
      std::memcpy(canvas->data[plane] +
                      static_cast<ptrdiff_t>((y >> shift) + row) * canvas->linesize[plane] +
                      (x >> shift),
                  tile->data[plane] + static_cast<ptrdiff_t>(row) * tile->linesize[plane],
                  static_cast<size_t>(w));
  }
}

}  // namespace

struct ThumbnailStage::Codec {
  const ImagePlan* plan = nullptr;
  std::string description;
  std::unique_ptr<FilterGraph> graph;
  size_t next = 0;  // next capture of plan->times_s
  bool best_done = false;
  av::FramePtr best_frame;  // {Best}: the most detailed frame of the window so far
  double best_stddev = -1;
  std::vector<av::FramePtr> sprites;  // per layer, when plan->sprite_columns > 0
};

ThumbnailStage::ThumbnailStage(const std::vector<ImagePlan>& plans, const FilterInput& input,
                               FrameQueue& queue, std::filesystem::path output_dir,
                               std::string file, std::function<void()> progressed)
    : input_(input),
      queue_(queue),
      output_dir_(std::move(output_dir)),
      file_(std::move(file)),
      progressed_(std::move(progressed)),
      filtered_(av::make_frame()) {
  for (const ImagePlan& p : plans) {
    auto c = std::make_unique<Codec>();
    c->plan = &p;
    c->graph = std::make_unique<FilterGraph>(p.filter, input_, p.layers.size(), 0, file_);
    auto add = [&](const std::string& name) {
      file_index_.emplace(name, files_.size());
      files_.push_back({output_dir_ / name, output_dir_ / ("." + name + ".partial"), false});
    };
    if (p.sprite_columns > 0) {
      for (const auto& l : p.layers) {
        c->sprites.push_back(black_canvas(l.sprite_width, l.sprite_height));
        add(l.sprite_file_name);
        add(l.vtt_file_name);
      }
    } else {
      for (size_t i = 0; i < p.captures(); ++i)
        for (const auto& l : p.layers) add(l.file_names[i]);
    }
    codecs_.push_back(std::move(c));
  }
}

ThumbnailStage::~ThumbnailStage() {
  sws_freeContext(scaler_);
  if (committed_) return;
  std::error_code ec;
  for (const File& f : files_) std::filesystem::remove(f.temp_path, ec);
}

LumaStats ThumbnailStage::luma_stats(const AVFrame* frame, SwsContext*& scaler) {
  // The deprecated yuvj formats are their yuv twins read as full range.
  auto format = static_cast<AVPixelFormat>(frame->format);
  bool full_range = frame->color_range == AVCOL_RANGE_JPEG;
  switch (format) {
    case AV_PIX_FMT_YUVJ420P:
      format = AV_PIX_FMT_YUV420P, full_range = true;
      break;
    case AV_PIX_FMT_YUVJ422P:
      format = AV_PIX_FMT_YUV422P, full_range = true;
      break;
    case AV_PIX_FMT_YUVJ444P:
      format = AV_PIX_FMT_YUV444P, full_range = true;
      break;
    default:
      break;
  }
  scaler =
      sws_getCachedContext(scaler, frame->width, frame->height, format, kStatsWidth, kStatsHeight,
                           AV_PIX_FMT_GRAY8, SWS_AREA, nullptr, nullptr, nullptr);
  if (scaler == nullptr) return {};
  int *inv_table = nullptr, *table = nullptr;
  int src_range = 0, dst_range = 0, brightness = 0, contrast = 0, saturation = 0;
  sws_getColorspaceDetails(scaler, &inv_table, &src_range, &table, &dst_range, &brightness,
                           &contrast, &saturation);
  sws_setColorspaceDetails(scaler, inv_table, full_range ? 1 : 0, table, 1, brightness, contrast,
                           saturation);
  uint8_t luma[kStatsWidth * kStatsHeight];
  uint8_t* dst[4] = {luma, nullptr, nullptr, nullptr};
  int dst_stride[4] = {kStatsWidth, 0, 0, 0};
  sws_scale(scaler, frame->data, frame->linesize, 0, frame->height, dst, dst_stride);
  double sum = 0, squares = 0;
  for (uint8_t p : luma) sum += p, squares += static_cast<double>(p) * p;
  const double n = kStatsWidth * kStatsHeight, mean = sum / n;
  return {mean, std::sqrt(std::max(0.0, squares / n - mean * mean))};
}

void ThumbnailStage::run(std::stop_token stop) {
  const double tb = av_q2d(input_.time_base);
  while (auto item = queue_.pop()) {
    if (stop.stop_requested()) return;
    const AVFrame* f = item->get();
    const double t = f->pts == AV_NOPTS_VALUE ? prev_t_ : static_cast<double>(f->pts) * tb;
    offer(std::move(*item), t);
    reached_s_.store(std::max(reached_s_.load(), t));
    if (progressed_) progressed_();
  }
  if (stop.stop_requested()) return;
  finish();
}

void ThumbnailStage::offer(av::FramePtr frame, double t) {
  std::optional<LumaStats> stats;
  for (auto& cp : codecs_) {
    Codec& c = *cp;
    if (c.plan->best) {
      if (c.best_done || t < 0) continue;
      if (!stats && t <= c.plan->end_s) stats = luma_stats(frame.get(), scaler_);
      offer_best(c, frame.get(), t, stats.value_or(LumaStats{}));
      continue;
    }
    // The frame nearest each capture time: this one, or the one before it (frames before output
    // time 0, which a trimmed start decodes, are never chosen).
    const auto& times = c.plan->times_s;
    while (c.next < times.size() && t >= times[c.next]) {
      const double target = times[c.next];
      const bool take_prev =
          prev_ && prev_t_ >= 0 && std::abs(prev_t_ - target) <= std::abs(t - target);
      capture(c, c.next, take_prev ? prev_.get() : frame.get());
      ++c.next;
    }
  }
  prev_ = std::move(frame);
  prev_t_ = t;
}

void ThumbnailStage::offer_best(Codec& c, const AVFrame* frame, double t, const LumaStats& stats) {
  if (t > c.plan->end_s) {  // the window is over: the most detailed frame of it
    capture(c, 0, c.best_frame ? c.best_frame.get() : frame);
    c.best_done = true;
    c.best_frame.reset();
    return;
  }
  if (stats.interesting()) {
    capture(c, 0, frame);
    c.best_done = true;
    c.best_frame.reset();
    return;
  }
  if (stats.stddev > c.best_stddev) {
    c.best_stddev = stats.stddev;
    c.best_frame.reset(av_frame_clone(frame));
    if (!c.best_frame) throw std::bad_alloc();
  }
}

void ThumbnailStage::capture(Codec& c, size_t index, const AVFrame* frame) {
  const ImagePlan& p = *c.plan;
  av::FramePtr copy(av_frame_clone(frame));  // a new reference: the graph takes it
  if (!copy) throw std::bad_alloc();
  if (!c.graph->input().matches(copy.get()))  // the decoder changed size or format mid-stream
    c.graph = std::make_unique<FilterGraph>(
        p.filter, FilterInput::from_frame(copy.get(), AVMEDIA_TYPE_VIDEO, input_.time_base),
        p.layers.size(), 0, file_);
  c.graph->push(copy.get());
  for (size_t i = 0; i < p.layers.size(); ++i) {
    const ImageLayerPlan& l = p.layers[i];
    if (!c.graph->pull(i, filtered_.get()))
      throw EncodeError(ErrorCategory::Processing,
                        fmt::format("{}: {} layer {}: the filter graph '{}' gave no picture", file_,
                                    p.type_name(), i, p.filter));
    if (p.sprite_columns > 0) {
      const int column = static_cast<int>(index % static_cast<size_t>(p.sprite_columns));
      const int row = static_cast<int>(index / static_cast<size_t>(p.sprite_columns));
      blit(c.sprites[i].get(), filtered_.get(), column * l.width, row * l.height);
    } else {
      write(l.file_names[index], encode(filtered_.get(), p.format, l.qscale, l.file_names[index]));
    }
    av_frame_unref(filtered_.get());
  }
}

void ThumbnailStage::finish() {
  // No frame at all: the source stage reports that input as unreadable; nothing to make here.
  if (!prev_) return;
  for (auto& cp : codecs_) {
    Codec& c = *cp;
    const ImagePlan& p = *c.plan;
    if (p.best && !c.best_done) {
      capture(c, 0, c.best_frame ? c.best_frame.get() : prev_.get());
      c.best_done = true;
    }
    for (; !p.best && c.next < p.times_s.size(); ++c.next) capture(c, c.next, prev_.get());
    if (p.sprite_columns == 0) continue;
    for (size_t i = 0; i < p.layers.size(); ++i) {
      const ImageLayerPlan& l = p.layers[i];
      write(l.sprite_file_name, encode(c.sprites[i].get(), p.format, l.qscale, l.sprite_file_name));
      // WebVTT (W3C): one cue per capture, from its time to the next capture's (the last to the
      // end of the Range), pointing at its tile with a Media Fragments xywh.
      std::string vtt = "WEBVTT\n";
      for (size_t k = 0; k < p.times_s.size(); ++k) {
        const double end =
            k + 1 < p.times_s.size() ? p.times_s[k + 1] : std::max(p.end_s, p.times_s[k]);
        const int column = static_cast<int>(k % static_cast<size_t>(p.sprite_columns));
        const int row = static_cast<int>(k / static_cast<size_t>(p.sprite_columns));
        vtt += fmt::format("\n{} --> {}\n{}#xywh={},{},{},{}\n", vtt_timestamp(p.times_s[k]),
                           vtt_timestamp(end), l.sprite_file_name, column * l.width, row * l.height,
                           l.width, l.height);
      }
      write(l.vtt_file_name, vtt);
    }
  }
}

std::string ThumbnailStage::encode(AVFrame* picture, presets::OutputFormat format, int qscale,
                                   const std::string& name) const {
  const AVCodec* codec = avcodec_find_encoder(codec_id(format));
  if (codec == nullptr)
    throw EncodeError(
        ErrorCategory::Processing,
        fmt::format("{}: no {} encoder in libavcodec", name, avcodec_get_name(codec_id(format))));
  av::CodecContextPtr ctx(avcodec_alloc_context3(codec));
  if (!ctx) throw std::bad_alloc();
  ctx->width = picture->width;
  ctx->height = picture->height;
  ctx->pix_fmt = static_cast<AVPixelFormat>(picture->format);
  ctx->time_base = {1, 1};
  ctx->sample_aspect_ratio = {1, 1};
  ctx->thread_count = 1;
  if (format == presets::OutputFormat::Jpg) {
    // A fixed quantiser, as `ffmpeg -q:v` sets it: the codec's and the frame's quality.
    ctx->color_range = AVCOL_RANGE_JPEG;
    ctx->flags |= AV_CODEC_FLAG_QSCALE;
    ctx->global_quality = qscale * FF_QP2LAMBDA;
    picture->quality = ctx->global_quality;
  }
  av::clear_log_error();
  auto fail = [&](int ret, const char* what) {
    std::string reason = av::error_text(ret);
    if (auto detail = av::last_log_error(); !detail.empty()) reason += " (" + detail + ")";
    throw EncodeError(
        ErrorCategory::Processing,
        fmt::format("{}: {} ({}): {}", (output_dir_ / name).string(), what, codec->name, reason));
  };
  if (int ret = avcodec_open2(ctx.get(), codec, nullptr); ret < 0)
    fail(ret, "opening the image encoder");
  picture->pts = 0;
  picture->pict_type = AV_PICTURE_TYPE_NONE;
  if (int ret = avcodec_send_frame(ctx.get(), picture); ret < 0) fail(ret, "encoding");
  if (int ret = avcodec_send_frame(ctx.get(), nullptr); ret < 0) fail(ret, "flushing the encoder");
  std::string bytes;
  av::PacketPtr packet = av::make_packet();
  for (;;) {
    const int ret = avcodec_receive_packet(ctx.get(), packet.get());
    if (ret == AVERROR_EOF || ret == AVERROR(EAGAIN)) break;
    if (ret < 0) fail(ret, "encoding");
    bytes.append(reinterpret_cast<const char*>(packet->data), static_cast<size_t>(packet->size));
    av_packet_unref(packet.get());
  }
  if (bytes.empty()) fail(AVERROR_BUG, "encoding gave no data");
  return bytes;
}

void ThumbnailStage::write(const std::string& name, const std::string& bytes) {
  const auto it = file_index_.find(name);
  if (it == file_index_.end())
    throw EncodeError(ErrorCategory::Processing,
                      fmt::format("{}: not a planned thumbnail file", name));
  File* file = &files_[it->second];
  std::ofstream out(file->temp_path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out)
    throw EncodeError(ErrorCategory::Output, fmt::format("{}: writing failed ({} bytes)",
                                                         file->final_path.string(), bytes.size()));
  file->written = true;
}

std::vector<std::filesystem::path> ThumbnailStage::commit() {
  for (const File& f : files_)
    if (!f.written)
      throw EncodeError(ErrorCategory::Processing,
                        fmt::format("{}: {}: no frame was captured for it", file_,
                                    f.final_path.filename().string()));
  std::vector<std::filesystem::path> paths;
  for (const File& f : files_) {
    std::error_code ec;
    std::filesystem::rename(f.temp_path, f.final_path, ec);
    if (ec)
      throw EncodeError(ErrorCategory::Output,
                        fmt::format("{}: renaming the finished file into place failed: {}",
                                    f.final_path.string(), ec.message()));
    paths.push_back(f.final_path);
  }
  committed_ = true;
  return paths;
}

}  // namespace mw::encoders
