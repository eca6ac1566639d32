# Writes a C++ file defining `const std::vector<zhigai::db::Migration>& SYMBOL()` from the
# numbered *.sql files of DIR, in order.
file(GLOB FILES ${DIR}/*.sql)
list(SORT FILES)
set(body "#include \"libs/db/migrations.h\"\nnamespace zhigai::migrations {\nconst std::vector<zhigai::db::Migration>& ${SYMBOL}() {\n  static const auto* all = new std::vector<zhigai::db::Migration>{\n")
foreach(f ${FILES})
  get_filename_component(name ${f} NAME)
  string(REGEX MATCH "^[0-9]+" version ${name})
  file(READ ${f} sql)
  string(APPEND body "    {${version}, \"${name}\", R\"zhigai_sql(${sql})zhigai_sql\"},\n")
endforeach()
string(APPEND body "  };\n  return *all;\n}\n}  // namespace zhigai::migrations\n")
file(WRITE ${OUT}.tmp "${body}")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
