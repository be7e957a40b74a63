#include "agent/dns/dns_message.h"

#include <arpa/inet.h>

#include <array>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace propwatch::dns {
namespace {

constexpr size_t kHeaderBytes = 12;         // RFC 1035 section 4.1.1
constexpr size_t kMaxNameWireOctets = 255;  // RFC 1035 section 2.3.4
// Pointers that always land before the previous landing point already rule
// out loops; this also bounds the work of a long chain of short hops.
constexpr int kMaxPointerHops = 64;

absl::Status Malformed(absl::string_view what, size_t offset) {
  return absl::InvalidArgumentError(
      absl::StrCat("malformed DNS message: ", what, " at byte ", offset));
}

// Reads big-endian fields from the message with bounds checks.
class WireReader {
 public:
  explicit WireReader(absl::Span<const uint8_t> wire) : wire_(wire) {}

  size_t offset() const { return offset_; }
  size_t size() const { return wire_.size(); }
  size_t remaining() const { return wire_.size() - offset_; }

  absl::Status Need(size_t n, absl::string_view what) const {
    if (remaining() < n) {
      return Malformed(absl::StrCat(what, " needs ", n, " bytes but ",
                                    remaining(), " remain"),
                       offset_);
    }
    return absl::OkStatus();
  }
  uint8_t U8() { return wire_[offset_++]; }
  uint16_t U16() {
    const uint16_t v =
        static_cast<uint16_t>(wire_[offset_] << 8 | wire_[offset_ + 1]);
    offset_ += 2;
    return v;
  }
  uint32_t U32() {
    const uint32_t v = static_cast<uint32_t>(wire_[offset_]) << 24 |
                       static_cast<uint32_t>(wire_[offset_ + 1]) << 16 |
                       static_cast<uint32_t>(wire_[offset_ + 2]) << 8 |
                       static_cast<uint32_t>(wire_[offset_ + 3]);
    offset_ += 4;
    return v;
  }
  void Skip(size_t n) { offset_ += n; }
  void Seek(size_t offset) { offset_ = offset; }
  const uint8_t* Here() const { return wire_.data() + offset_; }
  absl::Span<const uint8_t> wire() const { return wire_; }

 private:
  absl::Span<const uint8_t> wire_;
  size_t offset_ = 0;
};

// Appends one label in RFC 1035 section 5.1 presentation form: "." and "\"
// are escaped with a backslash, bytes outside printable ASCII as \DDD.
void AppendLabel(const uint8_t* label, size_t length, std::string* out) {
  for (size_t i = 0; i < length; ++i) {
    const uint8_t c = label[i];
    if (c == '.' || c == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(c));
    } else if (c <= ' ' || c >= 0x7f) {
      char digits[5];
      digits[0] = '\\';
      digits[1] = static_cast<char>('0' + c / 100);
      digits[2] = static_cast<char>('0' + c / 10 % 10);
      digits[3] = static_cast<char>('0' + c % 10);
      digits[4] = '\0';
      out->append(digits);
    } else {
      out->push_back(static_cast<char>(c));
    }
  }
}

// Reads a possibly compressed domain name (RFC 1035 section 4.1.4) starting
// at the reader's offset, leaving the reader just past the name as it appears
// at that position (after the first pointer, if any).
absl::StatusOr<std::string> ReadName(WireReader& reader) {
  const absl::Span<const uint8_t> wire = reader.wire();
  size_t pos = reader.offset();
  size_t segment_start = pos;  // where the current run of labels began
  size_t resume = 0;  // where the reader continues after the first pointer
  bool jumped = false;
  int hops = 0;
  size_t wire_octets = 0;
  std::string name;
  for (;;) {
    if (pos >= wire.size()) {
      return Malformed("domain name runs past the end of the message", pos);
    }
    const uint8_t length = wire[pos];
    const uint8_t kind = length & 0xC0;
    if (kind == 0xC0) {
      if (pos + 1 >= wire.size()) {
        return Malformed("compression pointer cut short", pos);
      }
      const size_t target =
          static_cast<size_t>(length & 0x3F) << 8 | wire[pos + 1];
      // A pointer refers to a prior occurrence of a suffix (RFC 1035
      // section 4.1.4), which was written before the labels that lead to the
      // pointer. Requiring every target to lie before the run of labels just
      // read makes each hop land strictly lower, so loops are impossible.
      if (target >= segment_start) {
        return Malformed(absl::StrCat("compression pointer to byte ", target,
                                      " does not point before its name (loop)"),
                         pos);
      }
      if (++hops > kMaxPointerHops) {
        return Malformed("too many compression pointers in one name", pos);
      }
      if (!jumped) {
        resume = pos + 2;
        jumped = true;
      }
      pos = target;
      segment_start = target;
      continue;
    }
    if (kind != 0) {
      // 0x40 (RFC 6891 extended labels, obsolete) and 0x80 are not names.
      return Malformed(
          absl::StrCat("unsupported label type 0x", absl::Hex(kind)), pos);
    }
    wire_octets += 1 + length;
    if (wire_octets > kMaxNameWireOctets) {
      return Malformed("domain name longer than 255 octets", pos);
    }
    if (length == 0) {
      reader.Seek(jumped ? resume : pos + 1);
      if (name.empty()) name.push_back('.');  // the root
      return name;
    }
    if (pos + 1 + length > wire.size()) {
      return Malformed("label runs past the end of the message", pos);
    }
    if (!name.empty()) name.push_back('.');
    AppendLabel(wire.data() + pos + 1, length, &name);
    pos += 1 + length;
  }
}

