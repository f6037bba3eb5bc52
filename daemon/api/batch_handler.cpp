// POST /api/$batch: parts outside changesets through the Router, changesets all or nothing
// (batch.hpp).

#include <fmt/format.h>

#include <map>
#include <set>
#include <optional>
#include <string>
#include <vector>

#include "daemon/api/api_error.hpp"
#include "daemon/api/atom.hpp"
#include "daemon/api/batch.hpp"
#include "daemon/api/multipart.hpp"
#include "daemon/api/request_body.hpp"
#include "daemon/api/router.hpp"

namespace mw::api {

namespace {

using multipart::Operation;
using PartHeaders = std::vector<std::pair<std::string, std::string>>;

const PartHeaders kHttpPart = {{"Content-Type", "application/http"},
                               {"Content-Transfer-Encoding", "binary"}};

std::string header(const Operation& op, std::string_view name) {
  return std::string(multipart::find_header(op.request.headers, name).value_or(""));
}

std::string label(const Operation& op) {
  return op.content_id.empty() ? op.where.str()
                               : fmt::format("{}, Content-ID {}", op.where.str(), op.content_id);
}

// A part's URL as a target under /api/: absolute and rooted URLs as they are, others relative
// to the service root ("Jobs", "$1/Tasks").
Target part_target(const Operation& op) {
  const std::string_view url = op.request.url;
  if (url.front() == '/' || url.find("://") != std::string_view::npos) return parse_target(url);
  return parse_target(fmt::format("/api/{}", url));
}

// The OData context of a part's answer: the batch's service root, the part's own Accept
// (verbose JSON under an Atom answer: the Atom writer reads verbose).
ODataContext part_context(const Request& batch, const Operation& op) {
  const std::string accept = header(op, "Accept");
  return {atom::accepts_atom(accept) ? Format::Verbose : format_from_accept(accept),
          batch.odata.base};
}

Response in_part_format(Response response, const Request& batch, const Operation& op) {
  if (atom::accepts_atom(header(op, "Accept")))
    atom::write_response(response, part_context(batch, op));
  return response;
}

// The error response for the exception being handled, its message prefixed with the part's
// name; call only inside a catch block.
Response part_error(const Request& batch, const Operation& op) {
  Response response = Router::current_exception_response();
  try {
    const Json body = Json::parse(response.body);
    const Json& error = body.at("error");
    response.body = error_document(
        error.at("code").get<std::string>(),
        fmt::format("{}: {}", label(op), error.at("message").at("value").get<std::string>()));
  } catch (const Json::exception&) {
    // Not an AMS JSON error body: left as it is.
  }
  return in_part_format(std::move(response), batch, op);
}

// The body of an application/http response part.
std::string http_message(const Response& response, std::string_view content_id) {
  const auto reason = http::obsolete_reason(response.status);
  std::string out = fmt::format("HTTP/1.1 {} {}\r\nDataServiceVersion: 3.0;\r\n",
                                static_cast<unsigned>(response.status),
                                std::string_view(reason.data(), reason.size()));
  if (!response.content_type.empty())
    out += fmt::format("Content-Type: {}\r\n", response.content_type);
  if (!content_id.empty()) out += fmt::format("Content-ID: {}\r\n", content_id);
  out += "X-Content-Type-Options: nosniff\r\nCache-Control: no-cache\r\n";
  for (const auto& [name, value] : response.headers) out += fmt::format("{}: {}\r\n", name, value);
  out += "\r\n";
  out += response.body;
  return out;
}

// A request outside a changeset: a GET, answered by the Router.
Response independent(const Router& router, const Request& batch, const Operation& op) {
  try {
    if (op.request.method != "GET")
      throw bad_request(fmt::format(
          "{} outside a changeset: only GET requests stand alone in a $batch (OData v3); put "
          "POST Jobs and POST $<Content-ID>/Tasks in a changeset",
          op.request.method));
    Request request;
    request.method = http::verb::get;
    request.target = part_target(op);
    request.odata = {format_from_accept(header(op, "Accept")), batch.odata.base};
    request.accept = header(op, "Accept");
    Response response = router.handle(request);
    if (!response.file.empty())
      throw bad_request("a file's $value cannot be read through $batch; GET it on its own");
    return response;
  } catch (...) {
    return part_error(batch, op);
  }
}

// A job a changeset creates, and which of its operations sent each of its tasks.
struct PendingJob {
  size_t op = 0;  ///< the POST Jobs operation
  runtime::JobRequest request;
  std::vector<size_t> task_ops;  ///< per task: its operation (the job's own for inline tasks)
  store::NewJob prepared;
};

// What one operation of a changeset made: a job, or task `task` of a job.
struct Made {
  size_t job = 0;
  std::optional<size_t> task;
};

class Changeset {
 public:
  Changeset(const Services& services, const Request& batch, const multipart::BatchPart& part)
      : services_(services), batch_(batch), ops_(part.operations) {}

