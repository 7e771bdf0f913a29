# mk/deb.mk: the Debian packages, built from debian/ with debhelper;
# included by the Makefile.
#
#   make deb      build/deb/neo-containers_VERSION_ARCH.deb (the control
#                 node: neoc, ncfs, nc9pfs, ncimage, man pages, neoc-serve)
#                 and build/deb/neo-containers-ncprov_VERSION_ARCH.deb
#                 (ncprov, static, and the pnode's and containers' boot
#                 files), with their .buildinfo and .changes
#
# dpkg-buildpackage cleans the tree it builds (`make clean`) and writes next
# to it, so the packages are built in a copy of the source under
# build/deb/src/ and moved to build/deb/.  Install them on a control node
# with `apt-get install ./build/deb/*.deb`, on a pnode the -ncprov one.

DEB_OUT  ?= build/deb
DEB_SRC   = $(DEB_OUT)/src/neo-containers
DEB_JOBS ?= $(shell nproc 2>/dev/null || echo 1)

.PHONY: deb deps-deb

# What dpkg-buildpackage needs: the build's packages and debhelper.
deps-deb:
	$(call apt_install,$(BUILD_PKGS) $(DEB_TOOLS))

deb: deps-deb
	rm -rf $(DEB_OUT)
	mkdir -p $(DEB_SRC)
	tar -cf - --exclude=./build --exclude=./bin --exclude=./.git . | \
	    tar -C $(DEB_SRC) -xf -
	cd $(DEB_SRC) && dpkg-buildpackage -b -us -uc -j$(DEB_JOBS)
	mv $(DEB_OUT)/src/*.deb $(DEB_OUT)/src/*.buildinfo \
	    $(DEB_OUT)/src/*.changes $(DEB_OUT)/
	rm -rf $(DEB_OUT)/src
	@ls -l $(DEB_OUT)
