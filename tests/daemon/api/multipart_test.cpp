// The $batch envelope parser (daemon/api/multipart.hpp) on the AMS v2 Job page's request, in
// the LF form curl sends from a file and in CRLF, and on malformed bodies: each refusal is an
// ApiError 400 naming the part.

#include "daemon/api/multipart.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <iterator>
#include <string>

#include "daemon/api/api_error.hpp"
#include "tests/daemon/api/batch_support.hpp"

namespace mw::api::multipart {
namespace {

using test::crlf;

constexpr std::string_view kJobPageType =
    "multipart/mixed; boundary=batch_c8ccf56a-87f6-4a61-bfa2-46aac3bb87d9";

// The Job page's $batch body (../shared/checks/job-page-batch.http, LF line ends, placeholders
// @BASE@ @ASSET@ @NEP@). The fuzz seed holds it after a first line with the Content-Type.
std::string job_page_body() {
  std::ifstream in(MW_SOURCE_DIR "/fuzz/corpus/fuzz_multipart/job-page-batch.http",
                   std::ios::binary);
  const std::string seed{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  EXPECT_EQ(seed.substr(0, seed.find('\n')), kJobPageType);
  return seed.substr(seed.find('\n') + 1);
}

// The message of the ApiError 400 that `f` throws ("" and a failure when it throws none).
std::string refusal(const std::function<void()>& f) {
  try {
    f();
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status(), http::status::bad_request);
    return e.what();
  }
  ADD_FAILURE() << "no ApiError";
  return "";
}

std::string refusal(const std::string& body,
                    std::string_view type = "multipart/mixed; boundary=b") {
  return refusal([&] { parse_batch(body, type); });
}

std::string_view header(const Operation& op, std::string_view name) {
  return find_header(op.request.headers, name).value_or("");
}

void expect_job_page(const std::string& body) {
  const auto parts = parse_batch(body, kJobPageType);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_TRUE(parts[0].changeset);
  ASSERT_EQ(parts[0].operations.size(), 2u);
  const Operation& job = parts[0].operations[0];
  EXPECT_EQ(job.where.str(), "$batch part 1 (changeset part 1)");
  EXPECT_EQ(job.request.method, "POST");
  EXPECT_EQ(job.request.url, "@BASE@Jobs");
  EXPECT_EQ(job.request.version, "HTTP/1.1");
  EXPECT_EQ(job.content_id, "1");
  EXPECT_EQ(header(job, "content-type"), "application/atom+xml");
  EXPECT_EQ(header(job, "Accept"), "application/atom+xml,application/xml");
  EXPECT_EQ(job.request.body.substr(0, 38), R"(<?xml version="1.0" encoding="utf-8"?>)");
  EXPECT_EQ(job.request.body.substr(job.request.body.size() - 8), "</entry>");

  const Operation& task = parts[0].operations[1];
  EXPECT_EQ(task.where.str(), "$batch part 1 (changeset part 2)");
  EXPECT_EQ(task.request.url, "@BASE@$1/Tasks");
  EXPECT_EQ(task.content_id, "2");
  EXPECT_EQ(header(task, "DataServiceVersion"), "3.0");
  EXPECT_EQ(task.request.body.substr(task.request.body.size() - 8), "</entry>");
}

TEST(MultipartTest, JobPageRequestWithLfLineEnds) {
  const std::string body = job_page_body();
  expect_job_page(body);
  // The TaskBody's own line breaks are body bytes, kept as sent.
  const auto parts = parse_batch(body, kJobPageType);
  EXPECT_NE(parts[0].operations[1].request.body.find("?>\n<taskBody>"), std::string_view::npos);
}

TEST(MultipartTest, JobPageRequestWithCrlfLineEnds) {
  const std::string body = crlf(job_page_body());
  expect_job_page(body);
  const auto parts = parse_batch(body, kJobPageType);
  EXPECT_NE(parts[0].operations[1].request.body.find("?>\r\n<taskBody>"), std::string_view::npos);
}

TEST(MultipartTest, QuotedBoundaryPreambleEpilogueAndGetPartsWithoutBody) {
  const std::string body =
      "This is the preamble.\r\n"
      "--batch 1\r\n"
      "Content-Type: application/http\r\n"
      "Content-ID: 7\r\n"
      "\r\n"
      "GET https://h/api/Jobs HTTP/1.1\r\n"
      "Accept: application/json\r\n"
      "\r\n"
      "--batch 1  \r\n"  // transport padding
      "Content-Type: application/http\r\n"
      "\r\n"
      "GET Assets HTTP/1.1\r\n"
      "--batch 1--\r\n"
      "the epilogue\r\n--batch 1\r\n";
  const auto parts = parse_batch(body, R"(Multipart/Mixed ; charset=x; boundary="batch 1")");
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_FALSE(parts[0].changeset);
  EXPECT_EQ(parts[0].operations[0].content_id, "7");  // from the MIME part's headers
  EXPECT_EQ(parts[0].operations[0].request.url, "https://h/api/Jobs");
  EXPECT_EQ(header(parts[0].operations[0], "Accept"), "application/json");
  EXPECT_EQ(parts[0].operations[0].request.body, "");
  EXPECT_EQ(parts[1].operations[0].request.url, "Assets");
  EXPECT_EQ(parts[1].operations[0].where.str(), "$batch part 2");

  EXPECT_EQ(content_type_parameter(R"(a/b; x="q\"uo;te"; y=2)", "x"), "q\"uo;te");
  EXPECT_EQ(content_type_parameter("a/b; x=1; Y = 2 ", "y"), "2");
  EXPECT_EQ(content_type_parameter("a/b; x=\"open", "x"), std::nullopt);
  EXPECT_EQ(content_type_parameter("a/b", "x"), std::nullopt);
}

TEST(MultipartTest, EmptyAndGarbageBodiesAndBadContentTypes) {
  EXPECT_EQ(refusal(""), "$batch: the body is empty; expected parts delimited by '--b' lines");
  EXPECT_EQ(refusal("{\"Name\":\"not multipart\"}"),
            "$batch: no '--b' delimiter line: the body is not multipart with the boundary its "
            "Content-Type gives");
  // "--bb" is not the delimiter of boundary "b".
  EXPECT_NE(refusal("--bb\r\n\r\n--bb--").find("no '--b' delimiter"), std::string::npos);
  EXPECT_NE(refusal("--b--", "application/json").find("is not multipart/mixed"), std::string::npos);
  EXPECT_NE(refusal("--b--", "multipart/mixed").find("has no boundary parameter"),
            std::string::npos);
  EXPECT_NE(
      refusal("--b--", "multipart/mixed; boundary=" + std::string(71, 'x')).find("longer than 70"),
      std::string::npos);
  EXPECT_TRUE(parse_batch("--b--", "multipart/mixed; boundary=b").empty());
}

TEST(MultipartTest, MalformedPartsAreNamed) {
  // Headers without the blank line before the body.
  EXPECT_EQ(refusal("--b\nContent-Type: application/http\n--b--"),
            "$batch part 1: missing blank line after the headers");
  EXPECT_EQ(refusal("--b\nContent-Type: multipart/mixed; boundary=c\n\n--c\n--c--\n--b--"),
            "$batch part 1 (changeset part 1): missing blank line after the headers");
  // A request line where the MIME headers should be (the blank line is missing before it).
  EXPECT_NE(refusal("--b\nPOST https://h/api/Jobs HTTP/1.1\n\n{}\n--b--")
                .find("$batch part 1: header line 'POST https://h/api/Jobs HTTP/1.1' is not "
                      "'Name: value'"),
            std::string::npos);
  // Bytes a message cannot show as they are (a NUL would end it) are written \xHH.
  EXPECT_NE(refusal(std::string("--b\n\x00\x01" "bad\n\n--b--", 16)).find("header line '\\x00\\x01bad'"),
            std::string::npos);
  // No close delimiter.
  EXPECT_EQ(refusal("--b\nContent-Type: application/http\n\nGET Jobs HTTP/1.1\n"),
            "$batch part 1: the part does not end: the close delimiter '--b--' is missing");
  EXPECT_EQ(refusal("--b\nContent-Type: multipart/mixed; boundary=c\n\n--c\n"
                    "Content-Type: application/http\n\nGET Jobs HTTP/1.1\n--b--"),
            "$batch part 1 (changeset part 1): the part does not end: the close delimiter "
            "'--c--' is missing");
  // A bad request line, a part that is not a request, a changeset without a boundary.
  EXPECT_EQ(refusal("--b\nContent-Type: application/http\n\nGET\n--b--"),
            "$batch part 1: the request line 'GET' is not '<METHOD> <URL> HTTP/1.1'");
  EXPECT_EQ(refusal("--b\nContent-Type: application/http\n\nGET Jobs HTTP/2\n--b--"),
            "$batch part 1: the request line 'GET Jobs HTTP/2' is not '<METHOD> <URL> HTTP/1.1'");
  EXPECT_EQ(refusal("--b\nContent-Type: application/http\n\n\n--b--"),
            "$batch part 1: the application/http part has no request line (<METHOD> <URL> "
            "HTTP/1.1)");
  EXPECT_EQ(refusal("--b\nContent-Type: text/plain\n\nhello\n--b--"),
            "$batch part 1: Content-Type 'text/plain' is not application/http");
  EXPECT_NE(refusal("--b\nX: y\n\nGET Jobs HTTP/1.1\n--b--").find("$batch part 1: no Content-Type"),
            std::string::npos);
  EXPECT_NE(refusal("--b\nContent-Type: multipart/mixed\n\n--c--\n--b--")
                .find("$batch part 1: Content-Type 'multipart/mixed' has no boundary"),
            std::string::npos);
  EXPECT_EQ(refusal("--b\nContent-Type: application/http\nContent-Transfer-Encoding: base64\n\n"
                    "R0VUIEpvYnMgSFRUUC8xLjE=\n--b--"),
            "$batch part 1: Content-Transfer-Encoding 'base64' is not supported; send binary");
  EXPECT_NE(refusal("--b\nContent-Type: application/http\n " + std::string("folded") +
                    "\n\nGET Jobs HTTP/1.1\n--b--")
                .find("$batch part 1: folded header line"),
            std::string::npos);
  EXPECT_EQ(refusal("--b\nContent-Type: application/http\nX: " + std::string(9000, 'x') +
                    "\n\nGET Jobs HTTP/1.1\n--b--"),
            "$batch part 1: a header line is longer than 8192 bytes");
}

TEST(MultipartTest, ChangesetsNestOneLevelOnly) {
  const std::string body =
      "--b\nContent-Type: multipart/mixed; boundary=c\n\n"
      "--c\nContent-Type: multipart/mixed; boundary=d\n\n--d--\n"
      "--c--\n--b--";
  EXPECT_EQ(refusal(body),
            "$batch part 1 (changeset part 1): a changeset inside a changeset (OData allows one "
            "level)");
}

std::string get_parts(size_t n) {
  std::string body;
  for (size_t i = 0; i < n; ++i)
    body += "--b\nContent-Type: application/http\n\nGET Jobs HTTP/1.1\n";
  return body + "--b--";
}

TEST(MultipartTest, AtMost1000Requests) {
  EXPECT_EQ(parse_batch(get_parts(1000), "multipart/mixed; boundary=b").size(), 1000u);
  EXPECT_EQ(refusal(get_parts(1001)),
            "$batch: too many parts (a $batch holds at most 1000 requests)");
  // Changesets' requests count too.
  const std::string changeset =
      "--b\nContent-Type: multipart/mixed; boundary=c\n\n"
      "--c\nContent-Type: application/http\n\nPOST Jobs HTTP/1.1\n"
      "--c\nContent-Type: application/http\n\nPOST Jobs HTTP/1.1\n"
      "--c--\n";
  const std::string body = get_parts(999);
  EXPECT_EQ(refusal(changeset + body),
            "$batch: too many parts (a $batch holds at most 1000 requests)");
}

TEST(MultipartTest, WrittenPartsParseBack) {
  std::string changeset;
  append_part(changeset, "c", {{"Content-Type", "application/http"}},
              "GET Jobs HTTP/1.1\r\nAccept: application/json\r\n\r\n");
  append_close(changeset, "c");
  std::string batch;
  append_part(batch, "b", {{"Content-Type", "multipart/mixed; boundary=c"}}, changeset);
  append_close(batch, "b");
  EXPECT_EQ(batch,
            "--b\r\nContent-Type: multipart/mixed; boundary=c\r\n\r\n"
            "--c\r\nContent-Type: application/http\r\n\r\n"
            "GET Jobs HTTP/1.1\r\nAccept: application/json\r\n\r\n\r\n--c--\r\n--b--");
  const auto parts = parse_batch(batch, "multipart/mixed; boundary=b");
  ASSERT_EQ(parts.size(), 1u);
  ASSERT_EQ(parts[0].operations.size(), 1u);
  EXPECT_EQ(parts[0].operations[0].request.method, "GET");
  EXPECT_EQ(parts[0].operations[0].request.body, "");
}

}  // namespace
}  // namespace mw::api::multipart
