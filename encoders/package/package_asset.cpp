#include "encoders/package/package_asset.hpp"

#include <algorithm>
#include <filesystem>

#include "encoders/metadata.hpp"

namespace mw::encoders::package {

PackagedAsset package_asset(const PackageRequest& request, ProgressListener* listener,
                            std::stop_token stop) {
  PackagedAsset out;
  // The packager reports 0-1; 100 waits for the metadata.
  out.package = package_media(
      request,
      [&](double done) {
        if (listener) listener->on_progress(std::min(99.0, 99.0 * done));
      },
      stop);
  const std::string metadata_name = request.manifest_name + "_manifest.xml";
  std::vector<MeasuredFile> measured;
  for (const auto& f : out.package.files) {
    out.files.push_back({f.name, f.size_bytes, f.mime_type, false});
    measured.push_back(f.measured);
    out.duration_s = std::max(out.duration_s, f.measured.duration_s);
  }
  try {
    // No encode plan: the packager re-encodes nothing, so there are no targets to report.
    const std::string xml = output_manifest_xml(measured, EncodePlan{}, request.manifest_name,
                                                std::vector<int>(measured.size(), -1));
    write_file_atomically(request.output_dir / metadata_name, xml);
    out.files.push_back(
        {metadata_name, static_cast<int64_t>(xml.size()), "application/xml", false});
  } catch (...) {
    std::error_code ec;
    for (const auto& f : out.package.files)
      std::filesystem::remove(request.output_dir / f.name, ec);
    throw;
  }
  auto primary = out.files.begin();
  for (const char* ext :
       {".mpd", ".m3u8", ".ism"}) {  // the last found wins: .ism, then .m3u8, then .mpd
    const auto it = std::find_if(out.files.begin(), out.files.end(), [&](const OutputAssetFile& f) {
      return f.name == request.manifest_name + ext;
    });
    if (it != out.files.end()) primary = it;
  }
  primary->is_primary = true;
  if (listener) listener->on_progress(100.0);
  return out;
}

}  // namespace mw::encoders::package
