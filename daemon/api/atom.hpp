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
/// or without parameters, in any case).
bool is_atom_content_type(std::string_view content_type) noexcept;

/// Whether an Accept header asks for Atom: it names application/atom+xml or application/xml
/// with a q-value above application/json's (RFC 9110 §12.5.1), or with the same q before it.
/// "*/*", "application/json;odata=verbose" or no Accept -> JSON. A malformed q counts as 0.
bool accepts_atom(std::string_view accept) noexcept;

/// Reads one Atom entry into the JSON object a verbose JSON client would send:
///  - each d:* property of <m:properties> (in <content> or beside it) by its m:type:
///    Edm.Int32/Int16/Byte/SByte/Double/Single -> numbers, Edm.Boolean -> true/false,
///    Edm.Int64 and Edm.Decimal -> strings (the OData v3 JSON rule), m:null="true" -> null,
///    Edm.String, Edm.DateTime ("0001-01-01T00:00:00" stays as written), Edm.Guid, ... and
///    no m:type -> strings, XML-unescaped;
///  - d:element children (or m:type="Collection(T)") -> an array, each item typed the same
///    way (d:* children make an object): d:JobNotificationSubscriptions ->
///    [{"NotificationEndPointId":"...","TargetJobState":2}];
///  - an empty element without m:type -> "", or [] for the collection-valued AMS properties
///    (ErrorDetails, HistoricalEvents, Job/TaskNotificationSubscriptions);
///  - other markup inside a property -> the markup's text exactly as sent, XML declaration
///    included (the Job page's $batch request sends its TaskBody unescaped that way);
///  - each <link rel=".../related/<Nav>" href="..."> ->
///    "<Nav>":[{"__metadata":{"uri":"<href>"}}, ...] (one object for type=entry), and a link
///    with <m:inline> -> the inline feed's entries (or the inline entry) read the same way.
/// Namespaces are resolved from the xmlns declarations, not from the prefixes d/m.
/// @throws ApiError 400 "Atom entry: <problem>" naming the element: not well-formed XML (with
///         pugixml's reason and the offset), a root other than the Atom <entry>, a property
///         outside the d namespace or given twice, an unknown m:type, a value not of its type
///         ("<d:Priority>: 'x' is not an Edm.Int32"), nesting deeper than 64 levels
Json read_entry(std::string_view xml);

/// Rewrites a response whose body is verbose JSON (an entity {"d":{"__metadata":...}}, a
/// collection {"d":{"results":[...]}}, a property {"d":{"Name":value}} or an AMS error) as
/// Atom, in the shape of the AMS v2 Job page's $batch response:
///  - an <entry xml:base="<ctx.base>"> with <id>, <category term="<type>">, <link rel="edit">,
///    one <link rel=".../related/<Nav>"> per __deferred navigation property, and
///    <content type="application/xml"><m:properties> with each property typed: Edm.Int32
///    (Edm.Int64 beyond its range, and for string-valued Int64 properties such as
///    ContentFileSize), Edm.Double, Edm.Boolean, Edm.DateTime for "/Date(<ms>)/" written as
///    ISO 8601, m:null="true", Collection(T) as d:element items;
///  - a <feed> with <id><ctx.base><resource_path></id>, <title>, a self link and the entries
///    (resource_path is the request's path below the service root, e.g. "Jobs('<Id>')/Tasks";
///    when empty, the entity set of the first entry);
///  - a property document <d:State xmlns:d xmlns:m m:type="Edm.Int32">2</d:State>;
///  - an error document <error xmlns="<metadata ns>"><code/><message xml:lang="en-US">...
/// The Content-Type is set ("application/atom+xml;type=entry;charset=utf-8", ";type=feed",
/// "application/xml;charset=utf-8"); the status and headers stay. Responses without a body
/// (204), with a file body or with any other body are left as they are. Never throws.
void write_response(Response& response, const ODataContext& ctx,
                    std::string_view resource_path = {}) noexcept;

}  // namespace mw::api::atom
