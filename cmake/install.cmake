# install.cmake — `cmake --install` in the FHS layout (README.md, "Installing
# on Debian"): the command, the two shared libraries with their headers and
# pkg-config files, ONNX Runtime in a private directory, the model pack,
# calibration and console under share/vigil (found relative to the prefix at
# run time, src/base/paths.c), the example config, the systemd units and the
# man page. Nothing here is written at run time.
set(VG_SYSTEMD_UNITDIR "lib/systemd/system" CACHE STRING
  "systemd units, relative to the prefix (Debian 12: /lib/systemd/system, so /usr -> lib/systemd/system with usrmerge)")

install(TARGETS vigil RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS vigil_shared vigil_core_shared
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} NAMELINK_SKIP COMPONENT runtime)
install(TARGETS vigil_shared vigil_core_shared
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} NAMELINK_ONLY COMPONENT dev)
install(FILES ${VG_DEPS}/onnxruntime/lib/libonnxruntime.so.1 DESTINATION ${CMAKE_INSTALL_LIBDIR}/vigil)

install(DIRECTORY include/vigil DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev FILES_MATCHING PATTERN "*.h")
foreach(pc vigil vigil-core)
  configure_file(packaging/${pc}.pc.in ${CMAKE_BINARY_DIR}/${pc}.pc @ONLY)
  install(FILES ${CMAKE_BINARY_DIR}/${pc}.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)
endforeach()

# The default model pack (the three models the bootstrap unpacks and the
# detector it rebuilds for 1080p), its calibration and the console.
install(FILES ${VG_DEPS}/models/fr_detect.onnx ${VG_DEPS}/models/fr_detect_960x544.onnx
  ${VG_DEPS}/models/fr_landmark.onnx ${VG_DEPS}/models/fr_feature.onnx
  DESTINATION ${CMAKE_INSTALL_DATADIR}/vigil/models)
install(FILES calibration/default.txt DESTINATION ${CMAKE_INSTALL_DATADIR}/vigil/calibration)
install(DIRECTORY web/ DESTINATION ${CMAKE_INSTALL_DATADIR}/vigil/web)

install(FILES packaging/vigil.ini DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/vigil)
install(FILES packaging/vigil-serve.service packaging/vigil@.service
  DESTINATION ${VG_SYSTEMD_UNITDIR})
install(FILES packaging/vigil.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