std::string FormatAddress(int family, const uint8_t* bytes) {
  char text[INET6_ADDRSTRLEN];
  if (inet_ntop(family, bytes, text, sizeof(text)) == nullptr) return "";
  return text;
}

absl::StatusOr<std::string> ReadRdata(WireReader& reader, uint16_t type,
                                      size_t rdlength,
                                      absl::string_view owner) {
  const size_t start = reader.offset();
  const size_t end = start + rdlength;
  auto expect_end = [&](absl::string_view what) -> absl::Status {
    if (reader.offset() != end) {
      return Malformed(absl::StrCat(what, " rdata of ", owner, " is ",
                                    reader.offset() - start,
                                    " bytes but RDLENGTH says ", rdlength),
                       start);
    }
    return absl::OkStatus();
  };
  switch (type) {
    case kTypeA:
    case kTypeAaaa: {
      const size_t want = type == kTypeA ? 4 : 16;  // RFC 1035 3.4.1, 3596 2.2
      if (rdlength != want) {
        return Malformed(
            absl::StrCat(TypeName(type), " record of ", owner, " has RDLENGTH ",
                         rdlength, ", expected ", want),
            start);
      }
      std::string text =
          FormatAddress(type == kTypeA ? AF_INET : AF_INET6, reader.Here());
      reader.Skip(rdlength);
      return text;
    }
    case kTypeCname:
    case kTypeNs: {
      absl::StatusOr<std::string> target = ReadName(reader);
      if (!target.ok()) return target.status();
      if (absl::Status s = expect_end(TypeName(type)); !s.ok()) return s;
      return target;
    }
    case kTypeSoa: {  // RFC 1035 section 3.3.13
      absl::StatusOr<std::string> mname = ReadName(reader);
      if (!mname.ok()) return mname.status();
      absl::StatusOr<std::string> rname = ReadName(reader);
      if (!rname.ok()) return rname.status();
      // The bounded reader keeps offset() <= end.
      if (end - reader.offset() != 20) {
        return Malformed(absl::StrCat("SOA rdata of ", owner,
                                      " does not end with the 20 bytes of "
                                      "SERIAL through MINIMUM"),
                         start);
      }
      const uint32_t serial = reader.U32();
      reader.Skip(16);
      return absl::StrCat(*mname, " ", *rname, " ", serial);
    }
    default: {
      std::string text = absl::StrCat("\\# ", rdlength);
      if (rdlength > 0) {
        absl::StrAppend(
            &text, " ",
            absl::BytesToHexString(absl::string_view(
                reinterpret_cast<const char*>(reader.Here()), rdlength)));
      }
      reader.Skip(rdlength);
      return text;
    }
  }
}

absl::StatusOr<DnsRecord> ReadRecord(WireReader& reader,
                                     absl::string_view section) {
  DnsRecord record;
  absl::StatusOr<std::string> name = ReadName(reader);
  if (!name.ok()) return name.status();
  record.name = *std::move(name);
  if (absl::Status s = reader.Need(10, absl::StrCat(section,
                                                    " record fixed "
                                                    "fields"));
      !s.ok()) {
    return s;
  }
  record.type = reader.U16();
  record.rclass = reader.U16();
  const uint32_t ttl = reader.U32();
  // RFC 2181 section 8: a TTL with the top bit set reads as 0. An OPT
  // record's TTL field is no TTL but the extended RCODE, version and flags
  // (RFC 6891 section 6.1.3); clamping it would turn an extended RCODE of
  // 2048 or more into NOERROR.
  record.ttl = ttl > 0x7fffffffu && record.type != kTypeOpt ? 0 : ttl;
  const uint16_t rdlength = reader.U16();
  if (absl::Status s = reader.Need(
          rdlength, absl::StrCat(section, " record rdata of ", record.name));
      !s.ok()) {
    return s;
  }
  // Names inside rdata may point anywhere earlier in the message, but must
  // not run past RDLENGTH; parse against a view that ends there.
  WireReader bounded(reader.wire().subspan(0, reader.offset() + rdlength));
  bounded.Seek(reader.offset());
  absl::StatusOr<std::string> data =
      ReadRdata(bounded, record.type, rdlength, record.name);
  if (!data.ok()) return data.status();
  record.data = *std::move(data);
  reader.Skip(rdlength);
  return record;
}

