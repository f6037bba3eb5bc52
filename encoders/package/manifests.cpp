#include "encoders/package/manifests.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <pugixml.hpp>
#include <sstream>
#include <string_view>

#include "encoders/metadata.hpp"

namespace mw::encoders::package {

namespace {

std::string to_string(const pugi::xml_document& doc) {
  std::ostringstream out;
  doc.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
  return out.str();
}

pugi::xml_node declare(pugi::xml_document& doc) {
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "utf-8";
  return decl;
}

std::string hex(const uint8_t* data, size_t size) {
  std::string s;
  for (size_t i = 0; i < size; ++i) s += fmt::format("{:02X}", data[i]);
  return s;
}

long long rounded(double v) { return std::llround(v); }

// A file name as a relative URI reference (RFC 3986 §2.1, §2.3): every byte but the unreserved
// characters percent-encoded. A name's ' ', '#', '?' and '%' would otherwise end the path or be
// read as an escape (hls.js would fetch "a" for "a#1_00001.m4s"), and a '$' would open a DASH
// template identifier (ISO/IEC 23009-1 §5.3.9.4.4). UTF-8 names become their %XX bytes.
std::string uri_reference(std::string_view name) {
  std::string out;
  for (const char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 && byte < 0x80)
      out += c;
    else if (c == '-' || c == '.' || c == '_' || c == '~')
      out += c;
    else
      out += fmt::format("%{:02X}", byte);
  }
  return out;
}

// An HLS quoted-string holds no '"' (RFC 8216 §4.2).
std::string quoted_string_text(std::string text) {
  std::replace(text.begin(), text.end(), '"', '\'');
  return text;
}

// A DASH Representation@id holds no whitespace (ISO/IEC 23009-1 §5.3.5.2).
std::string representation_id(std::string stem) {
  std::replace_if(
      stem.begin(), stem.end(),
      [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }, '_');
  return stem;
}

std::string frame_rate_text(AVRational r) { return r.den == 1 ? std::to_string(r.num) : fmt::format("{}/{}", r.num, r.den); }

// The renditions of one media type, in order.
std::vector<const WrittenRendition*> of_type(const std::vector<WrittenRendition>& renditions, bool video) {
  std::vector<const WrittenRendition*> members;
  for (const auto& r : renditions)
    if (r.source->video == video) members.push_back(&r);
  return members;
}

// The largest width and height among video renditions (each may come from another rendition):
// displayed (after the display matrix) or coded.
std::pair<int, int> max_size(const std::vector<const WrittenRendition*>& members, bool displayed) {
  int w = 0, h = 0;
  for (const auto* r : members) {
    w = std::max(w, displayed ? r->source->display_width : r->source->width);
    h = std::max(h, displayed ? r->source->display_height : r->source->height);
  }
  return {w, h};
}

const WrittenRendition* largest_audio(const std::vector<WrittenRendition>& renditions) {
  const WrittenRendition* best = nullptr;
  for (const auto& r : renditions)
    if (!r.source->video && (best == nullptr || r.average_bps() > best->average_bps())) best = &r;
  return best;
}

}  // namespace

int64_t WrittenRendition::total_bytes() const {
  int64_t n = 0;
  for (const auto& s : segments) n += s.bytes;
  return n;
}

double WrittenRendition::duration_s() const {
  int64_t d = 0;
  for (const auto& s : segments) d += s.duration;
  return static_cast<double>(d) / static_cast<double>(timescale);
}

double WrittenRendition::average_bps() const {
  const double d = duration_s();
  return d > 0 ? static_cast<double>(total_bytes()) * 8 / d : 0;
}

double WrittenRendition::peak_bps(double target_s) const {
  double peak = 0;
  for (size_t i = 0; i < segments.size(); ++i) {
    int64_t bytes = 0, ticks = 0;
    for (size_t j = i; j < segments.size(); ++j) {
      bytes += segments[j].bytes;
      ticks += segments[j].duration;
      const double d = static_cast<double>(ticks) / static_cast<double>(timescale);
      if (d > 1.5 * target_s) break;
      if (d >= 0.5 * target_s) peak = std::max(peak, static_cast<double>(bytes) * 8 / d);
    }
  }
  return peak > 0 ? peak : average_bps();
}

