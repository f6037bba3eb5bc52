#pragma once
// Reference readings of media files for the engine tests, made with plain libavformat /
// libavcodec / libswscale and none of the engine's code: one decoded picture as a small 8-bit
// luma image, the display matrix of a video stream, the loudness of an audio track, and the span
// of a video stream's packets. The tests compare the engine's outputs with these.

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/frame.h>
#include <libswscale/swscale.h>
}

namespace mw::encoders::test_support {

/// An 8-bit full-range luma picture, row-major.
struct GrayImage {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;

  int at(int x, int y) const { return pixels[static_cast<size_t>(y) * width + x]; }
  double mean() const {
    double sum = 0;
    for (uint8_t p : pixels) sum += p;
    return pixels.empty() ? 0 : sum / static_cast<double>(pixels.size());
  }
  double stddev() const {
    const double m = mean();
    double sum = 0;
    for (uint8_t p : pixels) sum += (p - m) * (p - m);
    return pixels.empty() ? 0 : std::sqrt(sum / static_cast<double>(pixels.size()));
  }
  /// The share (0-1) of pixels at `level` or brighter.
  double share_at_least(int level) const {
    const auto n =
        std::count_if(pixels.begin(), pixels.end(), [&](uint8_t p) { return p >= level; });
    return pixels.empty() ? 0 : static_cast<double>(n) / static_cast<double>(pixels.size());
  }
};

/// Mean absolute difference of two pictures of one size, in 8-bit levels (0-255).
inline double mean_abs_diff(const GrayImage& a, const GrayImage& b) {
  if (a.width != b.width || a.height != b.height || a.pixels.empty()) {
    ADD_FAILURE() << "comparing a " << a.width << "x" << a.height << " picture with a " << b.width
                  << "x" << b.height << " one";
    return std::numeric_limits<double>::infinity();
  }
  double sum = 0;
  for (size_t i = 0; i < a.pixels.size(); ++i) sum += std::abs(a.pixels[i] - b.pixels[i]);
  return sum / static_cast<double>(a.pixels.size());
}

/// The 2x2 part of a display matrix (ISO/IEC 14496-12 §8.2.2): a displayed point is
/// (a*x + c*y, b*x + d*y) of the coded point (x, y), with y pointing down.
struct Matrix2 {
  int a = 1, b = 0, c = 0, d = 1;
};

/// `in` as displayed through `m`: every pixel moved by the matrix, the result shifted back
/// into the first quadrant. Only right-angle matrices (entries -1, 0, 1) are meaningful.
inline GrayImage apply_matrix(const GrayImage& in, Matrix2 m) {
  const int corners[4][2] = {
      {0, 0}, {in.width - 1, 0}, {0, in.height - 1}, {in.width - 1, in.height - 1}};
  int min_x = std::numeric_limits<int>::max(), min_y = min_x,
      max_x = std::numeric_limits<int>::min(), max_y = max_x;
  for (const auto& p : corners) {
    const int x = m.a * p[0] + m.c * p[1], y = m.b * p[0] + m.d * p[1];
    min_x = std::min(min_x, x), max_x = std::max(max_x, x);
    min_y = std::min(min_y, y), max_y = std::max(max_y, y);
  }
  GrayImage out;
  out.width = max_x - min_x + 1;
  out.height = max_y - min_y + 1;
  out.pixels.assign(static_cast<size_t>(out.width) * out.height, 0);
  for (int y = 0; y < in.height; ++y)
    for (int x = 0; x < in.width; ++x) {
      const int ox = m.a * x + m.c * y - min_x, oy = m.b * x + m.d * y - min_y;
      out.pixels[static_cast<size_t>(oy) * out.width + ox] = static_cast<uint8_t>(in.at(x, y));
    }
  return out;
}

namespace detail {
struct InputCloser {
  void operator()(AVFormatContext* f) const { avformat_close_input(&f); }
};
struct DecoderFree {
  void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
struct FrameFree {
  void operator()(AVFrame* f) const { av_frame_free(&f); }
};
struct PacketFree {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct ScalerFree {
  void operator()(SwsContext* s) const { sws_freeContext(s); }
};
using Input = std::unique_ptr<AVFormatContext, InputCloser>;
using Decoder = std::unique_ptr<AVCodecContext, DecoderFree>;
using Frame = std::unique_ptr<AVFrame, FrameFree>;
using Packet = std::unique_ptr<AVPacket, PacketFree>;

inline Input open(const std::string& path) {
  AVFormatContext* raw = nullptr;
  if (avformat_open_input(&raw, path.c_str(), nullptr, nullptr) < 0)
    throw std::runtime_error("test reader: cannot open " + path);
  Input in(raw);
  if (avformat_find_stream_info(raw, nullptr) < 0)
    throw std::runtime_error("test reader: no stream info in " + path);
  return in;
}

inline int best_stream(AVFormatContext* in, AVMediaType type, const std::string& path) {
  const int index = av_find_best_stream(in, type, -1, -1, nullptr, 0);
  if (index < 0) throw std::runtime_error("test reader: no such stream in " + path);
  return index;
}

inline Decoder open_decoder(const AVStream* st, const std::string& path) {
  const AVCodec* codec = avcodec_find_decoder(st->codecpar->codec_id);
  if (codec == nullptr) throw std::runtime_error("test reader: no decoder for " + path);
  Decoder dec(avcodec_alloc_context3(codec));
  if (!dec || avcodec_parameters_to_context(dec.get(), st->codecpar) < 0)
    throw std::runtime_error("test reader: decoder setup failed for " + path);
  dec->pkt_timebase = st->time_base;
  if (avcodec_open2(dec.get(), codec, nullptr) < 0)
    throw std::runtime_error("test reader: cannot open the decoder for " + path);
  return dec;
}

/// Calls `on_frame(frame)` for every decoded frame of `stream` in presentation order until it
/// returns false.
template <typename F>
void decode_stream(AVFormatContext* in, int stream, AVCodecContext* dec, F&& on_frame) {
  Packet pkt(av_packet_alloc());
  Frame frame(av_frame_alloc());
  bool more = true;
  auto drain = [&] {
    while (more && avcodec_receive_frame(dec, frame.get()) == 0) {
      more = on_frame(frame.get());
      av_frame_unref(frame.get());
    }
  };
  while (more && av_read_frame(in, pkt.get()) >= 0) {
    if (pkt->stream_index == stream) {
      avcodec_send_packet(dec, pkt.get());  // a damaged packet is skipped, as players do
      drain();
    }
    av_packet_unref(pkt.get());
  }
  if (more) {
    avcodec_send_packet(dec, nullptr);
    drain();
  }
}
}  // namespace detail

/// A decoded picture as full-range 8-bit luma scaled (area average) to width x height.
inline GrayImage gray_of(const AVFrame* frame, int width, int height, const std::string& path) {
  // The deprecated yuvj formats are their yuv twins read as full range.
  auto format = static_cast<AVPixelFormat>(frame->format);
  bool full_range = frame->color_range == AVCOL_RANGE_JPEG;
  if (format == AV_PIX_FMT_YUVJ420P || format == AV_PIX_FMT_YUVJ422P ||
      format == AV_PIX_FMT_YUVJ444P) {
    format = format == AV_PIX_FMT_YUVJ420P   ? AV_PIX_FMT_YUV420P
             : format == AV_PIX_FMT_YUVJ422P ? AV_PIX_FMT_YUV422P
                                             : AV_PIX_FMT_YUV444P;
    full_range = true;
  }
  std::unique_ptr<SwsContext, detail::ScalerFree> scaler(
      sws_getContext(frame->width, frame->height, format, width, height, AV_PIX_FMT_GRAY8, SWS_AREA,
                     nullptr, nullptr, nullptr));
  if (!scaler) throw std::runtime_error("test reader: no scaler for " + path);
  // Read the source's range as tagged, write full range.
  int* inv_table = nullptr;
  int* table = nullptr;
  int src_range = 0, dst_range = 0, brightness = 0, contrast = 0, saturation = 0;
  sws_getColorspaceDetails(scaler.get(), &inv_table, &src_range, &table, &dst_range, &brightness,
                           &contrast, &saturation);
  sws_setColorspaceDetails(scaler.get(), inv_table, full_range ? 1 : 0, table, 1, brightness,
                           contrast, saturation);
  GrayImage out;
  out.width = width;
  out.height = height;
  out.pixels.assign(static_cast<size_t>(width) * height, 0);
  uint8_t* dst[4] = {out.pixels.data(), nullptr, nullptr, nullptr};
  int dst_stride[4] = {width, 0, 0, 0};
  sws_scale(scaler.get(), frame->data, frame->linesize, 0, frame->height, dst, dst_stride);
  return out;
}

/// The pictures shown at each of `times_s` (seconds after a file's first video frame; the frame
/// whose time is nearest), decoded in one pass, as gray_of() pictures. The picture is the
/// coded one: the stream's display matrix is NOT applied.
inline std::vector<GrayImage> decode_gray_frames(const std::string& path, const std::vector<double>& times_s,
                                                 int width, int height) {
  detail::Input in = detail::open(path);
  const int stream = detail::best_stream(in.get(), AVMEDIA_TYPE_VIDEO, path);
  const AVStream* st = in->streams[stream];
  detail::Decoder dec = detail::open_decoder(st, path);
  const double tb = av_q2d(st->time_base);
  int64_t first = AV_NOPTS_VALUE;
  std::vector<double> best_distance(times_s.size(), std::numeric_limits<double>::infinity());
  std::vector<detail::Frame> best;
  for (size_t i = 0; i < times_s.size(); ++i) best.emplace_back(av_frame_alloc());
  const double last = times_s.empty() ? 0 : *std::max_element(times_s.begin(), times_s.end());
  detail::decode_stream(in.get(), stream, dec.get(), [&](AVFrame* f) {
    const int64_t pts = f->best_effort_timestamp;
    if (pts == AV_NOPTS_VALUE) return true;
    if (first == AV_NOPTS_VALUE) first = pts;
    const double t = (pts - first) * tb;
    for (size_t i = 0; i < times_s.size(); ++i)
      if (std::abs(t - times_s[i]) < best_distance[i]) {
        best_distance[i] = std::abs(t - times_s[i]);
        av_frame_unref(best[i].get());
        av_frame_ref(best[i].get(), f);
      }
    return t < last + 0.5;
  });
  std::vector<GrayImage> out;
  for (const auto& f : best) {
    if (f->width == 0) throw std::runtime_error("test reader: no picture decoded from " + path);
    out.push_back(gray_of(f.get(), width, height, path));
  }
  return out;
}

/// The picture shown `at_s` seconds after a file's first video frame (decode_gray_frames()).
inline GrayImage decode_gray_frame(const std::string& path, double at_s, int width, int height) {
  return decode_gray_frames(path, {at_s}, width, height).front();
}

/// The display matrix of a file's video stream, read from its side data (identity when none).
inline Matrix2 display_matrix_of(const std::string& path) {
  detail::Input in = detail::open(path);
  const int stream = detail::best_stream(in.get(), AVMEDIA_TYPE_VIDEO, path);
  size_t size = 0;
  const uint8_t* data =
      av_stream_get_side_data(in->streams[stream], AV_PKT_DATA_DISPLAYMATRIX, &size);
  if (data == nullptr || size < 9 * sizeof(int32_t)) return {};
  std::array<int32_t, 9> m{};
  std::copy_n(reinterpret_cast<const int32_t*>(data), 9, m.begin());
  auto unit = [](int32_t v) { return static_cast<int>(std::lround(v / 65536.0)); };
  return {unit(m[0]), unit(m[1]), unit(m[3]), unit(m[4])};
}

/// The mean volume of a file's audio (RMS of every decoded sample of every channel), in dBFS:
/// what `ffmpeg -af volumedetect` reports as mean_volume.
inline double mean_volume_db(const std::string& path) {
  detail::Input in = detail::open(path);
  const int stream = detail::best_stream(in.get(), AVMEDIA_TYPE_AUDIO, path);
  detail::Decoder dec = detail::open_decoder(in->streams[stream], path);
  double sum = 0;
  int64_t count = 0;
  detail::decode_stream(in.get(), stream, dec.get(), [&](AVFrame* f) {
    const auto format = static_cast<AVSampleFormat>(f->format);
    const int channels = f->ch_layout.nb_channels;
    if (format != AV_SAMPLE_FMT_FLTP && format != AV_SAMPLE_FMT_FLT)
      throw std::runtime_error("test reader: expected float audio (AAC) in " + path);
    const bool planar = format == AV_SAMPLE_FMT_FLTP;
    for (int ch = 0; ch < channels; ++ch)
      for (int i = 0; i < f->nb_samples; ++i) {
        const float v =
            planar ? reinterpret_cast<const float*>(f->extended_data[ch])[i]
                   : reinterpret_cast<const float*>(f->extended_data[0])[i * channels + ch];
        sum += static_cast<double>(v) * v;
        ++count;
      }
    return true;
  });
  if (count == 0) throw std::runtime_error("test reader: no audio decoded from " + path);
  return 10 * std::log10(std::max(sum / static_cast<double>(count), 1e-20));
}

/// How long a file's video plays, from its packets: the last packet's end minus the first
/// packet's time, in seconds. Packets without a duration (Matroska) count one typical frame
/// interval (the median distance between neighbouring frames).
inline double video_span_s(const std::string& path) {
  detail::Input in = detail::open(path);
  const int stream = detail::best_stream(in.get(), AVMEDIA_TYPE_VIDEO, path);
  const double tb = av_q2d(in->streams[stream]->time_base);
  std::vector<int64_t> times;
  int64_t end = std::numeric_limits<int64_t>::min();
  bool durations = true;
  detail::Packet pkt(av_packet_alloc());
  while (av_read_frame(in.get(), pkt.get()) >= 0) {
    if (pkt->stream_index == stream && pkt->pts != AV_NOPTS_VALUE) {
      times.push_back(pkt->pts);
      end = std::max(end, pkt->pts + pkt->duration);
      durations = durations && pkt->duration > 0;
    }
    av_packet_unref(pkt.get());
  }
  if (times.size() < 2) throw std::runtime_error("test reader: too few video packets in " + path);
  std::sort(times.begin(), times.end());
  if (!durations) {
    std::vector<int64_t> gaps;
    for (size_t i = 1; i < times.size(); ++i) gaps.push_back(times[i] - times[i - 1]);
    std::nth_element(gaps.begin(), gaps.begin() + static_cast<long>(gaps.size() / 2), gaps.end());
    end = std::max(end, times.back() + gaps[gaps.size() / 2]);
  }
  return static_cast<double>(end - times.front()) * tb;
}

}  // namespace mw::encoders::test_support
