# sluice_module(NAME DEPS...) builds src/<NAME> into the library sluice_<NAME>
# from every .cpp in the folder (and its detail/), public on the lower layers
# it names. Include paths are rooted at src/: #include "rtmp/chunk_decoder.hpp".
function(sluice_module name)
  file(GLOB _sources CONFIGURE_DEPENDS
    "${CMAKE_CURRENT_SOURCE_DIR}/*.cpp" "${CMAKE_CURRENT_SOURCE_DIR}/detail/*.cpp")
  if(NOT _sources)
    # A module with headers only (or none yet) is an interface library.
    add_library(sluice_${name} INTERFACE)
    target_include_directories(sluice_${name} INTERFACE "${PROJECT_SOURCE_DIR}/src")
    target_link_libraries(sluice_${name} INTERFACE ${ARGN})
    return()
  endif()
  add_library(sluice_${name} STATIC ${_sources})
  target_include_directories(sluice_${name} PUBLIC "${PROJECT_SOURCE_DIR}/src")
  target_link_libraries(sluice_${name} PUBLIC ${ARGN})
  sluice_warnings(sluice_${name})
endfunction()
