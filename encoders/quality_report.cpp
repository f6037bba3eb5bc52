#include "encoders/quality_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>

#include "encoders/encode_error.hpp"
#include "encoders/filter_graph.hpp"
#include "encoders/source_frames.hpp"

extern "C" {
#include <libavutil/avstring.h>
#include <libavutil/dict.h>
#include <libavutil/mem.h>
}

namespace mw::encoders {

namespace {

// `text` escaped for one level of libavfilter's syntax (libavutil av_escape, backslash mode).
std::string escape(const std::string& text, const char* special) {
  char* out = nullptr;
  if (av_escape(&out, text.c_str(), special, AV_ESCAPE_MODE_BACKSLASH, 0) < 0)
    throw std::bad_alloc();
  std::string s(out);
  av_free(out);
  return s;
}

// A file name as the value of a filter option inside a graph description: escaped for the
// option parser (':' separates options), then for the graph parser ('[],;').
std::string graph_file_name(const std::string& path) {
  return escape(escape(path, ":"), "[],;");
}

// What psnr and ssim report for one layer, accumulated over its frames.
struct Comparison {
  double mse_y = 0, mse_avg = 0, ssim = 0;
  int64_t psnr_frames = 0, ssim_frames = 0;
};

double metadata_value(const AVFrame* f, const char* key, bool* found) {
  const AVDictionaryEntry* e = av_dict_get(f->metadata, key, nullptr, 0);
  *found = e != nullptr;
  return e ? std::strtod(e->value, nullptr) : 0;
}

double psnr_db(double mse) {
  return mse > 0 ? 10.0 * std::log10(255.0 * 255.0 / mse) : std::numeric_limits<double>::infinity();
}

// The comparison graph: the plan's video graph with its layer outputs [vK] renamed, each layer
// cropped to its picture and split to psnr (sink 2K) and ssim (sink 2K+1) against its output
// file read by the movie filter. Main (distorted) timestamps are moved 1 ms later than the
// reference's so that libavfilter's frame sync, which pairs each main frame with the latest
// reference frame at or before it, pairs the same picture even when the two time bases round
// a frame's time differently.
std::string comparison_graph(const EncodePlan& plan,
                             const std::vector<std::filesystem::path>& files) {
  std::string g = plan.video_filter;
  for (size_t k = 0; k < plan.video.size(); ++k) {
    const std::string from = fmt::format("[v{}]", k), to = fmt::format("[mwref{}]", k);
    for (size_t p = g.find(from); p != std::string::npos; p = g.find(from, p + to.size()))
      g.replace(p, from.size(), to);
  }
  for (size_t k = 0; k < plan.video.size(); ++k) {
    const VideoEncodePlan& v = plan.video[k];
    std::string crop;
    if (v.picture.width != v.size.width || v.picture.height != v.size.height) {
      // Where the plan's pad filter put the picture: centred, rounded down to the 4:2:0 grid.
      const int x = (v.size.width - v.picture.width) / 2 / 2 * 2,
                y = (v.size.height - v.picture.height) / 2 / 2 * 2;
      crop = fmt::format("crop={}:{}:{}:{},", v.picture.width, v.picture.height, x, y);
    }
    g += fmt::format(";[mwref{0}]{1}settb=AVTB,setpts=PTS-STARTPTS,split[mwrp{0}][mwrs{0}]", k,
                     crop);
    g += fmt::format(
        ";movie=filename={2},{1}format=yuv420p,settb=AVTB,setpts=PTS-STARTPTS+1000,split[mwdp{0}]["
        "mwds{0}]",
        k, crop, graph_file_name(files[k].string()));
    g += fmt::format(";[mwdp{0}][mwrp{0}]psnr[v{1}];[mwds{0}][mwrs{0}]ssim[v{2}]", k, 2 * k,
                     2 * k + 1);
  }
  return g;
}

std::vector<Comparison> compare(const EncodePlan& plan,
                                const std::vector<std::filesystem::path>& files,
                                std::stop_token stop) {
  const std::string description = comparison_graph(plan, files);
  std::vector<Comparison> out(plan.video.size());
  std::unique_ptr<FilterGraph> graph;
  av::FramePtr filtered = av::make_frame();
  auto drain = [&] {
    for (size_t sink = 0; sink < 2 * plan.video.size(); ++sink) {
      Comparison& c = out[sink / 2];
      while (graph->pull(sink, filtered.get())) {
        bool found_y = false, found_avg = false, found_ssim = false;
        if (sink % 2 == 0) {
          const double y = metadata_value(filtered.get(), "lavfi.psnr.mse.y", &found_y);
          const double avg = metadata_value(filtered.get(), "lavfi.psnr.mse_avg", &found_avg);
          if (found_y && found_avg) {
            c.mse_y += y;
            c.mse_avg += avg;
            ++c.psnr_frames;
          }
        } else {
          const double all = metadata_value(filtered.get(), "lavfi.ssim.All", &found_ssim);
          if (found_ssim) {
            c.ssim += all;
            ++c.ssim_frames;
          }
        }
        av_frame_unref(filtered.get());
      }
    }
  };
  decode_source(
      plan, AVMEDIA_TYPE_VIDEO,
      [&](const FilterInput& in) {
        graph = std::make_unique<FilterGraph>(description, in, 2 * plan.video.size(), 0,
                                              plan.input_path);
      },
      [&](av::FramePtr frame) {
        graph->push(frame.get());
        drain();
      },
      stop);
  graph->push(nullptr);
  drain();
  return out;
}

double percent(double measured, int target) {
  return target > 0 ? 100.0 * measured / target : 0;
}

}  // namespace

QualityReport make_quality_report(const EncodeResult& result,
                                  const std::filesystem::path& output_dir, std::stop_token stop) {
  const EncodePlan& plan = result.plan;
  QualityReport report;
  report.encode_wall_s = result.pipeline_wall_s;
  std::vector<std::filesystem::path> layer_files(plan.video.size());
  for (const MeasuredFile& m : result.measured) {
    // The progressive MP4 outputs (a streaming output's layers are measured in its segments).
    const auto it = std::find_if(plan.outputs.begin(), plan.outputs.end(), [&](const OutputFilePlan& o) {
      return o.format == presets::OutputFormat::Mp4 && o.file_name == m.name;
    });
    if (it == plan.outputs.end()) continue;
    const OutputFilePlan& out = *it;
    if (out.video >= 0 && m.video() && layer_files[static_cast<size_t>(out.video)].empty()) {
      const auto k = static_cast<size_t>(out.video);
      layer_files[k] = output_dir / m.name;
      VideoLayerQuality q;
      q.layer = k;
      q.file = m.name;
      q.size = plan.video[k].size;
      q.picture = plan.video[k].picture;
      q.target_kbps = plan.video[k].layer.bitrate_kbps;
      q.bitrate_kbps = m.video()->bitrate_kbps;
      q.bitrate_percent = percent(q.bitrate_kbps, q.target_kbps);
      q.frames = m.video()->frames;
      q.encode_fps =
          result.pipeline_wall_s > 0 ? static_cast<double>(q.frames) / result.pipeline_wall_s : 0;
      report.video.push_back(q);
    }
    if (out.audio && plan.audio && m.audio() && !report.audio) {
      AudioQuality a;
      a.file = m.name;
      a.target_kbps = plan.audio->codec.bitrate_kbps;
      a.bitrate_kbps = m.audio()->bitrate_kbps;
      a.bitrate_percent = percent(a.bitrate_kbps, a.target_kbps);
      a.loudness = m.audio()->loudness;
      report.audio = a;
    }
  }
  // InsertBlackIfNoVideo: the layers are generated black pictures with no source to compare
  // (frames_compared stays 0); the bitrates are still reported.
  if (!report.video.empty() && !plan.black_video) {
    for (size_t k = 0; k < layer_files.size(); ++k)
      if (layer_files[k].empty())
        throw EncodeError(
            ErrorCategory::Processing,
            fmt::format("{}: no output file carries video layer {}", plan.input_path, k));
    const std::vector<Comparison> c = compare(plan, layer_files, stop);
    for (auto& q : report.video) {
      const Comparison& x = c[q.layer];
      q.frames_compared = x.psnr_frames;
      if (x.psnr_frames > 0) {
        q.psnr_y_db = psnr_db(x.mse_y / static_cast<double>(x.psnr_frames));
        q.psnr_avg_db = psnr_db(x.mse_avg / static_cast<double>(x.psnr_frames));
      }
      if (x.ssim_frames > 0) q.ssim = x.ssim / static_cast<double>(x.ssim_frames);
    }
  }
  return report;
}

std::string quality_report_table(const QualityReport& r) {
  std::string t =
      fmt::format("{:<6}{:>11}{:>11}{:>17}{:>9}{:>10}{:>9}{:>8}{:>9}\n", "layer", "size", "picture",
                  "kbps / target", "% target", "PSNR Y", "PSNR avg", "SSIM", "enc fps");
  // "-": not measured (no frame compared: a generated black layer; SSIM of a picture too small
  // for the ssim filter's 8x8 windows, which gives NaN).
  auto db = [](const VideoLayerQuality& v, double value) {
    return v.frames_compared == 0 ? std::string("-")
           : std::isinf(value)    ? std::string("inf")
                                  : fmt::format("{:.2f}", value);
  };
  auto ssim = [](const VideoLayerQuality& v) {
    return v.frames_compared == 0 || !std::isfinite(v.ssim) ? std::string("-")
                                                            : fmt::format("{:.4f}", v.ssim);
  };
  for (const auto& v : r.video) {
    t += fmt::format("{:<6}{:>11}{:>11}{:>17}{:>9}{:>10}{:>9}{:>8}{:>9.1f}\n", v.layer,
                     fmt::format("{}x{}", v.size.width, v.size.height),
                     fmt::format("{}x{}", v.picture.width, v.picture.height),
                     fmt::format("{:.0f} / {}", v.bitrate_kbps, v.target_kbps),
                     fmt::format("{:.1f}", v.bitrate_percent), db(v, v.psnr_y_db),
                     db(v, v.psnr_avg_db), ssim(v), v.encode_fps);
  }
  if (r.audio) {
    t += fmt::format("audio {:.0f} / {} kbps ({:.1f} % of target)", r.audio->bitrate_kbps,
                     r.audio->target_kbps, r.audio->bitrate_percent);
    if (const auto& l = r.audio->loudness)
      t += fmt::format(", loudness {:.1f} LUFS, true peak {:.1f} dBTP", l->integrated_lufs,
                       l->true_peak_dbtp);
    t += "\n";
  }
  t += fmt::format("encode {:.2f} s wall clock\n", r.encode_wall_s);
  return t;
}

nlohmann::json quality_report_json(const QualityReport& r) {
  auto number = [](double v) {
    return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
  };
  nlohmann::json j = {
      {"encode_seconds", r.encode_wall_s}, {"video", nlohmann::json::array()}, {"audio", nullptr}};
  for (const auto& v : r.video)
    j["video"].push_back({{"layer", v.layer},
                          {"file", v.file},
                          {"width", v.size.width},
                          {"height", v.size.height},
                          {"picture_width", v.picture.width},
                          {"picture_height", v.picture.height},
                          {"target_kbps", v.target_kbps},
                          {"bitrate_kbps", v.bitrate_kbps},
                          {"bitrate_percent", v.bitrate_percent},
                          {"psnr_y_db", v.frames_compared == 0 ? nlohmann::json(nullptr) : number(v.psnr_y_db)},
                          {"psnr_avg_db", v.frames_compared == 0 ? nlohmann::json(nullptr) : number(v.psnr_avg_db)},
                          {"ssim", v.frames_compared == 0 ? nlohmann::json(nullptr) : number(v.ssim)},
                          {"frames_compared", v.frames_compared},
                          {"frames", v.frames},
                          {"encode_fps", v.encode_fps}});
  if (r.audio) {
    j["audio"] = {{"file", r.audio->file},
                  {"target_kbps", r.audio->target_kbps},
                  {"bitrate_kbps", r.audio->bitrate_kbps},
                  {"bitrate_percent", r.audio->bitrate_percent}};
    if (const auto& l = r.audio->loudness)
      j["audio"]["loudness"] = {{"integrated_lufs", number(l->integrated_lufs)},
                                {"true_peak_dbtp", number(l->true_peak_dbtp)},
                                {"sample_peak_dbfs", number(l->sample_peak_dbfs)},
                                {"loudness_range_lu", l->loudness_range_lu},
                                {"meter", l->meter}};
  }
  return j;
}

}  // namespace mw::encoders
