# SPDX-FileCopyrightText: 2026 The sipdns authors
# SPDX-License-Identifier: BSD-3-Clause
# Installation layout and the Debian package (CPack DEB), included at the end of the top-level
# CMakeLists.txt (docs/design.md §1: packaging/, systemd/).
#
#   cpack --config build/CPackConfig.cmake -B OUTDIR     ->  OUTDIR/sipdns_<version>_<arch>.deb
#
# It reuses the build tree (no rebuild from scratch). The package installs, with prefix /usr:
#   /usr/sbin/sipdnsd (stripped), /lib/systemd/system/sipdnsd.service,
#   /etc/sipdns/site.yaml (conffile), /usr/share/man/man{8,5}/*.gz,
#   /usr/share/doc/sipdns/{copyright,changelog.gz,examples/}, /usr/share/lintian/overrides/sipdns.
# The service is not enabled or started by the package: the site file is an example to edit
# first (see packaging/debian/postinst). tests/packaging/ builds the package, runs lintian on it,
# installs it into a throwaway root and runs the installed daemon.

# Absolute paths: the site file and the unit live outside the /usr prefix. Debian 12 packages
# ship units in /lib/systemd/system, as debhelper 13.11 does (the move to /usr/lib comes with
# the /usr-merge work of trixie, DEP 17).
set(SIPDNS_INSTALL_CONFDIR "/etc/sipdns" CACHE PATH
    "Absolute directory for site.yaml (the daemon's default is /etc/sipdns/site.yaml)")
set(SIPDNS_INSTALL_UNITDIR "/lib/systemd/system" CACHE PATH
    "Absolute directory for sipdnsd.service")
# The control data's Maintainer and Homepage (plain variables, not cached: a build tree
# configured before takes the current ones too).
set(SIPDNS_PACKAGE_MAINTAINER "The sipdns authors <maintainers@sipdns.dev>")
set(SIPDNS_PACKAGE_HOMEPAGE "https://sipdns.dev")

# Directories are created 0755 whatever the umask of whoever builds the package.
set(CMAKE_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)

# Man pages and the Debian changelog, compressed as Debian policy §12.1/§12.7 want: gzip -9n
# (-n: no file name or time stamp in the header, so the package is reproducible).
set(sipdns_pkg_dir ${PROJECT_BINARY_DIR}/packaging)
set(sipdns_pkg_gz)
foreach(src IN ITEMS man/sipdnsd.8 man/sipdns-site.yaml.5 debian/changelog)
  get_filename_component(name ${src} NAME)
  set(out ${sipdns_pkg_dir}/${name}.gz)
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${sipdns_pkg_dir}
    COMMAND sh -c "gzip -9n -c \"$1\" > \"$2\"" sh ${PROJECT_SOURCE_DIR}/packaging/${src} ${out}
    DEPENDS ${PROJECT_SOURCE_DIR}/packaging/${src}
    COMMENT "Compressing ${src}"
    VERBATIM)
  list(APPEND sipdns_pkg_gz ${out})
endforeach()
add_custom_target(sipdns_package_files ALL DEPENDS ${sipdns_pkg_gz})

# The binary itself is installed by server/main (${CMAKE_INSTALL_SBINDIR}).
install(FILES ${sipdns_pkg_dir}/sipdnsd.8.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
install(FILES ${sipdns_pkg_dir}/sipdns-site.yaml.5.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)
install(FILES systemd/sipdnsd.service DESTINATION ${SIPDNS_INSTALL_UNITDIR})
install(FILES packaging/site.yaml DESTINATION ${SIPDNS_INSTALL_CONFDIR})
install(DIRECTORY packaging/examples/ DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/sipdns/examples)
# The unit's drop-in for server.xdp (sipdnsd(8), XDP): an example, not enabled by the package.
install(FILES systemd/sipdnsd-xdp.conf DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/sipdns/examples)
install(FILES packaging/debian/copyright ${sipdns_pkg_dir}/changelog.gz
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/sipdns)

install(FILES packaging/debian/lintian-overrides DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides
        RENAME sipdns)

# dpkg treats the files listed here as conffiles: an admin's edits survive upgrades.
file(WRITE ${sipdns_pkg_dir}/conffiles "${SIPDNS_INSTALL_CONFDIR}/site.yaml\n")

set(CPACK_GENERATOR DEB)
set(CPACK_SOURCE_GENERATOR TGZ)
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build[^/]*/" "__pycache__")
set(CPACK_PACKAGE_NAME sipdns)
set(CPACK_PACKAGE_VENDOR "The sipdns authors")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${SIPDNS_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Stripped as dh_strip does: CPack strips the symbols, then packaging/strip.cmake also removes
# the .comment and .note sections (lintian: binary-has-unneeded-section).
set(CPACK_STRIP_FILES ON)
set(CPACK_PRE_BUILD_SCRIPTS ${PROJECT_SOURCE_DIR}/packaging/strip.cmake)
set(CPACK_SIPDNS_STRIP "${CMAKE_STRIP}")
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS ${CMAKE_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "authoritative SIP-aware DNS server")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${SIPDNS_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${SIPDNS_PACKAGE_HOMEPAGE}")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# forward: { dnssec: true } reads the root trust anchor from dns-root-data (libunbound8 itself
# comes through dpkg-shlibdeps, as do libxdp1 and libbpf1 of the AF_XDP path; the XDP program
# is inside the binary, no file to install).
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "dns-root-data")
# The extended description: CPack puts CPACK_PACKAGE_DESCRIPTION_SUMMARY before it as the
# synopsis and indents it (an empty line becomes " .").
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
"sipdnsd serves the DNS of one SIP site from a short YAML description of it:
the SIP domain, its call servers and a few hosts. It answers, authoritatively,
the A, AAAA and PTR records and every SIP SRV and
NAPTR record the site needs, generated by the tables of the SCS 4.0 guide
(single server and high-availability pairs with their rr redirect records),
and the other hosts, aliases, services and records of the site. With
forward: in the site file it is also the phones' DNS server: every other name
goes to the site's resolvers (or is resolved from the root) through
libunbound, for the clients the site allows.

It can also export the records as zone files for an existing DNS server.
The package ships a systemd unit (dynamic user, sandboxed) that is not
enabled on installation: edit /etc/sipdns/site.yaml, then run
systemctl enable --now sipdnsd.")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${sipdns_pkg_dir}/conffiles
    ${PROJECT_SOURCE_DIR}/packaging/debian/postinst
    ${PROJECT_SOURCE_DIR}/packaging/debian/prerm
    ${PROJECT_SOURCE_DIR}/packaging/debian/postrm)
# 0644 for conffiles, 0755 for the maintainer scripts, whatever their mode in the checkout.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
