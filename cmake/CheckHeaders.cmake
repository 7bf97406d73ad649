# mm_checkheaders: every public header compiles on its own under C++20 with our warnings
# (seastar's checkheaders idea), so users can include any of them first.
file(GLOB mm_public_headers CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/include/metrics_manager/*.h)
set(mm_check_sources)
foreach(h ${mm_public_headers})
  get_filename_component(n ${h} NAME_WE)
  set(f ${CMAKE_BINARY_DIR}/checkheaders/${n}.cc)
  file(CONFIGURE OUTPUT ${f} CONTENT "#include \"metrics_manager/${n}.h\"\n")
  list(APPEND mm_check_sources ${f})
endforeach()
add_library(mm_checkheaders OBJECT ${mm_check_sources})
target_include_directories(mm_checkheaders PRIVATE ${PROJECT_SOURCE_DIR}/include)
target_compile_options(mm_checkheaders PRIVATE ${MM_WARNINGS})
