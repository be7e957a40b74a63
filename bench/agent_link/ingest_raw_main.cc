// propwatch-ingest-raw: the raw RocksDB peer of the fleet's ingest run. It
// writes the records the coordinator would store for `--agents` agents x
// `--per-agent` results (same keys from key_codec's ResultKey, same
// serialized ProbeResult values with the coordinator's identity stamp), in
// synced WriteBatches of `--batch` results like the ingest writer, to a
// fresh RocksDB opened through the coordinator's Store. Keys and values are
// built before the clock starts, so the figure is RocksDB's alone. Prints
// one JSON line.
#include <stdlib.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "bench/agent_link/synthetic_results.h"
#include "coordinator/storage/key_codec.h"
#include "coordinator/storage/store.h"
#include "rocksdb/write_batch.h"

namespace {

struct Record {
  std::string key;
  std::string value;
};

// The order the coordinator sees them in: agents take turns, each sending
// `message_batch` results per ResultBatch.
std::vector<Record> BuildRecords(const std::string& prefix, int agents,
                                 uint64_t per_agent, uint64_t message_batch) {
  const propwatch::bench::ResultFactory factory;
  std::vector<Record> records;
  records.reserve(static_cast<size_t>(agents) * per_agent);
  for (uint64_t first = 1; first <= per_agent; first += message_batch) {
    const uint64_t last = std::min(per_agent, first + message_batch - 1);
    for (int a = 0; a < agents; ++a) {
      const std::string agent_id = propwatch::bench::FleetAgentId(prefix, a);
      const std::string region = propwatch::bench::FleetRegion(a);
      for (uint64_t seq = first; seq <= last; ++seq) {
        propwatch::v1::ProbeResult r = factory.Make(seq);
        propwatch::bench::StampIdentity(agent_id, region, r);
        const propwatch::Phase phase =
            r.has_http() ? propwatch::Phase::kHttp : propwatch::Phase::kDns;
        records.push_back({propwatch::ResultKey(r.verification_id(), r.round(),
                                                phase, agent_id, seq),
                           r.SerializeAsString()});
      }
    }
  }
  return records;
}

}  // namespace

int main(int argc, char** argv) {
  int agents = 1000;
  uint64_t per_agent = 200;
  uint64_t message_batch = 50;
  size_t batch = 1000;
  std::string prefix = "fleet-";
  std::string parent = std::filesystem::temp_directory_path().string();

  CLI::App app{"propwatch-ingest-raw: synced RocksDB WriteBatch baseline"};
  app.add_option("--agents", agents)
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  app.add_option("--per-agent", per_agent, "results per agent")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1000000}))
      ->capture_default_str();
  app.add_option("--message-batch", message_batch,
                 "results per agent message (sets the interleaving)")
      ->check(CLI::Range(uint64_t{1}, uint64_t{100000}))
      ->capture_default_str();
  app.add_option("--batch", batch,
                 "results per WriteBatch (the ingest writer's max_batch)")
      ->check(CLI::Range(size_t{1}, size_t{1000000}))
      ->capture_default_str();
  app.add_option("--agent-prefix", prefix)->capture_default_str();
  app.add_option("--tmp", parent, "where the fresh database directory goes")
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  std::string pattern = parent + "/propwatch-ingest-raw-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    std::perror("mkdtemp");
    return 2;
  }
  const std::string dir = pattern;
  const std::vector<Record> records =
      BuildRecords(prefix, agents, per_agent, message_batch);
  double value_bytes = 0;
  for (const Record& r : records) value_bytes += r.value.size();

  double seconds = 0;
  size_t batches = 0;
  {
    auto store = propwatch::Store::Open(dir + "/db");
    if (!store.ok()) {
      std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
      std::filesystem::remove_all(dir);
      return 2;
    }
    rocksdb::ColumnFamilyHandle* results =
        (*store)->family(propwatch::Family::kResults);
    rocksdb::WriteOptions write;
    write.sync = true;  // as the ingest writer: durable before the ack
    const auto start = std::chrono::steady_clock::now();
    for (size_t i = 0; i < records.size(); i += batch) {
      rocksdb::WriteBatch wb;
      const size_t end = std::min(records.size(), i + batch);
      for (size_t j = i; j < end; ++j) {
        wb.Put(results, records[j].key, records[j].value);
      }
      rocksdb::Status s = (*store)->db().Write(write, &wb);
      if (!s.ok()) {
        std::fprintf(stderr, "write: %s\n", s.ToString().c_str());
        store->reset();
        std::filesystem::remove_all(dir);
        return 2;
      }
      ++batches;
    }
    seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
  }
  std::filesystem::remove_all(dir);
  std::printf(
      "{\"tool\":\"propwatch-ingest-raw\",\"results\":%zu,\"batch\":%zu,"
      "\"batches\":%zu,\"seconds\":%.3f,\"results_per_second\":%.0f,"
      "\"mean_value_bytes\":%.0f}\n",
      records.size(), batch, batches, seconds,
      seconds > 0 ? records.size() / seconds : 0.0,
      records.empty() ? 0.0 : value_bytes / records.size());
  return 0;
}