int hls_target_duration(const WrittenRendition& r) {
  int64_t longest = 0;
  for (const auto& s : r.segments) longest = std::max(longest, s.duration);
  return std::max(1, static_cast<int>(std::lround(static_cast<double>(longest) / static_cast<double>(r.timescale))));
}

std::string hls_media_playlist(const WrittenRendition& r) {
  std::string m = fmt::format(
      "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:{}\n#EXT-X-MEDIA-SEQUENCE:1\n"
      "#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-MAP:URI=\"{}\"\n",
      hls_target_duration(r), uri_reference(r.init_file));
  for (const auto& s : r.segments)
    m += fmt::format("#EXTINF:{:.6f},\n{}\n",
                     static_cast<double>(s.duration) / static_cast<double>(r.timescale),
                     uri_reference(s.file));
  m += "#EXT-X-ENDLIST\n";
  return m;
}

std::string hls_master_playlist(const std::vector<WrittenRendition>& renditions, double target_s) {
  std::string m = "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n";
  const WrittenRendition* audio = largest_audio(renditions);
  const bool has_video = std::any_of(renditions.begin(), renditions.end(), [](const auto& r) { return r.source->video; });
  if (has_video && audio != nullptr) {
    // The default audio is the best one (the highest average bitrate); players switch from it.
    for (const auto& r : renditions) {
      if (r.source->video) continue;
      m += fmt::format(
          "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\",NAME=\"{}\",DEFAULT={},AUTOSELECT=YES,"
          "CHANNELS=\"{}\",URI=\"{}\"\n",
          quoted_string_text(r.source->stem), &r == audio ? "YES" : "NO", r.source->channels,
          uri_reference(r.media_playlist));
    }
  }
  for (const auto& r : renditions) {
    if (has_video && !r.source->video) continue;
    double peak = r.peak_bps(target_s), average = r.average_bps();
    std::string codecs = r.source->codec_string;
    if (r.source->video && audio != nullptr) {
      peak += audio->peak_bps(target_s);
      average += audio->average_bps();
      codecs += "," + audio->source->codec_string;
    }
    m += fmt::format("#EXT-X-STREAM-INF:BANDWIDTH={},AVERAGE-BANDWIDTH={},CODECS=\"{}\"", rounded(std::ceil(peak)),
                     rounded(std::ceil(average)), codecs);
    if (r.source->video) {
      m += fmt::format(",RESOLUTION={}x{}", r.source->display_width, r.source->display_height);
      if (r.source->frame_rate.num > 0) m += fmt::format(",FRAME-RATE={:.3f}", av_q2d(r.source->frame_rate));
      if (audio != nullptr) m += ",AUDIO=\"audio\"";
    }
    m += "\n" + uri_reference(r.media_playlist) + "\n";
  }
  return m;
}

