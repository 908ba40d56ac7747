# Debian packages built with CPack from this tree: `cpack -G DEB` in a build directory makes
# dnotifier-node (binary, conffile /etc/dnotifier/node.json, systemd unit, maintainer scripts
# that add the system user) and, when the console is built, dnotifier-console (binary,
# .desktop entry, icon). tests/packaging checks what they hold and do.

install(FILES ${PROJECT_SOURCE_DIR}/packaging/config/node.json
    DESTINATION /etc/dnotifier COMPONENT node)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/systemd/dnotifier-node.service
    DESTINATION /lib/systemd/system COMPONENT node)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME dnotifier)
# Each package names its own summary (the first line of its description); the project's would
# be put in front of both.
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "")
set(CPACK_PACKAGE_VENDOR "DNotifier")
set(CPACK_PACKAGE_CONTACT "DNotifier maintainers <maintainers@dnotifier.invalid>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL node)
if(DNOTIFIER_BUILD_CONSOLE)
    list(APPEND CPACK_COMPONENTS_ALL console)
endif()
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_NODE_PACKAGE_NAME dnotifier-node)
set(CPACK_DEBIAN_NODE_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_NODE_DESCRIPTION
    "Self-hosted real-time messaging node\nServes the Pusher Channels and Centrifuge client protocols and their HTTP APIs,\npeers with other nodes into a cluster and offers an admin channel for the console.")
set(CPACK_DEBIAN_NODE_PACKAGE_CONTROL_EXTRA
    "${PROJECT_SOURCE_DIR}/packaging/debian/node/postinst;${PROJECT_SOURCE_DIR}/packaging/debian/node/prerm;${PROJECT_SOURCE_DIR}/packaging/debian/node/postrm;${PROJECT_SOURCE_DIR}/packaging/debian/node/conffiles")
set(CPACK_DEBIAN_NODE_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_CONSOLE_PACKAGE_NAME dnotifier-console)
set(CPACK_DEBIAN_CONSOLE_PACKAGE_SECTION net)
set(CPACK_DEBIAN_CONSOLE_DESCRIPTION
    "Desktop console for DNotifier clusters\nShows the topology, channels, traffic and connections of a DNotifier cluster\nand issues tokens, through any node's admin channel.")
include(CPack)
