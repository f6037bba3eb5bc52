// Assets, Files (AssetFiles), their upload and download, and CreateFileInfos
// (AMS-V2-REFERENCE.md §4). An Asset is the folder storage.asset_dir(id); its files are in it.

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <system_error>

#include "daemon/api/api_error.hpp"
#include "daemon/api/handlers.hpp"
#include "daemon/api/request_body.hpp"

namespace mw::api {

namespace {

runtime::Asset find_asset(const Services& s, const std::string& id) {
  auto asset = s.store.find_asset(id);
  if (!asset) throw not_found("Asset", id);
  return std::move(*asset);
}

runtime::AssetFile find_file(const Services& s, const std::string& id) {
  auto file = s.store.find_asset_file(id);
  if (!file) throw not_found("AssetFile", id);
  return std::move(*file);
}

Response file_collection(const Request& r, const std::vector<runtime::AssetFile>& files) {
  return json_response(
      r.odata, serialise_collection(r.odata, kFiles, files, [&](const runtime::AssetFile& f) {
        return asset_file_entity(r.odata, f);
      }));
}

Response create_asset(const Services& s, const Request& r) {
  const runtime::Asset asset = parse_asset_create(parse_json_object(r.body), runtime::Clock::now());
  s.storage.create_asset_dir(asset.id);
  s.store.create_asset(asset);
  return created_response(
      r.odata, entity_uri(r.odata, kAssets, asset.id),
      entity_document(r.odata, kAssets, asset_entity(r.odata, asset, s.storage)));
}

Response create_file(const Services& s, const Request& r) {
  const runtime::AssetFile file =
      parse_asset_file_create(parse_json_object(r.body), runtime::Clock::now());
  s.store.add_asset_file(file);  // NotFound (no such asset) -> 404, Conflict -> 409
  return created_response(r.odata, entity_uri(r.odata, kFiles, file.id),
                          entity_document(r.odata, kFiles, asset_file_entity(r.odata, file)));
}

// GET Files('id')/$value: the session streams the file.
Response download(const Services& s, const std::string& id) {
  const runtime::AssetFile file = find_file(s, id);
  Response response;
  response.file = s.storage.file_path(file.parent_asset_id, file.name);
  response.content_type = file.mime_type.empty() ? "application/octet-stream" : file.mime_type;
  return response;
}

}  // namespace

Response handle_assets(const Services& s, const Request& r) {
  const Target& t = r.target;
  if (!t.key) {
    if (!t.property.empty()) unknown_property(t);
    switch (r.method) {
      case http::verb::get: {
        check_query_options(t, {"$top", "$skip"});
        const auto assets = s.store.list_assets(page_of(t));
        return json_response(
            r.odata, serialise_collection(r.odata, kAssets, assets, [&](const runtime::Asset& a) {
              return asset_entity(r.odata, a, s.storage);
            }));
      }
      case http::verb::post:
        return create_asset(s, r);
      default:
        return method_not_allowed(r.method, "GET, POST");
    }
  }
  if (r.method != http::verb::get) return method_not_allowed(r.method, "GET");
  const runtime::Asset asset = find_asset(s, *t.key);
  if (t.property.empty()) {
    check_query_options(t, {});
    return json_response(
        r.odata, entity_document(r.odata, kAssets, asset_entity(r.odata, asset, s.storage)));
  }
  if (t.property == "Files") {
    check_query_options(t, {"$top", "$skip"});
    return file_collection(r, page_slice(s.store.asset_files(asset.id), page_of(t)));
  }
  unknown_property(t);
}

Response handle_files(const Services& s, const Request& r) {
  const Target& t = r.target;
  if (!t.key) {
    if (!t.property.empty()) unknown_property(t);
    switch (r.method) {
      case http::verb::get:
        check_query_options(t, {"$top", "$skip"});
        return file_collection(r, s.store.list_asset_files(page_of(t)));
      case http::verb::post:
        return create_file(s, r);
      default:
        return method_not_allowed(r.method, "GET, POST");
    }
  }
  if (t.property == "$value") {
    // PUT/POST uploads are streamed by the session (plan_upload/finish_upload) and never get here.
    if (r.method != http::verb::get) return method_not_allowed(r.method, "GET, PUT, POST");
    return download(s, *t.key);
  }
  if (r.method != http::verb::get) return method_not_allowed(r.method, "GET");
  if (!t.property.empty()) unknown_property(t);
  check_query_options(t, {});
  return json_response(
      r.odata, entity_document(r.odata, kFiles, asset_file_entity(r.odata, find_file(s, *t.key))));
}

Response handle_create_file_infos(const Services& s, const Request& r) {
  if (r.method != http::verb::get && r.method != http::verb::post)
    return method_not_allowed(r.method, "GET, POST");
  const runtime::Asset asset = find_asset(s, function_argument(r.target, "assetid"));
  const auto existing = s.store.asset_files(asset.id);
  std::set<std::string> known;
  bool has_primary = false;
  for (const auto& f : existing) {
    known.insert(f.name);
    has_primary = has_primary || f.is_primary;
  }

  struct Found {
    std::string name;
    int64_t size;
  };
  std::vector<Found> found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(s.storage.asset_dir(asset.id), ec)) {
    std::error_code entry_ec;
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file(entry_ec) || !runtime::Storage::valid_file_name(name) ||
        known.count(name))
      continue;
    const auto size = entry.file_size(entry_ec);
    if (!entry_ec) found.push_back({name, static_cast<int64_t>(size)});
  }
  std::sort(found.begin(), found.end(),
            [](const Found& a, const Found& b) { return a.name < b.name; });

  const runtime::TimePoint now = runtime::Clock::now();
  // The asset's only file becomes its primary one (what JobService would pick anyway).
  const bool make_primary = !has_primary && existing.empty() && found.size() == 1;
  for (const auto& f : found) {
    runtime::AssetFile file;
    file.id = runtime::new_id(runtime::kAssetIdPrefix);
    file.name = f.name;
    file.parent_asset_id = asset.id;
    file.content_file_size = f.size;
    file.is_primary = make_primary;
    file.created = file.last_modified = now;
    try {
      s.store.add_asset_file(file);
    } catch (const store::StoreError& e) {
      if (e.kind() != store::StoreError::Kind::Conflict) throw;  // registered meanwhile: fine
    }
  }
  return no_content();
}

UploadPlan plan_upload(const Services& s, const std::string& file_id) {
  const runtime::AssetFile file = find_file(s, file_id);
  s.storage.create_asset_dir(file.parent_asset_id);
  UploadPlan plan;
  plan.file_id = file.id;
  plan.path = s.storage.file_path(file.parent_asset_id, file.name);
  plan.temp_path = plan.path.parent_path() / fmt::format(".upload-{}.tmp", runtime::new_guid());
  return plan;
}

Response finish_upload(const Services& s, const UploadPlan& plan, int64_t size) {
  s.store.set_asset_file_size(plan.file_id, size, runtime::Clock::now());
  return no_content();
}

}  // namespace mw::api
