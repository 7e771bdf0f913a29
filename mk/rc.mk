# mk/rc.mk: the boot-time files of `ncprov container` (provision/rc/),
# included by the Makefile.
#
#   make install-rc [DESTDIR=...] [PREFIX=...]
#
# installs the three files under $(DESTDIR)$(PREFIX)/share/neoc/rc/ (where
# a pnode picks them up for its containers), and the init script and the
# systemd unit where the system looks for them, when DESTDIR is given (a
# package) or that directory exists:
#
#   $(DESTDIR)$(RC_INITDIR)/ncprov-container                 (SysV, LSB)
#   $(DESTDIR)$(RC_UNITDIR)/ncprov-container.service         (systemd)
#
# The files name the default binary /usr/local/bin/ncprov; the installed
# copies name $(PREFIX)/bin/ncprov.  Nothing is enabled: on a container
# image, `systemctl enable ncprov-container` or `update-rc.d ncprov-container
# defaults`, or append rcS.hook to busybox's /etc/init.d/rcS.

PREFIX     ?= /usr/local
DESTDIR    ?=
RC_SRC      = provision/rc
RC_FILES    = ncprov-container.init ncprov-container.service rcS.hook
RC_SHAREDIR = $(PREFIX)/share/neoc/rc
RC_INITDIR ?= /etc/init.d
RC_UNITDIR ?= /lib/systemd/system
RC_BUILD    = build/rc

.PHONY: install-rc rc-files

# The copies with $(PREFIX) in them (rebuilt every time: PREFIX may change).
rc-files:
	@mkdir -p $(RC_BUILD)
	@for f in $(RC_FILES); do \
		sed -e 's|/usr/local/bin/ncprov|$(PREFIX)/bin/ncprov|g' \
		    $(RC_SRC)/$$f > $(RC_BUILD)/$$f.tmp && \
		mv $(RC_BUILD)/$$f.tmp $(RC_BUILD)/$$f || exit 1; \
	done

install-rc: rc-files
	install -d $(DESTDIR)$(RC_SHAREDIR)
	install -m 0755 $(RC_BUILD)/ncprov-container.init \
	    $(DESTDIR)$(RC_SHAREDIR)/ncprov-container.init
	install -m 0644 $(RC_BUILD)/ncprov-container.service \
	    $(DESTDIR)$(RC_SHAREDIR)/ncprov-container.service
	install -m 0644 $(RC_BUILD)/rcS.hook $(DESTDIR)$(RC_SHAREDIR)/rcS.hook
	@if [ -n "$(DESTDIR)" ] || [ -d "$(RC_INITDIR)" ]; then \
		echo "install -m 0755 ncprov-container.init $(DESTDIR)$(RC_INITDIR)/ncprov-container"; \
		install -d $(DESTDIR)$(RC_INITDIR) && \
		install -m 0755 $(RC_BUILD)/ncprov-container.init \
		    $(DESTDIR)$(RC_INITDIR)/ncprov-container || exit 1; \
	else echo "install-rc: no $(RC_INITDIR): SysV init script not installed"; fi
	@if [ -n "$(DESTDIR)" ] || [ -d "$(RC_UNITDIR)" ]; then \
		echo "install -m 0644 ncprov-container.service $(DESTDIR)$(RC_UNITDIR)/ncprov-container.service"; \
		install -d $(DESTDIR)$(RC_UNITDIR) && \
		install -m 0644 $(RC_BUILD)/ncprov-container.service \
		    $(DESTDIR)$(RC_UNITDIR)/ncprov-container.service || exit 1; \
	else echo "install-rc: no $(RC_UNITDIR): systemd unit not installed"; fi
