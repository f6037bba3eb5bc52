#include "encoders/engine.hpp"

#include <fmt/format.h>

#include <fstream>
#include <system_error>

#include "encoders/input_file.hpp"
#include "encoders/measure.hpp"
#include "encoders/metadata.hpp"
#include "encoders/probe.hpp"

namespace mw::encoders {

namespace {

// Writes a small text file under a temporary name and renames it into place.
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

// The MIME type of a thumbnail file, by its extension (image_plan.hpp names them).
const char* image_mime_type(const std::filesystem::path& file) {
  const std::string ext = file.extension().string();
  if (ext == ".png") return "image/png";
  if (ext == ".bmp") return "image/bmp";
  if (ext == ".vtt") return "text/vtt";
  return "image/jpeg";
}

// Removes the files of a failed encode. Never throws.
struct Cleanup {
  std::vector<std::filesystem::path> files;
  bool armed = true;
  ~Cleanup() {
    if (!armed) return;
    std::error_code ec;
    for (const auto& f : files) std::filesystem::remove(f, ec);
  }
};

}  // namespace

EncodeResult encode(const EncodeRequest& request, ProgressListener* listener, std::stop_token stop) {
  if (request.preset == nullptr)
    throw EncodeError(ErrorCategory::Configuration, "no preset given");
  EncodeResult result;
  InputFile input = InputFile::open(request.input);
  result.input = describe(input);
  result.plan = make_plan(*request.preset, result.input, request.options);

  std::error_code ec;
  std::filesystem::create_directories(request.output_dir, ec);
  if (ec)
    throw EncodeError(ErrorCategory::Output, fmt::format("{}: cannot create the output folder: {}",
                                                         request.output_dir.string(), ec.message()));
  Cleanup cleanup;
  const auto media = run_pipeline(result.plan, input, request.output_dir, listener, stop);
  cleanup.files = media;

  std::vector<MeasuredFile> measured;
  for (size_t i = 0; i < media.size(); ++i) {
    if (i >= result.plan.outputs.size()) {  // thumbnails and sprite WebVTT files: not measured
      const auto size = std::filesystem::file_size(media[i], ec);
      result.files.push_back({media[i].filename().string(), ec ? 0 : static_cast<int64_t>(size),
                              image_mime_type(media[i]), i == 0});
      continue;
    }
    measured.push_back(measure_file(media[i].string()));
    const bool has_video = measured.back().video() != nullptr;
    result.files.push_back({media[i].filename().string(), measured.back().size_bytes,
                            has_video ? "video/mp4" : "audio/mp4", i == 0});
  }
  const std::string stem = std::filesystem::path(result.input.name).stem().string();
  const std::string manifest = stem + "_manifest.xml";
  const std::string input_metadata =
      request.input_metadata_name.empty() ? stem + "_metadata.xml" : request.input_metadata_name;
  for (const auto& [name, content] :
       {std::pair{manifest, output_manifest_xml(measured, result.plan, result.input.name)},
        std::pair{input_metadata, input_metadata_xml(result.input)}}) {
    const auto path = request.output_dir / name;
    write_file_atomically(path, content);
    cleanup.files.push_back(path);
    result.files.push_back({name, static_cast<int64_t>(content.size()), "application/xml", false});
  }
  result.measured = std::move(measured);
  cleanup.armed = false;
  if (listener) listener->on_progress(100.0);
  return result;
}

}  // namespace mw::encoders
