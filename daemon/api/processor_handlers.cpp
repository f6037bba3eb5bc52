// MediaProcessors (AMS-V2-REFERENCE.md §5): the processors runtime::media_processors() lists,
// with the one $filter clients use: GET /api/MediaProcessors()?$filter=Name eq 'Media Encoder
// Standard'. And what runs them: Workers, a mediaworker extension (docs/farm.md).

#include <fmt/format.h>

#include <string_view>

#include "daemon/api/api_error.hpp"
#include "daemon/api/handlers.hpp"

namespace mw::api {

namespace {

std::string_view trim(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// "<Property> eq '<literal>'" on Id, Name, Vendor or Version; anything else is 400.
std::vector<runtime::MediaProcessor> filtered(const std::string& filter) {
  const auto unsupported = [&] {
    return bad_request(
        fmt::format("$filter: '{}' is not supported; use \"Name eq '<name>'\" (or Id, "
                    "Vendor, Version)",
                    filter));
  };
  std::string_view rest = trim(filter);
  const size_t space = rest.find_first_of(" \t");
  if (space == std::string_view::npos) throw unsupported();
  const std::string_view property = rest.substr(0, space);
  rest = trim(rest.substr(space));
  if (rest.substr(0, 3) != "eq " && rest.substr(0, 3) != "eq\t") throw unsupported();
  rest = trim(rest.substr(3));
  if (rest.empty() || rest.front() != '\'') throw unsupported();
  std::string value;
  try {
    value = unquote_literal(rest);
  } catch (const UriError& e) {
    throw bad_request(fmt::format("$filter: {}", e.what()));
  }
  if (property != "Id" && property != "Name" && property != "Vendor" && property != "Version")
    throw unsupported();
  std::vector<runtime::MediaProcessor> out;
  for (const auto& p : runtime::media_processors()) {
    const std::string& field = property == "Id"       ? p.id
                               : property == "Name"   ? p.name
                               : property == "Vendor" ? p.vendor
                                                      : p.version;
    if (field == value) out.push_back(p);
  }
  return out;
}

}  // namespace

Response handle_media_processors(const Services&, const Request& r) {
  const Target& t = r.target;
  if (r.method != http::verb::get) return method_not_allowed(r.method, "GET");
  if (!t.property.empty()) unknown_property(t);
  if (t.key) {
    check_query_options(t, {});
    const runtime::MediaProcessor* processor = runtime::find_media_processor(*t.key);
    if (!processor) throw not_found("MediaProcessor", *t.key);
    return json_response(r.odata, entity_document(r.odata, kMediaProcessors,
                                                  media_processor_entity(r.odata, *processor)));
  }
  check_query_options(t, {"$top", "$skip", "$filter"});
  const auto filter = t.query.find("$filter");
  std::vector<runtime::MediaProcessor> processors =
      filter == t.query.end() ? runtime::media_processors() : filtered(filter->second);
  return json_response(r.odata, serialise_collection(r.odata, kMediaProcessors,
                                                     page_slice(std::move(processors), page_of(t)),
                                                     [&](const runtime::MediaProcessor& p) {
                                                       return media_processor_entity(r.odata, p);
                                                     }));
}

Response handle_workers(const Services& services, const Request& r) {
  const Target& t = r.target;
  if (r.method != http::verb::get) return method_not_allowed(r.method, "GET");
  if (!t.property.empty()) unknown_property(t);
  const auto now = runtime::Clock::now();
  std::vector<runtime::Worker> workers = services.store.list_workers();
  if (t.key) {
    check_query_options(t, {});
    for (const auto& w : workers)
      if (w.id == *t.key)
        return json_response(r.odata, entity_document(r.odata, kWorkers, worker_entity(r.odata, w, now)));
    throw not_found("Worker", *t.key);
  }
  check_query_options(t, {"$top", "$skip"});
  return json_response(r.odata, serialise_collection(r.odata, kWorkers, page_slice(std::move(workers), page_of(t)),
                                                     [&](const runtime::Worker& w) {
                                                       return worker_entity(r.odata, w, now);
                                                     }));
}

}  // namespace mw::api
