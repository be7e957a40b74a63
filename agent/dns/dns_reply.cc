#include "agent/dns/dns_reply.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "agent/dns/dns_name.h"

namespace propwatch::dns {
namespace {

using propwatch::v1::DnsResult;
using propwatch::v1::ErrorClass;

void SetError(ErrorClass error_class, std::string message, DnsResult* result) {
  result->set_error_class(error_class);
  result->set_error_message(std::move(message));
}

// A referral: no answer, not authoritative, NS records for an enclosing zone
// in the authority section (RFC 1034 section 4.3.2 step 3b).
std::string ReferralZone(const DnsMessage& reply, absl::string_view name) {
  if (reply.header.aa || !reply.answers.empty()) return "";
  for (const DnsRecord& record : reply.authority) {
    if (record.type == kTypeNs && IsAncestorOrSelf(record.name, name)) {
      return record.name;
    }
  }
  return "";
}

}  // namespace

CnameChain FollowCnameChain(const std::vector<DnsRecord>& answers,
                            absl::string_view name) {
  CnameChain chain;
  chain.final_name = std::string(name);
  absl::flat_hash_set<std::string> seen = {absl::AsciiStrToLower(name)};
  // Each step consumes a distinct name, so the chain is at most as long as
  // the answer section.
  for (size_t step = 0; step < answers.size(); ++step) {
    const DnsRecord* next = nullptr;
    for (const DnsRecord& record : answers) {
      if (record.type == kTypeCname && record.rclass == kClassIn &&
          SameName(record.name, chain.final_name)) {
        next = &record;
        break;
      }
    }
    if (next == nullptr) break;
    if (!seen.insert(absl::AsciiStrToLower(next->data)).second) {
      chain.loops = true;
      break;
    }
    if (chain.names.empty()) chain.names.push_back(chain.final_name);
    chain.names.push_back(next->data);
    chain.final_name = next->data;
  }
  return chain;
}

std::vector<std::string> RecordDataOf(const std::vector<DnsRecord>& records,
                                      absl::string_view owner, uint16_t type) {
  std::vector<std::string> data;
  for (const DnsRecord& record : records) {
    if (record.type == type && record.rclass == kClassIn &&
        SameName(record.name, owner)) {
      data.push_back(record.data);
    }
  }
  return data;
}

void ReadReplyInto(const DnsMessage& reply, absl::string_view name,
                   uint16_t type, absl::string_view server, DnsResult* result) {
  const std::string question = absl::StrCat(name, " ", TypeName(type));
  result->set_rcode(RcodeName(reply.rcode));
  result->set_authoritative_answer(reply.header.aa);
  for (const DnsRecord& record : reply.answers) {
    propwatch::v1::DnsAnswer* answer = result->add_answers();
    answer->set_name(record.name);
    // proto3 enums are open: types outside RecordType keep their number.
    answer->set_type(static_cast<propwatch::v1::RecordType>(record.type));
    answer->set_ttl(record.ttl);
    answer->set_data(record.data);
  }

  if (!reply.header.qr || reply.header.opcode != 0) {
    SetError(propwatch::v1::ERROR_CLASS_MALFORMED,
             absl::StrCat("reply from ", server, " for ", question,
                          " is not a standard query response (QR=",
                          reply.header.qr ? 1 : 0,
                          ", OPCODE=", reply.header.opcode, ")"),
             result);
    return;
  }
  // Servers may omit the question when refusing a query they cannot parse;
  // otherwise it must echo ours (RFC 1035 section 4.1.2).
  const bool echoes_question =
      reply.questions.size() == 1 && SameName(reply.questions[0].name, name) &&
      reply.questions[0].type == type && reply.questions[0].qclass == kClassIn;
  if (!echoes_question &&
      !(reply.questions.empty() && reply.rcode != kRcodeNoError)) {
    SetError(propwatch::v1::ERROR_CLASS_MALFORMED,
             absl::StrCat("reply from ", server, " does not echo the question ",
                          question),
             result);
    return;
  }

  const CnameChain chain = FollowCnameChain(reply.answers, name);
  for (const std::string& link : chain.names) result->add_cname_chain(link);
  if (chain.loops) {
    SetError(
        propwatch::v1::ERROR_CLASS_MALFORMED,
        absl::StrCat("CNAME loop in the reply from ", server, " for ", question,
                     ": ", absl::StrJoin(chain.names, " -> "), " -> ..."),
        result);
    return;
  }
  if (type == kTypeA || type == kTypeAaaa) {
    for (std::string& address :
         RecordDataOf(reply.answers, chain.final_name, type)) {
      result->add_addresses(std::move(address));
    }
  }

  switch (reply.rcode) {
    case kRcodeNoError:
      break;
    case kRcodeNxDomain:
      SetError(propwatch::v1::ERROR_CLASS_NXDOMAIN,
               absl::StrCat(server, " says ", chain.final_name,
                            " does not exist (NXDOMAIN) for ", question),
               result);
      return;
    case kRcodeServFail:
      SetError(
          propwatch::v1::ERROR_CLASS_SERVFAIL,
          absl::StrCat(server, " failed to answer ", question, " (SERVFAIL)"),
          result);
      return;
    case kRcodeRefused:
      SetError(
          propwatch::v1::ERROR_CLASS_REFUSED,
          absl::StrCat(server, " refused to answer ", question, " (REFUSED)"),
          result);
      return;
    default:
      SetError(propwatch::v1::ERROR_CLASS_PROTOCOL,
               absl::StrCat(server, " answered ", question, " with rcode ",
                            RcodeName(reply.rcode)),
               result);
      return;
  }

  // For a CNAME question the CNAME itself is the data; otherwise the data
  // sits at the end of the chain.
  const bool has_data =
      type == kTypeCname
          ? !chain.names.empty()
          : !RecordDataOf(reply.answers, chain.final_name, type).empty();
  if (has_data) return;
  std::string detail;
  if (const std::string zone = ReferralZone(reply, chain.final_name);
      !zone.empty()) {
    detail = absl::StrCat("; the reply is a referral to ", zone,
                          ", so the server is not authoritative for it");
  }
  SetError(propwatch::v1::ERROR_CLASS_NODATA,
           absl::StrCat(server, " has no ", TypeName(type), " record for ",
                        chain.final_name, " (NOERROR, no data)", detail),
           result);
}

}  // namespace propwatch::dns
