#include "encoders/package/muxer.hpp"

#include <fmt/format.h>

#include <cstring>

#include "encoders/av/error.hpp"
#include "encoders/av/log.hpp"
#include "encoders/encode_error.hpp"

namespace mw::encoders::package {

namespace {

[[noreturn]] void fail(const std::string& label, const char* what, int ret) {
  std::string reason = av::error_text(ret);
  if (auto detail = av::last_log_error(); !detail.empty() && detail != reason) reason += " (" + detail + ")";
  throw EncodeError(ErrorCategory::Output, fmt::format("{}: {} failed: {}", label, what, reason));
}

Bytes close_dyn_buf(AVIOContext* pb) {
  uint8_t* data = nullptr;
  const int size = avio_close_dyn_buf(pb, &data);
  Bytes bytes(data, data + std::max(size, 0));
  av_free(data);
  return bytes;
}

}  // namespace

std::pair<Bytes, Bytes> split_at_first_fragment(const Bytes& boxes) {
  size_t pos = 0;
  while (pos + 8 <= boxes.size()) {
    uint64_t size = (uint64_t{boxes[pos]} << 24) | (uint64_t{boxes[pos + 1]} << 16) |
                    (uint64_t{boxes[pos + 2]} << 8) | uint64_t{boxes[pos + 3]};
    const char* type = reinterpret_cast<const char*>(&boxes[pos + 4]);
    if (std::memcmp(type, "moof", 4) == 0 || std::memcmp(type, "styp", 4) == 0) break;
    if (size == 1 && pos + 16 <= boxes.size()) {  // 64-bit largesize
      size = 0;
      for (int i = 0; i < 8; ++i) size = (size << 8) | boxes[pos + 8 + static_cast<size_t>(i)];
    }
    if (size < 8 || pos + size > boxes.size()) return {boxes, {}};
    pos += size;
  }
  return {Bytes(boxes.begin(), boxes.begin() + static_cast<long>(pos)), Bytes(boxes.begin() + static_cast<long>(pos), boxes.end())};
}

PacketMuxer::PacketMuxer(Kind kind, const std::vector<const AVStream*>& streams, const std::filesystem::path& file,
                         std::string label)
    : kind_(kind), label_(std::move(label)) {
  av::clear_log_error();
  const char* muxer = kind == Kind::CmafSegments ? "mp4" : kind == Kind::SmoothFile ? "ismv" : "mpegts";
  AVFormatContext* raw = nullptr;
  if (int ret = avformat_alloc_output_context2(&raw, nullptr, muxer, kind == Kind::CmafSegments ? nullptr : file.c_str());
      ret < 0)
    fail(label_, "creating the muxer", ret);
  ctx_.reset(raw);
  for (const AVStream* in : streams) {
    AVStream* st = avformat_new_stream(raw, nullptr);
    if (st == nullptr) throw std::bad_alloc();
    if (int ret = avcodec_parameters_copy(st->codecpar, in->codecpar); ret < 0) fail(label_, "copying codec parameters", ret);
    st->codecpar->codec_tag = 0;
    st->time_base = in->time_base;
    st->avg_frame_rate = in->avg_frame_rate;
    st->sample_aspect_ratio = in->sample_aspect_ratio;
    st->disposition = in->disposition;
    // The display matrix (a phone clip's rotation): the mp4 and ismv muxers write it into the
    // track header (ISO/IEC 14496-12 §8.3.2 matrix); without it a portrait clip plays sideways.
    // MPEG-TS has no place for it.
    for (int i = 0; i < in->nb_side_data; ++i) {
      const AVPacketSideData& sd = in->side_data[i];
      if (sd.type != AV_PKT_DATA_DISPLAYMATRIX) continue;
      uint8_t* data = av_stream_new_side_data(st, sd.type, sd.size);
      if (data == nullptr) throw std::bad_alloc();
      std::memcpy(data, sd.data, sd.size);
    }
  }
  av::Dictionary opts;
  if (kind == Kind::CmafSegments) {
    // What libavformat's DASH muxer asks of its mp4 sub-muxer (libavformat/dashenc.c): fragments
    // cut only when asked (frag_custom), the moov written with the first fragment's knowledge
    // (delay_moov), tfdt base times (dash, default_base_moof), CMAF brand, no sidx or mfra.
    // The reorder delay of B-frames (the first frame presented after its decode time) and the
    // AAC priming go into the moov's edit list, which delay_moov lets the muxer write once it
    // has seen the first fragment. (With the cmaf flag libavformat 5.1 writes no edit list and
    // moves the video 2 frames later than the audio.)
    opts.set("movflags", "+frag_custom+dash+delay_moov+skip_sidx+skip_trailer");
    if (int ret = avio_open_dyn_buf(&raw->pb); ret < 0) fail(label_, "allocating a buffer", ret);
    dyn_open_ = true;
  } else {
    if (kind == Kind::SmoothFile) opts.set("movflags", "+frag_custom");
    if (int ret = avio_open(&raw->pb, file.c_str(), AVIO_FLAG_WRITE); ret < 0) fail(label_, "opening for writing", ret);
  }
  if (int ret = avformat_write_header(raw, opts.out()); ret < 0) fail(label_, "writing the header", ret);
}

PacketMuxer::~PacketMuxer() {
  if (dyn_open_ && ctx_ && ctx_->pb) {
    close_dyn_buf(ctx_->pb);
    ctx_->pb = nullptr;
  }
}

AVRational PacketMuxer::time_base(int stream) const { return ctx_->streams[stream]->time_base; }

void PacketMuxer::write(int stream, AVPacket* packet, AVRational time_base) {
  packet->stream_index = stream;
  packet->pos = -1;
  av_packet_rescale_ts(packet, time_base, ctx_->streams[stream]->time_base);
  av::clear_log_error();
  if (int ret = av_write_frame(ctx_.get(), packet); ret < 0) fail(label_, "writing a packet", ret);
}

Bytes PacketMuxer::end_fragment() {
  av::clear_log_error();
  if (kind_ == Kind::TransportStream) return {};
  if (int ret = av_write_frame(ctx_.get(), nullptr); ret < 0) fail(label_, "ending a fragment", ret);
  if (kind_ != Kind::CmafSegments) return {};
  Bytes bytes = close_dyn_buf(ctx_->pb);
  ctx_->pb = nullptr;
  dyn_open_ = false;
  if (int ret = avio_open_dyn_buf(&ctx_->pb); ret < 0) fail(label_, "allocating a buffer", ret);
  dyn_open_ = true;
  return bytes;
}

void PacketMuxer::finish() {
  av::clear_log_error();
  if (int ret = av_write_trailer(ctx_.get()); ret < 0) fail(label_, "writing the trailer", ret);
  if (kind_ == Kind::CmafSegments) {
    close_dyn_buf(ctx_->pb);
    ctx_->pb = nullptr;
    dyn_open_ = false;
  } else if (int ret = avio_closep(&ctx_->pb); ret < 0) {
    fail(label_, "closing", ret);
  }
}

}  // namespace mw::encoders::package
