#pragma once
// What the Atom reader (atom_read.cpp) and writer (atom_write.cpp) share: the OData v3 Atom
// namespaces (AMS-V2-JOB-PAGE.md, the $batch request and response) and the nesting limit.

#include <string_view>

namespace mw::api::atom {

inline constexpr std::string_view kAtomNs = "http://www.w3.org/2005/Atom";
inline constexpr std::string_view kDataNs = "http://schemas.microsoft.com/ado/2007/08/dataservices";
inline constexpr std::string_view kMetadataNs =
    "http://schemas.microsoft.com/ado/2007/08/dataservices/metadata";
/// <link rel="<kRelatedRel><Nav>">: a navigation property.
inline constexpr std::string_view kRelatedRel =
    "http://schemas.microsoft.com/ado/2007/08/dataservices/related/";
/// <category scheme=...> of an entry's type.
inline constexpr std::string_view kSchemeNs =
    "http://schemas.microsoft.com/ado/2007/08/dataservices/scheme";

/// Properties, d:element items and inline entries nest at most this deep (as JSON bodies,
/// request_body.cpp); deeper input is refused, so neither side recurses without bound.
inline constexpr int kMaxDepth = 64;

}  // namespace mw::api::atom
