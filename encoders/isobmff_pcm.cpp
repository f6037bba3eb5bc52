#include "encoders/isobmff_pcm.hpp"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <optional>
#include <span>
#include <string_view>

namespace mw::encoders {

namespace {

uint32_t be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
uint64_t be64(const uint8_t* p) { return (uint64_t{be32(p)} << 32) | be32(p + 4); }

struct Box {
  std::string_view type;
  std::span<const uint8_t> payload;  // after the header
};

// Iterates the boxes laid end to end in `data` (ISO/IEC 14496-12 §4.2).
template <typename F>
void for_each_box(std::span<const uint8_t> data, F&& f) {
  size_t pos = 0;
  while (pos + 8 <= data.size()) {
    uint64_t size = be32(&data[pos]);
    size_t header = 8;
    if (size == 1) {
      if (pos + 16 > data.size()) return;
      size = be64(&data[pos + 8]);
      header = 16;
    } else if (size == 0) {
      size = data.size() - pos;
    }
    if (size < header || size > data.size() - pos) return;
    Box box{std::string_view(reinterpret_cast<const char*>(&data[pos + 4]), 4),
            data.subspan(pos + header, size - header)};
    f(box);
    pos += size;
  }
}

std::optional<Box> child(std::span<const uint8_t> data, std::string_view type) {
  std::optional<Box> found;
  for_each_box(data, [&](const Box& b) {
    if (!found && b.type == type) found = b;
  });
  return found;
}

std::optional<int> track_id(std::span<const uint8_t> trak) {
  auto tkhd = child(trak, "tkhd");
  if (!tkhd || tkhd->payload.size() < 24) return std::nullopt;
  const uint8_t version = tkhd->payload[0];
  const size_t at = version == 1 ? 4 + 16 : 4 + 8;
  if (tkhd->payload.size() < at + 4) return std::nullopt;
  return static_cast<int>(be32(&tkhd->payload[at]));
}

void scan_trak(std::span<const uint8_t> trak, std::vector<PcmTrackConfig>& out) {
  auto id = track_id(trak);
  auto mdia = child(trak, "mdia");
  if (!id || !mdia) return;
  auto minf = child(mdia->payload, "minf");
  if (!minf) return;
  auto stbl = child(minf->payload, "stbl");
  if (!stbl) return;
  auto stsd = child(stbl->payload, "stsd");
  if (!stsd || stsd->payload.size() < 8) return;
  // stsd: FullBox header (4) + entry_count (4), then the sample entries.
  for_each_box(stsd->payload.subspan(8), [&](const Box& entry) {
    if (entry.type != "ipcm" && entry.type != "fpcm") return;
    // AudioSampleEntry (v0): 6 reserved + 2 data_reference_index + 8 reserved + channelcount 2 +
    // samplesize 2 + pre_defined 2 + reserved 2 + samplerate 4 = 28 bytes before the child boxes.
    constexpr size_t kAudioSampleEntryFields = 28;
    if (entry.payload.size() < kAudioSampleEntryFields) return;
    auto pcmc = child(entry.payload.subspan(kAudioSampleEntryFields), "pcmC");
    if (!pcmc || pcmc->payload.size() < 6) return;  // FullBox (4) + format_flags + sample size
    out.push_back({*id, pcmc->payload[5], (pcmc->payload[4] & 1) != 0, entry.type == "fpcm"});
  });
}

}  // namespace

std::vector<PcmTrackConfig> read_pcm_track_configs(const std::filesystem::path& file) {
  std::vector<PcmTrackConfig> out;
  std::ifstream in(file, std::ios::binary);
  if (!in) return out;
  // Walk the top-level boxes by seeking (mdat may be gigabytes); load only moov.
  constexpr uint64_t kMaxMoov = 256ull << 20;
  uint64_t pos = 0;
  for (;;) {
    uint8_t hdr[16];
    in.seekg(static_cast<std::streamoff>(pos));
    if (!in.read(reinterpret_cast<char*>(hdr), 8)) return out;
    uint64_t size = be32(hdr);
    uint64_t header = 8;
    if (size == 1) {
      if (!in.read(reinterpret_cast<char*>(hdr + 8), 8)) return out;
      size = be64(hdr + 8);
      header = 16;
    }
    if (size == 0 || size < header) return out;  // to end of file / malformed: no moov after
    if (std::memcmp(hdr + 4, "moov", 4) == 0) {
      if (size - header > kMaxMoov) return out;
      std::vector<uint8_t> moov(size - header);
      if (!in.read(reinterpret_cast<char*>(moov.data()), static_cast<std::streamsize>(moov.size())))
        return out;
      for_each_box(moov, [&](const Box& b) {
        if (b.type == "trak") scan_trak(b.payload, out);
      });
      return out;
    }
    pos += size;
  }
}

}  // namespace mw::encoders
