# Migrations are compiled into the service binary, so a container or a clone needs no
# separate SQL files at run time and the binary always carries the schema it expects.
# zhigai_embed_migrations(<target> <dir> <c++ symbol>)
function(zhigai_embed_migrations TARGET DIR SYMBOL)
  file(GLOB sql_files CONFIGURE_DEPENDS ${DIR}/*.sql)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${SYMBOL}.cc)
  # The folder, not the file list, goes to the script: a list would be split at ';' on the way.
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DSYMBOL=${SYMBOL} -DDIR=${DIR}
            -P ${CMAKE_SOURCE_DIR}/cmake/embed_migrations.cmake
    DEPENDS ${sql_files} ${CMAKE_SOURCE_DIR}/cmake/embed_migrations.cmake
    COMMENT "embedding migrations of ${TARGET}")
  target_sources(${TARGET} PRIVATE ${out})
endfunction()
