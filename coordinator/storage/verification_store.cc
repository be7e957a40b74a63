#include "coordinator/storage/verification_store.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <limits>
#include <memory>

#include "absl/strings/str_cat.h"
#include "common/time_convert.h"
#include "coordinator/engine/evaluate_round.h"
#include "coordinator/storage/key_codec.h"
#include "coordinator/storage/rocksdb_status.h"

namespace propwatch {
namespace {

rocksdb::WriteOptions Durable() {
  rocksdb::WriteOptions write;
  write.sync = true;
  return write;
}

bool Watches(const v1::Verification& v, absl::string_view hostname) {
  return hostname.empty() ||
         std::find(v.spec().hostnames().begin(), v.spec().hostnames().end(),
                   hostname) != v.spec().hostnames().end();
}

// Map fields in key order, so equal records are equal bytes.
std::string SerializeDeterministically(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  m.SerializeToCodedStream(&coded);
  coded.Trim();
  return out;
}

bool Matches(const v1::ProbeResult& r, const ResultFilter& f) {
  if (!f.region.empty() && r.region() != f.region) return false;
  if (!f.agent_id.empty() && r.agent_id() != f.agent_id) return false;
  if (f.kind == "dns" && !r.has_dns()) return false;
  if (f.kind == "http" && !r.has_http()) return false;
  if (!f.ip.empty()) {
    if (r.has_http()) return r.http().pinned_ip() == f.ip;
    const auto& a = r.dns().addresses();
    return std::find(a.begin(), a.end(), f.ip) != a.end();
  }
  return true;
}

}  // namespace

absl::Status VerificationStore::Put(const v1::Verification& verification) {
  return FromRocksStatus(
      store_.db().Put(Durable(), store_.family(Family::kVerifications),
                      VerificationKey(verification.id()),
                      verification.SerializeAsString()),
      absl::StrCat("store verification ", verification.id()));
}

absl::StatusOr<v1::Verification> VerificationStore::Get(absl::string_view id) {
  std::string value;
  rocksdb::Status s = store_.db().Get(rocksdb::ReadOptions(),
                                      store_.family(Family::kVerifications),
                                      VerificationKey(id), &value);
  if (s.IsNotFound()) {
    return absl::NotFoundError(absl::StrCat(
        "no verification '", id, "' (propwatchctl list shows the ids)"));
  }
  if (!s.ok())
    return FromRocksStatus(s, absl::StrCat("read verification ", id));
  v1::Verification v;
  if (!v.ParseFromString(value)) {
    return absl::DataLossError(
        absl::StrCat("verification ", id, " is corrupt"));
  }
  return v;
}

absl::StatusOr<std::vector<v1::Verification>> VerificationStore::List(
    absl::string_view before_id, size_t limit, v1::VerificationState state,
    absl::string_view hostname) {
  std::unique_ptr<rocksdb::Iterator> it(store_.db().NewIterator(
      rocksdb::ReadOptions(), store_.family(Family::kVerifications)));
  const std::string tag(1, static_cast<char>(KeyTag::kVerification));
  if (before_id.empty()) {
    it->SeekForPrev(PrefixSuccessor(tag));
  } else {
    it->SeekForPrev(VerificationKey(before_id));
    if (it->Valid() && it->key() == VerificationKey(before_id)) it->Prev();
  }
  std::vector<v1::Verification> out;
  for (; it->Valid() && out.size() < limit; it->Prev()) {
    if (!it->key().starts_with(tag)) break;
    v1::Verification v;
    if (!v.ParseFromString(it->value().ToString())) continue;
    if (state != v1::VERIFICATION_STATE_UNSPECIFIED && v.state() != state) {
      continue;
    }
    if (!Watches(v, hostname)) continue;
    out.push_back(std::move(v));
  }
  if (!it->status().ok())
    return FromRocksStatus(it->status(), "list verifications");
  return out;
}

absl::StatusOr<std::vector<v1::Verification>> VerificationStore::Running() {
  std::unique_ptr<rocksdb::Iterator> it(store_.db().NewIterator(
      rocksdb::ReadOptions(), store_.family(Family::kVerifications)));
  std::vector<v1::Verification> out;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    v1::Verification v;
    if (v.ParseFromString(it->value().ToString()) &&
        v.state() == v1::VERIFICATION_STATE_RUNNING) {
      out.push_back(std::move(v));
    }
  }
  if (!it->status().ok())
    return FromRocksStatus(it->status(), "scan verifications");
  return out;
}

absl::Status VerificationStore::PutRoundReport(const v1::RoundReport& report) {
  return FromRocksStatus(
      store_.db().Put(Durable(), store_.family(Family::kReports),
                      ReportKey(report.verification_id(), report.round()),
                      SerializeReportDeterministically(report)),
      absl::StrCat("store report of ", report.verification_id(), " round ",
                   report.round()));
}

