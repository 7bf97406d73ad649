# `cmake --install BUILD --prefix P` installs the public headers, the static libraries and a
# CMake package: find_package(metrics_manager) → target metrics_manager::metrics_manager.
include(CMakePackageConfigHelpers)

add_library(metrics_manager INTERFACE)
add_library(metrics_manager::metrics_manager ALIAS metrics_manager)
target_link_libraries(metrics_manager INTERFACE mm_api)
target_include_directories(metrics_manager INTERFACE
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)

get_property(mm_libs GLOBAL PROPERTY MM_LIBRARIES)
install(TARGETS metrics_manager ${mm_libs}
  EXPORT metrics_managerTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY include/metrics_manager DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
if(TARGET metrics-manager)
  install(TARGETS metrics-manager RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(EXPORT metrics_managerTargets
  NAMESPACE metrics_manager::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/metrics_manager)
configure_package_config_file(cmake/metrics_managerConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/metrics_managerConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/metrics_manager)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/metrics_managerConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/metrics_managerConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/metrics_managerConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/metrics_manager)

# The installed-package test: install into the build tree, then build and run tests/install.
if(MM_BUILD_TESTS)
  add_test(NAME installed_package
    COMMAND ${CMAKE_COMMAND} -E env CMAKE=${CMAKE_COMMAND}
      ${PROJECT_SOURCE_DIR}/tests/install/run.sh ${CMAKE_BINARY_DIR})
  set_tests_properties(installed_package PROPERTIES LABELS slow TIMEOUT 900)
endif()