std::string dash_mpd(const std::vector<WrittenRendition>& renditions, double target_s, double duration_s) {
  pugi::xml_document doc;
  declare(doc);
  auto mpd = doc.append_child("MPD");
  mpd.append_attribute("xmlns") = "urn:mpeg:dash:schema:mpd:2011";
  mpd.append_attribute("profiles") = "urn:mpeg:dash:profile:isoff-live:2011";
  mpd.append_attribute("type") = "static";
  mpd.append_attribute("mediaPresentationDuration") = xs_duration(duration_s).c_str();
  mpd.append_attribute("minBufferTime") = xs_duration(std::ceil(1.5 * target_s)).c_str();
  auto period = mpd.append_child("Period");
  period.append_attribute("id") = "0";
  period.append_attribute("start") = "PT0S";
  int set_id = 0;
  for (const bool video : {true, false}) {
    const auto members = of_type(renditions, video);
    if (members.empty()) continue;
    auto set = period.append_child("AdaptationSet");
    set.append_attribute("id") = set_id++;
    set.append_attribute("contentType") = video ? "video" : "audio";
    set.append_attribute("mimeType") = video ? "video/mp4" : "audio/mp4";
    set.append_attribute("segmentAlignment") = "true";
    set.append_attribute("startWithSAP") = "1";
    if (video) {
      const auto [max_w, max_h] = max_size(members, true);
      set.append_attribute("maxWidth") = max_w;
      set.append_attribute("maxHeight") = max_h;
      if (members.front()->source->frame_rate.num > 0)
        set.append_attribute("frameRate") = frame_rate_text(members.front()->source->frame_rate).c_str();
    }
    for (const auto* r : members) {
      auto rep = set.append_child("Representation");
      rep.append_attribute("id") = representation_id(r->source->stem).c_str();
      rep.append_attribute("bandwidth") = rounded(std::ceil(r->peak_bps(target_s)));
      rep.append_attribute("codecs") = r->source->codec_string.c_str();
      if (video) {
        rep.append_attribute("width") = r->source->display_width;
        rep.append_attribute("height") = r->source->display_height;
        rep.append_attribute("sar") = "1:1";
      } else {
        rep.append_attribute("audioSamplingRate") = r->source->sample_rate;
        auto channels = rep.append_child("AudioChannelConfiguration");
        channels.append_attribute("schemeIdUri") = "urn:mpeg:dash:23003:3:audio_channel_configuration:2011";
        channels.append_attribute("value") = r->source->channels;
      }
      auto tmpl = rep.append_child("SegmentTemplate");
      tmpl.append_attribute("timescale") = static_cast<long long>(r->timescale);
      tmpl.append_attribute("initialization") = uri_reference(r->init_file).c_str();
      // The segment files are named stem_00001.m4s (see package.cpp).
      tmpl.append_attribute("media") =
          (uri_reference(r->source->stem) + "_$Number%05d$.m4s").c_str();
      tmpl.append_attribute("startNumber") = 1;
      auto timeline = tmpl.append_child("SegmentTimeline");
      for (size_t i = 0; i < r->segments.size();) {
        size_t j = i + 1;
        while (j < r->segments.size() && r->segments[j].duration == r->segments[i].duration) ++j;
        auto s = timeline.append_child("S");
        if (i == 0) s.append_attribute("t") = static_cast<long long>(r->segments[i].start);
        s.append_attribute("d") = static_cast<long long>(r->segments[i].duration);
        if (j - i > 1) s.append_attribute("r") = static_cast<long long>(j - i - 1);
        i = j;
      }
    }
  }
  return to_string(doc);
}

std::string smooth_codec_private_data(const Rendition& r) {
  const auto& x = r.extradata;
  if (!r.video) return hex(x.data(), x.size());
  // avcC (ISO/IEC 14496-15 §5.3.3.1): 5 bytes, then numOfSequenceParameterSets (low 5 bits),
  // each 16-bit length + NAL unit, then numOfPictureParameterSets and the same.
  std::string out;
  size_t pos = 5;
  for (int list = 0; list < 2 && pos < x.size(); ++list) {
    const int count = list == 0 ? (x[pos] & 0x1f) : x[pos];
    ++pos;
    for (int i = 0; i < count && pos + 2 <= x.size(); ++i) {
      const size_t len = (size_t{x[pos]} << 8) | x[pos + 1];
      pos += 2;
      if (pos + len > x.size()) break;
      out += "00000001" + hex(&x[pos], len);
      pos += len;
    }
  }
  return out;
}

