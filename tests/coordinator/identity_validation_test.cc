#include "coordinator/service/identity_validation.h"

#include "gtest/gtest.h"

namespace propwatch {
namespace {

v1::AgentIdentity Valid() {
  v1::AgentIdentity id;
  id.set_agent_id("agent-eu-1");
  id.set_region("eu-west");
  id.set_provider("aws");
  return id;
}

TEST(IdentityValidationTest, AcceptsAWellFormedIdentity) {
  EXPECT_TRUE(ValidateIdentity(Valid()).ok());
}

TEST(IdentityValidationTest, RejectsNamingTheField) {
  struct Case {
    std::function<void(v1::AgentIdentity&)> mutate;
    const char* field;
  } cases[] = {
      {[](auto& id) { id.set_agent_id(""); }, "agent_id"},
      {[](auto& id) { id.set_agent_id("has space"); }, "agent_id"},
      {[](auto& id) { id.set_agent_id(std::string(129, 'a')); }, "agent_id"},
      {[](auto& id) { id.set_region(""); }, "region"},
      {[](auto& id) { id.set_region("eu/west"); }, "region"},
      {[](auto& id) { id.set_provider("a b"); }, "provider"},
      {[](auto& id) { (*id.mutable_labels())["bad key"] = "v"; }, "label key"},
      {[](auto& id) { (*id.mutable_labels())["k"] = std::string(300, 'v'); },
       "label 'k'"},
  };
  for (const auto& c : cases) {
    v1::AgentIdentity id = Valid();
    c.mutate(id);
    absl::Status s = ValidateIdentity(id);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.field;
    EXPECT_NE(s.message().find(c.field), absl::string_view::npos) << s;
  }
}

}  // namespace
}  // namespace propwatch
