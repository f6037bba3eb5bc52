#include "encoders/loudness.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <vector>

#include "encoders/encode_error.hpp"
#include "encoders/filter_graph.hpp"
#include "encoders/input_file.hpp"
#include "encoders/source_frames.hpp"

extern "C" {
#include <libavfilter/avfilter.h>
#include <libavutil/dict.h>
#include <libavutil/samplefmt.h>
}

namespace mw::encoders {

namespace {

constexpr double kAbsoluteGateLufs = -70.0;   // BS.1770-4 §2.8 and EBU Tech 3342
constexpr double kRelativeGateLu = -10.0;     // BS.1770-4 §2.8 (integrated loudness)
constexpr double kLraRelativeGateLu = -20.0;  // EBU Tech 3342 (loudness range)

// The meter appended to an audio chain: frames of 10 ms (shorter than ebur128's 100 ms step at
// any rate, so every step's momentary and short-term values reach a frame's metadata), then
// ebur128, which passes its input through as packed doubles.
constexpr const char* kMeter = "asetnsamples=n=480:p=0,ebur128=peak=true+sample:metadata=1";

std::string meter_name() {
  const unsigned v = avfilter_version();
  return fmt::format("mediaworker ebur128 (libavfilter {}.{}.{})", AV_VERSION_MAJOR(v),
                     AV_VERSION_MINOR(v), AV_VERSION_MICRO(v));
}

// `graph` with `filters` added before its final "[a0]" output label.
std::string append_to_audio_chain(const std::string& graph, const std::string& filters) {
  constexpr std::string_view out = "[a0]";
  if (graph.size() <= out.size() || graph.compare(graph.size() - out.size(), out.size(), out) != 0)
    throw EncodeError(
        ErrorCategory::Processing,
        fmt::format("audio filter graph '{}' does not end in its [a0] output", graph));
  return graph.substr(0, graph.size() - out.size()) + "," + filters + std::string(out);
}

double to_db(double linear) {
  return linear > 0 ? 20.0 * std::log10(linear) : -std::numeric_limits<double>::infinity();
}

// Energy mean of loudness values, as a loudness (the -0.691 offset of BS.1770 cancels).
double energy_mean(const std::vector<double>& lufs, double above) {
  double sum = 0;
  size_t n = 0;
  for (double l : lufs)
    if (l > above) {
      sum += std::pow(10.0, l / 10.0);
      ++n;
    }
  return n ? 10.0 * std::log10(sum / static_cast<double>(n)) : kAbsoluteGateLufs;
}

// Reads ebur128's frame metadata: one momentary (400 ms block) and one short-term (3 s window)
// value per 100 ms step, and the running peaks; gates them as BS.1770-4 and Tech 3342 do.
class Meter {
 public:
  explicit Meter(std::string file) : file_(std::move(file)) {}

  void start(const FilterInput& input) {
    graph_ = std::make_unique<FilterGraph>(append_to_audio_chain(description_base_, kMeter), input,
                                           1, 0, file_);
  }
  void set_chain(std::string chain) { description_base_ = std::move(chain); }

  void push(AVFrame* frame) {
    if (!graph_->input().matches(frame)) {
      // The decoder changed rate or layout: finish this graph and go on with a new one. The
      // block values gathered so far stay; the new graph's windows fill again (< 3 s lost).
      graph_->push(nullptr);
      drain();
      graph_ = std::make_unique<FilterGraph>(
          append_to_audio_chain(description_base_, kMeter),
          FilterInput::from_frame(frame, AVMEDIA_TYPE_AUDIO, graph_->input().time_base), 1, 0,
          file_);
    }
    graph_->push(frame);
    drain();
  }

  LoudnessMeasurement finish() {
    graph_->push(nullptr);
    drain();
    LoudnessMeasurement m;
    m.meter = meter_name();
    m.duration_s = seconds_;
    const double absolute = energy_mean(momentary_, kAbsoluteGateLufs);
    if (absolute > kAbsoluteGateLufs) {
      m.relative_gate_lufs = absolute + kRelativeGateLu;
      m.integrated_lufs = energy_mean(momentary_, m.relative_gate_lufs);
    }
    std::vector<double> st;
    const double st_gate = energy_mean(short_term_, kAbsoluteGateLufs) + kLraRelativeGateLu;
    for (double s : short_term_)
      if (s > kAbsoluteGateLufs && s > st_gate) st.push_back(s);
    if (st.size() > 1) {
      std::sort(st.begin(), st.end());
      auto percentile = [&](double p) {
        return st[static_cast<size_t>(std::lround(p * static_cast<double>(st.size() - 1)))];
      };
      m.loudness_range_lu = percentile(0.95) - percentile(0.10);
    }
    m.true_peak_dbtp =
        to_db(std::max(true_peak_, sample_peak_));  // a true peak is never below a sample
    m.sample_peak_dbfs = to_db(sample_peak_);
    return m;
  }

