# `cmake --install` rules: the FHS places (GNUInstallDirs), relative to the install prefix except
# the configuration (see below). Only what runs the service is installed: the test programs,
# benches (bench/) and fuzz targets (fuzz/) have no install rule. With prefix /usr (the .deb):
#   /usr/bin/mediaworker
#   /usr/share/mediaworker/presets/*.yaml          the system preset library
#   /usr/lib/systemd/system/mediaworker.service    \
#   /usr/lib/sysusers.d/mediaworker.conf            > systemd's vendor folders (systemd/)
#   /usr/lib/tmpfiles.d/mediaworker.conf           /
#   /etc/mediaworker/mediaworker.yaml              the sample config (a conffile in the .deb)
#   /usr/share/doc/mediaworker/                    README.md and docs/*.md
# With another prefix (/usr/local, /opt/mw) everything goes under it, the config to <prefix>/etc;
# systemd reads /usr/local/lib/systemd/system, sysusers.d and tmpfiles.d too, but the unit names
# /usr/bin/mediaworker and /etc/mediaworker (docs/operations.md).

install(TARGETS mediaworker RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# presets::installed_preset_dir() finds this folder relative to the binary's (MW_PRESET_DIR_FROM_BINDIR).
# The extensions PresetLibrary::load reads (YAML presets, MES custom presets).
install(DIRECTORY presets/library/ DESTINATION ${CMAKE_INSTALL_DATADIR}/mediaworker/presets
        FILES_MATCHING PATTERN "*.yaml" PATTERN "*.yml" PATTERN "*.json" PATTERN "*.xml")

# Not CMAKE_INSTALL_LIBDIR (lib/x86_64-linux-gnu on Debian): systemd looks in <prefix>/lib only.
set(MW_INSTALL_SYSTEMD_UNITDIR "lib/systemd/system" CACHE STRING
    "systemd unit folder, relative to the install prefix or absolute")
set(MW_INSTALL_SYSUSERSDIR "lib/sysusers.d" CACHE STRING
    "sysusers.d folder, relative to the install prefix or absolute")
set(MW_INSTALL_TMPFILESDIR "lib/tmpfiles.d" CACHE STRING
    "tmpfiles.d folder, relative to the install prefix or absolute")
install(FILES systemd/mediaworker.service DESTINATION ${MW_INSTALL_SYSTEMD_UNITDIR})
install(FILES systemd/mediaworker.sysusers DESTINATION ${MW_INSTALL_SYSUSERSDIR}
        RENAME mediaworker.conf)
install(FILES systemd/mediaworker.tmpfiles DESTINATION ${MW_INSTALL_TMPFILESDIR}
        RENAME mediaworker.conf)

install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR} FILES_MATCHING PATTERN "*.md")

# The configuration: /etc/mediaworker when the prefix is /usr (GNUInstallDirs' rule for
# sysconfdir), else <prefix>/etc/mediaworker. Decided at install time, so `cmake --install
# --prefix P` follows P whatever prefix the tree was configured with. An existing file is never
# overwritten (an operator's edited config survives `cmake --install` of a newer version): the new
# sample goes beside it as mediaworker.yaml.new when they differ. The .deb's staging folder is
# empty, so the package always carries the sample.
install(CODE "set(mw_sample \"${PROJECT_SOURCE_DIR}/samples/mediaworker.yaml\")")
install(CODE [[
  if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
    set(mw_etc "/etc/mediaworker")
  else()
    set(mw_etc "${CMAKE_INSTALL_PREFIX}/etc/mediaworker")
  endif()
  set(mw_name mediaworker.yaml)
  if(EXISTS "$ENV{DESTDIR}${mw_etc}/mediaworker.yaml")
    file(SHA256 "$ENV{DESTDIR}${mw_etc}/mediaworker.yaml" mw_old)
    file(SHA256 "${mw_sample}" mw_new)
    if(NOT mw_old STREQUAL mw_new)
      message(STATUS "Keeping the edited ${mw_etc}/mediaworker.yaml; the new sample is mediaworker.yaml.new")
      set(mw_name mediaworker.yaml.new)
    endif()
  endif()
  file(INSTALL "${mw_sample}" DESTINATION "${mw_etc}" RENAME ${mw_name})
]])
