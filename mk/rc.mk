# mk/rc.mk: the boot-time files (provision/rc/, neoc/rc/): ncprov-container
# for containers, ncprov-pnode for pnodes, neoc-serve for the control node;
# included by the Makefile.
#
#   make install-rc [DESTDIR=...] [PREFIX=...]
#
# installs every file under $(DESTDIR)$(PREFIX)/share/neoc/rc/ (where a
# pnode picks them up for its containers), and each service's init script
# and systemd unit where the system looks for them, when DESTDIR is given
# (a package) or that directory exists:
#
#   $(DESTDIR)$(RC_INITDIR)/SVC                 (SysV, LSB)
#   $(DESTDIR)$(RC_UNITDIR)/SVC.service         (systemd)
#
# The files name the default binaries /usr/local/bin/ncprov and neoc; the
# installed copies name $(PREFIX)/bin/.  Nothing is enabled: on a container
# image, `systemctl enable ncprov-container` or `update-rc.d ncprov-container
# defaults`, or append rcS.hook to busybox's /etc/init.d/rcS; on a pnode
# ncprov-pnode, on the control node neoc-serve.

PREFIX     ?= /usr/local
DESTDIR    ?=
# Each service: an init script SVC.init and a systemd unit SVC.service.
RC_SERVICES = ncprov-container ncprov-pnode neoc-serve
RC_SRCS     = $(foreach s,$(RC_SERVICES),$(wildcard provision/rc/$(s).* \
	      neoc/rc/$(s).*)) provision/rc/rcS.hook \
	      provision/rc/node-boot
RC_SHAREDIR = $(PREFIX)/share/neoc/rc
RC_INITDIR ?= /etc/init.d
RC_UNITDIR ?= /lib/systemd/system
RC_BUILD    = build/rc

.PHONY: install-rc rc-files

# The copies with $(PREFIX) in them (rebuilt every time: PREFIX may change).
rc-files:
	@mkdir -p $(RC_BUILD)
	@for f in $(RC_SRCS); do \
		b=$$(basename $$f); \
		sed -e 's|/usr/local/bin/ncprov|$(PREFIX)/bin/ncprov|g' \
		    -e 's|/usr/local/bin/neoc|$(PREFIX)/bin/neoc|g' \
		    $$f > $(RC_BUILD)/$$b.tmp && \
		mv $(RC_BUILD)/$$b.tmp $(RC_BUILD)/$$b || exit 1; \
	done

install-rc: rc-files
	install -d $(DESTDIR)$(RC_SHAREDIR)
	@for f in $(RC_SRCS); do \
		b=$$(basename $$f); m=0644; \
		case $$b in *.init) m=0755 ;; esac; \
		install -m $$m $(RC_BUILD)/$$b $(DESTDIR)$(RC_SHAREDIR)/$$b || exit 1; \
	done
	@if [ -n "$(DESTDIR)" ] || [ -d "$(RC_INITDIR)" ]; then \
		install -d $(DESTDIR)$(RC_INITDIR) || exit 1; \
		for s in $(RC_SERVICES); do \
			echo "install -m 0755 $$s.init $(DESTDIR)$(RC_INITDIR)/$$s"; \
			install -m 0755 $(RC_BUILD)/$$s.init \
			    $(DESTDIR)$(RC_INITDIR)/$$s || exit 1; \
		done; \
	else echo "install-rc: no $(RC_INITDIR): SysV init scripts not installed"; fi
	@if [ -n "$(DESTDIR)" ] || [ -d "$(RC_UNITDIR)" ]; then \
		install -d $(DESTDIR)$(RC_UNITDIR) || exit 1; \
		for s in $(RC_SERVICES); do \
			echo "install -m 0644 $$s.service $(DESTDIR)$(RC_UNITDIR)/$$s.service"; \
			install -m 0644 $(RC_BUILD)/$$s.service \
			    $(DESTDIR)$(RC_UNITDIR)/$$s.service || exit 1; \
		done; \
	else echo "install-rc: no $(RC_UNITDIR): systemd units not installed"; fi