  double seconds() const { return seconds_; }

 private:
  void drain() {
    av::FramePtr out = av::make_frame();
    while (graph_->pull(0, out.get())) {
      read(out.get());
      av_frame_unref(out.get());
    }
  }

  void read(const AVFrame* f) {
    auto value = [&](const char* key) -> std::optional<double> {
      const AVDictionaryEntry* e = av_dict_get(f->metadata, key, nullptr, 0);
      if (e == nullptr) return std::nullopt;
      return std::strtod(e->value, nullptr);
    };
    if (auto m = value("lavfi.r128.M")) momentary_.push_back(*m);
    if (auto s = value("lavfi.r128.S")) short_term_.push_back(*s);
    if (auto tp = value("lavfi.r128.true_peak")) true_peak_ = std::max(true_peak_, *tp);
    // ebur128 hands on packed doubles: the exact sample peak comes from the samples themselves.
    if (f->format == AV_SAMPLE_FMT_DBL) {
      const auto* s = reinterpret_cast<const double*>(f->data[0]);
      const size_t n =
          static_cast<size_t>(f->nb_samples) * static_cast<size_t>(f->ch_layout.nb_channels);
      for (size_t i = 0; i < n; ++i) sample_peak_ = std::max(sample_peak_, std::abs(s[i]));
    }
    if (f->sample_rate > 0) seconds_ += static_cast<double>(f->nb_samples) / f->sample_rate;
  }