absl::Status ReadSection(WireReader& reader, uint16_t count,
                         absl::string_view section,
                         std::vector<DnsRecord>* out) {
  out->reserve(count);
  for (uint16_t i = 0; i < count; ++i) {
    absl::StatusOr<DnsRecord> record = ReadRecord(reader, section);
    if (!record.ok()) {
      return absl::Status(record.status().code(),
                          absl::StrCat(record.status().message(), " (", section,
                                       " record ", i + 1, " of ", count, ")"));
    }
    out->push_back(*std::move(record));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<DnsMessage> ParseDnsMessage(absl::Span<const uint8_t> wire,
                                           const DnsParseLimits& limits) {
  if (wire.size() > limits.max_message_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("DNS message of ", wire.size(),
                     " bytes exceeds the limit of ", limits.max_message_bytes));
  }
  WireReader reader(wire);
  if (wire.size() < kHeaderBytes) {
    return Malformed(absl::StrCat("message of ", wire.size(),
                                  " bytes is shorter than the 12-byte header"),
                     0);
  }
  DnsMessage message;
  DnsHeader& h = message.header;
  h.id = reader.U16();
  const uint16_t flags = reader.U16();
  h.qr = flags & 0x8000;
  h.opcode = static_cast<uint8_t>(flags >> 11 & 0xF);
  h.aa = flags & 0x0400;
  h.tc = flags & 0x0200;
  h.rd = flags & 0x0100;
  h.ra = flags & 0x0080;
  h.rcode = static_cast<uint8_t>(flags & 0xF);
  h.qdcount = reader.U16();
  h.ancount = reader.U16();
  h.nscount = reader.U16();
  h.arcount = reader.U16();
  message.rcode = h.rcode;

  const size_t total = size_t{h.qdcount} + h.ancount + h.nscount + h.arcount;
  if (total > limits.max_records) {
    return absl::ResourceExhaustedError(
        absl::StrCat("DNS message claims ", total,
                     " questions and records, over the limit "
                     "of ",
                     limits.max_records));
  }

  message.questions.reserve(h.qdcount);
  for (uint16_t i = 0; i < h.qdcount; ++i) {
    DnsQuestion question;
    absl::StatusOr<std::string> name = ReadName(reader);
    if (!name.ok()) return name.status();
    question.name = *std::move(name);
    if (absl::Status s = reader.Need(4, "question type and class"); !s.ok()) {
      return s;
    }
    question.type = reader.U16();
    question.qclass = reader.U16();
    message.questions.push_back(std::move(question));
  }
  if (absl::Status s =
          ReadSection(reader, h.ancount, "answer", &message.answers);
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          ReadSection(reader, h.nscount, "authority", &message.authority);
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          ReadSection(reader, h.arcount, "additional", &message.additional);
      !s.ok()) {
    return s;
  }
  if (reader.remaining() != 0) {
    return Malformed(absl::StrCat(reader.remaining(),
                                  " bytes follow the last record the header "
                                  "counts announce"),
                     reader.offset());
  }

  bool seen_opt = false;
  for (const DnsRecord& record : message.additional) {
    if (record.type != kTypeOpt) continue;
    if (seen_opt) {  // RFC 6891 section 6.1.1: at most one OPT
      return Malformed("more than one OPT record", wire.size());
    }
    seen_opt = true;
    message.rcode = static_cast<int>(record.ttl >> 24 << 4) | h.rcode;
  }
  return message;
}

std::string RcodeName(int rcode) {
  static constexpr std::array<const char*, 11> kNames = {
      "NOERROR",  "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
      "YXDOMAIN", "YXRRSET", "NXRRSET",  "NOTAUTH",  "NOTZONE"};
  if (rcode >= 0 && rcode < static_cast<int>(kNames.size())) {
    return kNames[rcode];
  }
  if (rcode == 16) return "BADVERS";    // RFC 6891 section 9
  if (rcode == 23) return "BADCOOKIE";  // RFC 7873 section 8
  return absl::StrCat("RCODE", rcode);
}

int RcodeFromName(absl::string_view name) {
  const std::string upper = absl::AsciiStrToUpper(name);
  for (int rcode = 0; rcode <= 23; ++rcode) {
    if (RcodeName(rcode) == upper) return rcode;
  }
  int rcode = 0;
  absl::string_view digits = upper;
  // Extended RCODEs are 12 bits wide (RFC 6891 section 6.1.3).
  if (absl::ConsumePrefix(&digits, "RCODE") &&
      absl::SimpleAtoi(digits, &rcode) && rcode >= 0 && rcode < 4096 &&
      RcodeName(rcode) == upper) {
    return rcode;
  }
  return -1;
}

std::string TypeName(uint16_t type) {
  switch (type) {
    case kTypeA:
      return "A";
    case kTypeNs:
      return "NS";
    case kTypeCname:
      return "CNAME";
    case kTypeSoa:
      return "SOA";
    case kTypeAaaa:
      return "AAAA";
    case kTypeOpt:
      return "OPT";
  }
  return absl::StrCat("TYPE", type);
}

}  // namespace propwatch::dns
