# SLUICE_SANITIZE=address;undefined applies to every target in the tree.
if(SLUICE_SANITIZE)
  list(JOIN SLUICE_SANITIZE "," _sluice_sanitizers)
  add_compile_options(-fsanitize=${_sluice_sanitizers} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${_sluice_sanitizers})
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND "undefined" IN_LIST SLUICE_SANITIZE)
    # clang 14's -fsanitize=function breaks the assembly of C++20 coroutines
    # ("Cannot represent a difference across sections" in server/session.cpp);
    # the check only concerns calls through mistyped function pointers.
    add_compile_options(-fno-sanitize=function)
  endif()
endif()