  std::string file_;
  std::string description_base_;
  std::unique_ptr<FilterGraph> graph_;
  std::vector<double> momentary_, short_term_;
  double true_peak_ = 0, sample_peak_ = 0, seconds_ = 0;
};

}  // namespace

LoudnessMeasurement measure_plan_loudness(const EncodePlan& plan,
                                          const std::function<void(double)>& progress,
                                          std::stop_token stop) {
  if (plan.audio_stream < 0 || plan.audio_filter.empty())
    throw EncodeError(ErrorCategory::Processing,
                      fmt::format("{}: the plan encodes no audio to measure", plan.input_path));
  Meter meter(plan.input_path);
  meter.set_chain(plan.audio_filter);
  double reported = 0;
  decode_source(
      plan, AVMEDIA_TYPE_AUDIO, [&](const FilterInput& in) { meter.start(in); },
      [&](av::FramePtr frame) {
        meter.push(frame.get());
        if (progress && plan.duration_s > 0) {
          const double share = std::clamp(meter.seconds() / plan.duration_s, 0.0, 1.0);
          if (share >= reported + 0.01) progress(reported = share);
        }
      },
      stop);
  return meter.finish();
}

LoudnessMeasurement measure_file_loudness(const std::string& path) {
  int stream = -1;
  {
    InputFile input = InputFile::open(path);
    stream = av_find_best_stream(input.format(), AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
  }
  if (stream < 0)
    throw EncodeError(ErrorCategory::Processing,
                      fmt::format("{}: no audio track to measure", path));
  EncodePlan plan;  // the file as it is: no trim, output time = the file's own timestamps
  plan.input_path = path;
  plan.audio_stream = stream;
  plan.audio_filter = "[in]anull[a0]";
  Meter meter(path);
  meter.set_chain(plan.audio_filter);
  decode_source(
      plan, AVMEDIA_TYPE_AUDIO, [&](const FilterInput& in) { meter.start(in); },
      [&](av::FramePtr frame) { meter.push(frame.get()); }, std::stop_token{});
  return meter.finish();
}

LoudnessNormalization plan_loudness_normalization(const presets::Loudness& target,
                                                  const LoudnessMeasurement& input,
                                                  const AudioEncodePlan& audio) {
  // loudnorm's option ranges (libavfilter af_loudnorm.c).
  auto check = [](const char* field, double v, double lo, double hi, const char* unit) {
    if (!(v >= lo && v <= hi))
      throw EncodeError(
          ErrorCategory::Configuration,
          fmt::format("audio.loudness.{} {} {} is outside {}..{} {} (libavfilter loudnorm's range)",
                      field, v, unit, lo, hi, unit));
  };
  check("integrated", target.integrated_lufs, -70, -5, "LUFS");
  check("true_peak", target.true_peak_dbtp, -9, 0, "dBTP");
  check("loudness_range", target.loudness_range_lu, 1, 50, "LU");

  LoudnessNormalization n;
  n.target_lufs = target.integrated_lufs;
  if (input.silent()) {
    n.note = fmt::format(
        "loudness: the audio is silent (no 400 ms block above the -70 LUFS gate of ITU-R "
        "BS.1770-4): "
        "left as it is, not normalised to {:.1f} LUFS",
        target.integrated_lufs);
    return n;
  }
  n.gain_db = target.integrated_lufs - input.integrated_lufs;
  std::string capped;
  if (n.gain_db > kMaxLoudnessGainDb) {
    n.gain_db = kMaxLoudnessGainDb;
    n.target_lufs = input.integrated_lufs + kMaxLoudnessGainDb;
    capped = fmt::format(
        " (gain capped at +{:.0f} dB: the audio is raised to {:.1f} LUFS, not {:.1f} LUFS)",
        kMaxLoudnessGainDb, n.target_lufs, target.integrated_lufs);
  }
  // loudnorm reads measured_LRA 0 as "not measured" (and then never applies its linear mode);
  // audio shorter than one 3 s short-term window has no loudness range, so it is passed as 0.1.
  const double lra = std::max(input.loudness_range_lu, 0.1);
  const double tp = std::clamp(input.true_peak_dbtp, -99.0, 99.0);
  const double gained_tp = tp + n.gain_db;
  n.linear = gained_tp <= target.true_peak_dbtp && lra <= target.loudness_range_lu;
  const int rate = audio.codec.sampling_rate;
  // offset=0: the "target offset" of ffmpeg's two-pass recipe is what a first loudnorm pass
  // would have missed its target by; pass 1 here is a meter, so there is none.
  n.filter = fmt::format(
      "loudnorm=I={:.2f}:TP={:.2f}:LRA={:.2f}:measured_I={:.2f}:measured_TP={:.2f}:measured_LRA={:."
      "2f}"
      ":measured_thresh={:.2f}:offset=0:linear=true,aresample={},"
      "aformat=sample_fmts=fltp:sample_rates={}:channel_layouts={}",
      n.target_lufs, target.true_peak_dbtp, target.loudness_range_lu,
      std::clamp(input.integrated_lufs, -99.0, 0.0), tp, std::min(lra, 99.0),
      std::clamp(input.relative_gate_lufs, -99.0, 0.0), rate, rate, audio.channel_layout);
  std::string how;
  if (n.linear) {
    how = fmt::format("by one linear gain of {:+.1f} dB", n.gain_db);
  } else if (input.duration_s < 3.0) {
    how = fmt::format(
        "by one gain limited to keep the true peak at {:.1f} dBTP (loudnorm's rule for audio "
        "shorter than "
        "its 3 s window): {:+.1f} dB instead of {:+.1f} dB",
        target.true_peak_dbtp, std::min(n.gain_db, target.true_peak_dbtp - tp), n.gain_db);
  } else {
    how = fmt::format(
        "by loudnorm's dynamic mode ({})",
        gained_tp > target.true_peak_dbtp
            ? fmt::format("a linear gain of {:+.1f} dB would put the true peak at {:.1f} dBTP",
                          n.gain_db, gained_tp)
            : fmt::format("the loudness range {:.1f} LU exceeds the target {:.1f} LU", lra,
                          target.loudness_range_lu));
  }
  n.note = fmt::format(
      "loudness: measured {:.1f} LUFS, true peak {:.1f} dBTP, range {:.1f} LU; normalised to "
      "{:.1f} LUFS {}{}",
      input.integrated_lufs, input.true_peak_dbtp, input.loudness_range_lu, n.target_lufs, how,
      capped);
  return n;
}

void apply_loudness_normalization(EncodePlan& plan, const LoudnessNormalization& n) {
  if (!n.filter.empty()) plan.audio_filter = append_to_audio_chain(plan.audio_filter, n.filter);
  if (!n.note.empty()) plan.notes.push_back(n.note);
}

}  // namespace mw::encoders
