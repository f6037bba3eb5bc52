// TaskBody parsing (AMS-V2-REFERENCE.md §2): the forms real clients send, and every rejection.

#include "daemon/runtime/taskbody.hpp"

#include <gtest/gtest.h>

namespace mw::runtime {
namespace {

using Ref = TaskBodyAsset::Ref;

std::string rejection(const std::string& xml) {
  try {
    parse_task_body(xml);
  } catch (const TaskBodyError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(TaskBody, JobPageCreateBodyBindsInputZeroToOutputZero) {
  const TaskBody b = parse_task_body(
      R"(<?xml version="1.0" encoding="utf-8"?><taskBody><inputAsset>JobInputAsset(0)</inputAsset><outputAsset>JobOutputAsset(0)</outputAsset></taskBody>)");
  ASSERT_EQ(b.inputs.size(), 1u);
  ASSERT_EQ(b.outputs.size(), 1u);
  EXPECT_EQ(b.inputs[0].ref, Ref::JobInputAsset);
  EXPECT_EQ(b.inputs[0].index, 0);
  EXPECT_EQ(b.outputs[0].ref, Ref::JobOutputAsset);
  EXPECT_EQ(b.outputs[0].asset_name, "");
}

TEST(TaskBody, Utf16DeclarationFromTheBatchRequestIsReadAsText) {
  // The $batch sample echoes TaskBody with encoding="utf-16", indented, inside UTF-8 Atom.
  const TaskBody b = parse_task_body(
      "<?xml version=\"1.0\" encoding=\"utf-16\"?>\n<taskBody>\n  <inputAsset>JobInputAsset(0)</inputAsset>\n"
      "  <outputAsset assetCreationOptions=\"0\" assetName=\"Output asset\">JobOutputAsset(0)</outputAsset>\n"
      "</taskBody>");
  ASSERT_EQ(b.outputs.size(), 1u);
  EXPECT_EQ(b.outputs[0].asset_name, "Output asset");
  EXPECT_EQ(b.outputs[0].asset_creation_options, 0);
}

TEST(TaskBody, PascalCaseAttributesAreAccepted) {
  const TaskBody b = parse_task_body(
      R"(<taskBody><inputAsset>JobInputAsset(1)</inputAsset><outputAsset AssetName="Mezz" AssetCreationOptions="1" AssetFormatOption="1" StorageAccountName="acct">JobOutputAsset(2)</outputAsset></taskBody>)");
  EXPECT_EQ(b.inputs[0].index, 1);
  EXPECT_EQ(b.outputs[0].index, 2);
  EXPECT_EQ(b.outputs[0].asset_name, "Mezz");
  EXPECT_EQ(b.outputs[0].asset_creation_options, 1);
  EXPECT_EQ(b.outputs[0].asset_format_option, 1);
  EXPECT_EQ(b.outputs[0].storage_account_name, "acct");
}

TEST(TaskBody, ChainedTaskReadsAnEarlierOutput) {
  const TaskBody b = parse_task_body(
      "<taskBody><inputAsset>JobOutputAsset(0)</inputAsset><outputAsset>JobOutputAsset(1)</outputAsset></taskBody>");
  EXPECT_EQ(b.inputs[0].ref, Ref::JobOutputAsset);
  EXPECT_EQ(b.inputs[0].index, 0);
}

TEST(TaskBody, MalformedXmlSaysWhereAndWhy) {
  const std::string m = rejection("<taskBody><inputAsset>JobInputAsset(0)</inputAsset>");
  EXPECT_NE(m.find("not well-formed XML"), std::string::npos) << m;
  EXPECT_NE(m.find("offset"), std::string::npos) << m;
}

TEST(TaskBody, EveryRejectionNamesTheElement) {
  EXPECT_NE(rejection("<jobBody/>").find("the root element is <jobBody>"), std::string::npos);
  EXPECT_NE(rejection("<taskBody><inputAsset>JobInputAsset(0)</inputAsset><outputAsset>JobOutputAsset(0)</outputAsset>"
                      "<priority>3</priority></taskBody>")
                .find("unknown element <priority>"),
            std::string::npos);
  EXPECT_NE(rejection("<taskBody><inputAsset>Asset(0)</inputAsset><outputAsset>JobOutputAsset(0)</outputAsset></taskBody>")
                .find("<inputAsset> 1: 'Asset(0)' is not JobInputAsset(N)"),
            std::string::npos);
  EXPECT_NE(rejection("<taskBody><inputAsset>JobInputAsset(0)</inputAsset><outputAsset>JobInputAsset(0)</outputAsset></taskBody>")
                .find("<outputAsset> 1: an output must be a JobOutputAsset(N)"),
            std::string::npos);
  EXPECT_NE(rejection("<taskBody><outputAsset>JobOutputAsset(0)</outputAsset></taskBody>").find("no <inputAsset>"),
            std::string::npos);
  EXPECT_NE(rejection("<taskBody><inputAsset>JobInputAsset(0)</inputAsset></taskBody>").find("no <outputAsset>"),
            std::string::npos);
  EXPECT_NE(rejection("<taskBody><inputAsset>JobInputAsset(0)</inputAsset><outputAsset colour=\"red\">"
                      "JobOutputAsset(0)</outputAsset></taskBody>")
                .find("<outputAsset> 1: unknown attribute 'colour'"),
            std::string::npos);
  EXPECT_NE(rejection("<taskBody><inputAsset>JobInputAsset(0)</inputAsset><outputAsset assetCreationOptions=\"x\">"
                      "JobOutputAsset(0)</outputAsset></taskBody>")
                .find("assetCreationOptions=\"x\" is not a whole number"),
            std::string::npos);
}

}  // namespace
}  // namespace mw::runtime
