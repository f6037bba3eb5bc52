#pragma once
// Reads the Prometheus text exposition format (0.0.4) a /metrics scrape returns, so that tests
// assert values: `name{label="value",...} 12.5` sample lines; # HELP / # TYPE lines are kept
// per metric family. Label values with escapes (\" \\ \n) are unescaped.

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mw::test {

struct Sample {
  std::string name;                          ///< e.g. "mediaworker_task_duration_seconds_count"
  std::map<std::string, std::string> labels;
  double value = 0;
};

class PrometheusText {
 public:
  /// @throws std::runtime_error naming the line that is not a sample, a comment or empty
  explicit PrometheusText(const std::string& text);

  /// The value of the one sample named `name` whose labels include `labels`; nullopt when
  /// none. @throws std::runtime_error when several match
  std::optional<double> value(const std::string& name, const std::map<std::string, std::string>& labels = {}) const;
  /// Every sample named `name`.
  std::vector<Sample> samples(const std::string& name) const;
  /// The # HELP text of the family `name` ("" when none).
  std::string help(const std::string& name) const;
  /// The # TYPE of the family `name` (counter, gauge, histogram, ...; "" when none).
  std::string type(const std::string& name) const;

 private:
  std::vector<Sample> samples_;
  std::map<std::string, std::string> help_, type_;
};

}  // namespace mw::test
