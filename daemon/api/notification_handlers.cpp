// NotificationEndPoints (AMS-V2-REFERENCE.md §6): POST creates a WebHook endpoint (201 +
// Location), GET lists or reads them (the signing key is never returned), MERGE renames
// (204), DELETE removes one and the messages still queued for it (204).

#include <fmt/format.h>

#include "daemon/api/api_error.hpp"
#include "daemon/api/handlers.hpp"
#include "daemon/api/request_body.hpp"

namespace mw::api {

namespace {

runtime::NotificationEndPoint find_endpoint(const Services& s, const std::string& id) {
  auto endpoint = s.store.find_notification_endpoint(id);
  if (!endpoint) throw not_found("NotificationEndPoint", id);
  return std::move(*endpoint);
}

}  // namespace

Response handle_notification_endpoints(const Services& s, const Request& r) {
  const Target& t = r.target;
  if (!t.property.empty()) unknown_property(t);
  if (!t.key) {
    if (r.method == http::verb::post) {
      check_query_options(t, {});
      const auto endpoint =
          parse_notification_endpoint_create(parse_json_object(r.body), runtime::Clock::now());
      s.store.create_notification_endpoint(endpoint);
      return created_response(
          r.odata, entity_uri(r.odata, kNotificationEndPoints, endpoint.id),
          entity_document(r.odata, kNotificationEndPoints,
                          notification_endpoint_entity(r.odata, endpoint)));
    }
    if (r.method != http::verb::get) return method_not_allowed(r.method, "GET, POST");
    check_query_options(t, {"$top", "$skip"});
    return json_response(
        r.odata, serialise_collection(r.odata, kNotificationEndPoints,
                                      s.store.list_notification_endpoints(page_of(t)),
                                      [&](const runtime::NotificationEndPoint& e) {
                                        return notification_endpoint_entity(r.odata, e);
                                      }));
  }
  const std::string& id = *t.key;
  check_query_options(t, {});
  switch (r.method) {
    case http::verb::get:
      return json_response(r.odata, entity_document(r.odata, kNotificationEndPoints,
                                                    notification_endpoint_entity(
                                                        r.odata, find_endpoint(s, id))));
    case http::verb::merge:
    case http::verb::patch: {
      const std::string name = parse_notification_endpoint_update(parse_json_object(r.body));
      find_endpoint(s, id);
      s.store.rename_notification_endpoint(id, name);
      return no_content();
    }
    case http::verb::delete_:
      find_endpoint(s, id);
      s.store.delete_notification_endpoint(id);
      return no_content();
    default:
      return method_not_allowed(r.method, "GET, MERGE, DELETE");
  }
}

}  // namespace mw::api
