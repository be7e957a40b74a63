#include "coordinator/storage/key_codec.h"

#include <arpa/inet.h>

#include <cstring>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace propwatch {
namespace {

void AppendBigEndian(std::string& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) {
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
}

uint64_t ReadBigEndian(absl::string_view in) {
  uint64_t v = 0;
  for (char c : in) v = (v << 8) | static_cast<uint8_t>(c);
  return v;
}

}  // namespace

KeyWriter::KeyWriter(KeyTag tag) { key_.push_back(static_cast<char>(tag)); }

KeyWriter& KeyWriter::U8(uint8_t v) {
  key_.push_back(static_cast<char>(v));
  return *this;
}

KeyWriter& KeyWriter::U32(uint32_t v) {
  AppendBigEndian(key_, v, 4);
  return *this;
}

KeyWriter& KeyWriter::U64(uint64_t v) {
  AppendBigEndian(key_, v, 8);
  return *this;
}

KeyWriter& KeyWriter::String(absl::string_view s) {
  if (s.size() > 0xffff) {
    ok_ = false;
    s = s.substr(0, 0xffff);
  }
  AppendBigEndian(key_, s.size(), 2);
  key_.append(s.data(), s.size());
  return *this;
}

KeyWriter& KeyWriter::Ip(absl::string_view ip) {
  unsigned char buf[16] = {};
  const std::string text(ip);
  if (inet_pton(AF_INET6, text.c_str(), buf) != 1) {
    unsigned char v4[4];
    if (inet_pton(AF_INET, text.c_str(), v4) == 1) {
      std::memset(buf, 0, sizeof(buf));
      buf[10] = 0xff;
      buf[11] = 0xff;
      std::memcpy(buf + 12, v4, 4);
    } else {
      ok_ = false;
    }
  }
  key_.append(reinterpret_cast<const char*>(buf), 16);
  return *this;
}

absl::StatusOr<absl::string_view> KeyReader::Take(size_t n,
                                                  absl::string_view what) {
  if (rest_.size() < n) {
    return absl::InvalidArgumentError(absl::StrCat("key too short: wanted ", n,
                                                   " bytes for ", what,
                                                   ", have ", rest_.size()));
  }
  absl::string_view out = rest_.substr(0, n);
  rest_.remove_prefix(n);
  return out;
}

absl::StatusOr<KeyTag> KeyReader::Tag() {
  auto b = Take(1, "tag");
  if (!b.ok()) return b.status();
  return static_cast<KeyTag>(static_cast<uint8_t>((*b)[0]));
}

absl::StatusOr<uint8_t> KeyReader::U8() {
  auto b = Take(1, "u8");
  if (!b.ok()) return b.status();
  return static_cast<uint8_t>((*b)[0]);
}

absl::StatusOr<uint32_t> KeyReader::U32() {
  auto b = Take(4, "u32");
  if (!b.ok()) return b.status();
  return static_cast<uint32_t>(ReadBigEndian(*b));
}

absl::StatusOr<uint64_t> KeyReader::U64() {
  auto b = Take(8, "u64");
  if (!b.ok()) return b.status();
  return ReadBigEndian(*b);
}

absl::StatusOr<std::string> KeyReader::String() {
  auto len = Take(2, "string length");
  if (!len.ok()) return len.status();
  auto body = Take(ReadBigEndian(*len), "string");
  if (!body.ok()) return body.status();
  return std::string(*body);
}

absl::StatusOr<std::string> KeyReader::Ip() {
  auto b = Take(16, "ip");
  if (!b.ok()) return b.status();
  const auto* bytes = reinterpret_cast<const unsigned char*>(b->data());
  static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0,    0,
                                                0, 0, 0, 0, 0xff, 0xff};
  char text[INET6_ADDRSTRLEN];
  if (std::memcmp(bytes, kMapped, 12) == 0) {
    inet_ntop(AF_INET, bytes + 12, text, sizeof(text));
  } else {
    inet_ntop(AF_INET6, bytes, text, sizeof(text));
  }
  return std::string(text);
}

std::string AgentKey(absl::string_view agent_id) {
  return KeyWriter(KeyTag::kAgent).String(agent_id).Release();
}

std::string VerificationKey(absl::string_view verification_id) {
  return KeyWriter(KeyTag::kVerification).String(verification_id).Release();
}

std::string RoundKey(absl::string_view verification_id, uint32_t round) {
  return KeyWriter(KeyTag::kRound).String(verification_id).U32(round).Release();
}

std::string ResultKey(absl::string_view verification_id, uint32_t round,
                      Phase phase, absl::string_view agent_id,
                      uint64_t sequence) {
  return KeyWriter(KeyTag::kResult)
      .String(verification_id)
      .U32(round)
      .U8(static_cast<uint8_t>(phase))
      .String(agent_id)
      .U64(sequence)
      .Release();
}

std::string ReportKey(absl::string_view verification_id, uint32_t round) {
  return KeyWriter(KeyTag::kReport)
      .String(verification_id)
      .U32(round)
      .Release();
}

std::string AgentSequenceKey(absl::string_view agent_id) {
  return KeyWriter(KeyTag::kAgentSequence).String(agent_id).Release();
}

std::string OpenCommandKey(uint64_t command_id) {
  return KeyWriter(KeyTag::kOpenCommand).U64(command_id).Release();
}

absl::StatusOr<ResultKeyFields> DecodeResultKey(absl::string_view key) {
  KeyReader reader(key);
  auto tag = reader.Tag();
  if (!tag.ok()) return tag.status();
  if (*tag != KeyTag::kResult) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a result key: tag ", static_cast<int>(*tag)));
  }
  ResultKeyFields out;
  auto vid = reader.String();
  if (!vid.ok()) return vid.status();
  out.verification_id = *std::move(vid);
  auto round = reader.U32();
  if (!round.ok()) return round.status();
  out.round = *round;
  auto phase = reader.U8();
  if (!phase.ok()) return phase.status();
  if (*phase != static_cast<uint8_t>(Phase::kDns) &&
      *phase != static_cast<uint8_t>(Phase::kHttp)) {
    return absl::InvalidArgumentError(
        absl::StrCat("result key has unknown phase ", *phase));
  }
  out.phase = static_cast<Phase>(*phase);
  auto agent = reader.String();
  if (!agent.ok()) return agent.status();
  out.agent_id = *std::move(agent);
  auto seq = reader.U64();
  if (!seq.ok()) return seq.status();
  out.sequence = *seq;
  if (!reader.done()) {
    return absl::InvalidArgumentError("result key has trailing bytes");
  }
  return out;
}

std::string PrefixSuccessor(absl::string_view prefix) {
  std::string out(prefix);
  while (!out.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(out.back());
    if (last != 0xff) {
      ++last;
      return out;
    }
    out.pop_back();
  }
  return out;  // empty: no upper bound
}

KeyRange VerificationPrefixRange(KeyTag tag,
                                 absl::string_view verification_id) {
  KeyRange range;
  range.begin = KeyWriter(tag).String(verification_id).Release();
  range.end = PrefixSuccessor(range.begin);
  return range;
}

std::string KeyToHex(absl::string_view key) {
  return absl::BytesToHexString(key);
}

absl::StatusOr<std::string> KeyFromHex(absl::string_view hex) {
  if (hex.size() % 2 != 0 || hex.find_first_not_of("0123456789abcdefABCDEF") !=
                                 absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", hex, "' is not a hex key"));
  }
  return absl::HexStringToBytes(hex);
}

}  // namespace propwatch