std::string smooth_server_manifest(const std::vector<WrittenRendition>& renditions, const std::string& client_manifest) {
  pugi::xml_document doc;
  declare(doc);
  auto smil = doc.append_child("smil");
  smil.append_attribute("xmlns") = "http://www.w3.org/2001/SMIL20/Language";
  auto head = smil.append_child("head");
  auto meta = head.append_child("meta");
  meta.append_attribute("name") = "clientManifestRelativePath";
  meta.append_attribute("content") = client_manifest.c_str();
  auto sw = smil.append_child("body").append_child("switch");
  for (const auto& r : renditions) {
    auto e = sw.append_child(r.source->video ? "video" : "audio");
    e.append_attribute("src") = r.smooth_file.c_str();
    e.append_attribute("systemBitrate") = rounded(r.average_bps());
    auto track = e.append_child("param");
    track.append_attribute("name") = "trackID";
    track.append_attribute("value") = r.smooth_track_id;
    track.append_attribute("valuetype") = "data";
    if (!r.source->video) {
      auto name = e.append_child("param");
      name.append_attribute("name") = "trackName";
      name.append_attribute("value") = "audio";
      name.append_attribute("valuetype") = "data";
    }
  }
  return to_string(doc);
}

std::string smooth_client_manifest(const std::vector<WrittenRendition>& renditions, double duration_s) {
  constexpr int64_t kTimeScale = 10000000;  // [MS-SSTR]: 100 ns units
  auto ticks = [](const WrittenRendition& r, int64_t v) {
    return static_cast<long long>(av_rescale(v, kTimeScale, r.timescale));
  };
  pugi::xml_document doc;
  declare(doc);
  auto root = doc.append_child("SmoothStreamingMedia");
  root.append_attribute("MajorVersion") = 2;
  root.append_attribute("MinorVersion") = 2;
  root.append_attribute("TimeScale") = static_cast<long long>(kTimeScale);
  root.append_attribute("Duration") = rounded(duration_s * kTimeScale);
  for (const bool video : {true, false}) {
    const auto members = of_type(renditions, video);
    if (members.empty()) continue;
    const WrittenRendition& first = *members.front();
    auto index = root.append_child("StreamIndex");
    index.append_attribute("Type") = video ? "video" : "audio";
    index.append_attribute("Name") = video ? "video" : "audio";
    index.append_attribute("Chunks") = static_cast<long long>(first.segments.size());
    index.append_attribute("QualityLevels") = static_cast<long long>(members.size());
    index.append_attribute("Url") = video ? "QualityLevels({bitrate})/Fragments(video={start time})"
                                          : "QualityLevels({bitrate})/Fragments(audio={start time})";
    if (video) {
      // [MS-SSTR] 2.2.2.3: MaxWidth/MaxHeight are the samples' (coded) size, DisplayWidth and
      // DisplayHeight the size to show.
      const auto [max_w, max_h] = max_size(members, false);
      const auto [display_w, display_h] = max_size(members, true);
      index.append_attribute("MaxWidth") = max_w;
      index.append_attribute("MaxHeight") = max_h;
      index.append_attribute("DisplayWidth") = display_w;
      index.append_attribute("DisplayHeight") = display_h;
    }
    int level = 0;
    for (const auto* r : members) {
      auto q = index.append_child("QualityLevel");
      q.append_attribute("Index") = level++;
      q.append_attribute("Bitrate") = rounded(r->average_bps());
      if (video) {
        q.append_attribute("FourCC") = "H264";
        q.append_attribute("MaxWidth") = r->source->width;
        q.append_attribute("MaxHeight") = r->source->height;
      } else {
        q.append_attribute("FourCC") = "AACL";
        q.append_attribute("SamplingRate") = r->source->sample_rate;
        q.append_attribute("Channels") = r->source->channels;
        q.append_attribute("BitsPerSample") = 16;
        q.append_attribute("PacketSize") = 4;
        q.append_attribute("AudioTag") = 255;
      }
      q.append_attribute("CodecPrivateData") = smooth_codec_private_data(*r->source).c_str();
    }
    for (size_t i = 0; i < first.segments.size(); ++i) {
      auto c = index.append_child("c");
      if (i == 0) c.append_attribute("t") = ticks(first, first.segments[i].start);
      c.append_attribute("d") = ticks(first, first.segments[i].duration);
    }
  }
  return to_string(doc);
}

}  // namespace mw::encoders::package
