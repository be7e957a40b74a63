# Dependency rules between propwatch libraries, checked at configure time.
#
# The pure libraries (the spec rules in spec/, the consistency engine in
# coordinator/engine/) must stay free of I/O libraries, so that the CLI can
# check specs offline and reports can be recomputed anywhere. A rule is a
# list of forbidden link items; the check walks a target's whole link
# closure (LINK_LIBRARIES and INTERFACE_LINK_LIBRARIES, through every
# target on the way) and stops configuration naming the chain that brought
# a forbidden item in:
#
#   propwatch_engine -> propwatch_coordinator -> RocksDB::rocksdb
#
# BASE targets (propwatch_proto, propwatch_common) are shared by every
# binary and carry gRPC::grpc++ for the generated service stubs and the
# status adapters; items matching BASE_MAY_LINK are accepted below them and
# only there. Anything else a BASE target links is still checked.

# Forbidden in the pure libraries: storage, RPC, YAML, HTTP and DNS I/O.
set(PROPWATCH_PURE_FORBIDDEN
  "^RocksDB::" "^rocksdb" "^gRPC::" "^grpc" "^yaml-cpp" "^CURL::" "curl"
  "CARES" "cares")
set(PROPWATCH_PURE_BASE propwatch_proto propwatch_common)
set(PROPWATCH_PURE_BASE_MAY_LINK "^gRPC::grpc\\+\\+$")

# One link item as a target or library name: $<LINK_ONLY:x> (a static
# library's private dependency) is x; directory markers (::@...) are empty.
function(_propwatch_link_item item out)
  set(name "${item}")
  while(name MATCHES "^\\$<LINK_ONLY:(.*)>$")
    set(name "${CMAKE_MATCH_1}")
  endwhile()
  if(name MATCHES "^::@")
    set(name "")
  endif()
  set(${out} "${name}" PARENT_SCOPE)
endfunction()

# propwatch_check_dependencies(<target> FORBIDDEN <regex>...
#                              [BASE <target>...] [BASE_MAY_LINK <regex>...])
function(propwatch_check_dependencies target)
  cmake_parse_arguments(ARG "" "" "FORBIDDEN;BASE;BASE_MAY_LINK" ${ARGN})
  if(NOT TARGET ${target})
    message(FATAL_ERROR "dependency rules: there is no target '${target}'")
  endif()
  # Work items: name|below-a-base (0/1)|chain from the checked target.
  set(queue "${target}|0|${target}")
  set(seen "")
  set(violations "")
  while(queue)
    list(POP_FRONT queue entry)
    string(REPLACE "|" ";" fields "${entry}")
    list(GET fields 0 name)
    list(GET fields 1 below_base)
    list(GET fields 2 chain)
    set(deps "")
    get_target_property(imported ${name} IMPORTED)
    if(NOT imported)
      get_target_property(direct ${name} LINK_LIBRARIES)
      if(direct)
        list(APPEND deps ${direct})
      endif()
    endif()
    get_target_property(interface ${name} INTERFACE_LINK_LIBRARIES)
    if(interface)
      list(APPEND deps ${interface})
    endif()
    if(name IN_LIST ARG_BASE)
      set(below_base 1)
    endif()
    foreach(raw IN LISTS deps)
      _propwatch_link_item("${raw}" dep)
      if(dep STREQUAL "" OR "${dep}|${below_base}" IN_LIST seen)
        continue()
      endif()
      list(APPEND seen "${dep}|${below_base}")
      set(dep_chain "${chain} -> ${dep}")
      set(accepted FALSE)
      if(below_base)
        foreach(pattern IN LISTS ARG_BASE_MAY_LINK)
          if(dep MATCHES "${pattern}")
            set(accepted TRUE)
          endif()
        endforeach()
      endif()
      if(accepted)
        continue()
      endif()
      set(forbidden FALSE)
      foreach(pattern IN LISTS ARG_FORBIDDEN)
        if(dep MATCHES "${pattern}")
          set(forbidden TRUE)
        endif()
      endforeach()
      if(forbidden)
        list(APPEND violations "${dep_chain}")
      elseif(TARGET ${dep})
        list(APPEND queue "${dep}|${below_base}|${dep_chain}")
      endif()
    endforeach()
  endwhile()
  if(violations)
    list(JOIN violations "\n  " lines)
    message(FATAL_ERROR
      "dependency rules: ${target} must stay pure (no storage, RPC, YAML or "
      "network library; see docs/ARCHITECTURE.md), but links:\n  ${lines}\n"
      "Move the code that needs it out of ${target}, or link it from a "
      "library that depends on ${target}.")
  endif()
endfunction()

# The same check, run when the top-level CMakeLists.txt is done, so targets
# defined (or linked) after the caller's directory are seen too.
function(propwatch_defer_dependency_check target)
  # Deferred arguments are read when the call runs, so pass values now,
  # each as a bracket argument (regexes keep their backslashes).
  set(args "[==[${target}]==]")
  foreach(arg IN LISTS ARGN)
    string(APPEND args " [==[${arg}]==]")
  endforeach()
  cmake_language(EVAL CODE "
    cmake_language(DEFER DIRECTORY [==[${PROJECT_SOURCE_DIR}]==]
      CALL propwatch_check_dependencies ${args})")
endfunction()
