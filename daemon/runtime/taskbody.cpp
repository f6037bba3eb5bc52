#include "daemon/runtime/taskbody.hpp"

#include <fmt/format.h>

#include <charconv>
#include <pugixml.hpp>

namespace mw::runtime {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

int parse_int_attr(const pugi::xml_attribute& a, const std::string& where) {
  int v = 0;
  const std::string text = trim(a.value());
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || text.empty())
    throw TaskBodyError(fmt::format("{}: attribute {}=\"{}\" is not a whole number", where, a.name(), a.value()));
  return v;
}

// "JobInputAsset(N)" / "JobOutputAsset(N)" with N a decimal of at most 4 digits.
bool parse_reference(std::string_view text, TaskBodyAsset& out) {
  for (const auto& [prefix, ref] : {std::pair{std::string_view("JobInputAsset("), TaskBodyAsset::Ref::JobInputAsset},
                                    std::pair{std::string_view("JobOutputAsset("), TaskBodyAsset::Ref::JobOutputAsset}}) {
    if (!text.starts_with(prefix) || !text.ends_with(')')) continue;
    const std::string_view digits = text.substr(prefix.size(), text.size() - prefix.size() - 1);
    if (digits.empty() || digits.size() > 4) return false;
    int n = 0;
    const auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc() || p != digits.data() + digits.size()) return false;
    out.ref = ref;
    out.index = n;
    return true;
  }
  return false;
}

TaskBodyAsset parse_asset(const pugi::xml_node& node, bool output, int ordinal) {
  const std::string where = fmt::format("<{}> {}", output ? "outputAsset" : "inputAsset", ordinal + 1);
  const std::string text = trim(node.child_value());
  TaskBodyAsset a;
  if (!parse_reference(text, a))
    throw TaskBodyError(fmt::format("{}: '{}' is not JobInputAsset(N) or JobOutputAsset(N)", where, text));
  if (output && a.ref == TaskBodyAsset::Ref::JobInputAsset)
    throw TaskBodyError(fmt::format("{}: an output must be a JobOutputAsset(N), not '{}'", where, text));
  for (const pugi::xml_attribute& attr : node.attributes()) {
    const std::string_view name = attr.name();
    if (name.starts_with("xmlns")) continue;
    if (!output)
      throw TaskBodyError(fmt::format("{}: unknown attribute '{}'", where, name));
    if (iequals(name, "assetName")) a.asset_name = attr.value();
    else if (iequals(name, "assetCreationOptions")) a.asset_creation_options = parse_int_attr(attr, where);
    else if (iequals(name, "assetFormatOption")) a.asset_format_option = parse_int_attr(attr, where);
    else if (iequals(name, "storageAccountName")) a.storage_account_name = attr.value();
    else
      throw TaskBodyError(fmt::format(
          "{}: unknown attribute '{}' (allowed: assetName, assetCreationOptions, assetFormatOption, storageAccountName)",
          where, name));
  }
  return a;
}

}  // namespace

TaskBody parse_task_body(std::string_view xml) {
  pugi::xml_document doc;
  // The text is UTF-8 whatever its declaration says: parse it as such.
  const pugi::xml_parse_result result =
      doc.load_buffer(xml.data(), xml.size(), pugi::parse_default | pugi::parse_declaration, pugi::encoding_utf8);
  if (!result)
    throw TaskBodyError(fmt::format("not well-formed XML: {} at offset {}", result.description(), result.offset));
  const pugi::xml_node root = doc.document_element();
  if (std::string_view(root.name()) != "taskBody")
    throw TaskBodyError(fmt::format("the root element is <{}>, not <taskBody>", root.name()));
  TaskBody body;
  for (const pugi::xml_node& child : root.children()) {
    if (child.type() != pugi::node_element) continue;
    const std::string_view name = child.name();
    if (name == "inputAsset") {
      body.inputs.push_back(parse_asset(child, false, static_cast<int>(body.inputs.size())));
    } else if (name == "outputAsset") {
      body.outputs.push_back(parse_asset(child, true, static_cast<int>(body.outputs.size())));
    } else {
      throw TaskBodyError(fmt::format("unknown element <{}> (a taskBody holds <inputAsset> and <outputAsset>)", name));
    }
  }
  if (body.inputs.empty()) throw TaskBodyError("no <inputAsset>: a task needs at least one input");
  if (body.outputs.empty()) throw TaskBodyError("no <outputAsset>: a task needs at least one output");
  return body;
}

}  // namespace mw::runtime
