# One INTERFACE target carries the language level, warnings and Qt strictness switches;
# every DNotifier target links it instead of setting flags directory-wide.
add_library(dn_build_settings INTERFACE)
target_compile_features(dn_build_settings INTERFACE cxx_std_20)
target_compile_options(dn_build_settings INTERFACE
    -Wall -Wextra -Wpedantic -Wold-style-cast
    $<$<BOOL:${DNOTIFIER_WERROR}>:-Werror>)
target_compile_definitions(dn_build_settings INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CAST_TO_ASCII
    QT_NO_CAST_FROM_BYTEARRAY
    QT_NO_FOREACH
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
    QT_NO_KEYWORDS
    QT_USE_QSTRINGBUILDER
    # QT_DISABLE_DEPRECATED_UP_TO arrived in Qt 6.5; 6.4 reads the older spelling.
    QT_DISABLE_DEPRECATED_BEFORE=0x060400
    DNOTIFIER_VERSION="${PROJECT_VERSION}")
target_include_directories(dn_build_settings INTERFACE ${PROJECT_SOURCE_DIR})
