#include "encoders/package/package.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <set>
#include <string_view>
#include <system_error>

#include "encoders/encode_error.hpp"
#include "encoders/input_file.hpp"
#include "encoders/package/manifests.hpp"
#include "encoders/package/muxer.hpp"

namespace mw::encoders::package {

namespace {

using presets::OutputFormat;

// ".mw-package-" and the manifest name, or a hash of it when the name is long: the folder's name
// must fit where the manifests' own names (NAME.ismc, 5 characters longer than NAME) fit.
std::string staging_name(const std::string& manifest_name) {
  constexpr size_t kMaxName = 200;
  if (manifest_name.size() <= kMaxName) return ".mw-package-" + manifest_name;
  return fmt::format(".mw-package-{:016x}", std::hash<std::string>{}(manifest_name));
}

// The staging folder: every file of the package is written here under its final name and
// moved into the output folder once all of them are complete. Removed on failure.
class Staging {
 public:
  Staging(const std::filesystem::path& output_dir, const std::string& name)
      : output_dir_(output_dir), dir_(output_dir / staging_name(name)) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    std::filesystem::create_directories(dir_, ec);
    if (ec)
      throw EncodeError(ErrorCategory::Output,
                        fmt::format("{}: cannot create the staging folder: {}", dir_.string(), ec.message()));
  }
  ~Staging() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  Staging(const Staging&) = delete;
  Staging& operator=(const Staging&) = delete;

  std::filesystem::path path(const std::string& name) const { return dir_ / name; }

  /// The path of a new file of the package.
  /// @throws EncodeError (Configuration) when the package already has a file of that name (a
  ///         manifest name equal to a rendition's stem, or two inputs with the same stem)
  std::filesystem::path claim(const std::string& name) {
    if (!names_.insert(name).second)
      throw EncodeError(ErrorCategory::Configuration,
                        fmt::format("the package would write two files named '{}': give the manifests a name "
                                    "that no input file's stem has, and the inputs distinct stems",
                                    name));
    return path(name);
  }

  /// @throws EncodeError (Output) naming the file and the system's reason (disk full...)
  void write(const std::string& name, const void* data, size_t size) {
    const auto file = claim(name);
    std::FILE* out = std::fopen(file.c_str(), "wb");
    bool ok = out != nullptr && std::fwrite(data, 1, size, out) == size;
    int error = ok ? 0 : errno;
    if (out != nullptr && std::fclose(out) != 0 && ok) {
      ok = false;
      error = errno;
    }
    if (!ok)
      throw EncodeError(ErrorCategory::Output, fmt::format("{}: writing failed: {}", (output_dir_ / name).string(),
                                                           std::strerror(error)));
  }
  void write(const std::string& name, const std::string& text) { write(name, text.data(), text.size()); }

  /// Moves every file into the output folder (each rename is atomic on one file system). When
  /// one cannot be moved, the files moved before it are removed: a package is there whole or
  /// not at all.
  void commit(const std::vector<PackagedFile>& files) {
    for (size_t i = 0; i < files.size(); ++i) {
      std::error_code ec;
      std::filesystem::rename(path(files[i].name), output_dir_ / files[i].name, ec);
      if (ec) {
        std::error_code ignored;
        for (size_t k = 0; k < i; ++k) std::filesystem::remove(output_dir_ / files[k].name, ignored);
        throw EncodeError(ErrorCategory::Output, fmt::format("{}: moving into place failed: {}",
                                                             (output_dir_ / files[i].name).string(), ec.message()));
      }
    }
  }

 private:
  std::filesystem::path output_dir_;
  std::filesystem::path dir_;
  std::set<std::string> names_;  ///< the files written so far
};

int64_t size_of(const std::filesystem::path& p) {
  std::error_code ec;
  const auto n = std::filesystem::file_size(p, ec);
  return ec ? 0 : static_cast<int64_t>(n);
}

// Progress over all the packet bytes the packager copies.
class Progress {
 public:
  Progress(const std::function<void(double)>& report, int64_t total) : report_(report), total_(std::max<int64_t>(total, 1)) {}
  void add(int64_t bytes) {
    done_ += bytes;
    if (report_ && done_ - reported_ > total_ / 100) {
      reported_ = done_;
      report_(std::min(1.0, static_cast<double>(done_) / static_cast<double>(total_)));
    }
  }

