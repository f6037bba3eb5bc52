#include "encoders/input_file.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <system_error>

#include "encoders/av/error.hpp"
#include "encoders/av/log.hpp"
#include "encoders/encode_error.hpp"
#include "encoders/isobmff_pcm.hpp"

namespace mw::encoders {

namespace {

[[noreturn]] void unreadable(const std::string& path, const std::string& what) {
  throw EncodeError(ErrorCategory::InputUnreadable, fmt::format("{}: {}", path, what));
}

std::string with_detail(int averror) {
  std::string text = av::error_text(averror);
  const std::string detail = av::last_log_error();
  if (!detail.empty() && detail != text) text += " (" + detail + ")";
  return text;
}

AVCodecID pcm_codec(const PcmTrackConfig& c) {
  if (c.is_float) {
    if (c.bits_per_sample == 64) return c.little_endian ? AV_CODEC_ID_PCM_F64LE : AV_CODEC_ID_PCM_F64BE;
    return c.little_endian ? AV_CODEC_ID_PCM_F32LE : AV_CODEC_ID_PCM_F32BE;
  }
  switch (c.bits_per_sample) {
    case 16: return c.little_endian ? AV_CODEC_ID_PCM_S16LE : AV_CODEC_ID_PCM_S16BE;
    case 24: return c.little_endian ? AV_CODEC_ID_PCM_S24LE : AV_CODEC_ID_PCM_S24BE;
    case 32: return c.little_endian ? AV_CODEC_ID_PCM_S32LE : AV_CODEC_ID_PCM_S32BE;
    default: return AV_CODEC_ID_NONE;
  }
}

}  // namespace

InputFile InputFile::open(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) unreadable(path, "no such file");
  if (std::filesystem::is_directory(path, ec)) unreadable(path, "is a folder, not a media file");
  if (std::filesystem::file_size(path, ec) == 0 && !ec) unreadable(path, "the file is empty (0 bytes)");

  av::ensure_log_capture();
  InputFile in;
  in.path_ = path;
  av::clear_log_error();
  AVFormatContext* raw = nullptr;
  if (int ret = avformat_open_input(&raw, path.c_str(), nullptr, nullptr); ret < 0)
    unreadable(path, "not a readable media file: " + with_detail(ret));
  in.fmt_.reset(raw);
  if (int ret = avformat_find_stream_info(raw, nullptr); ret < 0)
    unreadable(path, "cannot read the stream info: " + with_detail(ret));
  bool has_media = false;
  for (unsigned i = 0; i < raw->nb_streams; ++i) {
    const auto type = raw->streams[i]->codecpar->codec_type;
    has_media |= type == AVMEDIA_TYPE_VIDEO || type == AVMEDIA_TYPE_AUDIO;
  }
  if (!has_media) unreadable(path, "no audio or video stream");
  in.plan_pcm_repacks();
  return in;
}

void InputFile::plan_pcm_repacks() {
  if (std::string_view(fmt_->iformat->name).find("mp4") == std::string_view::npos) return;
  std::vector<PcmTrackConfig> configs;
  for (unsigned i = 0; i < fmt_->nb_streams; ++i) {
    AVStream* st = fmt_->streams[i];
    AVCodecParameters* par = st->codecpar;
    if (par->codec_type != AVMEDIA_TYPE_AUDIO || par->codec_tag != MKTAG('i', 'p', 'c', 'm'))
      continue;
    if (configs.empty()) configs = read_pcm_track_configs(path_);
    for (const auto& c : configs) {
      const AVCodecID codec = pcm_codec(c);
      if (c.track_id != st->id || codec == AV_CODEC_ID_NONE || codec == par->codec_id) continue;
      const int channels = par->ch_layout.nb_channels;
      const int view_bytes = std::max(1, par->bits_per_coded_sample / 8) * channels;
      const int real_bytes = c.bits_per_sample / 8 * channels;
      // Index entries are the demuxer's packets, positioned as if samples were view_bytes long:
      // an entry that starts where the previous one ended continues the same chunk; any other
      // starts a new chunk at its true (stco) offset.
      PcmRepack repack{static_cast<int>(i), {}};
      int64_t chunk_view_start = -1, chunk_real_start = 0, prev_end = -1;
      const int count = avformat_index_get_entries_count(st);
      for (int k = 0; k < count; ++k) {
        const AVIndexEntry* e = avformat_index_get_entry(st, k);
        if (e->pos != prev_end) chunk_view_start = chunk_real_start = e->pos;
        const int64_t real_pos = chunk_real_start + (e->pos - chunk_view_start) / view_bytes * real_bytes;
        repack.chunks[e->pos] = {real_pos, e->size / view_bytes * real_bytes};
        prev_end = e->pos + e->size;
      }
      par->codec_id = codec;
      // What libavcodec's PCM decoder of that codec outputs (s24 comes out as s32).
      par->format = c.is_float ? (c.bits_per_sample == 64 ? AV_SAMPLE_FMT_DBL : AV_SAMPLE_FMT_FLT)
                               : (c.bits_per_sample == 16 ? AV_SAMPLE_FMT_S16 : AV_SAMPLE_FMT_S32);
      par->bits_per_coded_sample = c.bits_per_sample;
      par->bits_per_raw_sample = c.bits_per_sample;
      par->block_align = real_bytes;
      par->bit_rate = int64_t{real_bytes} * 8 * par->sample_rate;
      repacks_.push_back(std::move(repack));
    }
  }
}

bool InputFile::read(AVPacket* pkt) {
  av_packet_unref(pkt);
  av::clear_log_error();
  const int ret = av_read_frame(fmt_.get(), pkt);
  if (ret == AVERROR_EOF) return false;
  if (ret < 0)
    throw EncodeError(ErrorCategory::MalformedContent,
                      fmt::format("{}: reading the input failed: {}", path_, with_detail(ret)));
  for (const auto& r : repacks_) {
    if (r.stream != pkt->stream_index) continue;
    const auto it = r.chunks.find(pkt->pos);
    if (it == r.chunks.end())
      throw EncodeError(ErrorCategory::MalformedContent,
                        fmt::format("{}: stream {}: PCM packet at byte {} is not in the sample table",
                                    path_, r.stream, pkt->pos));
    const auto [pos, size] = it->second;
    if (!raw_) {
      AVIOContext* io = nullptr;
      av::check(avio_open(&io, path_.c_str(), AVIO_FLAG_READ), "avio_open", path_, r.stream);
      raw_.reset(io);
    }
    AVBufferRef* buf = av_buffer_alloc(static_cast<size_t>(size) + AV_INPUT_BUFFER_PADDING_SIZE);
    if (buf == nullptr) throw std::bad_alloc();
    std::fill(buf->data + size, buf->data + size + AV_INPUT_BUFFER_PADDING_SIZE, 0);
    if (avio_seek(raw_.get(), pos, SEEK_SET) < 0 || avio_read(raw_.get(), buf->data, size) != size) {
      av_buffer_unref(&buf);
      throw EncodeError(ErrorCategory::MalformedContent,
                        fmt::format("{}: stream {}: PCM chunk at byte {} ({} bytes) is cut short",
                                    path_, r.stream, pos, size));
    }
    av_buffer_unref(&pkt->buf);
    pkt->buf = buf;
    pkt->data = buf->data;
    pkt->size = size;
    pkt->pos = pos;
  }
  return true;
}

}  // namespace mw::encoders
