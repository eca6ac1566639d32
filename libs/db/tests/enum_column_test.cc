// EnumColumn against a libpq result built in memory (PQmakeEmptyPGresult): the decoding is
// pure, so it needs no server.
#include "libs/db/enum_column.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <cstring>

#include "google/protobuf/descriptor.pb.h"

namespace zhigai::db {
namespace {

using Type = google::protobuf::FieldDescriptorProto_Type;

// One text column, one row per value (nullptr = NULL).
Result OneColumn(std::initializer_list<const char*> values) {
  PGresult* res = PQmakeEmptyPGresult(nullptr, PGRES_TUPLES_OK);
  PGresAttDesc column{};
  column.name = const_cast<char*>("kind");
  column.typid = 25;  // text
  column.typlen = -1;
  column.atttypmod = -1;
  PQsetResultAttrs(res, 1, &column);
  int row = 0;
  for (const char* v : values) {
    if (v == nullptr) {
      PQsetvalue(res, row++, 0, nullptr, -1);
    } else {
      PQsetvalue(res, row++, 0, const_cast<char*>(v), static_cast<int>(std::strlen(v)));
    }
  }
  return Result(res);
}

TEST(EnumColumn, AKnownNameDecodes) {
  Result r = OneColumn({"TYPE_INT32", "TYPE_STRING"});
  EXPECT_EQ(*EnumColumn<Type>(r, 0, 0, "t.kind"),
            google::protobuf::FieldDescriptorProto::TYPE_INT32);
  EXPECT_EQ(*EnumColumn<Type>(r, 1, 0, "t.kind"),
            google::protobuf::FieldDescriptorProto::TYPE_STRING);
}

TEST(EnumColumn, AnUnknownNameIsDataLossNamingTheColumnAndTheText) {
  Result r = OneColumn({"TYPE_INT33", "", "type_int32"});
  for (int row = 0; row < 3; ++row) {
    auto v = EnumColumn<Type>(r, row, 0, "fields.kind");
    ASSERT_FALSE(v.ok()) << row;
    EXPECT_EQ(v.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_NE(v.status().message().find("fields.kind holds"), absl::string_view::npos);
    EXPECT_NE(v.status().message().find("google.protobuf.FieldDescriptorProto.Type"),
              absl::string_view::npos)
        << v.status();
  }
  EXPECT_NE(EnumColumn<Type>(r, 0, 0, "fields.kind").status().message().find("\"TYPE_INT33\""),
            absl::string_view::npos);
}

TEST(EnumColumn, OptionalReadsEmptyAndNullAsTheGivenValueAndStillChecksTheRest) {
  Result r = OneColumn({"", nullptr, "TYPE_BOOL", "BOOL"});
  const Type fallback = google::protobuf::FieldDescriptorProto::TYPE_GROUP;
  EXPECT_EQ(*OptionalEnumColumn<Type>(r, 0, 0, "t.kind", fallback), fallback);
  EXPECT_EQ(*OptionalEnumColumn<Type>(r, 1, 0, "t.kind", fallback), fallback);
  EXPECT_EQ(*OptionalEnumColumn<Type>(r, 2, 0, "t.kind", fallback),
            google::protobuf::FieldDescriptorProto::TYPE_BOOL);
  EXPECT_EQ(OptionalEnumColumn<Type>(r, 3, 0, "t.kind", fallback).status().code(),
            absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace zhigai::db
