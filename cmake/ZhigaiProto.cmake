# Each proto package is generated once and compiled once into its own library; services link
# the library instead of regenerating. protobuf_generate in CMake 3.25 picks include roots and
# output paths we cannot control, so one explicit protoc command per file is used instead.
set(ZHIGAI_PROTO_ROOT ${CMAKE_SOURCE_DIR}/protos)
set(ZHIGAI_PROTO_GEN ${CMAKE_BINARY_DIR}/gen)
set(ZHIGAI_GOOGLEAPIS_ROOT /usr/share/gocode/src/github.com/gogo/googleapis
    CACHE PATH "Folder holding google/rpc/*.proto (Debian golang-github-gogo-googleapis-dev)")
set(ZHIGAI_GRPC_PROTO_ROOT /usr/share/grpc-proto CACHE PATH "Folder holding grpc/health/v1")
file(MAKE_DIRECTORY ${ZHIGAI_PROTO_GEN})

# google.type (Date, TimeOfDay) and google.api (field_behavior, resource) for AIP-142/203/123
# annotations: Debian ships these protos only inside the Java common-protos jar
# (libgoogle-common-protos-java), so the files protos/googleapis.txt names are taken out of it
# once at configure time. tools/googleapis-protos does the same for the Python and Node clients.
set(ZHIGAI_COMMON_PROTOS_JAR /usr/share/java/proto-google-common-protos.jar
    CACHE FILEPATH "Debian's proto-google-common-protos jar (libgoogle-common-protos-java)")
set(ZHIGAI_COMMON_PROTO_ROOT ${CMAKE_BINARY_DIR}/googleapis-common)
file(STRINGS ${CMAKE_SOURCE_DIR}/protos/googleapis.txt ZHIGAI_COMMON_PROTOS REGEX "^google/")
if(NOT EXISTS ${ZHIGAI_COMMON_PROTOS_JAR})
  message(FATAL_ERROR "${ZHIGAI_COMMON_PROTOS_JAR} is missing: apt-get install libgoogle-common-protos-java")
endif()
file(ARCHIVE_EXTRACT INPUT ${ZHIGAI_COMMON_PROTOS_JAR} DESTINATION ${ZHIGAI_COMMON_PROTO_ROOT}
     PATTERNS ${ZHIGAI_COMMON_PROTOS})
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/protos/googleapis.txt)

# zhigai_proto_library(<target> ROOT <include root> PROTOS <relative paths> [GRPC] [DEPS ...])
function(zhigai_proto_library TARGET)
  cmake_parse_arguments(P "GRPC" "ROOT" "PROTOS;DEPS" ${ARGN})
  if(NOT P_ROOT)
    set(P_ROOT ${ZHIGAI_PROTO_ROOT})
  endif()
  set(srcs)
  foreach(rel ${P_PROTOS})
    string(REGEX REPLACE "\\.proto$" "" stem ${rel})
    set(outs ${ZHIGAI_PROTO_GEN}/${stem}.pb.cc ${ZHIGAI_PROTO_GEN}/${stem}.pb.h)
    set(plugin_args)
    if(P_GRPC)
      list(APPEND outs ${ZHIGAI_PROTO_GEN}/${stem}.grpc.pb.cc ${ZHIGAI_PROTO_GEN}/${stem}.grpc.pb.h)
      set(plugin_args --grpc_out=${ZHIGAI_PROTO_GEN}
                      --plugin=protoc-gen-grpc=$<TARGET_FILE:gRPC::grpc_cpp_plugin>)
    endif()
    add_custom_command(
      OUTPUT ${outs}
      COMMAND protobuf::protoc
        -I${ZHIGAI_PROTO_ROOT} -I${ZHIGAI_COMMON_PROTO_ROOT} -I${ZHIGAI_GOOGLEAPIS_ROOT}
        -I${ZHIGAI_GRPC_PROTO_ROOT}
        -I${Protobuf_INCLUDE_DIR}
        --cpp_out=${ZHIGAI_PROTO_GEN} ${plugin_args}
        ${P_ROOT}/${rel}
      DEPENDS ${P_ROOT}/${rel} protobuf::protoc
      COMMENT "protoc ${rel}"
      VERBATIM)
    list(APPEND srcs ${outs})
  endforeach()
  add_library(${TARGET} ${srcs})
  target_include_directories(${TARGET} PUBLIC ${ZHIGAI_PROTO_GEN})
  # Generated code is not ours to fix; keep the project's -Werror off it.
  target_compile_options(${TARGET} PRIVATE -w)
  target_link_libraries(${TARGET} PUBLIC protobuf::libprotobuf ${P_DEPS})
  if(P_GRPC)
    target_link_libraries(${TARGET} PUBLIC gRPC::grpc++)
  endif()
endfunction()