  // The changeset's part of the batch response: the nested multipart of every answer, or one
  // application/http part with the first failure.
  void answer(std::string& out, std::string_view batch_boundary) {
    size_t failing = 0;
    try {
      for (failing = 0; failing < ops_.size(); ++failing) read(failing);
      failing = ops_.size();
      for (PendingJob& job : jobs_) {
        failing = job.op;
        try {
          job.prepared = services_.jobs.prepare_job(job.request, runtime::Clock::now());
        } catch (const runtime::JobRejected& e) {
          failing = blamed_op(job, e.field());
          throw;
        }
      }
      failing = jobs_.empty() ? 0 : jobs_.front().op;
      std::vector<store::NewJob> prepared;
      for (const PendingJob& job : jobs_) prepared.push_back(job.prepared);
      if (!prepared.empty()) services_.jobs.persist_jobs(prepared);
    } catch (...) {
      const Response error = part_error(batch_, ops_.at(failing));
      multipart::append_part(out, batch_boundary, kHttpPart,
                             http_message(error, ops_[failing].content_id));
      return;
    }
    const std::string boundary = "changesetresponse_" + runtime::new_guid();
    std::string changeset;
    for (size_t i = 0; i < ops_.size(); ++i)
      multipart::append_part(changeset, boundary, kHttpPart,
                             http_message(created(i), ops_[i].content_id));
    multipart::append_close(changeset, boundary);
    multipart::append_part(out, batch_boundary,
                           {{"Content-Type", "multipart/mixed; boundary=" + boundary}}, changeset);
  }

 private:
  // Reads operation i: a Job, or a Task for the job of an earlier Content-ID.
  void read(size_t i) {
    const Operation& op = ops_[i];
    const Target target = part_target(op);
    const bool post = op.request.method == "POST";
    if (!op.content_id.empty() && !content_ids_.emplace(op.content_id).second)
      throw bad_request(fmt::format("Content-ID {} is used twice in the changeset", op.content_id));
    if (post && target.set == "Jobs" && !target.key && target.property.empty()) {
      PendingJob job;
      job.op = i;
      job.request = parse_job_request(entity(op));
      job.task_ops.assign(job.request.tasks.size(), i);
      if (!op.content_id.empty()) by_content_id_.emplace(op.content_id, jobs_.size());
      made_.push_back({jobs_.size(), std::nullopt});
      jobs_.push_back(std::move(job));
      return;
    }
    if (post && target.set.size() > 1 && target.set.front() == '$' && !target.key &&
        target.property == "Tasks") {
      const std::string reference = target.set.substr(1);
      const auto it = by_content_id_.find(reference);
      if (it == by_content_id_.end())
        throw bad_request(
            fmt::format("{}: no POST Jobs with Content-ID {} before this part in the changeset",
                        op.request.url, reference));
      PendingJob& job = jobs_[it->second];
      const size_t index = job.request.tasks.size();
      job.request.tasks.push_back(parse_task_request(entity(op), fmt::format("Tasks[{}]", index)));
      job.task_ops.push_back(i);
      made_.push_back({it->second, index});
      return;
    }
    throw bad_request(
        fmt::format("{} {} is not supported inside a changeset (only POST Jobs and POST "
                    "$<Content-ID>/Tasks are); send it as a request of its own",
                    op.request.method, op.request.url));
  }

