# neo-containers: build, test, install.
#
#   make deps     apt-install every build and test dependency (Debian 12, root)
#   make deps-vagrant  apt-install the Vagrant backend's packages
#   make          build bin/neoc
#   make check    unit tests (plain and ASan/UBSan), no file cycles
#                 (tools/cycles.py) and integration tests; ends with
#                 "N passed, N failed, N skipped" (tests/run.sh)
#   make demo     bring the example experiment up on this machine (LXC)
#   make install  DESTDIR= PREFIX=/usr/local
#   make deb      Debian packages into build/deb/ (mk/deb.mk)

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
PKGS     = sqlite3 tcl jansson libssh2 libcrypto
FUSE_CFLAGS = $(shell pkg-config --cflags fuse3 2>/dev/null)
FUSE_LIBS   = $(shell pkg-config --libs fuse3 2>/dev/null) -lpthread
CFLAGS  ?= -O2 -g
# Every object is compiled with only the include paths of its layer (below),
# so a layer cannot reach up: docs/DESIGN.md, "Folders".
NC_CFLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -MMD -MP $(INC) \
	    $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(FUSE_CFLAGS)
LDLIBS_ALL = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm
SAN     = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# The Debian packages `make deps` installs, without their Recommends (lxc's
# and vagrant's pull in a kernel and QEMU): what the build needs, what the
# tests and the embedded default (this machine as the pnode, LXC) run, and
# what `make deb` builds packages with.  The Vagrant backend's packages come
# with `make deps-vagrant` (`make check` runs it: one test validates
# Vagrantfiles).
BUILD_PKGS = build-essential pkg-config libsqlite3-dev tcl-dev libjansson-dev \
	   libssh2-1-dev libfuse3-dev libcurl4-openssl-dev libssl-dev
RUN_PKGS = libcmocka-dev sqlite3 tcl fuse3 graphviz diod vde2 lxc apparmor \
	   busybox-static openssh-server openssh-client iproute2 nftables \
	   python3 passwd util-linux coreutils bsdutils procps strace sudo
DEB_TOOLS = debhelper dpkg-dev
# bench/fetch runs the seed-style REST server of ../shared/baselines
BENCH_PKGS = python3-flask python3-sqlalchemy
DEB_PKGS = $(BUILD_PKGS) $(RUN_PKGS) $(DEB_TOOLS) $(BENCH_PKGS)
VAGRANT_PKGS = vagrant vagrant-libvirt

# The layers, lowest first, and what each may include.
INC_LIB     = -Ilib
INC_P9      = -Ilib/p9
INC_MODEL   = $(INC_LIB) -Iconfigfs/model
INC_NS      = $(INC_MODEL) -Iconfigfs/ns
INC_TMCC    = $(INC_MODEL) -Iconfigfs/tmcc
INC_JSON    = $(INC_MODEL) -Iconfigfs/json
INC_STORE   = $(INC_MODEL) -Iconfigfs/store
INC_NCFS    = $(INC_LIB) -Iconfigfs/model -Iconfigfs/store -Iconfigfs/ncfs
INC_NEOC    = $(INC_MODEL) -Iconfigfs/ns -Iconfigfs/tmcc -Iconfigfs/json \
	      -Iconfigfs/store -Ineoc
INC_IMAGES  = $(INC_LIB) -Iconfigfs/model -Iconfigfs/store -Iimages
INC_PROV    = $(INC_LIB) $(INC_P9) -Iprovision
INC_PROV_CT = $(INC_PROV) -Iprovision/container
INC_PROV_PN = $(INC_PROV) -Iprovision/pnode
INC_NC9PFS  = $(INC_LIB) $(INC_P9)
INC_TESTS   = $(INC_NEOC) $(INC_NCFS) $(INC_PROV_CT) -Iprovision/pnode -Iimages

