// atom::read_entry: the Job page's two Atom entries become the verbose JSON the handlers read;
// malformed entries get 400 naming the element. And the media types (Content-Type, Accept).

#include <gtest/gtest.h>

#include <string>

#include "daemon/api/api_error.hpp"
#include "daemon/api/atom.hpp"
#include "daemon/api/request_body.hpp"
#include "daemon/runtime/taskbody.hpp"
#include "tests/daemon/api/job_page_atom.hpp"

namespace mw::api::atom {
namespace {

const std::string kBase = "http://127.0.0.1:8080/api/";
const std::string kAssetId = "nb:cid:UUID:33662ded-f00b-4020-9fcf-4c4a22070c01";
const std::string kEndpointId = "nb:nepid:UUID:36e510df-8560-4bae-a698-87723f677e98";
const std::string kOpen =
    R"(<entry xmlns="http://www.w3.org/2005/Atom" xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"><content type="application/xml"><m:properties>)";
const std::string kClose = "</m:properties></content></entry>";

std::string entry_with(const std::string& properties) {
  return kOpen + properties + kClose;
}

// The 400 message read_entry throws for `xml` ("" when it does not throw).
std::string rejection(const std::string& xml) {
  try {
    read_entry(xml);
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status(), http::status::bad_request);
    return e.what();
  }
  return {};
}

TEST(AtomReadTest, JobPageJobEntryReadsAsTheVerboseJsonOfTheSameJob) {
  const Json job = read_entry(test::job_page_job_entry(kBase, kAssetId, kEndpointId));
  EXPECT_EQ(job["Name"], "My MP4 to Smooth Streaming encoding job");
  EXPECT_TRUE(job["Priority"].is_number_integer());
  EXPECT_EQ(job["Priority"], 0);
  EXPECT_EQ(job["State"], 0);
  EXPECT_TRUE(job["RunningDuration"].is_number_float());
  EXPECT_EQ(job["Created"], "0001-01-01T00:00:00");  // Edm.DateTime: kept as written
  EXPECT_TRUE(job["Id"].is_null());
  EXPECT_TRUE(job["EndTime"].is_null());
  EXPECT_TRUE(job["TemplateId"].is_null());
  EXPECT_EQ(
      job["InputMediaAssets"],
      Json::parse(
          R"x([{"__metadata":{"uri":"http://127.0.0.1:8080/api/Assets('nb%3Acid%3AUUID%3A33662ded-f00b-4020-9fcf-4c4a22070c01')"}}])x"));
  EXPECT_EQ(
      job["JobNotificationSubscriptions"],
      Json::parse(R"([{"NotificationEndPointId":")" + kEndpointId + R"(","TargetJobState":2}])"));
  EXPECT_TRUE(job["JobNotificationSubscriptions"][0]["TargetJobState"].is_number_integer());
}

TEST(AtomReadTest, JobPageTaskEntryKeepsItsTaskBodyAsTheClientWroteIt) {
  const Json task = read_entry(test::kJobPageTaskEntry);
  EXPECT_EQ(task["Configuration"], "H264 Smooth Streaming 720p");
  EXPECT_EQ(task["MediaProcessorId"], "nb:mpid:UUID:70bdc2c3-ebf4-42a9-8542-5afc1e55d217");
  EXPECT_EQ(task["Name"], "My Mp4 to Smooth Task");
  EXPECT_EQ(task["Options"], 0);
  EXPECT_EQ(task["Id"], "");
  EXPECT_EQ(task["ErrorDetails"], Json::array());  // <d:ErrorDetails />
  EXPECT_EQ(task["HistoricalEvents"], Json::array());
  EXPECT_TRUE(task["EncryptionScheme"].is_null());
  // The markup inside d:TaskBody, XML declaration and line breaks included.
  ASSERT_TRUE(task["TaskBody"].is_string());
  EXPECT_EQ(task["TaskBody"], test::kJobPageTaskBody);
  const runtime::TaskBody body = runtime::parse_task_body(task["TaskBody"].get<std::string>());
  ASSERT_EQ(body.inputs.size(), 1u);
  ASSERT_EQ(body.outputs.size(), 1u);
  EXPECT_EQ(body.outputs[0].asset_name, "Output asset");
}

TEST(AtomReadTest, BothJobPageEntriesTogetherAreAJobRequestTheHandlersAccept) {
  Json job = read_entry(test::job_page_job_entry(kBase, kAssetId, kEndpointId));
  job.erase("JobNotificationSubscriptions");  // parsed by the notifications work on main
  job["Tasks"] = Json::array({read_entry(test::kJobPageTaskEntry)});
  const runtime::JobRequest request = parse_job_request(parse_json_object(dump_json(job)));
  EXPECT_EQ(request.name, "My MP4 to Smooth Streaming encoding job");
  EXPECT_EQ(request.input_asset_ids, std::vector<std::string>{kAssetId});
  ASSERT_EQ(request.tasks.size(), 1u);
  EXPECT_EQ(request.tasks[0].configuration, "H264 Smooth Streaming 720p");
  EXPECT_EQ(request.tasks[0].task_body, test::kJobPageTaskBody);
}

TEST(AtomReadTest, EscapedTaskBodyTextIsUnescaped) {
  const Json task = read_entry(
      entry_with("<d:TaskBody>&lt;taskBody&gt;&lt;inputAsset&gt;JobInputAsset(0)&lt;/inputAsset&gt;"
                 "&lt;/taskBody&gt;</d:TaskBody>"));
  EXPECT_EQ(task["TaskBody"], "<taskBody><inputAsset>JobInputAsset(0)</inputAsset></taskBody>");
}

TEST(AtomReadTest, NamespacesCountNotPrefixes) {
  const Json entry = read_entry(
      R"(<a:entry xmlns:a="http://www.w3.org/2005/Atom"><a:content><p:properties xmlns:p="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" xmlns:x="http://schemas.microsoft.com/ado/2007/08/dataservices"><x:Name>n</x:Name><x:Options p:type="Edm.Int32"> 1 </x:Options><x:IsPrimary p:type="Edm.Boolean">true</x:IsPrimary><x:ContentFileSize p:type="Edm.Int64">5000000000</x:ContentFileSize></p:properties></a:content></a:entry>)");
  EXPECT_EQ(
      entry,
      Json::parse(R"({"Name":"n","Options":1,"IsPrimary":true,"ContentFileSize":"5000000000"})"));
}

TEST(AtomReadTest, InlineFeedBecomesAnArrayOfEntries) {
  const std::string tasks =
      R"(<link rel="http://schemas.microsoft.com/ado/2007/08/dataservices/related/Tasks" type="application/atom+xml;type=feed"><m:inline><feed>)" +
      entry_with("<d:Name>t1</d:Name>") + entry_with("<d:Name>t2</d:Name>") +
      "</feed></m:inline></link>";
  const Json job = read_entry(
      R"(<entry xmlns="http://www.w3.org/2005/Atom" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">)" +
      tasks + "</entry>");
  EXPECT_EQ(job["Tasks"], Json::parse(R"([{"Name":"t1"},{"Name":"t2"}])"));
}

TEST(AtomReadTest, MalformedEntriesGet400NamingTheElement) {
  EXPECT_NE(rejection(R"({"Name":"json"})").find("Atom entry: not well-formed XML"),
            std::string::npos);
  EXPECT_NE(rejection(kOpen + "<d:Name>unclosed").find("not well-formed XML"), std::string::npos);
  EXPECT_NE(rejection(R"(<feed xmlns="http://www.w3.org/2005/Atom"/>)").find("<feed>"),
            std::string::npos);
  EXPECT_NE(rejection("<entry/>").find("not an <entry> in the namespace"), std::string::npos);
  EXPECT_EQ(rejection(entry_with(R"(<d:Priority m:type="Edm.Int32">high</d:Priority>)")),
            "Atom entry: <d:Priority>: 'high' is not an Edm.Int32");
  EXPECT_EQ(rejection(entry_with(R"(<d:Priority m:type="Edm.Int32">2147483648</d:Priority>)")),
            "Atom entry: <d:Priority>: '2147483648' is not an Edm.Int32");
  EXPECT_EQ(rejection(entry_with(R"(<d:Progress m:type="Edm.Double">NaN</d:Progress>)")),
            "Atom entry: <d:Progress>: 'NaN' is not an Edm.Double");
  EXPECT_EQ(rejection(entry_with(R"(<d:IsPrimary m:type="Edm.Boolean">yes</d:IsPrimary>)")),
            "Atom entry: <d:IsPrimary>: 'yes' is not an Edm.Boolean");
  EXPECT_EQ(rejection(entry_with(R"(<d:Name m:type="Edm.Colour">red</d:Name>)")),
            "Atom entry: <d:Name>: unknown m:type 'Edm.Colour'");
  EXPECT_EQ(rejection(entry_with(R"(<d:Name m:null="maybe"/>)")),
            "Atom entry: <d:Name>: m:null is 'maybe', not true or false");
  EXPECT_EQ(rejection(entry_with("<d:Name>a</d:Name><d:Name>b</d:Name>")),
            "Atom entry: <d:Name> appears twice");
  EXPECT_NE(rejection(entry_with("<Name>a</Name>"))
                .find("<Name> in <m:properties> is not a "
                      "property in the namespace"),
            std::string::npos);
  EXPECT_EQ(
      rejection(entry_with(
          R"x(<d:JobNotificationSubscriptions m:type="Collection(X)"><d:other/></d:JobNotificationSubscriptions>)x")),
      "Atom entry: <d:JobNotificationSubscriptions>: expected <d:element> items, found "
      "<d:other>");
}

TEST(AtomReadTest, StrayAmpersandsBadCharacterReferencesAndTrailingElementsAreRefused) {
  for (const std::string value : {"a&b", "a &#0; b", "&#xD800;", "&#x110000;", "&nbsp;"}) {
    SCOPED_TRACE(value);
    EXPECT_NE(rejection(entry_with("<d:Name>" + value + "</d:Name>"))
                  .find("is not an entity or character reference"),
              std::string::npos);
  }
  EXPECT_NE(rejection(entry_with("<d:Name>x</d:Name>") + "<entry/>").find("after the root element"),
            std::string::npos);
  // What XML allows still reads: the five entities, character references, CDATA and comments.
  const Json ok = read_entry(entry_with(
      "<d:Name>&lt;a&gt; &amp; &quot;&apos; &#233;&#xE9;<![CDATA[&raw]]><!-- & --></d:Name>"));
  EXPECT_EQ(ok["Name"], "<a> & \"' \u00e9\u00e9&raw");
}

TEST(AtomReadTest, DeepNestingIsRefusedAndDeepMarkupIsNotWalked) {
  // 100000 nested d:element items: refused at 64 levels, without recursing 100000 deep.
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "<d:element>";
  for (int i = 0; i < 100000; ++i) deep += "</d:element>";
  const std::string message =
      rejection(entry_with("<d:HistoricalEvents>" + deep + "</d:HistoricalEvents>"));
  EXPECT_NE(message.find("<d:element>: nested deeper than 64 levels"), std::string::npos)
      << message;
  // The same depth of other markup inside a property is its text, taken as it is.
  std::string junk;
  for (int i = 0; i < 100000; ++i) junk += "<j>";
  for (int i = 0; i < 100000; ++i) junk += "</j>";
  EXPECT_TRUE(read_entry(entry_with("<d:TaskBody>" + junk + "</d:TaskBody>"))["TaskBody"] == junk);
}

TEST(AtomReadTest, EntriesWithThousandsOfPropertiesAreRefused) {
  std::string properties;
  for (int i = 0; i < 1001; ++i) properties += "<d:P" + std::to_string(i) + "/>";
  EXPECT_EQ(rejection(entry_with(properties)),
            "Atom entry: <m:properties>: more than 1000 properties");
  std::string links;
  for (int i = 0; i < 1001; ++i)
    links += R"(<link rel="http://schemas.microsoft.com/ado/2007/08/dataservices/related/N)" +
             std::to_string(i) + R"(" href="x"/>)";
  EXPECT_EQ(rejection(R"(<entry xmlns="http://www.w3.org/2005/Atom">)" + links + "</entry>"),
            "Atom entry: <entry>: more than 1000 properties");
}

TEST(AtomReadTest, ElementsWithHundredsOfAttributesAreRefused) {
  std::string attributes;
  for (int i = 0; i < 65; ++i) attributes += " a" + std::to_string(i) + "=\"\"";
  EXPECT_EQ(rejection(entry_with("<d:Name" + attributes + ">x</d:Name>")),
            "Atom entry: <d:Name>: more than 64 attributes");
}

TEST(AtomReadTest, HugeInputIsReadOrRefusedWhole) {
  const std::string big(8 << 20, 'x');  // 8 MiB
  EXPECT_TRUE(read_entry(entry_with("<d:Name>" + big + "</d:Name>"))["Name"] == big);
  const std::string message =
      rejection(entry_with(R"(<d:Priority m:type="Edm.Int32">)" + big + "</d:Priority>"));
  EXPECT_LT(message.size(), 200u) << "the value is quoted shortened";
  EXPECT_NE(message.find("<d:Priority>: 'xxxx"), std::string::npos);
  EXPECT_NE(rejection(kOpen + "<d:Name>" + big).find("not well-formed XML"), std::string::npos);
}

TEST(AtomMediaTypeTest, AtomAndXmlContentTypesAreAtom) {
  EXPECT_TRUE(is_atom_content_type("application/atom+xml"));
  EXPECT_TRUE(is_atom_content_type("application/atom+xml;type=entry;charset=utf-8"));
  EXPECT_TRUE(is_atom_content_type("Application/XML; charset=utf-8"));
  EXPECT_FALSE(is_atom_content_type("application/json;odata=verbose"));
  EXPECT_FALSE(is_atom_content_type(""));
}

TEST(AtomMediaTypeTest, AcceptAsksForAtomWhenItPrefersXmlToJson) {
  EXPECT_TRUE(accepts_atom("application/atom+xml,application/xml"));  // the Job page's parts
  EXPECT_TRUE(accepts_atom("application/xml"));
  EXPECT_TRUE(accepts_atom("application/atom+xml, application/json"));
  EXPECT_TRUE(accepts_atom("application/json;q=0.5, application/atom+xml"));
  EXPECT_FALSE(accepts_atom("application/json;odata=verbose"));
  EXPECT_FALSE(accepts_atom("application/json, application/atom+xml"));
  EXPECT_FALSE(accepts_atom("application/atom+xml;q=0.2, application/json;q=0.8"));
  EXPECT_FALSE(accepts_atom("application/atom+xml;q=0"));
  EXPECT_FALSE(accepts_atom("application/atom+xml;q=high"));
  EXPECT_FALSE(accepts_atom("*/*"));
  EXPECT_FALSE(accepts_atom(""));
  EXPECT_FALSE(accepts_atom("multipart/mixed"));
}

}  // namespace
}  // namespace mw::api::atom
