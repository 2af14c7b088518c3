// Export, checkpoint and restore of the RocksDB engine.

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "rocksdb/db.h"
#include "rocksdb/utilities/checkpoint.h"
#include "storage/key_codec.h"
#include "storage/records.h"
#include "storage/rocks_status.h"
#include "storage/rocksdb_engine.h"
#include "storage/rocksdb_store.h"
#include "storage/status_macros.h"

namespace partnergraph::storage {
namespace {

int64_t DirectoryBytes(const std::string& dir) {
  std::error_code ec;
  int64_t total = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_regular_file(ec)) {
      total += static_cast<int64_t>(entry.file_size(ec));
    }
  }
  return total;
}

class RocksDbRecordCursor final : public RecordCursor {
 public:
  explicit RocksDbRecordCursor(rocksdb::DB* db)
      : db_(db), snapshot_(db->GetSnapshot()) {
    options_.snapshot = snapshot_;
  }
  ~RocksDbRecordCursor() override {
    it_.reset();
    db_->ReleaseSnapshot(snapshot_);
  }

  absl::Status Init() {
    std::string value;
    rocksdb::Status s =
        db_->Get(options_, keys::MetaKey(keys::kMetaRevision), &value);
    if (!s.IsNotFound()) RETURN_IF_ERROR(FromRocks(s, "read revision"));
    revision_ = s.ok() ? keys::DecodeInt64(value) : 0;
    return Open(keys::kCompany);
  }

  int64_t revision() const override { return revision_; }

  absl::StatusOr<bool> Next(
      int max_records, std::vector<CompanyRecord>* companies,
      std::vector<PartnershipRecord>* partnerships) override {
    int n = 0;
    while (it_ != nullptr && n < max_records) {
      if (!it_->Valid()) {
        RETURN_IF_ERROR(FromRocks(it_->status(), "export"));
        if (table_ == keys::kCompany) {
          RETURN_IF_ERROR(Open(keys::kPartnership));
        } else {
          it_.reset();
        }
        continue;
      }
      if (table_ == keys::kCompany) {
        ASSIGN_OR_RETURN(CompanyRecord c, ParseRecord<CompanyRecord>(
                                              View(it_->value()), kCompanies));
        companies->push_back(std::move(c));
      } else {
        ASSIGN_OR_RETURN(
            PartnershipRecord p,
            ParseRecord<PartnershipRecord>(View(it_->value()), kPartnerships));
        partnerships->push_back(std::move(p));
      }
      ++n;
      it_->Next();
    }
    return it_ != nullptr;
  }

 private:
  absl::Status Open(char table) {
    table_ = table;
    prefix_ = keys::TablePrefix(table);
    upper_ = keys::PrefixSuccessor(prefix_);
    upper_slice_ = rocksdb::Slice(upper_);
    rocksdb::ReadOptions ro = options_;
    ro.iterate_upper_bound = &upper_slice_;
    it_.reset(db_->NewIterator(ro));
    it_->Seek(prefix_);
    return FromRocks(it_->status(), "export");
  }

  rocksdb::DB* db_;
  const rocksdb::Snapshot* snapshot_;
  rocksdb::ReadOptions options_;
  int64_t revision_ = 0;
  char table_ = 0;
  std::string prefix_, upper_;
  rocksdb::Slice upper_slice_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

}  // namespace

absl::StatusOr<int64_t> ReadRocksDbRevisionAt(const std::string& dir) {
  rocksdb::DB* raw = nullptr;
  RETURN_IF_ERROR(
      FromRocks(rocksdb::DB::OpenForReadOnly(rocksdb::Options(), dir, &raw),
                absl::StrCat("open ", dir)));
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string value;
  RETURN_IF_ERROR(FromRocks(db->Get(rocksdb::ReadOptions(),
                                    keys::MetaKey(keys::kMetaRevision), &value),
                            absl::StrCat("read the revision of ", dir)));
  return keys::DecodeInt64(value);
}

absl::StatusOr<std::unique_ptr<RecordCursor>> RocksDbStore::OpenExport() {
  auto cursor = std::make_unique<RocksDbRecordCursor>(db_.get());
  RETURN_IF_ERROR(cursor->Init());
  return std::unique_ptr<RecordCursor>(std::move(cursor));
}

absl::StatusOr<CheckpointInfo> RocksDbStore::CreateCheckpoint(
    const std::string& dir) {
  std::error_code ec;
  if (std::filesystem::exists(dir, ec)) {
    return absl::AlreadyExistsError(absl::StrCat(dir, " already exists"));
  }
  rocksdb::Checkpoint* raw = nullptr;
  RETURN_IF_ERROR(
      FromRocks(rocksdb::Checkpoint::Create(db_.get(), &raw), "checkpoint"));
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  // A checkpoint is one consistent point of the DB; the revision meta key is
  // written in the same batch as the records, so reading it back from the
  // copy gives exactly the revision the copy holds.
  RETURN_IF_ERROR(FromRocks(checkpoint->CreateCheckpoint(dir, 0),
                            absl::StrCat("checkpoint into ", dir)));
  CheckpointInfo info;
  ASSIGN_OR_RETURN(info.revision, ReadRocksDbRevisionAt(dir));
  info.size_bytes = DirectoryBytes(dir);
  return info;
}

absl::StatusOr<int64_t> RestoreRocksDbCheckpoint(
    const std::string& checkpoint_dir, const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(fs::path(checkpoint_dir) / "CURRENT", ec)) {
    return absl::NotFoundError(
        absl::StrCat("restore_from: ", checkpoint_dir, " holds no store"));
  }
  if (fs::exists(path, ec) && !fs::is_empty(path, ec)) {
    return absl::FailedPreconditionError(
        absl::StrCat("data_dir: ", path,
                     " is not empty; restore only into a new or empty "
                     "directory"));
  }
  fs::create_directories(path, ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat("create ", path, ": ", ec.message()));
  }
  for (const auto& entry : fs::directory_iterator(checkpoint_dir, ec)) {
    if (!entry.is_regular_file()) continue;
    fs::copy_file(entry.path(), fs::path(path) / entry.path().filename(), ec);
    if (ec) {
      return absl::InternalError(absl::StrCat(
          "copy ", entry.path().string(), " to ", path, ": ", ec.message()));
    }
  }
  if (ec) {
    return absl::InternalError(
        absl::StrCat("read ", checkpoint_dir, ": ", ec.message()));
  }
  return ReadRocksDbRevisionAt(path);
}

}  // namespace partnergraph::storage
