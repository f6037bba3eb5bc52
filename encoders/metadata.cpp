#include "encoders/metadata.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <pugixml.hpp>
#include <sstream>
#include <system_error>

#include "encoders/encode_error.hpp"

namespace mw::encoders {

namespace {

constexpr const char* kInputNs =
    "http://schemas.microsoft.com/windowsazure/mediaservices/2014/07/mediaencoder/inputmetadata";
constexpr const char* kOutputNs =
    "http://schemas.microsoft.com/windowsazure/mediaservices/2013/05/mediaencoder/metadata";

std::string kbps(int64_t bps) { return std::to_string((bps + 500) / 1000); }
std::string kbps(double v) { return std::to_string(static_cast<int64_t>(std::lround(v))); }
std::string rate3(double fps) { return fmt::format("{:.3f}", fps); }

std::string to_string(const pugi::xml_document& doc) {
  std::ostringstream out;
  doc.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
  return out.str();
}

pugi::xml_node declare(pugi::xml_document& doc, const char* ns) {
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "utf-8";
  auto root = doc.append_child("AssetFiles");
  root.append_attribute("xmlns") = ns;
  return root;
}

void metadata(pugi::xml_node parent, const std::map<std::string, std::string>& entries) {
  for (const auto& [k, v] : entries) {
    auto m = parent.append_child("Metadata");
    m.append_attribute("key") = k.c_str();
    m.append_attribute("value") = v.c_str();
  }
}

void disposition(pugi::xml_node track, const Disposition& d) {
  auto n = track.append_child("Disposition");
  const std::pair<const char*, bool> flags[] = {
      {"Default", d.default_}, {"Dub", d.dub}, {"Original", d.original}, {"Comment", d.comment},
      {"Lyrics", d.lyrics}, {"Karaoke", d.karaoke}, {"Forced", d.forced},
      {"HearingImpaired", d.hearing_impaired}, {"VisualImpaired", d.visual_impaired},
      {"CleanEffects", d.clean_effects}, {"AttachedPic", d.attached_pic}};
  for (const auto& [name, on] : flags) n.append_attribute(name) = on ? 1 : 0;
}

void common(pugi::xml_node n, const TrackInfo& t) {
  n.append_attribute("Id") = t.index;
  n.append_attribute("Codec") = t.codec.c_str();
  n.append_attribute("CodecLongName") = t.codec_long_name.c_str();
  n.append_attribute("TimeBase") = fmt::format("{}/{}", t.time_base.num, t.time_base.den).c_str();
  n.append_attribute("NumberOfFrames") = static_cast<long long>(t.number_of_frames);
  n.append_attribute("StartTime") = xs_duration(t.start_time_s).c_str();
  n.append_attribute("Duration") = xs_duration(t.duration_s).c_str();
}

std::map<std::string, std::string> video_extras(const VideoTrackInfo& v) {
  auto m = v.metadata;
  m["rotation"] = std::to_string(v.display_transform.rotation_degrees());
  m["mirrored"] = v.display_transform.mirrored() ? "1" : "0";
  m["color_primaries"] = v.color_primaries;
  m["color_transfer"] = v.color_transfer;
  m["color_space"] = v.color_space;
  m["color_range"] = v.color_range;
  m["field_order"] = v.field_order;
  return m;
}

// An xs:double with two decimals; "-INF" for the peak of digital silence (XML Schema's lexical
// form, which XmlConvert.ToDouble reads).
std::string xs_double2(double v) {
  if (std::isinf(v)) return v < 0 ? "-INF" : "INF";
  return fmt::format("{:.2f}", v);
}

void loudness_metering(pugi::xml_node track, const LoudnessMeasurement& l) {
  auto n = track.append_child("LoudnessMeteringResultParameters");
  n.append_attribute("DPLMVersionInformation") = l.meter.c_str();
  n.append_attribute("DialogNormalization") = dialog_normalization(l.integrated_lufs);
  n.append_attribute("IntegratedLoudness") = xs_double2(std::clamp(l.integrated_lufs, -70.0, 10.0)).c_str();
  n.append_attribute("IntegratedLoudnessUnit") = "LKFS";
  n.append_attribute("IntegratedLoudnessGatingMethod") = kLoudnessGatingMethod;
  n.append_attribute("SamplePeak") = xs_double2(l.sample_peak_dbfs).c_str();
  n.append_attribute("SamplePeakUnit") = "dBFS";
  n.append_attribute("TruePeak") = xs_double2(l.true_peak_dbtp).c_str();
  n.append_attribute("TruePeakUnit") = "dBTP";
}

nlohmann::json json_disposition(const Disposition& d) {
  return {{"Default", d.default_}, {"Dub", d.dub}, {"Original", d.original}, {"Comment", d.comment},
          {"Lyrics", d.lyrics}, {"Karaoke", d.karaoke}, {"Forced", d.forced},
          {"HearingImpaired", d.hearing_impaired}, {"VisualImpaired", d.visual_impaired},
          {"CleanEffects", d.clean_effects}, {"AttachedPic", d.attached_pic}};
}

nlohmann::json json_common(const TrackInfo& t) {
  return {{"Id", t.index}, {"Codec", t.codec}, {"CodecLongName", t.codec_long_name},
          {"TimeBase", fmt::format("{}/{}", t.time_base.num, t.time_base.den)},
          {"NumberOfFrames", t.number_of_frames}, {"StartTime", t.start_time_s},
          {"Duration", t.duration_s}, {"Bitrate", (t.bitrate_bps + 500) / 1000},
          {"Disposition", json_disposition(t.disposition)}, {"Metadata", t.metadata}};
}

}  // namespace

int dialog_normalization(double integrated_lufs) {
  if (!(integrated_lufs > -31.0)) return -31;
  return static_cast<int>(std::clamp(std::lround(integrated_lufs), -31L, -1L));
}

std::string xs_duration(double seconds) {
  if (!(seconds > 0)) return "PT0S";
  std::string s = fmt::format("{:.7f}", seconds);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return "PT" + s + "S";
}

std::string input_metadata_xml(const MediaInfo& in) {
  pugi::xml_document doc;
  auto file = declare(doc, kInputNs).append_child("AssetFile");
  file.append_attribute("Name") = in.name.c_str();
  file.append_attribute("Size") = static_cast<long long>(in.size_bytes);
  file.append_attribute("Duration") = xs_duration(in.duration_s).c_str();
  file.append_attribute("NumberOfStreams") = in.number_of_streams;
  file.append_attribute("FormatNames") = in.format_names.c_str();
  file.append_attribute("FormatVerboseName") = in.format_long_name.c_str();
  file.append_attribute("StartTime") = xs_duration(in.start_time_s).c_str();
  file.append_attribute("OverallBitRate") = kbps(in.overall_bitrate_bps).c_str();
  if (!in.video_tracks.empty()) {
    auto tracks = file.append_child("VideoTracks");
    for (const auto& v : in.video_tracks) {
      auto n = tracks.append_child("VideoTrack");
      common(n, v);
      n.append_attribute("FourCC") = v.fourcc.c_str();
      n.append_attribute("Profile") = v.profile.c_str();
      n.append_attribute("Level") = v.level.c_str();
      n.append_attribute("PixelFormat") = v.pixel_format.c_str();
      n.append_attribute("Width") = v.width;
      n.append_attribute("Height") = v.height;
      n.append_attribute("DisplayAspectRatioNumerator") = v.display_aspect_ratio.num;
      n.append_attribute("DisplayAspectRatioDenominator") = v.display_aspect_ratio.den;
      n.append_attribute("SampleAspectRatioNumerator") = v.sample_aspect_ratio.num;
      n.append_attribute("SampleAspectRatioDenominator") = v.sample_aspect_ratio.den;
      n.append_attribute("FrameRate") = rate3(v.frame_rate.value()).c_str();
      n.append_attribute("Bitrate") = kbps(v.bitrate_bps).c_str();
      n.append_attribute("HasBFrames") = v.has_b_frames ? 1 : 0;
      disposition(n, v.disposition);
      metadata(n, video_extras(v));
    }
  }
  if (!in.audio_tracks.empty()) {
    auto tracks = file.append_child("AudioTracks");
    for (const auto& a : in.audio_tracks) {
      auto n = tracks.append_child("AudioTrack");
      common(n, a);
      n.append_attribute("SampleFormat") = a.sample_format.c_str();
      n.append_attribute("ChannelLayout") = a.channel_layout.c_str();
      n.append_attribute("Channels") = a.channels;
      n.append_attribute("SamplingRate") = a.sampling_rate;
      n.append_attribute("Bitrate") = kbps(a.bitrate_bps).c_str();
      n.append_attribute("BitsPerSample") = a.bits_per_sample;
      disposition(n, a.disposition);
      metadata(n, a.metadata);
    }
  }
  metadata(file, in.metadata);
  return to_string(doc);
}

nlohmann::json input_metadata_json(const MediaInfo& in) {
  nlohmann::json file = {{"Name", in.name}, {"Size", in.size_bytes}, {"Duration", in.duration_s},
                         {"NumberOfStreams", in.number_of_streams}, {"FormatNames", in.format_names},
                         {"FormatVerboseName", in.format_long_name}, {"StartTime", in.start_time_s},
                         {"OverallBitRate", (in.overall_bitrate_bps + 500) / 1000},
                         {"Metadata", in.metadata}, {"VideoTracks", nlohmann::json::array()},
                         {"AudioTracks", nlohmann::json::array()}};
  for (const auto& v : in.video_tracks) {
    auto j = json_common(v);
    j.update({{"FourCC", v.fourcc}, {"Profile", v.profile}, {"Level", v.level},
              {"PixelFormat", v.pixel_format}, {"BitDepth", v.bit_depth}, {"Width", v.width},
              {"Height", v.height},
              {"DisplayAspectRatio", fmt::format("{}:{}", v.display_aspect_ratio.num, v.display_aspect_ratio.den)},
              {"SampleAspectRatio", fmt::format("{}:{}", v.sample_aspect_ratio.num, v.sample_aspect_ratio.den)},
              {"FrameRate", std::round(v.frame_rate.value() * 1000) / 1000}, {"HasBFrames", v.has_b_frames},
              {"FieldOrder", v.field_order}, {"Rotation", v.display_transform.rotation_degrees()},
              {"Mirrored", v.display_transform.mirrored()}, {"ColorPrimaries", v.color_primaries},
              {"ColorTransfer", v.color_transfer}, {"ColorSpace", v.color_space},
              {"ColorRange", v.color_range}});
    file["VideoTracks"].push_back(std::move(j));
  }
  for (const auto& a : in.audio_tracks) {
    auto j = json_common(a);
    j.update({{"SampleFormat", a.sample_format}, {"ChannelLayout", a.channel_layout},
              {"Channels", a.channels}, {"SamplingRate", a.sampling_rate},
              {"BitsPerSample", a.bits_per_sample}});
    file["AudioTracks"].push_back(std::move(j));
  }
  return {{"AssetFiles", nlohmann::json::array({file})}};
}

std::string output_manifest_xml(const std::vector<MeasuredFile>& files, const EncodePlan& plan,
                                const std::string& source_name, const std::vector<int>& plan_outputs) {
  pugi::xml_document doc;
  auto root = declare(doc, kOutputNs);
  for (size_t i = 0; i < files.size(); ++i) {
    const MeasuredFile& f = files[i];
    const int k = plan_outputs.empty() ? static_cast<int>(i) : i < plan_outputs.size() ? plan_outputs[i] : -1;
    const OutputFilePlan* out = k >= 0 && static_cast<size_t>(k) < plan.outputs.size() ? &plan.outputs[static_cast<size_t>(k)] : nullptr;
    auto file = root.append_child("AssetFile");
    file.append_attribute("Name") = f.name.c_str();
    file.append_attribute("Size") = static_cast<long long>(f.size_bytes);
    file.append_attribute("Duration") = xs_duration(f.duration_s).c_str();
    file.append_child("Sources").append_child("Source").append_attribute("Name") = source_name.c_str();
    if (const MeasuredTrack* v = f.video()) {
      const VideoEncodePlan* target = out && out->video >= 0 ? &plan.video[static_cast<size_t>(out->video)] : nullptr;
      auto n = file.append_child("VideoTracks").append_child("VideoTrack");
      n.append_attribute("Id") = v->index;
      n.append_attribute("FourCC") = "AVC1";
      n.append_attribute("Profile") = v->profile.c_str();
      n.append_attribute("Level") = v->level.c_str();
      n.append_attribute("Width") = v->width;
      n.append_attribute("Height") = v->height;
      n.append_attribute("DisplayAspectRatioNumerator") = v->dar_num;
      n.append_attribute("DisplayAspectRatioDenominator") = v->dar_den;
      n.append_attribute("Framerate") = rate3(v->frame_rate).c_str();
      n.append_attribute("TargetFramerate") = rate3(target ? target->frame_rate.value() : v->frame_rate).c_str();
      n.append_attribute("Bitrate") = kbps(v->bitrate_kbps).c_str();
      n.append_attribute("TargetBitrate") = target ? target->layer.bitrate_kbps : 0;
      n.append_attribute("MaxGOPBitrate") = kbps(v->max_gop_bitrate_kbps).c_str();
    }
    if (const MeasuredTrack* a = f.audio()) {
      auto n = file.append_child("AudioTracks").append_child("AudioTrack");
      n.append_attribute("Id") = a->index;
      n.append_attribute("Codec") = "AacLc";
      n.append_attribute("Channels") = a->channels;
      n.append_attribute("SamplingRate") = a->sampling_rate;
      n.append_attribute("Bitrate") = kbps(a->bitrate_kbps).c_str();
      n.append_attribute("BitsPerSample") = a->bits_per_sample;
      if (a->loudness) loudness_metering(n, *a->loudness);
    }
  }
  return to_string(doc);
}

void write_file_atomically(const std::filesystem::path& path, const std::string& content) {
  const auto temp = path.parent_path() / ("." + path.filename().string() + ".partial");
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << content;
    out.close();
    if (!out) {
      std::error_code ec;
      std::filesystem::remove(temp, ec);
      throw EncodeError(ErrorCategory::Output, fmt::format("{}: writing failed", path.string()));
    }
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) {
    std::filesystem::remove(temp, ec);
    throw EncodeError(ErrorCategory::Output, fmt::format("{}: renaming into place failed", path.string()));
  }
}

}  // namespace mw::encoders
