// TEMPORARY STAND-IN for daemon/api/atom.cpp, which is written on branch `atom`. It exists only
// so that branch `batch` links on its own: daemon/api/CMakeLists.txt and fuzz/CMakeLists.txt
// compile it only while atom.cpp is missing, so it drops out by itself once both branches are
// merged (then delete this file). It reads no Atom: an Atom part of a $batch is refused with 415.

#include "daemon/api/api_error.hpp"
#include "daemon/api/atom.hpp"

namespace mw::api::atom {

bool is_atom_content_type(std::string_view content_type) {
  const std::string_view type = content_type.substr(0, content_type.find(';'));
  return type == "application/atom+xml" || type == "application/xml";
}

bool accepts_atom(std::string_view) {
  return false;
}

Json read_entry(std::string_view) {
  throw ApiError(http::status::unsupported_media_type,
                 "Atom entries are not supported by this build (branch batch without atom.cpp)");
}

void write_response(Response&, const ODataContext&) {}

}  // namespace mw::api::atom
