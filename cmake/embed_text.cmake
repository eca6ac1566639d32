# cmake -DIN=<file> -DOUT=<file.cc> -DSYMBOL=<name> -DNAMESPACE=<ns> -P embed_text.cmake
# Writes a C++ source defining `const char <ns>::<SYMBOL>[]` with the file's text (a raw
# string), so a binary serves a generated document without reading it from disk.
file(READ "${IN}" content)
string(FIND "${content}" ")zhigai_embed\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${IN} contains the raw-string delimiter")
endif()
file(WRITE "${OUT}.tmp" "// Generated from ${IN} by cmake/embed_text.cmake; do not edit.\n"
  "namespace ${NAMESPACE} {\nextern const char ${SYMBOL}[];\n"
  "const char ${SYMBOL}[] = R\"zhigai_embed(${content})zhigai_embed\";\n}\n")
file(RENAME "${OUT}.tmp" "${OUT}")