 private:
  const std::function<void(double)>& report_;
  int64_t total_, done_ = 0, reported_ = 0;
};

void check_stop(std::stop_token stop, const std::string& name) {
  if (stop.stop_requested()) throw EncodeError(ErrorCategory::Canceled, fmt::format("packaging {} canceled", name));
}

// A rendition's track as the measured values of one file: the source track's description with
// the packets of [first, last) counted.
MeasuredTrack segment_track(const MeasuredTrack& base, const Rendition& r, size_t first, size_t last, double duration_s) {
  MeasuredTrack t = base;
  t.frames = static_cast<int64_t>(last - first);
  t.bytes = 0;
  for (size_t i = first; i < last; ++i) t.bytes += r.packets[i].size;
  t.duration_s = duration_s;
  t.bitrate_kbps = duration_s > 0 ? static_cast<double>(t.bytes) * 8 / duration_s / 1000 : 0;
  t.max_gop_bitrate_kbps = r.video ? t.bitrate_kbps : 0;
  t.keyframe_times_s.clear();
  return t;
}

struct Writer {
  const PackageSource& source;
  Staging& staging;
  Progress& progress;
  std::stop_token stop;
  std::vector<PackagedFile>& files;

  // Copies one rendition's packets into a fragmented MP4: CMAF segment files or one Smooth file.
  WrittenRendition write(const Rendition& r, PacketMuxer::Kind kind, const MeasuredTrack& base, int smooth_track_id) {
    const bool cmaf = kind == PacketMuxer::Kind::CmafSegments;
    WrittenRendition w;
    w.source = &r;
    w.smooth_track_id = smooth_track_id;
    if (cmaf) w.init_file = r.stem + "_init.mp4";
    else w.smooth_file = r.stem + (r.video ? ".ismv" : ".isma");
    InputFile in = InputFile::open(r.file.string());
    const AVStream* st = in.format()->streams[r.stream];
    const std::string label = cmaf ? r.stem + " (CMAF)" : w.smooth_file;
    PacketMuxer mux(kind, {st}, cmaf ? std::filesystem::path() : staging.claim(w.smooth_file), label);
    const AVRational out_tb = mux.time_base(0);
    w.timescale = out_tb.den / std::max(1, out_tb.num);

    av::PacketPtr pkt = av::make_packet();
    size_t segment = 0, index = 0, first_packet = 0;
    bool open = false;
    int64_t start = 0, end = 0;  // segment's earliest pts and latest end, source ticks
    auto close_segment = [&](size_t next_index) {
      SegmentRecord s;
      // AAC priming samples before the presentation start (0) are not counted.
      s.start = av_rescale_q(std::max<int64_t>(start, 0), r.time_base, out_tb);
      s.frames = static_cast<int64_t>(next_index - first_packet);
      if (cmaf) {
        Bytes bytes = mux.end_fragment();
        if (w.segments.empty()) {
          auto [init, media] = split_at_first_fragment(bytes);
          staging.write(w.init_file, init.data(), init.size());
          files.push_back({w.init_file, r.video ? "video/mp4" : "audio/mp4", static_cast<int64_t>(init.size()),
                           MeasuredFile{w.init_file, static_cast<int64_t>(init.size()), 0, {}}, static_cast<int>(r.input)});
          bytes = media.empty() ? mux.end_fragment() : std::move(media);
        }
        s.file = fmt::format("{}_{:05d}.m4s", r.stem, w.segments.size() + 1);
        s.bytes = static_cast<int64_t>(bytes.size());
        staging.write(s.file, bytes.data(), bytes.size());
      } else {
        mux.end_fragment();
        for (size_t i = first_packet; i < next_index; ++i) s.bytes += r.packets[i].size;
      }
      w.segments.push_back(std::move(s));
      segment_ranges.emplace_back(first_packet, next_index);
    };
    segment_ranges.clear();
    int64_t track_end = 0;
    while (in.read(pkt.get())) {
      if (pkt->stream_index != r.stream) continue;
      check_stop(stop, r.stem);
      if (index >= r.packets.size()) break;  // the file changed since it was read
      const PacketEntry& p = r.packets[index];
      const size_t s = segment_of(source, r, p, segment);
      if (open && s != segment) {
        close_segment(index);
        open = false;
      }
      if (!open) {
        open = true;
        segment = s;
        first_packet = index;
        start = p.pts;
        end = p.pts;
      }
      start = std::min(start, p.pts);
      end = std::max(end, p.pts + p.duration);
      track_end = std::max(track_end, end);
      progress.add(pkt->size);
      mux.write(0, pkt.get(), st->time_base);
      ++index;
    }
    if (open) close_segment(index);
    // Each segment lasts until the next one starts; the last one until the track's end.
    for (size_t i = 0; i < w.segments.size(); ++i) {
      const int64_t next = i + 1 < w.segments.size() ? w.segments[i + 1].start : av_rescale_q(track_end, r.time_base, out_tb);
      w.segments[i].duration = std::max<int64_t>(0, next - w.segments[i].start);
    }
    mux.finish();
    if (cmaf) {
      for (size_t i = 0; i < w.segments.size(); ++i) {
        const auto& s = w.segments[i];
        const double d = static_cast<double>(s.duration) / static_cast<double>(w.timescale);
        files.push_back({s.file, r.video ? "video/mp4" : "audio/mp4", s.bytes,
                         MeasuredFile{s.file, s.bytes, d,
                                      {segment_track(base, r, segment_ranges[i].first, segment_ranges[i].second, d)}},
                         static_cast<int>(r.input)});
      }
    } else {
      const auto path = staging.path(w.smooth_file);
      MeasuredFile measured = measure_file(path.string());
      measured.name = w.smooth_file;
      files.push_back({w.smooth_file, r.video ? "video/mp4" : "audio/mp4", size_of(path), std::move(measured),
                       static_cast<int>(r.input)});
    }
    return w;
  }

