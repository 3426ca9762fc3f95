# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
# cmake -DINPUT=file -DOUTPUT=file.cc -DNAMESPACE=ns -DSYMBOL=name -P embed_bytes.cmake
# Writes a C++ file defining `const unsigned char SYMBOL[]` (the bytes of INPUT) and
# `const std::size_t SYMBOLSize`, in NAMESPACE: the BPF object travels inside the library, with
# no file to install and no xxd at build time.
file(READ ${INPUT} hex HEX)
string(LENGTH "${hex}" hex_length)
math(EXPR size "${hex_length} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
# 16 bytes a line: 16 * len("0x00,") = 80 characters.
string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){16})" "\\1\n" bytes "${bytes}")
file(WRITE ${OUTPUT}.tmp
"// Generated from ${INPUT} by embed_bytes.cmake; do not edit.
#include <cstddef>
namespace ${NAMESPACE} {
// Aligned for libelf, which reads the ELF headers in place.
alignas(8) extern const unsigned char ${SYMBOL}[] = {
${bytes}
};
extern const std::size_t ${SYMBOL}Size = ${size};
}  // namespace ${NAMESPACE}
")
file(COPY_FILE ${OUTPUT}.tmp ${OUTPUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUTPUT}.tmp)
