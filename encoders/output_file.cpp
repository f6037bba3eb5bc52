#include "encoders/output_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <system_error>

#include "encoders/av/error.hpp"
#include "encoders/av/log.hpp"
#include "encoders/encode_error.hpp"

namespace mw::encoders {

namespace {
[[noreturn]] void fail(const std::filesystem::path& file, const char* what, int ret) {
  std::string reason = av::error_text(ret);
  if (auto detail = av::last_log_error(); !detail.empty() && detail != reason) reason += " (" + detail + ")";
  throw EncodeError(ErrorCategory::Output,
                    fmt::format("{}: {} failed: {}", file.string(), what, reason));
}
}  // namespace

OutputFile::OutputFile(std::filesystem::path final_path, const std::vector<const Encoder*>& streams)
    : final_path_(std::move(final_path)),
      temp_path_(final_path_.parent_path() / ("." + final_path_.filename().string() + ".partial")) {
  av::clear_log_error();
  AVFormatContext* raw = nullptr;
  if (int ret = avformat_alloc_output_context2(&raw, nullptr, "mp4", temp_path_.c_str()); ret < 0)
    fail(final_path_, "creating the MP4 muxer", ret);
  ctx_.reset(raw);
  for (const Encoder* enc : streams) {
    AVStream* st = avformat_new_stream(raw, nullptr);
    if (st == nullptr) throw std::bad_alloc();
    if (int ret = avcodec_parameters_from_context(st->codecpar, enc->context()); ret < 0)
      fail(final_path_, "copying encoder parameters", ret);
    st->time_base = enc->time_base();
    if (enc->context()->codec_type == AVMEDIA_TYPE_VIDEO) {
      st->avg_frame_rate = enc->context()->framerate;
      st->sample_aspect_ratio = enc->context()->sample_aspect_ratio;
    }
  }
  stream_end_s_.assign(streams.size(), 0.0);
  stream_packets_.assign(streams.size(), 0);
  if (int ret = avio_open(&raw->pb, temp_path_.c_str(), AVIO_FLAG_WRITE); ret < 0)
    fail(final_path_, "opening for writing", ret);
  av::Dictionary opts;
  opts.set("movflags", "+faststart");
  if (int ret = avformat_write_header(raw, opts.out()); ret < 0) {
    discard();
    fail(final_path_, "writing the MP4 header", ret);
  }
  header_written_ = true;
}

OutputFile::~OutputFile() {
  if (!committed_) discard();
}

void OutputFile::write(int stream, AVPacket* packet, AVRational time_base) {
  std::lock_guard lock(mutex_);
  AVStream* st = ctx_->streams[stream];
  packet->stream_index = stream;
  av_packet_rescale_ts(packet, time_base, st->time_base);
  const int64_t end = packet->pts + packet->duration;
  stream_end_s_[static_cast<size_t>(stream)] =
      std::max(stream_end_s_[static_cast<size_t>(stream)], end * av_q2d(st->time_base));
  ++stream_packets_[static_cast<size_t>(stream)];
  av::clear_log_error();
  if (int ret = av_interleaved_write_frame(ctx_.get(), packet); ret < 0)
    fail(final_path_, "writing a packet", ret);
}

void OutputFile::finish() {
  std::lock_guard lock(mutex_);
  av::clear_log_error();
  if (int ret = av_write_trailer(ctx_.get()); ret < 0) fail(final_path_, "writing the MP4 trailer", ret);
  if (int ret = avio_closep(&ctx_->pb); ret < 0) fail(final_path_, "closing", ret);
}

void OutputFile::commit() {
  std::error_code ec;
  std::filesystem::rename(temp_path_, final_path_, ec);
  if (ec)
    throw EncodeError(ErrorCategory::Output,
                      fmt::format("{}: renaming the finished file into place failed: {}",
                                  final_path_.string(), ec.message()));
  committed_ = true;
}

void OutputFile::discard() noexcept {
  if (ctx_ && ctx_->pb) avio_closep(&ctx_->pb);
  std::error_code ec;
  std::filesystem::remove(temp_path_, ec);
}

double OutputFile::written_seconds() const {
  std::lock_guard lock(mutex_);
  return stream_end_s_.empty() ? 0.0 : *std::min_element(stream_end_s_.begin(), stream_end_s_.end());
}

std::vector<AVMediaType> OutputFile::empty_streams() const {
  std::lock_guard lock(mutex_);
  std::vector<AVMediaType> empty;
  for (size_t i = 0; i < stream_packets_.size(); ++i)
    if (stream_packets_[i] == 0) empty.push_back(ctx_->streams[i]->codecpar->codec_type);
  return empty;
}

}  // namespace mw::encoders
