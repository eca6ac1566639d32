include(GoogleTest)

# zhigai_add_test(NAME <name> LABEL unit|integration|e2e SOURCES ... LIBS ...)
# Every test binary gets ZHIGAI_DATA_DIR so it loads the repo's reference data, never a copy.
function(zhigai_add_test)
  cmake_parse_arguments(T "" "NAME;LABEL" "SOURCES;LIBS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_definitions(${T_NAME} PRIVATE ZHIGAI_DATA_DIR="${ZHIGAI_DATA_DIR}")
  gtest_discover_tests(${T_NAME}
    PROPERTIES LABELS ${T_LABEL}
    DISCOVERY_TIMEOUT 60)
endfunction()

# zhigai_add_benchmark(NAME <name> SOURCES ... LIBS ...): Google Benchmark binaries, not run by ctest.
function(zhigai_add_benchmark)
  cmake_parse_arguments(B "" "NAME" "SOURCES;LIBS" ${ARGN})
  add_executable(${B_NAME} ${B_SOURCES})
  target_link_libraries(${B_NAME} PRIVATE ${B_LIBS} benchmark::benchmark)
  target_compile_definitions(${B_NAME} PRIVATE ZHIGAI_DATA_DIR="${ZHIGAI_DATA_DIR}")
endfunction()
