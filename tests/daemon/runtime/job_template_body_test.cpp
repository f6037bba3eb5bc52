// JobTemplateBody parsing (AMS-V2-REFERENCE.md §2 "JobTemplate variant"): the taskBodies a job
// created from the template gets, the attribute in both spellings, the rejections, and writing
// generated TaskTemplate Ids into the body.

#include "daemon/runtime/job_template_body.hpp"

#include <gtest/gtest.h>

namespace mw::runtime {
namespace {

std::string rejection(const std::string& xml) {
  try {
    parse_job_template_body(xml);
  } catch (const JobTemplateBodyError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(JobTemplateBody, EachTaskBodyComesOutAsATaskBodyWithoutItsTemplateId) {
  // NETSDK's shape: a declaration, indentation, attributes on the outputs, camelCase and
  // PascalCase attribute names.
  const auto bodies = parse_job_template_body(R"(<?xml version="1.0" encoding="utf-16"?>
<jobTemplate>
  <taskBody taskTemplateId="nb:ttid:UUID:a"><inputAsset>JobInputAsset(0)</inputAsset><outputAsset assetCreationOptions="0" assetName="mp4">JobOutputAsset(0)</outputAsset></taskBody>
  <taskBody TaskTemplateId="nb:ttid:UUID:b"><inputAsset>JobOutputAsset(0)</inputAsset><outputAsset>JobOutputAsset(1)</outputAsset></taskBody>
</jobTemplate>)");
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_EQ(bodies[0].task_template_id, "nb:ttid:UUID:a");
  EXPECT_EQ(
      bodies[0].task_body,
      R"(<taskBody><inputAsset>JobInputAsset(0)</inputAsset><outputAsset assetCreationOptions="0" assetName="mp4">JobOutputAsset(0)</outputAsset></taskBody>)");
  EXPECT_EQ(bodies[1].task_template_id, "nb:ttid:UUID:b");
  EXPECT_EQ(bodies[1].task_body,
            "<taskBody><inputAsset>JobOutputAsset(0)</inputAsset><outputAsset>JobOutputAsset(1)"
            "</outputAsset></taskBody>");
  EXPECT_EQ(
      parse_job_template_body("<jobTemplate><taskBody/></jobTemplate>").at(0).task_template_id, "");
}

TEST(JobTemplateBody, RejectionsNameTheElement) {
  EXPECT_NE(rejection("<jobTemplate><taskBody>").find("not well-formed XML"), std::string::npos);
  EXPECT_EQ(rejection("<taskBody/>"), "the root element is <taskBody>, not <jobTemplate>");
  EXPECT_EQ(rejection("<jobTemplate/>"), "no <taskBody>: a jobTemplate needs one per TaskTemplate");
  EXPECT_EQ(rejection("<jobTemplate><taskBody/><task/></jobTemplate>"),
            "unknown element <task> (a jobTemplate holds one <taskBody> per TaskTemplate)");
  EXPECT_EQ(
      rejection(
          R"(<jobTemplate><taskBody/><taskBody taskTemplateId="a" TaskTemplateId="b"/></jobTemplate>)"),
      "<taskBody> 2: has both taskTemplateId and TaskTemplateId");
}

TEST(JobTemplateBody, GeneratedIdsGoOnlyWhereTheAttributeIsMissing) {
  const std::string body =
      R"(<?xml version="1.0" encoding="utf-8"?><jobTemplate><taskBody taskTemplateId="nb:ttid:UUID:a"><inputAsset>JobInputAsset(0)</inputAsset></taskBody><taskBody><inputAsset>JobInputAsset(0)</inputAsset></taskBody></jobTemplate>)";
  EXPECT_EQ(
      with_task_template_ids(body, {"nb:ttid:UUID:a", "nb:ttid:UUID:new"}),
      R"(<?xml version="1.0" encoding="utf-8"?><jobTemplate><taskBody taskTemplateId="nb:ttid:UUID:a"><inputAsset>JobInputAsset(0)</inputAsset></taskBody><taskBody taskTemplateId="nb:ttid:UUID:new"><inputAsset>JobInputAsset(0)</inputAsset></taskBody></jobTemplate>)");
}

}  // namespace
}  // namespace mw::runtime