absl::StatusOr<std::vector<v1::RoundReport>> VerificationStore::RoundReports(
    absl::string_view id, uint32_t round) {
  std::vector<v1::RoundReport> out;
  const KeyRange range = round == 0
                             ? VerificationPrefixRange(KeyTag::kReport, id)
                             : KeyRange{ReportKey(id, round),
                                        PrefixSuccessor(ReportKey(id, round))};
  std::unique_ptr<rocksdb::Iterator> it(store_.db().NewIterator(
      rocksdb::ReadOptions(), store_.family(Family::kReports)));
  for (it->Seek(range.begin); it->Valid() && it->key().compare(range.end) < 0;
       it->Next()) {
    v1::RoundReport report;
    if (!report.ParseFromString(it->value().ToString())) {
      return absl::DataLossError(
          absl::StrCat("a report of ", id, " is corrupt"));
    }
    out.push_back(std::move(report));
  }
  if (!it->status().ok()) return FromRocksStatus(it->status(), "read reports");
  return out;
}

absl::Status VerificationStore::PutRound(const v1::RoundRecord& round) {
  return FromRocksStatus(
      store_.db().Put(Durable(), store_.family(Family::kRounds),
                      RoundKey(round.verification_id(), round.round()),
                      SerializeDeterministically(round)),
      absl::StrCat("store round ", round.round(), " of ",
                   round.verification_id()));
}

absl::StatusOr<v1::RoundRecord> VerificationStore::GetRound(
    absl::string_view id, uint32_t round) {
  std::string value;
  rocksdb::Status s =
      store_.db().Get(rocksdb::ReadOptions(), store_.family(Family::kRounds),
                      RoundKey(id, round), &value);
  if (s.IsNotFound()) {
    return absl::NotFoundError(
        absl::StrCat("verification ", id, " has no round ", round));
  }
  if (!s.ok()) return FromRocksStatus(s, "read round");
  v1::RoundRecord record;
  if (!record.ParseFromString(value)) {
    return absl::DataLossError(
        absl::StrCat("round ", round, " of ", id, " is corrupt"));
  }
  return record;
}

absl::StatusOr<ResultPage> VerificationStore::RoundResults(absl::string_view id,
                                                           uint32_t round) {
  return QueryResults(id, ResultFilter{round, "", "", "", ""},
                      std::numeric_limits<size_t>::max(), "");
}

absl::StatusOr<ResultPage> VerificationStore::QueryResults(
    absl::string_view id, const ResultFilter& filter, size_t limit,
    absl::string_view page_token) {
  KeyRange range = VerificationPrefixRange(KeyTag::kResult, id);
  if (filter.round != 0) {
    range.begin =
        KeyWriter(KeyTag::kResult).String(id).U32(filter.round).Release();
    range.end = PrefixSuccessor(range.begin);
  }
  std::string start = range.begin;
  if (!page_token.empty()) {
    auto key = KeyFromHex(page_token);
    if (!key.ok() || *key < range.begin || *key >= range.end) {
      return absl::InvalidArgumentError(
          "page_token does not belong to this query; start without it");
    }
    start = *key + std::string(1, '\0');  // strictly after the last one
  }
  ResultPage page;
  std::unique_ptr<rocksdb::Iterator> it(store_.db().NewIterator(
      rocksdb::ReadOptions(), store_.family(Family::kResults)));
  std::string last_key;
  for (it->Seek(start); it->Valid() && it->key().compare(range.end) < 0;
       it->Next()) {
    v1::ProbeResult r;
    if (!r.ParseFromString(it->value().ToString())) {
      return absl::DataLossError("a stored result is corrupt");
    }
    if (!Matches(r, filter)) continue;
    if (page.results.size() == limit) {
      page.next_token = KeyToHex(last_key);
      break;
    }
    last_key = it->key().ToString();
    page.keys.push_back(last_key);
    page.results.push_back(std::move(r));
  }
  if (!it->status().ok()) return FromRocksStatus(it->status(), "read results");
  return page;
}

absl::StatusOr<size_t> VerificationStore::DeleteCreatedBefore(
    absl::Time cutoff) {
  std::vector<std::string> old;
  {
    std::unique_ptr<rocksdb::Iterator> it(store_.db().NewIterator(
        rocksdb::ReadOptions(), store_.family(Family::kVerifications)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      v1::Verification v;
      if (!v.ParseFromString(it->value().ToString())) continue;
      if (v.state() == v1::VERIFICATION_STATE_RUNNING) continue;
      if (FromProtoTime(v.created_at()) < cutoff) old.push_back(v.id());
    }
  }
  for (const std::string& id : old) {
    rocksdb::WriteBatch batch;
    for (auto [family, tag] : {std::pair{Family::kRounds, KeyTag::kRound},
                               {Family::kResults, KeyTag::kResult},
                               {Family::kReports, KeyTag::kReport}}) {
      KeyRange r = VerificationPrefixRange(tag, id);
      batch.DeleteRange(store_.family(family), r.begin, r.end);
    }
    batch.Delete(store_.family(Family::kVerifications), VerificationKey(id));
    absl::Status s = FromRocksStatus(store_.db().Write(Durable(), &batch),
                                     absl::StrCat("delete verification ", id));
    if (!s.ok()) return s;
  }
  return old.size();
}

}  // namespace propwatch
