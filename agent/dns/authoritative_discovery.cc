#include "agent/dns/authoritative_discovery.h"

#include <algorithm>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "agent/dns/dns_name.h"
#include "agent/dns/dns_reply.h"

namespace propwatch::dns {

using propwatch::v1::ErrorClass;

AuthoritativeDiscovery::AuthoritativeDiscovery(DnsQueryEngine* engine,
                                               std::vector<HostPort> bootstrap,
                                               std::string hostname,
                                               Callback done)
    : engine_(engine),
      bootstrap_(std::move(bootstrap)),
      hostname_(std::move(hostname)),
      done_(std::move(done)) {}

AuthoritativeDiscovery::~AuthoritativeDiscovery() {
  for (DnsQueryEngine::QueryId id : queries_) engine_->Cancel(id);
}

void AuthoritativeDiscovery::Start() { AskNs(hostname_); }

void AuthoritativeDiscovery::AskNs(std::string name) {
  if (++steps_ > kMaxSteps) {
    Fail(propwatch::v1::ERROR_CLASS_MALFORMED,
         absl::StrCat("gave up finding the zone of ", hostname_, " after ",
                      kMaxSteps, " NS queries"),
         bootstrap_.empty() ? "" : FormatHostPort(bootstrap_[0]));
    return;
  }
  DnsQueryEngine::Query query;
  query.servers = bootstrap_;
  query.name = name;
  query.type = kTypeNs;
  query.recursion_desired = true;
  // Ids are only known after Start returns, and the engine never calls back
  // before that, so the id can be recorded and removed in the callback.
  auto id = std::make_shared<DnsQueryEngine::QueryId>(0);
  *id = engine_->Start(std::move(query),
                       [this, id, name](DnsQueryEngine::Outcome outcome) {
                         queries_.erase(*id);
                         OnNs(name, std::move(outcome));
                       });
  queries_.insert(*id);
}

void AuthoritativeDiscovery::OnNs(const std::string& asked,
                                  DnsQueryEngine::Outcome outcome) {
  result_.server = outcome.server;
  const std::string context =
      absl::StrCat("finding the name servers of ", hostname_, ": ");
  if (!outcome.reply.has_value()) {
    Fail(outcome.error_class, absl::StrCat(context, outcome.error_message),
         outcome.server);
    return;
  }
  const DnsMessage& reply = *outcome.reply;
  if (reply.rcode != kRcodeNoError && reply.rcode != kRcodeNxDomain) {
    propwatch::v1::DnsResult scratch;
    ReadReplyInto(reply, asked, kTypeNs, outcome.server, &scratch);
    Fail(scratch.error_class(), absl::StrCat(context, scratch.error_message()),
         outcome.server);
    return;
  }
  // The zone's own NS set, in the answer.
  if (!RecordDataOf(reply.answers, asked, kTypeNs).empty()) {
    result_.zone = asked;
    result_.ns_names = RecordDataOf(reply.answers, asked, kTypeNs);
    ResolveNameServers(reply);
    return;
  }
  // A referral from a server above the zone cut.
  for (const DnsRecord& record : reply.authority) {
    if (record.type == kTypeNs && IsAncestorOrSelf(record.name, asked) &&
        record.name != ".") {
      result_.zone = record.name;
      result_.ns_names = RecordDataOf(reply.authority, record.name, kTypeNs);
      ResolveNameServers(reply);
      return;
    }
  }
  // NODATA or NXDOMAIN carries the zone's SOA (RFC 2308 section 2.1/2.2).
  for (const DnsRecord& record : reply.authority) {
    if (record.type != kTypeSoa || !IsAncestorOrSelf(record.name, asked)) {
      continue;
    }
    if (SameName(record.name, asked) || record.name == ".") {
      Fail(propwatch::v1::ERROR_CLASS_NODATA,
           absl::StrCat(context, outcome.server, " returns no NS records for ",
                        record.name, ", the zone its SOA names"),
           outcome.server);
      return;
    }
    AskNs(record.name);
    return;
  }
  if (LabelCount(asked) <= 1) {
    Fail(propwatch::v1::ERROR_CLASS_NODATA,
         absl::StrCat(context, outcome.server,
                      " named no zone for it or any parent up to ", asked),
         outcome.server);
    return;
  }
  AskNs(ParentName(asked));
}

void AuthoritativeDiscovery::ResolveNameServers(const DnsMessage& source) {
  std::vector<std::string>& names = result_.ns_names;
  for (std::string& name : names) name = absl::AsciiStrToLower(name);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  if (names.size() > kMaxNameServers) names.resize(kMaxNameServers);
  glue_ = source.additional;
  v4_.assign(names.size(), {});
  v6_.assign(names.size(), {});
  outstanding_ = names.size() * 2;
  for (size_t i = 0; i < names.size(); ++i) {
    for (uint16_t type : {kTypeA, kTypeAaaa}) {
      DnsQueryEngine::Query query;
      query.servers = bootstrap_;
      query.name = names[i];
      query.type = type;
      query.recursion_desired = true;
      auto id = std::make_shared<DnsQueryEngine::QueryId>(0);
      *id =
          engine_->Start(std::move(query),
                         [this, id, i, type](DnsQueryEngine::Outcome outcome) {
                           queries_.erase(*id);
                           OnAddress(i, type, std::move(outcome));
                         });
      queries_.insert(*id);
    }
  }
}

void AuthoritativeDiscovery::OnAddress(size_t index, uint16_t type,
                                       DnsQueryEngine::Outcome outcome) {
  const std::string& name = result_.ns_names[index];
  std::vector<std::string>& out = type == kTypeA ? v4_[index] : v6_[index];
  if (outcome.reply.has_value()) {
    const CnameChain chain = FollowCnameChain(outcome.reply->answers, name);
    out = RecordDataOf(outcome.reply->answers, chain.final_name, type);
  } else {
    last_address_error_ = outcome.error_message;
  }
  if (out.empty()) out = RecordDataOf(glue_, name, type);
  if (--outstanding_ == 0) FinishAddresses();
}

void AuthoritativeDiscovery::FinishAddresses() {
  absl::flat_hash_set<std::string> seen;
  for (size_t i = 0; i < result_.ns_names.size(); ++i) {
    for (const auto* family : {&v4_[i], &v6_[i]}) {
      for (const std::string& address : *family) {
        if (seen.insert(address).second) {
          result_.addresses.push_back({result_.ns_names[i], address});
        }
      }
    }
  }
  if (result_.addresses.empty()) {
    std::string message =
        absl::StrCat("none of the name servers of ", result_.zone, " (",
                     absl::StrJoin(result_.ns_names, ", "), ") has an address");
    if (!last_address_error_.empty()) {
      absl::StrAppend(&message, "; last error: ", last_address_error_);
    }
    Fail(propwatch::v1::ERROR_CLASS_NODATA, std::move(message), result_.server);
    return;
  }
  Callback done = std::move(done_);
  done(std::move(result_));
}

void AuthoritativeDiscovery::Fail(ErrorClass error_class, std::string message,
                                  std::string server) {
  ZoneNameServers failed;
  failed.zone = result_.zone;
  failed.ns_names = result_.ns_names;
  failed.error_class = error_class == propwatch::v1::ERROR_CLASS_UNSPECIFIED
                           ? propwatch::v1::ERROR_CLASS_INTERNAL
                           : error_class;
  failed.error_message = std::move(message);
  failed.server = std::move(server);
  Callback done = std::move(done_);
  done(std::move(failed));
}

}  // namespace propwatch::dns