  // The entity a part carries: an Atom entry, or JSON (verbose or light).
  static Json entity(const Operation& op) {
    const std::string type(header(op, "Content-Type"));
    if (atom::is_atom_content_type(type)) return atom::read_entry(op.request.body);
    if (!type.empty() && type.find("json") == std::string::npos)
      throw bad_request(fmt::format(
          "Content-Type '{}': a part's body is JSON (application/json) or an Atom entry "
          "(application/atom+xml)",
          type.substr(0, 100)));
    return parse_json_object(op.request.body);
  }

  // The operation to blame for a rejected job: the one that sent task k when the field is
  // "Tasks[k]...", else the POST Jobs.
  static size_t blamed_op(const PendingJob& job, std::string_view field) {
    constexpr std::string_view kTasks = "Tasks[";
    if (field.substr(0, kTasks.size()) != kTasks) return job.op;
    size_t k = 0;
    size_t i = kTasks.size();
    for (; i < field.size() && field[i] >= '0' && field[i] <= '9' && k < job.task_ops.size(); ++i)
      k = k * 10 + static_cast<size_t>(field[i] - '0');
    return i < field.size() && field[i] == ']' && k < job.task_ops.size() ? job.task_ops[k]
                                                                          : job.op;
  }

  // 201 Created for operation i, after the jobs were persisted.
  Response created(size_t i) const {
    const Operation& op = ops_[i];
    const ODataContext ctx = part_context(batch_, op);
    const store::NewJob& job = jobs_[made_[i].job].prepared;
    Response response;
    if (!made_[i].task) {
      response = created_response(ctx, entity_uri(ctx, kJobs, job.job.id),
                                  entity_document(ctx, kJobs, job_entity(ctx, job.job)));
    } else {
      const runtime::Task& task = job.tasks.at(*made_[i].task);
      response = created_response(ctx, entity_uri(ctx, kTasks, task.id),
                                  entity_document(ctx, kTasks, task_entity(ctx, task)));
    }
    return in_part_format(std::move(response), batch_, op);
  }

  const Services& services_;
  const Request& batch_;
  const std::vector<Operation>& ops_;
  std::vector<PendingJob> jobs_;
  std::map<std::string, size_t, std::less<>> by_content_id_;  // Content-ID -> jobs_ index
  std::set<std::string, std::less<>> content_ids_;             // every Content-ID seen
  std::vector<Made> made_;                                    // per operation
};

}  // namespace

Response handle_batch(const Services& services, const Router& router, const Request& request) {
  if (request.method != http::verb::post) return method_not_allowed(request.method, "POST");
  if (request.target.key || !request.target.property.empty())
    throw NotFoundPath("Resource not found for the segment '$batch'.");
  check_query_options(request.target, {});
  const std::vector<multipart::BatchPart> parts =
      multipart::parse_batch(request.body, request.content_type);

  const std::string boundary = "batchresponse_" + runtime::new_guid();
  std::string body;
  for (const multipart::BatchPart& part : parts) {
    if (part.changeset) {
      Changeset(services, request, part).answer(body, boundary);
    } else {
      const Operation& op = part.operations.front();
      multipart::append_part(body, boundary, kHttpPart,
                             http_message(independent(router, request, op), op.content_id));
    }
  }
  multipart::append_close(body, boundary);
  body += "\r\n";

  Response response;
  response.status = http::status::accepted;
  response.content_type = "multipart/mixed; boundary=" + boundary;
  response.body = std::move(body);
  return response;
}

}  // namespace mw::api