$(foreach b,build build/asan,\
  $(eval $(b)/lib/%.o: INC = $(INC_LIB)) \
  $(eval $(b)/lib/p9/%.o: INC = $(INC_P9)) \
  $(eval $(b)/configfs/model/%.o: INC = $(INC_MODEL)) \
  $(eval $(b)/configfs/ns/%.o: INC = $(INC_NS)) \
  $(eval $(b)/configfs/tmcc/%.o: INC = $(INC_TMCC)) \
  $(eval $(b)/configfs/json/%.o: INC = $(INC_JSON)) \
  $(eval $(b)/configfs/store/%.o: INC = $(INC_STORE)) \
  $(eval $(b)/configfs/ncfs/%.o: INC = $(INC_NCFS)) \
  $(eval $(b)/neoc/%.o: INC = $(INC_NEOC)) \
  $(eval $(b)/images/%.o: INC = $(INC_IMAGES)) \
  $(eval $(b)/provision/%.o: INC = $(INC_PROV)) \
  $(eval $(b)/provision/container/%.o: INC = $(INC_PROV_CT)) \
  $(eval $(b)/provision/pnode/%.o: INC = $(INC_PROV_PN)) \
  $(eval $(b)/provision/main.o: INC = $(INC_PROV_CT) -Iprovision/pnode) \
  $(eval $(b)/nc9pfs/%.o: INC = $(INC_NC9PFS)) \
  $(eval $(b)/schema_sql.o: INC = $(INC_LIB)) \
  $(eval $(b)/tests/%: INC = $(INC_TESTS)))

