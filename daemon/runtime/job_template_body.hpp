#pragma once
// JobTemplateBody XML (AMS-V2-REFERENCE.md §2 "JobTemplate variant"; REFDOC jobtemplate.md):
// <jobTemplate><taskBody taskTemplateId="nb:ttid:UUID:...">(TaskBody content)</taskBody>...
// </jobTemplate>. Each <taskBody> is a TaskBody (taskbody.hpp) plus the taskTemplateId (or
// TaskTemplateId) attribute naming its TaskTemplate. Parsed with pugixml.

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mw::runtime {

/// One <taskBody> of a JobTemplateBody, in document order.
struct TemplateTaskBody {
  std::string task_template_id;  ///< its taskTemplateId attribute; "" when it has none
  /// The element without that attribute, as a TaskBody document of its own:
  /// "<taskBody><inputAsset>JobInputAsset(0)</inputAsset>...</taskBody>" (no declaration).
  std::string task_body;
};

/// A JobTemplateBody that cannot be used; the message names the element ("<taskBody> 2: ...").
class JobTemplateBodyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Parses JobTemplateBody XML. The text is UTF-8 whatever its declaration says (as TaskBody).
/// The <taskBody> contents are not checked here: parse_task_body does that on each task_body.
/// @throws JobTemplateBodyError: not well-formed XML (pugixml's reason and offset), a root other
///         than <jobTemplate>, a child element other than <taskBody>, no <taskBody>, a
///         <taskBody> with both taskTemplateId and TaskTemplateId
std::vector<TemplateTaskBody> parse_job_template_body(std::string_view xml);

/// The body with taskTemplateId="ids[i]" added to the i-th <taskBody> when it has no such
/// attribute (for TaskTemplates whose Id the service generated); other taskBodies are left as
/// they are. `xml` must parse (parse_job_template_body); ids.size() is its number of taskBodies.
std::string with_task_template_ids(std::string_view xml, const std::vector<std::string>& ids);

}  // namespace mw::runtime
