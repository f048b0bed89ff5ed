# rev_add_library(name sources... [DEPENDS targets...] [LINK_LIBS libs...])
#
# One static library per area (the house style), compiled position independent so
# that it can go into RevPlugin.so as well as the tools. Everything links the
# shared libMLIR/libLLVM (Debian's packages ship them), never the static
# component libraries, so that a tool and an mlir-opt plugin see one copy of
# MLIR's global registries.
function(rev_add_library name)
  cmake_parse_arguments(ARG "" "" "DEPENDS;LINK_LIBS" ${ARGN})
  add_library(${name} STATIC ${ARG_UNPARSED_ARGUMENTS})
  if(ARG_DEPENDS)
    add_dependencies(${name} ${ARG_DEPENDS})
  endif()
  target_link_libraries(${name} PUBLIC ${ARG_LINK_LIBS} MLIR LLVM)
  target_include_directories(${name} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>
    $<INSTALL_INTERFACE:include>)
  set_property(GLOBAL APPEND PROPERTY REV_LIBRARIES ${name})
  install(TARGETS ${name} EXPORT RevMLIRTargets
    ARCHIVE DESTINATION lib
    LIBRARY DESTINATION lib)
endfunction()

# rev_add_doc(target output.md tblgen-flags...)
# Generates reference documentation from the current LLVM_TARGET_DEFINITIONS
# into <build>/docs/ (the `rev-docs` target); `rev-update-docs` copies it to
# docs/reference/, which is committed (and compared by a test) so the docs
# read on GitHub.
function(rev_add_doc target output)
  set(LLVM_TARGET_DEFINITIONS ${LLVM_TARGET_DEFINITIONS})
  tablegen(MLIR ${output} ${ARGN})
  set(gen_out ${CMAKE_CURRENT_BINARY_DIR}/${output})
  set(doc_out ${PROJECT_BINARY_DIR}/docs/${output})
  add_custom_command(OUTPUT ${doc_out}
    COMMAND ${CMAKE_COMMAND} -E copy ${gen_out} ${doc_out}
    DEPENDS ${gen_out})
  add_custom_target(${target}DocGen DEPENDS ${doc_out})
  set_property(GLOBAL APPEND PROPERTY REV_DOC_TARGETS ${target}DocGen)
  set_property(GLOBAL APPEND PROPERTY REV_DOC_FILES ${doc_out})
endfunction()
