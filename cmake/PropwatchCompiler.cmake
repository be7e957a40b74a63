# Warnings as errors and optional sanitizers for every propwatch target.
find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
  set(CMAKE_C_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
endif()

# Packagers building with another compiler (whose new warnings would stop
# the build) turn -Werror off with -DPROPWATCH_WERROR=OFF; -Wall -Wextra
# stay. ON gives exactly the flags of a build from before the option.
option(PROPWATCH_WERROR "Treat warnings as errors" ON)

# Applied per target so generated protobuf code is not held to -Werror.
function(propwatch_target_warnings target)
  if(PROPWATCH_WERROR)
    target_compile_options(${target} PRIVATE -Wall -Wextra -Werror)
  else()
    target_compile_options(${target} PRIVATE -Wall -Wextra)
  endif()
endfunction()

if(PROPWATCH_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
