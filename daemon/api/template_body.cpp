#include "daemon/api/template_body.hpp"

#include <fmt/format.h>

#include <charconv>

#include "daemon/api/api_error.hpp"
#include "daemon/api/json_fields.hpp"

namespace mw::api {

using namespace json_fields;

namespace {

constexpr std::string_view kJobTemplateProperties[] = {"Name", "TemplateType", "JobTemplateBody",
                                                       "NumberofInputAssets", "TaskTemplates"};
constexpr std::string_view kJobTemplateReadOnly[] = {"Id", "Created", "LastModified"};
constexpr std::string_view kTaskTemplateProperties[] = {"Id",
                                                        "Name",
                                                        "Description",
                                                        "Configuration",
                                                        "MediaProcessorId",
                                                        "NumberofInputAssets",
                                                        "NumberofOutputAssets",
                                                        "Options",
                                                        "EncryptionKeyId",
                                                        "EncryptionScheme",
                                                        "EncryptionVersion",
                                                        "InitializationVector"};
constexpr std::string_view kTaskTemplateReadOnly[] = {"Created", "LastModified"};

// An Edm.Int32 given as a JSON integer or, as REFDOC's sample does ("TemplateType" : "1"), as a
// string of decimal digits.
std::optional<int> get_int32_or_digits(const Json& object, std::string_view name,
                                       std::string_view prefix) {
  const Json* v = member(object, name);
  if (!v || !v->is_string()) return get_int32(object, name, prefix);
  const std::string& text = v->get_ref<const std::string&>();
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size())
    throw bad_request(fmt::format("{}: '{}' is not an Edm.Int32", join_field(prefix, name), text));
  return value;
}

// TaskTemplates: [...] or, in verbose, {"results":[...]}.
const Json* task_templates_of(const Json& body) {
  const Json* v = member(body, "TaskTemplates");
  if (v && v->is_object()) {
    const Json* results = member(*v, "results");
    if (!results || !results->is_array())
      wrong_type("TaskTemplates", R"(an array (or {"results":[...]}))", *v);
    return results;
  }
  return get_array(body, "TaskTemplates", "");
}

runtime::TaskTemplateRequest parse_task_template(const Json& task, const std::string& prefix) {
  if (!task.is_object()) wrong_type(prefix, "a TaskTemplate object", task);
  check_properties(task, "TaskTemplate", prefix, kTaskTemplateProperties, kTaskTemplateReadOnly);
  check_unencrypted(task, prefix, kEncryption);
  runtime::TaskTemplateRequest t;
  t.id = get_string(task, "Id", prefix).value_or("");
  t.name = get_string(task, "Name", prefix).value_or("");
  check_length(t.name, kMaxNameLength, join_field(prefix, "Name"));
  t.description = get_string(task, "Description", prefix).value_or("");
  check_length(t.description, kMaxNameLength, join_field(prefix, "Description"));
  t.configuration = get_string(task, "Configuration", prefix).value_or("");
  t.media_processor_id = get_string(task, "MediaProcessorId", prefix).value_or("");
  t.number_of_input_assets = get_int32_or_digits(task, "NumberofInputAssets", prefix);
  t.number_of_output_assets = get_int32_or_digits(task, "NumberofOutputAssets", prefix);
  t.options = get_int32(task, "Options", prefix).value_or(0);
  return t;
}

}  // namespace

runtime::JobTemplateRequest parse_job_template_request(const Json& body) {
  check_properties(body, "JobTemplate", "", kJobTemplateProperties, kJobTemplateReadOnly);
  runtime::JobTemplateRequest request;
  request.name = get_string(body, "Name", "").value_or("");
  check_length(request.name, kMaxNameLength, "Name");
  request.template_type =
      get_int32_or_digits(body, "TemplateType", "").value_or(runtime::kTemplateTypeAccountLevel);
  request.job_template_body = get_string(body, "JobTemplateBody", "").value_or("");
  request.number_of_input_assets = get_int32_or_digits(body, "NumberofInputAssets", "");
  if (const Json* tasks = task_templates_of(body)) {
    for (size_t i = 0; i < tasks->size(); ++i)
      request.task_templates.push_back(
          parse_task_template((*tasks)[i], fmt::format("TaskTemplates[{}]", i)));
  }
  return request;
}

}  // namespace mw::api
