# Sanitizer and fuzzing instrumentation, carried by dn_build_settings so that every target
# linking it (libraries, programs, tests) is built alike; nothing is set directory-wide.
# Include after DNotifierBuildSettings.cmake and after the DNOTIFIER_FUZZ option.
#
# DNOTIFIER_SANITIZE: AddressSanitizer and UndefinedBehaviorSanitizer everywhere, g++ or clang.
# Undefined behaviour aborts instead of printing and going on, so a test that reaches it fails.
#
# DNOTIFIER_FUZZ: libFuzzer coverage (fuzzer-no-link) plus the same sanitizers everywhere, so
# the fuzzers see into the libraries; dn_fuzzer_settings adds the libFuzzer driver and main()
# to the fuzzer executables only. Needs clang: g++ has no libFuzzer.

option(DNOTIFIER_SANITIZE
    "Build everything with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)

if(DNOTIFIER_FUZZ AND NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR
        "DNOTIFIER_FUZZ needs clang for libFuzzer, but the C++ compiler is "
        "${CMAKE_CXX_COMPILER_ID}: configure a fresh build tree with CC=clang CXX=clang++")
endif()

if(DNOTIFIER_SANITIZE OR DNOTIFIER_FUZZ)
    # A fuzzer only notices undefined behaviour that aborts, hence no-recover in both modes.
    target_compile_options(dn_build_settings INTERFACE
        -fsanitize=address,undefined
        -fno-omit-frame-pointer
        -fno-sanitize-recover=undefined)
    target_link_options(dn_build_settings INTERFACE -fsanitize=address,undefined)
endif()

if(DNOTIFIER_FUZZ)
    target_compile_options(dn_build_settings INTERFACE -fsanitize=fuzzer-no-link)
    add_library(dn_fuzzer_settings INTERFACE)
    target_link_options(dn_fuzzer_settings INTERFACE -fsanitize=fuzzer)
endif()
