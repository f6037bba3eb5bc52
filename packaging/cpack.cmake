# The Debian package (CPack's DEB generator): `make package` builds it into
# <build>/packages/mediaworker_<version>_<arch>.deb; scripts/test-deb.sh installs it on a clean
# Debian 12. Its contents are packaging/install.cmake's rules with prefix /usr.

# `cpack` (and `ninja install`) build only what is installed, not every test program: `all` is
# not a dependency of the install step. Build the mediaworker target first (the Makefile does).
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY TRUE)

set(MW_PACKAGE_MAINTAINER "mediaworker maintainers <maintainers@mediaworker.invalid>" CACHE STRING
    "The .deb's Maintainer field")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME mediaworker)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${MW_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "media encoding service with an Azure Media Services v2 compatible REST API")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_DIRECTORY "${CMAKE_BINARY_DIR}/packages")
# The binary without its debug sections (the RelWithDebInfo build's are ~100 MB).
set(CPACK_STRIP_FILES TRUE)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # mediaworker_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${MW_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION video)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The extended description (CPack puts the summary before it as the synopsis line).
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "mediaworker runs Azure Media Services v2 Jobs and Tasks on an on-premises
encoding host: a REST API (Jobs, Tasks, Assets, notifications), worker
slots that encode with libavcodec and x264 to MP4, HLS and DASH, and a
SQLite or PostgreSQL job store. It runs as the systemd service
mediaworker.service, configured by /etc/mediaworker/mediaworker.yaml.")
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)

# Depends: dpkg-shlibdeps (dpkg-dev) names the runtime library packages of the binary's NEEDED
# entries (libavcodec59, libpqxx-6.4, ...; x264 comes through libavcodec59), appended to the list
# below. The service account and /var/lib/mediaworker come from systemd-sysusers and
# systemd-tmpfiles (postinst): on a systemd host the installed systemd provides both; in a
# container without systemd, apt takes the first alternative, the two small standalone
# programs, and not systemd itself (the service then runs without the unit; adduser or passwd
# are not needed). procps: the unit's ExecReload=/bin/kill (minimal images lack it).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "systemd-standalone-sysusers | systemd-sysusers, systemd-standalone-tmpfiles | systemd-tmpfiles, procps")
# A job store shared by a farm of hosts (docs/farm.md); sqlite3 and rsync for the backup recipe
# of docs/operations.md ("Back up the store").
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "postgresql, sqlite3, rsync")

# Maintainer scripts and conffiles (packaging/deb/; docs/operations.md says what they do).
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${CMAKE_CURRENT_LIST_DIR}/deb/postinst"
    "${CMAKE_CURRENT_LIST_DIR}/deb/prerm"
    "${CMAKE_CURRENT_LIST_DIR}/deb/postrm"
    "${CMAKE_CURRENT_LIST_DIR}/deb/conffiles")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)

include(CPack)