LIB_SRC     = $(sort $(wildcard lib/*.c))
P9_SRC      = $(sort $(wildcard lib/p9/*.c))
CONFIGFS_SRC = $(sort $(wildcard configfs/model/*.c configfs/ns/*.c \
	       configfs/tmcc/*.c configfs/json/*.c configfs/store/*.c))
NEOC_SRC    = $(sort $(wildcard neoc/*.c))
NCFS_SRC    = $(sort $(wildcard configfs/ncfs/*.c))
NCFS_PARTS  = $(filter-out configfs/ncfs/ncfs_main.c,$(NCFS_SRC))
PROV_SRC    = $(sort $(wildcard provision/*.c provision/container/*.c \
	      provision/pnode/*.c))
IMAGES_SRC  = $(sort $(wildcard images/*.c))
IMAGES_PARTS = $(filter-out images/main.c,$(IMAGES_SRC))
IMAGES_LIBS = $(shell pkg-config --libs libcurl jansson sqlite3 2>/dev/null) \
	      -lcrypto -lm
PROV_PARTS  = $(filter-out provision/main.c,$(PROV_SRC))
# ncprov links only libc: these are the shared pieces it may use.
PROV_LIB    = lib/buf.c lib/util.c lib/strmap.c lib/inet.c lib/valid.c \
	      lib/nctree.c lib/hash.c lib/atomic.c $(P9_SRC)
CORE_SRC    = $(LIB_SRC) $(P9_SRC) $(CONFIGFS_SRC)
UNIT_SRC    = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS   = $(UNIT_SRC:tests/unit/%.c=build/tests/%)
UNIT_ASAN   = $(UNIT_SRC:tests/unit/%.c=build/asan/tests/%)

CORE_OBJ    = $(CORE_SRC:%.c=build/%.o) build/schema_sql.o
CORE_ASAN   = $(CORE_SRC:%.c=build/asan/%.o) build/asan/schema_sql.o
NEOC_OBJ    = $(NEOC_SRC:%.c=build/%.o)
# The front door's parts without its main(), for the unit tests.
NEOC_PARTS  = $(filter-out neoc/main.c,$(NEOC_SRC))

.PHONY: all deps deps-vagrant check unit cycles integration demo install clean bench bench-up ncprov-static
all: bin/neoc bin/ncfs bin/ncprov bin/nc9pfs bin/ncimage

build/schema_sql.c: configfs/store/schema.sql tools/embed.sh
	@mkdir -p $(@D)
	sh tools/embed.sh nc_schema_sql $< > $@

build/%.o: %.c | build/schema_sql.c
	@mkdir -p $(@D)
	$(CC) $(NC_CFLAGS) $(CFLAGS) -c -o $@ $<

build/schema_sql.o: build/schema_sql.c
	$(CC) $(NC_CFLAGS) $(CFLAGS) -c -o $@ $<

build/asan/%.o: %.c | build/schema_sql.c
	@mkdir -p $(@D)
	$(CC) $(NC_CFLAGS) -O1 -g $(SAN) -c -o $@ $<

build/asan/schema_sql.o: build/schema_sql.c
	@mkdir -p $(@D)
	$(CC) $(NC_CFLAGS) -O1 -g $(SAN) -c -o $@ $<

bin/ncprov: $(PROV_SRC:%.c=build/%.o) $(PROV_LIB:%.c=build/%.o)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^ -lpthread

# bench/fetch's timer: ncprov's fetch in one process (not part of all)
build/bench/fetch_time: bench/fetch_time.c $(PROV_PARTS:%.c=build/%.o) \
    $(PROV_LIB:%.c=build/%.o)
	@mkdir -p $(@D)
	$(CC) $(NC_CFLAGS) $(INC_PROV) -O2 -g -o $@ $^ -lpthread

bin/nc9pfs: build/nc9pfs/nc9pfs.o $(P9_SRC:%.c=build/%.o)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^ $(FUSE_LIBS)

bin/ncimage: $(IMAGES_SRC:%.c=build/%.o) build/libnc.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^ $(IMAGES_LIBS)

# A static ncprov to drop into any image.
ncprov-static: bin/ncprov-static
bin/ncprov-static: $(PROV_SRC:%.c=build/%.o) $(PROV_LIB:%.c=build/%.o)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -static -o $@ $^ -lpthread

# The shared code as archives, so each binary links only what it uses.
build/libnc.a: $(CORE_OBJ)
	rm -f $@
	ar rcs $@ $^

build/asan/libnc.a: $(CORE_ASAN)
	rm -f $@
	ar rcs $@ $^

bin/neoc: $(NEOC_OBJ) build/libnc.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS_ALL)

bin/ncfs: $(NCFS_SRC:%.c=build/%.o) build/libnc.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^ $(FUSE_LIBS) -lsqlite3 -lm

build/tests/%: tests/unit/%.c $(NEOC_PARTS:%.c=build/%.o) \
	    $(NCFS_PARTS:%.c=build/%.o) $(PROV_PARTS:%.c=build/%.o) build/libnc.a
	@mkdir -p $(@D)
	$(CC) $(NC_CFLAGS) $(CFLAGS) -o $@ $(filter %.c %.o,$^) $(filter %.a,$^) $(LDLIBS_ALL) $(FUSE_LIBS) -lcmocka

build/asan/tests/%: tests/unit/%.c $(NEOC_PARTS:%.c=build/asan/%.o) \
	    $(NCFS_PARTS:%.c=build/asan/%.o) $(PROV_PARTS:%.c=build/asan/%.o) \
	    build/asan/libnc.a
	@mkdir -p $(@D)
	$(CC) $(NC_CFLAGS) -O1 -g $(SAN) -o $@ $(filter %.c %.o,$^) $(filter %.a,$^) $(LDLIBS_ALL) $(FUSE_LIBS) \
	    -lcmocka

# The image cache's tests also link images/ and libcurl, libcrypto.
build/tests/test_images: tests/unit/test_images.c \
	    $(IMAGES_PARTS:%.c=build/%.o) build/libnc.a
	@mkdir -p $(@D)
	$(CC) $(NC_CFLAGS) $(CFLAGS) -o $@ $(filter %.c %.o,$^) $(filter %.a,$^) $(IMAGES_LIBS) -lcmocka

build/asan/tests/test_images: tests/unit/test_images.c \
	    $(IMAGES_PARTS:%.c=build/asan/%.o) build/asan/libnc.a
	@mkdir -p $(@D)
	$(CC) $(NC_CFLAGS) -O1 -g $(SAN) -o $@ $(filter %.c %.o,$^) $(filter %.a,$^) $(IMAGES_LIBS) \
	    -lcmocka

# The table of valid.h's rules runs through every entry point: the
# importers, ncfs, ncprov and the image cache (images/, libcurl).
build/tests/test_valid: tests/unit/test_valid.c $(NEOC_PARTS:%.c=build/%.o) \
	    $(NCFS_PARTS:%.c=build/%.o) $(PROV_PARTS:%.c=build/%.o) \
	    $(IMAGES_PARTS:%.c=build/%.o) build/libnc.a
	@mkdir -p $(@D)
	$(CC) $(NC_CFLAGS) $(CFLAGS) -o $@ $(filter %.c %.o,$^) $(filter %.a,$^) $(LDLIBS_ALL) $(IMAGES_LIBS) $(FUSE_LIBS) -lcmocka

build/asan/tests/test_valid: tests/unit/test_valid.c \
	    $(NEOC_PARTS:%.c=build/asan/%.o) $(NCFS_PARTS:%.c=build/asan/%.o) \
	    $(PROV_PARTS:%.c=build/asan/%.o) $(IMAGES_PARTS:%.c=build/asan/%.o) \
	    build/asan/libnc.a
	@mkdir -p $(@D)
	$(CC) $(NC_CFLAGS) -O1 -g $(SAN) -o $@ $(filter %.c %.o,$^) $(filter %.a,$^) $(LDLIBS_ALL) \
	    $(IMAGES_LIBS) $(FUSE_LIBS) -lcmocka

# $(call apt_install,PACKAGES): apt-get install, without Recommends, those
# of PACKAGES not installed yet.
define apt_install
	@missing=$$(for p in $(1); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		    --no-install-recommends $$missing; \
	else echo "$@: everything is installed"; fi
endef

# Install what the build and the tests need, only when something is missing.
deps:
	$(call apt_install,$(DEB_PKGS))

# The Vagrant backend: vagrant and its libvirt provider plugin (a provider
# to run machines, VirtualBox or libvirt-daemon-system, is the operator's).
deps-vagrant:
	$(call apt_install,$(VAGRANT_PKGS))

check: deps deps-vagrant
	$(MAKE) all ncprov-static $(UNIT_BINS) $(UNIT_ASAN)
	python3 tools/cycles.py build
	sh tests/run.sh

unit: all $(UNIT_BINS) $(UNIT_ASAN)
	python3 tools/cycles.py build
	sh tests/run.sh unit

# No two .c files may call each other, directly or around a loop.
cycles: all
	python3 tools/cycles.py build

integration: all
	sh tests/run.sh integration

demo: deps
	$(MAKE) all
	sh examples/demo.sh

# The benchmarks of the README (bench/ncfs 10000 takes minutes: run by hand).
bench: all
	sh bench/import
	sh bench/ncfs 1000
	sh bench/provision
	sh bench/fetch

# Bringing containers up (root, LXC; minutes).
bench-up: all
	sh bench/up
	sh bench/neoc-up

include mk/rc.mk
include mk/deb.mk

install: all install-rc
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/sbin \
	    $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0755 bin/neoc $(DESTDIR)$(PREFIX)/bin/neoc
	install -m 0755 bin/ncfs $(DESTDIR)$(PREFIX)/bin/ncfs
	install -m 0755 bin/ncprov $(DESTDIR)$(PREFIX)/bin/ncprov
	install -m 0755 bin/nc9pfs $(DESTDIR)$(PREFIX)/bin/nc9pfs
	install -m 0755 bin/ncimage $(DESTDIR)$(PREFIX)/bin/ncimage
	install -m 0644 man/neoc.1 $(DESTDIR)$(PREFIX)/share/man/man1/neoc.1
	if [ -f man/ncfs.8 ]; then install -m 0644 man/ncfs.8 \
	    $(DESTDIR)$(PREFIX)/share/man/man8/ncfs.8; fi

clean:
	rm -rf build bin
.SECONDARY:
# A recipe that fails leaves no half-made target behind (a test binary
# that fails to build must not look up to date).
.DELETE_ON_ERROR:

-include $(shell find build -name '*.d' 2>/dev/null)
