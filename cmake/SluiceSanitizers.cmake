# SLUICE_SANITIZE=address;undefined applies to every target in the tree.
if(SLUICE_SANITIZE)
  list(JOIN SLUICE_SANITIZE "," _sluice_sanitizers)
  add_compile_options(-fsanitize=${_sluice_sanitizers} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${_sluice_sanitizers})
endif()