  std::vector<std::pair<size_t, size_t>> segment_ranges;
};

// The measured track of a rendition in its input file (same media type and order).
MeasuredTrack base_track(const Rendition& r, std::vector<std::pair<std::string, MeasuredFile>>& cache) {
  auto it = std::find_if(cache.begin(), cache.end(), [&](const auto& e) { return e.first == r.file.string(); });
  if (it == cache.end()) {
    cache.emplace_back(r.file.string(), measure_file(r.file.string()));
    it = std::prev(cache.end());
  }
  const MeasuredTrack* t = r.video ? it->second.video() : it->second.audio();
  return t != nullptr ? *t : MeasuredTrack{};
}

}  // namespace

bool is_package_format(OutputFormat format) {
  switch (format) {
    case OutputFormat::Smooth:
    case OutputFormat::Hls:
    case OutputFormat::Dash:
    case OutputFormat::Cmaf:
    case OutputFormat::Ts:
      return true;
    case OutputFormat::Mp4:
    case OutputFormat::Jpg:
    case OutputFormat::Png:
    case OutputFormat::Bmp:
      return false;
  }
  return false;
}

PackageResult package_media(const PackageRequest& request, const std::function<void(double)>& progress_report,
                            std::stop_token stop) {
  bool smooth = false, hls = false, dash = false, ts = false;
  for (auto f : request.formats) {
    if (!is_package_format(f))
      throw EncodeError(ErrorCategory::Configuration, "packaging: not a streaming format (smooth, hls, dash, cmaf, ts)");
    smooth |= f == OutputFormat::Smooth;
    hls |= f == OutputFormat::Hls || f == OutputFormat::Cmaf;
    dash |= f == OutputFormat::Dash || f == OutputFormat::Cmaf;
    ts |= f == OutputFormat::Ts;
  }
  // The manifests and the staging folder are named after it: a folder in it ("x/../../v") would
  // write outside the output folder, and stage in (then remove) a folder elsewhere.
  const std::string& manifest_name = request.manifest_name;
  if (manifest_name.empty() ||
      manifest_name.find_first_of(std::string_view("/\\\0", 3)) != std::string::npos)
    throw EncodeError(
        ErrorCategory::Configuration,
        fmt::format("manifest name '{}' is not a plain file name (not empty, no '/' or '\\')",
                    manifest_name));
  // An audio-only package has a segment every target seconds whatever the keyframes: a tiny
  // target would make millions of segments. The bounds of the presets' segment_duration.
  if (request.segment_duration_s != 0 && !(request.segment_duration_s >= kMinSegmentSeconds &&
                                           request.segment_duration_s <= kMaxSegmentSeconds))
    throw EncodeError(
        ErrorCategory::Configuration,
        fmt::format("segment_duration {} s is out of range: allowed {}..{} s (0: the "
                    "keyframe interval)",
                    request.segment_duration_s, kMinSegmentSeconds, kMaxSegmentSeconds));
  const PackageSource source = read_package_source(request.inputs, request.segment_duration_s, stop);
  PackageResult result;
  result.segment_duration_s = request.segment_duration_s > 0 ? request.segment_duration_s : source.keyframe_interval_s;
  if (result.segment_duration_s <= 0) result.segment_duration_s = 2.0;
  result.segments = source.segment_starts_s.size();

  int64_t total = 0;
  for (const auto& r : source.renditions) total += r.bytes * ((hls || dash) + smooth);
  if (ts)
    for (const auto& r : source.renditions) total += r.bytes;
  Progress progress(progress_report, total);
  Staging staging(request.output_dir, request.manifest_name);
  std::vector<PackagedFile> media;
  Writer writer{source, staging, progress, stop, media, {}};
  std::vector<std::pair<std::string, MeasuredFile>> measured_inputs;

  std::vector<WrittenRendition> cmaf, smooth_files;
  for (const auto& r : source.renditions) {
    const MeasuredTrack base = base_track(r, measured_inputs);
    if (hls || dash) cmaf.push_back(writer.write(r, PacketMuxer::Kind::CmafSegments, base, 1));
    if (smooth) smooth_files.push_back(writer.write(r, PacketMuxer::Kind::SmoothFile, base, 1));
  }
  if (ts) {
    for (size_t input = 0; input < request.inputs.size(); ++input) {
      const PackageInput& in = request.inputs[input];
      InputFile file = InputFile::open(in.file.string());
      std::vector<const AVStream*> streams;
      std::vector<int> map(file.format()->nb_streams, -1);
      for (unsigned i = 0; i < file.format()->nb_streams; ++i) {
        const auto type = file.format()->streams[i]->codecpar->codec_type;
        if (type != AVMEDIA_TYPE_VIDEO && type != AVMEDIA_TYPE_AUDIO) continue;
        map[i] = static_cast<int>(streams.size());
        streams.push_back(file.format()->streams[i]);
      }
      const std::string name = in.stem + ".ts";
      PacketMuxer mux(PacketMuxer::Kind::TransportStream, streams, staging.claim(name), name);
      av::PacketPtr pkt = av::make_packet();
      while (file.read(pkt.get())) {
        const int out = map.at(static_cast<size_t>(pkt->stream_index));
        if (out < 0) continue;
        check_stop(stop, name);
        progress.add(pkt->size);
        mux.write(out, pkt.get(), file.format()->streams[pkt->stream_index]->time_base);
      }
      mux.finish();
      MeasuredFile measured = measure_file(staging.path(name).string());
      measured.name = name;
      media.push_back({name, "video/mp2t", size_of(staging.path(name)), std::move(measured), static_cast<int>(input)});
    }
  }

  // Manifests.
  auto manifest = [&](const std::string& name, const std::string& mime, const std::string& text) {
    staging.write(name, text);
    result.files.push_back({name, mime, static_cast<int64_t>(text.size()),
                            MeasuredFile{name, static_cast<int64_t>(text.size()), source.duration_s, {}}});
  };
  const std::string& name = request.manifest_name;
  if (hls) {
    for (auto& w : cmaf) w.media_playlist = w.source->stem + ".m3u8";
    manifest(name + ".m3u8", "application/vnd.apple.mpegurl", hls_master_playlist(cmaf, result.segment_duration_s));
    for (const auto& w : cmaf) manifest(w.media_playlist, "application/vnd.apple.mpegurl", hls_media_playlist(w));
  }
  if (dash) manifest(name + ".mpd", "application/dash+xml", dash_mpd(cmaf, result.segment_duration_s, source.duration_s));
  if (smooth) {
    manifest(name + ".ism", "application/vnd.ms-sstr+xml", smooth_server_manifest(smooth_files, name + ".ismc"));
    manifest(name + ".ismc", "application/vnd.ms-sstr+xml", smooth_client_manifest(smooth_files, source.duration_s));
  }
  for (auto& f : media) result.files.push_back(std::move(f));
  check_stop(stop, name);
  staging.commit(result.files);
  if (progress_report) progress_report(1.0);
  return result;
}

}  // namespace mw::encoders::package
