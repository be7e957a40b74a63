# propwatch_add_proto_library(NAME PROTOS a.proto b.proto ROOT dir)
# Generates C++ message and gRPC service code into the build tree and wraps it
# in one static library.
function(propwatch_add_proto_library name)
  cmake_parse_arguments(ARG "" "ROOT" "PROTOS" ${ARGN})
  find_program(GRPC_CPP_PLUGIN grpc_cpp_plugin REQUIRED)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/gen)
  file(MAKE_DIRECTORY ${out})
  set(srcs)
  foreach(proto ${ARG_PROTOS})
    get_filename_component(abs ${proto} ABSOLUTE)
    file(RELATIVE_PATH rel ${ARG_ROOT} ${abs})
    string(REGEX REPLACE "\\.proto$" "" stem ${rel})
    set(gen ${out}/${stem}.pb.cc ${out}/${stem}.pb.h
            ${out}/${stem}.grpc.pb.cc ${out}/${stem}.grpc.pb.h)
    add_custom_command(
      OUTPUT ${gen}
      COMMAND protobuf::protoc
        --proto_path=${ARG_ROOT}
        --cpp_out=${out}
        --grpc_out=${out}
        --plugin=protoc-gen-grpc=${GRPC_CPP_PLUGIN}
        ${abs}
      DEPENDS ${abs} ${ARG_PROTOS}
      COMMENT "protoc ${rel}")
    list(APPEND srcs ${gen})
  endforeach()
  add_library(${name} STATIC ${srcs})
  target_include_directories(${name} PUBLIC ${out})
  target_link_libraries(${name} PUBLIC protobuf::libprotobuf gRPC::grpc++)
endfunction()
