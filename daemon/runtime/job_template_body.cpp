#include "daemon/runtime/job_template_body.hpp"

#include <fmt/format.h>

#include <pugixml.hpp>
#include <sstream>

namespace mw::runtime {

namespace {

constexpr std::string_view kAttribute = "taskTemplateId";
constexpr std::string_view kPascalAttribute = "TaskTemplateId";

pugi::xml_document load(std::string_view xml) {
  pugi::xml_document doc;
  // The text is UTF-8 whatever its declaration says: parse it as such (as parse_task_body does).
  const pugi::xml_parse_result result = doc.load_buffer(
      xml.data(), xml.size(), pugi::parse_default | pugi::parse_declaration, pugi::encoding_utf8);
  if (!result)
    throw JobTemplateBodyError(
        fmt::format("not well-formed XML: {} at offset {}", result.description(), result.offset));
  return doc;
}

/// The <taskBody> elements under the <jobTemplate> root, in order.
std::vector<pugi::xml_node> task_body_nodes(const pugi::xml_document& doc) {
  const pugi::xml_node root = doc.document_element();
  if (std::string_view(root.name()) != "jobTemplate")
    throw JobTemplateBodyError(
        fmt::format("the root element is <{}>, not <jobTemplate>", root.name()));
  std::vector<pugi::xml_node> nodes;
  for (const pugi::xml_node& child : root.children()) {
    if (child.type() != pugi::node_element) continue;
    if (std::string_view(child.name()) != "taskBody")
      throw JobTemplateBodyError(
          fmt::format("unknown element <{}> (a jobTemplate holds one <taskBody> per TaskTemplate)",
                      child.name()));
    nodes.push_back(child);
  }
  if (nodes.empty())
    throw JobTemplateBodyError("no <taskBody>: a jobTemplate needs one per TaskTemplate");
  return nodes;
}

/// The taskTemplateId (or TaskTemplateId) attribute of a <taskBody>, or an empty attribute.
pugi::xml_attribute id_attribute(const pugi::xml_node& task_body, size_t ordinal) {
  const pugi::xml_attribute camel = task_body.attribute(kAttribute.data());
  const pugi::xml_attribute pascal = task_body.attribute(kPascalAttribute.data());
  if (camel && pascal)
    throw JobTemplateBodyError(
        fmt::format("<taskBody> {}: has both taskTemplateId and TaskTemplateId", ordinal + 1));
  return camel ? camel : pascal;
}

std::string save(const pugi::xml_node& node, unsigned int flags) {
  std::ostringstream out;
  node.print(out, "", flags);
  return out.str();
}

}  // namespace

std::vector<TemplateTaskBody> parse_job_template_body(std::string_view xml) {
  const pugi::xml_document doc = load(xml);
  std::vector<TemplateTaskBody> bodies;
  const auto nodes = task_body_nodes(doc);
  for (size_t i = 0; i < nodes.size(); ++i) {
    TemplateTaskBody body;
    pugi::xml_document copy;
    pugi::xml_node element = copy.append_copy(nodes[i]);
    if (const pugi::xml_attribute id = id_attribute(element, i)) {
      body.task_template_id = id.value();
      element.remove_attribute(id);
    }
    body.task_body = save(copy, pugi::format_raw | pugi::format_no_declaration);
    bodies.push_back(std::move(body));
  }
  return bodies;
}

std::string with_task_template_ids(std::string_view xml, const std::vector<std::string>& ids) {
  pugi::xml_document doc = load(xml);
  const auto nodes = task_body_nodes(doc);
  for (size_t i = 0; i < nodes.size() && i < ids.size(); ++i) {
    if (id_attribute(nodes[i], i)) continue;
    pugi::xml_node node = nodes[i];
    node.prepend_attribute(kAttribute.data()).set_value(ids[i].c_str());
  }
  return save(doc, pugi::format_raw);
}

}  // namespace mw::runtime
