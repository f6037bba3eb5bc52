// EncodePlan::ffmpeg_command: the ffmpeg command line that does what a plan does (for
// `presets explain`, its test that runs the command, and the benchmarks).

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <filesystem>
#include <map>
#include <set>
#include <tuple>
#include <string>
#include <string_view>

#include "encoders/plan.hpp"
#include "presets/format_rules.hpp"

namespace mw::encoders {

namespace {

std::string fmt_seconds(double s) { return fmt::format("{:.6f}", s); }


}  // namespace

std::string EncodePlan::ffmpeg_command(const std::string& output_dir) const {
  // POSIX shell single quotes: ' becomes '\'' (the command is meant to be pasted into a shell).
  auto quoted = [](const std::string& text) {
    std::string q = "'";
    for (const char c : text) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
  };
  auto with_input = [](std::string g, int stream) {
    const std::string label = fmt::format("[0:{}]", stream);
    for (size_t p = g.find("[in]"); p != std::string::npos; p = g.find("[in]", p)) g.replace(p, 4, label);
    return g;
  };
  // Generated streams (black video, silence) start from a source filter; their unused [in]
  // end is left out.
  auto generated = [](std::string g, std::string_view unused) {
    if (const size_t p = g.rfind(unused); p != std::string::npos) g.erase(p);
    return g;
  };
  std::string graph;
  if (black_video) graph = generated(video_filter, ";[in]nullsink");
  else if (video_stream >= 0 && !video_filter.empty()) graph = with_input(video_filter, video_stream);
  if (silent_audio) graph += (graph.empty() ? "" : ";") + generated(audio_filter, ";[in]anullsink");
  else if (audio_stream >= 0) graph += (graph.empty() ? "" : ";") + with_input(audio_filter, audio_stream);
  else if (video_stream >= 0 && !black_video && !video_filter.empty()) {
    // ffmpeg 5.1 ties the outputs of a graph with one input to that input stream and, under
    // -noautorotate, copies its display matrix to them: the upright picture would be turned
    // again by players. A second graph input (one frame, discarded) unties them.
    graph += fmt::format(";[0:{}]trim=end_frame=1,nullsink", video_stream);
  }
  // Thumbnails: each image codec's graph (its labels renamed [iKs..]/[iKv..] apart from the
  // video's) gets a select in front that passes the frame nearest each capture time, as the
  // thumbnail stage picks it: frame t captures time T when (prev_t + t)/2 < T <= t + (t - prev_t)/2
  // (the next frame assumed one interval on), and the first frame every T <= t. The image2 muxer
  // writes the files, {Index} as %06d from 1; a sprite is the tile filter's grid. Not expressible:
  // {Best} (a measure over a window), capture times not evenly spaced, a name whose index is
  // not where a pattern can put it, and a sprite's WebVTT file (said in a trailing comment).
  auto replace_all = [](std::string& text, std::string_view from, std::string_view to) {
    for (size_t p = text.find(from); p != std::string::npos; p = text.find(from, p + to.size()))
      text.replace(p, from.size(), to);
  };
  std::string no_image_equivalent;  // why the thumbnails have no ffmpeg command, or ""
  std::vector<std::string> vtt_files;  // written by mediaworker only
  std::string image_options;           // -map ... per image layer
  for (size_t k = 0; k < images.size() && no_image_equivalent.empty(); ++k) {
    const ImagePlan& ip = images[k];
    const std::vector<double>& times = ip.times_s;
    const double step = times.size() > 1 ? times[1] - times[0] : 1e6;
    bool even = true;
    for (size_t i = 1; i < times.size(); ++i)
      even = even && std::abs(times[i] - times[0] - static_cast<double>(i) * step) < 1e-6;
    if (ip.best) no_image_equivalent = fmt::format("{} start {{Best}}", ip.type_name());
    else if (times.empty() || !even) no_image_equivalent = fmt::format("{} capture times", ip.type_name());
    else if (video_stream < 0) no_image_equivalent = fmt::format("{} without a video stream", ip.type_name());
    if (!no_image_equivalent.empty()) break;
    const std::string start = fmt_seconds(times[0]), every = fmt_seconds(step);
    std::string g = ip.filter;
    replace_all(g, "[s", fmt::format("[i{}s", k));
    replace_all(g, "[v", fmt::format("[i{}v", k));
    replace_all(g, "[in]",
                fmt::format("[0:{}]select='if(isnan(prev_t),gte(t,{}),gt(floor((1.5*t-0.5*prev_t-{})/{}),"
                            "floor((0.5*t+0.5*prev_t-{})/{})))',",
                            video_stream, start, start, every, start, every));
    const char* codec = ip.format == presets::OutputFormat::Png   ? "png"
                        : ip.format == presets::OutputFormat::Bmp ? "bmp"
                                                                  : "mjpeg";
    for (size_t i = 0; i < ip.layers.size(); ++i) {
      const ImageLayerPlan& l = ip.layers[i];
      const std::string label = fmt::format("[i{}v{}]", k, i);
      const std::string quality = ip.format == presets::OutputFormat::Jpg ? fmt::format(" -q:v {}", l.qscale) : "";
      if (ip.sprite_columns > 0) {
        const size_t rows = (times.size() + static_cast<size_t>(ip.sprite_columns) - 1) / static_cast<size_t>(ip.sprite_columns);
        // The grid's unused tiles: tile's nb_frames leaves them unpainted (green) in ffmpeg 5.1;
        // at the end of its input it paints them black, as the thumbnail stage's canvas is.
        replace_all(g, label, fmt::format(",select='lt(n,{})',tile={}x{}{}", times.size(), ip.sprite_columns, rows, label));
        image_options += fmt::format(" -map '{}' -fps_mode passthrough -frames:v 1 -c:v {}{} -update 1 {}", label,
                                     codec, quality, quoted(output_dir + "/" + l.sprite_file_name));
        vtt_files.push_back(l.vtt_file_name);
        continue;
      }
      // The file name with its {Index} (000001 in the first name) as %06d, '%' doubled.
      const std::string& first = l.file_names.front();
      const size_t at = first.rfind("000001");
      std::string pattern;
      if (at != std::string::npos) {
        std::string head = first.substr(0, at), tail = first.substr(at + 6);
        replace_all(head, "%", "%%");
        replace_all(tail, "%", "%%");
        pattern = head + "%06d" + tail;
        for (size_t n = 0; n < l.file_names.size() && !pattern.empty(); ++n)
          if (first.substr(0, at) + fmt::format("{:06}", n + 1) + first.substr(at + 6) != l.file_names[n]) pattern.clear();
      }
      if (pattern.empty()) {
        no_image_equivalent = fmt::format("{} file name '{}'", ip.type_name(), first);
        break;
      }
      image_options += fmt::format(" -map '{}' -fps_mode passthrough -frames:v {} -c:v {}{} -f image2 -start_number 1 {}",
                                   label, times.size(), codec, quality, quoted(output_dir + "/" + pattern));
    }
    if (no_image_equivalent.empty()) graph += (graph.empty() ? "" : ";") + g;
  }
  if (!no_image_equivalent.empty()) {
    const std::string comment = "# no ffmpeg equivalent for image outputs (" + no_image_equivalent + ")";
    if (outputs.empty()) return comment;
    // The MP4 outputs alone: rebuild without any image graph.
    EncodePlan mp4_only = *this;
    mp4_only.images.clear();
    return mp4_only.ffmpeg_command(output_dir) + "\n" + comment;
  }
  // A filter graph output can be mapped once: an encoder's output [vK] or [aK] that several
  // files carry is split, [aK_0], [aK_1], ... (ffmpeg then encodes it once per file; the
  // pipeline encodes once and copies the packets).
  std::map<int, int> video_uses, video_used, audio_uses, audio_used;
  for (const auto& out : outputs) {
    if (out.video >= 0) ++video_uses[out.video];
    if (out.audio && audio) ++audio_uses[out.audio_encoder];
  }
  for (const auto& [uses, kind, split] : {std::tuple{&video_uses, 'v', "split"}, std::tuple{&audio_uses, 'a', "asplit"}}) {
    for (const auto& [k, n] : *uses) {
      if (n < 2) continue;
      graph += fmt::format(";[{}{}]{}={}", kind, k, split, n);
      for (int i = 0; i < n; ++i) graph += fmt::format("[{}{}_{}]", kind, k, i);
    }
  }
  auto label_of = [](std::map<int, int>& uses, std::map<int, int>& used, char kind, int k) {
    return uses[k] > 1 ? fmt::format("[{}{}_{}]", kind, k, used[k]++) : fmt::format("[{}{}]", kind, k);
  };
  // -noautorotate: the graph applies the display matrix itself (ffmpeg would rotate twice).
  std::string cmd = "ffmpeg -hide_banner -y -noautorotate";
  // A streaming output's layers are MP4s in a staging folder of their own, which ffmpeg does not
  // create: the command makes it first.
  std::set<std::string> staging;
  for (const PackagePlan& p : packages)
    staging.insert(quoted(output_dir + "/" + std::filesystem::path(outputs.at(p.outputs.front()).mux_name()).parent_path().string()));
  if (!staging.empty()) {
    std::string dirs;
    for (const auto& d : staging) dirs += " " + d;
    cmd = "mkdir -p" + dirs + " && " + cmd;
  }
  if (start_s > 0) cmd += fmt::format(" -ss {}", fmt_seconds(start_s));
  cmd += fmt::format(" -i {} -filter_complex {}", quoted(input_path), quoted(graph));
  for (const auto& out : outputs) {
    if (out.video >= 0) {
      const auto& v = video[out.video];
      cmd += fmt::format(
          " -map '{}' -fps_mode passthrough -c:v libx264 -preset {} -profile:v {}{} -b:v {}k -maxrate {}k -bufsize {}k"
          " -bf {} -refs {} -g {} -x264-params '{}' -color_primaries bt709 -color_trc bt709"
          " -colorspace bt709 -color_range tv",
          label_of(video_uses, video_used, 'v', out.video), v.x264_preset, v.profile, v.level.empty() ? "" : " -level:v " + v.level,
          v.layer.bitrate_kbps, v.layer.maxrate_kbps(), v.layer.bufsize_kbit(), v.layer.b_frames,
          v.layer.reference_frames, v.keyint_frames, v.x264_params);
    }
    if (out.audio && audio) {
      const AudioEncodePlan& a =
          out.audio_encoder == 0 ? *audio : extra_audio.at(static_cast<size_t>(out.audio_encoder - 1));
      const int k = out.audio_encoder;
      const std::string label = label_of(audio_uses, audio_used, 'a', k);
      cmd += fmt::format(" -map '{}' -c:a aac -profile:a {} -b:a {}k -ar {} -ac {}", label, a.profile,
                         a.codec.bitrate_kbps, a.codec.sampling_rate, a.codec.channels);
    }
    cmd += fmt::format(" -movflags +faststart {}", quoted(output_dir + "/" + out.mux_name()));
  }
  cmd += image_options;
  for (const std::string& vtt : vtt_files)
    cmd += "\n# no ffmpeg equivalent for the WebVTT file " + vtt + " (mediaworker writes it beside the sprite)";
  for (const PackagePlan& p : packages) {
    // ffmpeg's own DASH/HLS muxers cut each stream on its own; the packager is mediaworker's.
    std::string files;
    for (size_t k : p.outputs) files += " " + quoted(output_dir + "/" + outputs[k].mux_name());
    cmd += fmt::format("\n# then, without re-encoding: mediaworker package -f {} -n {}{} -o {}{}",
                       presets::format::text_of<presets::format::kOutputFormats>(p.format), quoted(p.manifest_name),
                       p.segment_duration_s > 0 ? fmt::format(" --segment-duration {}", p.segment_duration_s) : "",
                       quoted(output_dir), files);
  }
  return cmd;
}

}  // namespace mw::encoders
