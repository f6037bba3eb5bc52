#pragma once
// Atom (application/atom+xml) for OData v3 as AMS v2 spoke it (AMS-V2-JOB-PAGE.md, the $batch
// request and response): an entry is <entry> with <link rel=".../related/<Nav>" href=...> and
// <content type="application/xml"><m:properties><d:Name>...</d:Name>...</m:properties>.
// Namespaces: Atom http://www.w3.org/2005/Atom, d = http://schemas.microsoft.com/ado/2007/08/
// dataservices, m = .../dataservices/metadata. pugixml does the XML.
//
// The Atom layer is a translation at the edge: request entries become the verbose JSON the
// handlers already read, and verbose JSON answers become Atom entries and feeds.

#include <string>
#include <string_view>

#include "daemon/api/message.hpp"
#include "daemon/api/odata.hpp"

namespace mw::api::atom {

/// Whether a Content-Type is Atom or plain XML ("application/atom+xml", "application/xml", with
/// or without parameters).
bool is_atom_content_type(std::string_view content_type);

/// Whether an Accept header asks for Atom: it names application/atom+xml or application/xml
/// before (or without) any JSON type, honouring q-values. "*/*" or no Accept -> JSON.
bool accepts_atom(std::string_view accept);

/// Reads one Atom entry into the JSON object a verbose JSON client would send: each d:* property
/// typed by its m:type (Edm.Int32/Int64/Double/Boolean -> numbers and booleans, m:null="true" ->
/// null, others strings, XML-unescaped), collections of complex types (d:element children) ->
/// arrays of objects, and each <link rel=".../related/<Nav>" href="..."> ->
/// "<Nav>":[{"__metadata":{"uri":"<href>"}}, ...].
/// @throws ApiError 400 "Atom entry: <problem>" (not well-formed XML, not an <entry>, an unknown
///         m:type, a value not of its type), naming the element
Json read_entry(std::string_view xml);

/// Rewrites a response whose body is verbose JSON (an entity {"d":{...}}, a collection
/// {"d":{"results":[...]}}, a property {"d":{"Name":value}} or an AMS error) as Atom: an
/// <entry>, a <feed>, an XML property document or an m:error document, with the Content-Type
/// set ("application/atom+xml;type=entry;charset=utf-8", ";type=feed", "application/xml").
/// Responses without a body (204) or with a file body are left as they are.
void write_response(Response& response, const ODataContext& ctx);

}  // namespace mw::api::atom
