#include "cli/spec_yaml.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/duration.pb.h>
#include <google/protobuf/message.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "cli/spec_check.h"
#include "common/time_convert.h"

namespace propwatch {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::EnumValueDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

int LineOfNode(const YAML::Node& node) { return node.Mark().line + 1; }

// "PinMode" -> "PIN_MODE_": the prefix protobuf style puts on enum values.
std::string EnumPrefix(const EnumDescriptor& e) {
  std::string out;
  for (char c : e.name()) {
    if (absl::ascii_isupper(c) && !out.empty()) out += '_';
    out += absl::ascii_toupper(c);
  }
  return out + "_";
}

// Short, lowercase names a user may write ("all_observed"); record types
// read better in upper case (A, AAAA) and are accepted either way.
std::vector<std::string> ShortNames(const EnumDescriptor& e) {
  const std::string prefix = EnumPrefix(e);
  std::vector<std::string> names;
  for (int i = 0; i < e.value_count(); ++i) {
    absl::string_view name = e.value(i)->name();
    if (e.value(i)->number() == 0) continue;  // *_UNSPECIFIED
    if (absl::StartsWith(name, prefix)) name.remove_prefix(prefix.size());
    names.push_back(absl::AsciiStrToLower(name));
  }
  return names;
}

size_t EditDistance(absl::string_view a, absl::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1,
                         diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

class YamlToProto {
 public:
  YamlToProto(absl::string_view file, SpecLocations& locations)
      : file_(file), locations_(locations) {}

  absl::Status FillMessage(const YAML::Node& node, Message& message,
                           const std::string& path) {
    if (node.IsNull()) return absl::OkStatus();  // "system:" = empty message
    if (!node.IsMap()) {
      return Error(node, absl::StrCat(Where(path), "expected a mapping of ",
                                      FieldList(*message.GetDescriptor())));
    }
    const Descriptor& descriptor = *message.GetDescriptor();
    std::set<std::string> seen;
    for (auto it = node.begin(); it != node.end(); ++it) {
      // Copies: `it->` yields a temporary pair, so references to its
      // members would dangle (ASan: stack-use-after-scope).
      const YAML::Node key = it->first;
      const YAML::Node value = it->second;
      if (!key.IsScalar()) return Error(key, "keys must be plain names");
      const std::string name = key.Scalar();
      const FieldDescriptor* field = descriptor.FindFieldByName(name);
      if (field == nullptr) return UnknownKey(key, name, descriptor, path);
      if (!seen.insert(name).second) {
        return Error(key, absl::StrCat("'", name, "' is given twice"));
      }
      const std::string field_path = Join(path, name);
      locations_.Add(field_path, LineOfNode(key));
      if (const auto* oneof = field->containing_oneof()) {
        const FieldDescriptor* set =
            message.GetReflection()->GetOneofFieldDescriptor(message, oneof);
        if (set != nullptr) {
          return Error(key, absl::StrCat("'", name, "' and '", set->name(),
                                         "' are alternatives; give one"));
        }
      }
      absl::Status s = field->is_map()
                           ? FillMap(value, message, *field, field_path)
                       : field->is_repeated()
                           ? FillRepeated(value, message, *field, field_path)
                           : FillSingular(value, message, *field, field_path);
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }

 private:
  static std::string Join(const std::string& path, absl::string_view name) {
    return path.empty() ? std::string(name) : absl::StrCat(path, ".", name);
  }
  static std::string Where(const std::string& path) {
    return path.empty() ? "" : absl::StrCat(path, ": ");
  }
  static std::string FieldList(const Descriptor& d) {
    std::vector<std::string> names;
    for (int i = 0; i < d.field_count(); ++i)
      names.push_back(d.field(i)->name());
    return absl::StrJoin(names, ", ");
  }

  absl::Status Error(const YAML::Node& at, absl::string_view what) const {
    return absl::InvalidArgumentError(
        absl::StrCat(file_, ":", LineOfNode(at), ": ", what));
  }

  absl::Status UnknownKey(const YAML::Node& key, const std::string& name,
                          const Descriptor& d, const std::string& path) const {
    std::string best;
    size_t best_distance = 4;
    for (int i = 0; i < d.field_count(); ++i) {
      const size_t distance = EditDistance(name, d.field(i)->name());
      if (distance < best_distance) {
        best_distance = distance;
        best = d.field(i)->name();
      }
    }
    return Error(
        key,
        absl::StrCat(
            "unknown key '", name, "'",
            path.empty() ? "" : absl::StrCat(" in ", path),
            best.empty() ? "" : absl::StrCat(" (did you mean '", best, "'?)"),
            "; known keys: ", FieldList(d)));
  }

  absl::Status FillRepeated(const YAML::Node& node, Message& message,
                            const FieldDescriptor& field,
                            const std::string& path) {
    if (!node.IsSequence()) {
      return Error(node, absl::StrCat(path, ": expected a list, e.g. [a, b]"));
    }
    for (size_t i = 0; i < node.size(); ++i) {
      const std::string item_path = absl::StrCat(path, "[", i, "]");
      locations_.Add(item_path, LineOfNode(node[i]));
      if (absl::Status s = AddValue(node[i], message, field, item_path);
          !s.ok()) {
        return s;
      }
    }
    return absl::OkStatus();
  }

  // map<string, string> / map<string, scalar>: a YAML mapping.
  absl::Status FillMap(const YAML::Node& node, Message& message,
                       const FieldDescriptor& field, const std::string& path) {
    if (node.IsNull()) return absl::OkStatus();
    if (!node.IsMap()) {
      return Error(node, absl::StrCat(path, ": expected a mapping"));
    }
    const FieldDescriptor* key_field = field.message_type()->map_key();
    const FieldDescriptor* value_field = field.message_type()->map_value();
    for (auto it = node.begin(); it != node.end(); ++it) {
      Message* entry = message.GetReflection()->AddMessage(&message, &field);
      const std::string entry_path =
          absl::StrCat(path, ".", it->first.Scalar());
      locations_.Add(entry_path, LineOfNode(it->first));
      if (absl::Status s =
              FillSingular(it->first, *entry, *key_field, entry_path);
          !s.ok()) {
        return s;
      }
      if (absl::Status s =
              FillSingular(it->second, *entry, *value_field, entry_path);
          !s.ok()) {
        return s;
      }
    }
    return absl::OkStatus();
  }

  absl::Status FillSingular(const YAML::Node& node, Message& message,
                            const FieldDescriptor& field,
                            const std::string& path) {
    const Reflection& r = *message.GetReflection();
    if (field.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      return FillSubMessage(node, *r.MutableMessage(&message, &field), path);
    }
    auto scalar = ScalarText(node, path);
    if (!scalar.ok()) return scalar.status();
    switch (field.cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        r.SetString(&message, &field, *scalar);
        return absl::OkStatus();
      case FieldDescriptor::CPPTYPE_BOOL: {
        auto b = ParseBool(node, *scalar, path);
        if (!b.ok()) return b.status();
        r.SetBool(&message, &field, *b);
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_UINT32: {
        auto n = ParseUint(node, *scalar, path, UINT32_MAX);
        if (!n.ok()) return n.status();
        r.SetUInt32(&message, &field, static_cast<uint32_t>(*n));
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_UINT64: {
        auto n = ParseUint(node, *scalar, path, UINT64_MAX);
        if (!n.ok()) return n.status();
        r.SetUInt64(&message, &field, *n);
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_ENUM: {
        auto v = ParseEnum(node, *scalar, *field.enum_type(), path);
        if (!v.ok()) return v.status();
        r.SetEnumValue(&message, &field, *v);
        return absl::OkStatus();
      }
      default:
        return Error(node, absl::StrCat(path,
                                        ": this field cannot be set "
                                        "from a spec file"));
    }
  }

  absl::Status AddValue(const YAML::Node& node, Message& message,
                        const FieldDescriptor& field, const std::string& path) {
    const Reflection& r = *message.GetReflection();
    if (field.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      return FillSubMessage(node, *r.AddMessage(&message, &field), path);
    }
    auto scalar = ScalarText(node, path);
    if (!scalar.ok()) return scalar.status();
    switch (field.cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        r.AddString(&message, &field, *scalar);
        return absl::OkStatus();
      case FieldDescriptor::CPPTYPE_UINT32: {
        auto n = ParseUint(node, *scalar, path, UINT32_MAX);
        if (!n.ok()) return n.status();
        r.AddUInt32(&message, &field, static_cast<uint32_t>(*n));
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_ENUM: {
        auto v = ParseEnum(node, *scalar, *field.enum_type(), path);
        if (!v.ok()) return v.status();
        r.AddEnumValue(&message, &field, *v);
        return absl::OkStatus();
      }
      default:
        return Error(node, absl::StrCat(path,
                                        ": this list cannot be set "
                                        "from a spec file"));
    }
  }

  // Messages with a friendlier spelling than a nested mapping: durations
  // as "10s", resolvers as "system", "authoritative" or "ip[:port]".
  absl::Status FillSubMessage(const YAML::Node& node, Message& message,
                              const std::string& path) {
    const std::string& type = message.GetDescriptor()->full_name();
    if (type == "google.protobuf.Duration") {
      auto text = ScalarText(node, path);
      if (!text.ok()) return text.status();
      absl::Duration d;
      if (!absl::ParseDuration(*text, &d) || d <= absl::ZeroDuration()) {
        return Error(node, absl::StrCat(path, ": '", *text,
                                        "' is not a positive duration; write "
                                        "it like 800ms, 10s, 2m or 1h30m"));
      }
      message.CopyFrom(ToProtoDuration(d));
      return absl::OkStatus();
    }
    if (type == "propwatch.v1.ResolverSpec" && node.IsScalar()) {
      auto& resolver = static_cast<v1::ResolverSpec&>(message);
      const std::string& text = node.Scalar();
      if (text == "system") {
        resolver.mutable_system();
      } else if (text == "authoritative") {
        resolver.mutable_authoritative();
      } else {
        resolver.set_address(text);
      }
      return absl::OkStatus();
    }
    return FillMessage(node, message, path);
  }

  absl::StatusOr<std::string> ScalarText(const YAML::Node& node,
                                         const std::string& path) const {
    if (!node.IsScalar()) {
      return Error(node, absl::StrCat(path, node.IsNull()
                                                ? ": needs a value"
                                                : ": expected a single value"));
    }
    return node.Scalar();
  }

  absl::StatusOr<bool> ParseBool(const YAML::Node& node, const std::string& s,
                                 const std::string& path) const {
    const std::string lower = absl::AsciiStrToLower(s);
    if (lower == "true") return true;
    if (lower == "false") return false;
    return Error(node, absl::StrCat(path, ": '", s, "' is not true or false"));
  }

  absl::StatusOr<uint64_t> ParseUint(const YAML::Node& node,
                                     const std::string& s,
                                     const std::string& path,
                                     uint64_t max) const {
    uint64_t n = 0;
    if (!absl::SimpleAtoi(s, &n) || n > max || absl::StartsWith(s, "-")) {
      return Error(node, absl::StrCat(path, ": '", s,
                                      "' is not a whole number in 0-", max));
    }
    return n;
  }

  absl::StatusOr<int> ParseEnum(const YAML::Node& node, const std::string& s,
                                const EnumDescriptor& e,
                                const std::string& path) const {
    const std::string upper = absl::AsciiStrToUpper(s);
    const EnumValueDescriptor* v = e.FindValueByName(EnumPrefix(e) + upper);
    if (v == nullptr) v = e.FindValueByName(upper);  // the full name
    if (v == nullptr || v->number() == 0) {
      return Error(node, absl::StrCat(path, ": '", s, "' is not one of: ",
                                      absl::StrJoin(ShortNames(e), ", ")));
    }
    return v->number();
  }

  std::string file_;
  SpecLocations& locations_;
};

}  // namespace

int SpecLocations::LineOf(absl::string_view path) const {
  std::string p(path);
  while (!p.empty()) {
    auto it = lines_.find(p);
    if (it != lines_.end()) return it->second;
    const size_t cut = p.find_last_of(".[");
    if (cut == std::string::npos) break;
    p.resize(cut);
  }
  return 0;
}

absl::StatusOr<LoadedSpec> ParseSpecYaml(absl::string_view text,
                                         absl::string_view file_name) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(
        file_name, ":", e.mark.line + 1, ": not valid YAML: ", e.msg));
  }
  if (root.IsNull()) {
    return absl::InvalidArgumentError(
        absl::StrCat(file_name,
                     ": the spec is empty; it needs at least "
                     "spec: {hostnames: [...]}"));
  }
  LoadedSpec loaded;
  YamlToProto converter(file_name, loaded.locations);
  try {
    if (absl::Status s = converter.FillMessage(root, loaded.request, "");
        !s.ok()) {
      return s;
    }
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(file_name, ":", e.mark.line + 1, ": ", e.msg));
  }
  if (auto problem = CheckVerificationRequest(loaded.request)) {
    const int line = loaded.locations.LineOf(problem->path);
    return absl::InvalidArgumentError(
        absl::StrCat(file_name, line > 0 ? absl::StrCat(":", line) : "", ": ",
                     problem->path, ": ", problem->message));
  }
  return loaded;
}

absl::StatusOr<LoadedSpec> LoadSpecFile(const std::string& path) {
  std::stringstream text;
  if (path == "-") {
    text << std::cin.rdbuf();
  } else {
    std::ifstream in(path);
    if (!in) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot read the spec file '", path, "'"));
    }
    text << in.rdbuf();
  }
  return ParseSpecYaml(text.str(), path == "-" ? "<stdin>" : path);
}

}  // namespace propwatch
