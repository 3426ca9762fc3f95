# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
# CPACK_PRE_BUILD_SCRIPTS step (runs inside cpack, after the staging install): strip the
# installed executables the way dh_strip does, without the .comment and .note sections that
# lintian reports as unneeded (binary-has-unneeded-section).
if(NOT CPACK_SIPDNS_STRIP)
  message(FATAL_ERROR "strip.cmake: CPACK_SIPDNS_STRIP (the strip program) is not set")
endif()
file(GLOB_RECURSE executables LIST_DIRECTORIES false
     "${CPACK_TEMPORARY_INSTALL_DIRECTORY}/*/sbin/*")
if(NOT executables)
  message(FATAL_ERROR "strip.cmake: no executable under ${CPACK_TEMPORARY_INSTALL_DIRECTORY}")
endif()
foreach(exe IN LISTS executables)
  execute_process(
    COMMAND "${CPACK_SIPDNS_STRIP}" --remove-section=.comment --remove-section=.note "${exe}"
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "strip.cmake: ${CPACK_SIPDNS_STRIP} failed on ${exe}")
  endif()
endforeach()
