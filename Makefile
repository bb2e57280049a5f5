# SPDX-License-Identifier: GPL-2.0
#
# vhost in-order: VIRTIO_F_IN_ORDER for the vhost core of Linux 6.12.
#
#   make deps     install the build and test tools on a fresh Debian 12 or
#                 13 (root or sudo); never a kernel: the VM suites boot
#                 Debian's image unpacked into the build directory
#   make          assemble the tree, build the vhost modules against KDIR
#   make kernel   download and unpack DIST's kernel image (and headers)
#   make root     DIST's debootstrap build root (another release only)
#   make demo     the main job: build, boot Debian's kernel under TCG with
#                 our modules, show each device's features and traffic
#   make check    sparse C=2, W=1, checkpatch --strict, kernel-doc, bisect
#   make kunit    KUnit on UML with KASAN, lockdep and UBSAN; the plain
#                 kunitconfig is configured (KUNIT_PLAIN=1: run it too)
#   make vmtest   Debian's kernel under QEMU TCG with our modules: the
#                 in-order driver harness against each vhost device
#                 (SUITES=test net scsi dpdk fuzz, one boot each;
#                 a+b runs a and b in one boot, as the defaults do;
#                 FUZZ_SEED=, FUZZ_EPISODES=;
#                 SUITES=qemu: QEMU 10 and a Linux 7.x guest, booted alone;
#                 QEMU_DISRUPT=1 adds stop/cont and driver rebinds)
#   make vmtest KERNEL=debug
#                 the same tree built as a small debug kernel (KASAN,
#                 lockdep, kmemleak, hung tasks, fault injection): the
#                 suites plus faults with vhost as modules, then test, net,
#                 scsi and params with vhost built in
#   make test     everything that tests (CI runs this): check, kunit,
#                 vmtest on bookworm's kernel, the qemu suite, vmtest on
#                 trixie's kernel, deb-test, vmtest KERNEL=debug; /boot
#                 must not change
#   make bench    in-order against not, interleaved in one VM session
#   make soak     10 million checked buffers per device with disruptions
#                 (SOAK_BUFFERS=, SOAK_SEED=, SOAK_DEVICES=; never in test)
#   make install  the modules into /lib/modules/<kver>/updates + depmod
#   make dkms     a DKMS source tree of the same modules
#   make deb      vhost-in-order-dkms_<ver>_all.deb for bookworm's and
#                 trixie's kernels (DEB_DISTS=), lintian clean
#   make deb-test apt install of the .deb into throwaway overlays of each
#                 release's root, DKMS, a VM with plain modprobe, apt purge
#   make host-sim this repository on a fresh Debian 13 host (a clone in an
#                 overlay of the trixie root): deps, build, vmtest natively
#                 (HOST_SIM_DIST=, SUITES=; never in test)
#
# DIST=<release>  bookworm or trixie: whose 6.12 kernel to build for and
#                 boot (default: the host's release; another release
#                 builds in its debootstrap root, results in build/<DIST>)
# WITH_TEST=1     install, dkms and deb include vhost_test (a test device)
# KSRC=<dir>      take upstream files from a 6.12 tree instead of Debian's
#                 linux-source-6.12
# KDIR=<dir>      build the modules against these headers/build tree
# BUILD=<dir>     where the tree, modules and results go (default build/;
#                 not O=, which kbuild would take for its own)

TOP    := $(CURDIR)
BUILD  ?= $(TOP)/build
export BUILD
JOBS   ?= $(shell nproc)
KERNEL ?= debian
DEBUG_KERNEL = $(OUT)/debug-kernel

# A fresh machine needs no separate setup step: deps run before anything
# else is resolved, since the kernel version comes from apt.
ifeq ($(wildcard $(BUILD)/.deps-ok),)
ifeq ($(findstring n,$(firstword -$(MAKEFLAGS))),)
ifneq ($(filter-out deps clean distclean,$(or $(MAKECMDGOALS),all)),)
$(info deps: first run on this machine, installing what is missing)
DEPS_RC := $(shell rm -f $(BUILD)/boot-before; $(TOP)/scripts/boot-guard.sh save $(BUILD)/boot-before && $(TOP)/scripts/deps.sh >&2 && mkdir -p $(BUILD) && touch $(BUILD)/.deps-ok && echo ok)
$(if $(DEPS_RC),,$(error deps failed: see above))
FIRST_RUN := 1
endif
endif
endif

# DIST: the Debian release whose 6.12 kernel we build for and boot
# (bookworm, trixie).  The host's own release builds with the host's
# compiler; another release builds inside a debootstrap root of that
# release (scripts/build-root.sh), its results under $(BUILD)/$(DIST).
HOST_DIST := $(shell . /etc/os-release && echo $$VERSION_CODENAME)
DIST   ?= $(HOST_DIST)
KPKG   := $(shell BUILD=$(BUILD) $(TOP)/scripts/kver.sh $(DIST) 2>/dev/null)
KPKGVER := $(word 1,$(KPKG))
KVER   := $(word 2,$(KPKG))
KCACHE := $(BUILD)/kernels/$(DIST)-$(KPKGVER)
ifeq ($(DIST),$(HOST_DIST))
OUT    := $(BUILD)
ROOT   :=
KDIR   ?= $(KCACHE)/usr/src/linux-headers-$(KVER)
KSRC_TARBALL := /usr/src/linux-source-6.12.tar.xz
MODDIR := $(OUT)/modules/drivers/vhost
KBUILD_MODDIR := $(MODDIR)
KMAKE  := $(MAKE)
else
OUT    := $(BUILD)/$(DIST)
ROOT   := $(BUILD)/roots/$(DIST)
KDIR   ?= /usr/src/linux-headers-$(KVER)
KSRC_TARBALL := $(ROOT)/usr/src/linux-source-6.12.tar.xz
MODDIR := $(ROOT)/build/modules/drivers/vhost
KBUILD_MODDIR := /build/modules/drivers/vhost
KMAKE  := env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root chroot $(ROOT) make
endif
KSRC   ?=
TREE   := $(OUT)/linux

# Every module that links against vhost.ko is rebuilt (MODVERSIONS).
# vhost_test has no upstream Kconfig symbol; our series adds VHOST_TEST.
MODULE_CONFIG := CONFIG_VHOST=m CONFIG_VHOST_NET=m CONFIG_VHOST_SCSI=m \
		 CONFIG_VHOST_VSOCK=m CONFIG_VHOST_VDPA=m CONFIG_VHOST_TEST=m \
		 CONFIG_VHOST_IOTLB=m
MODULES := vhost vhost_net vhost_scsi vhost_vsock vhost_vdpa vhost_test \
	   vhost_iotlb
DRIVER  := $(BUILD)/tools/inorder_driver

.PHONY: all deps tree modules check kunit vmtest test bench install \
	clean distclean show driver demo dkms soak kernel root deb deb-test host-sim

all: modules show

deps:
	@$(TOP)/scripts/deps.sh
	@mkdir -p $(BUILD) && touch $(BUILD)/.deps-ok

$(BUILD)/.deps-ok: scripts/deps.sh scripts/kver.sh
	@$(TOP)/scripts/deps.sh
	@mkdir -p $(BUILD) && touch $@

# Debian's kernel of DIST, unpacked into the build directory (never
# installed): the image the VM suites boot, and for the host's release the
# headers the modules build against.
kernel: $(KCACHE)/.complete
$(KCACHE)/.complete: | $(BUILD)/.deps-ok
	@test -n "$(KVER)" || { echo "no 6.12 kernel known to apt for $(DIST)" >&2; exit 1; }
	@$(TOP)/scripts/debian-kernel.sh $(DIST) > /dev/null

ifneq ($(ROOT),)
root: $(ROOT)/.complete-$(KPKGVER)
$(ROOT)/.complete-$(KPKGVER): scripts/build-root.sh | $(BUILD)/.deps-ok
	@$(TOP)/scripts/build-root.sh $(DIST) $(ROOT)
$(KSRC_TARBALL): $(ROOT)/.complete-$(KPKGVER)
else
root:
	@echo "DIST=$(DIST) is the host's release: no build root needed"
endif

tree: $(BUILD)/.deps-ok $(if $(ROOT),$(ROOT)/.complete-$(KPKGVER))
	@TARBALL=$(KSRC_TARBALL) $(TOP)/scripts/assemble.sh $(TREE) $(KSRC)

modules: tree $(if $(ROOT),,$(KCACHE)/.complete)
	@test -f $(ROOT)$(KDIR)/Makefile || { echo "KDIR=$(KDIR) has no kernel build tree: run 'make kernel'" >&2; exit 1; }
	@mkdir -p $(MODDIR)
	@rsync -a --checksum --delete --exclude='*.o' --exclude='*.ko' \
		--exclude='*.mod*' --exclude='.*.cmd' --exclude=modules.order \
		--exclude=Module.symvers --exclude=tests/ \
		$(TREE)/drivers/vhost/ $(MODDIR)/
	$(KMAKE) -C $(KDIR) M=$(KBUILD_MODDIR) $(MODULE_CONFIG) W=$(W) C=$(C) -j$(JOBS) modules

show:
	@$(TOP)/scripts/show-modules.sh $(MODDIR) $(MODULES)

check: tree kernel
	@$(TOP)/scripts/check.sh $(TOP) $(TREE) $(KDIR) $(BUILD)

kunit: tree
	@$(TOP)/scripts/kunit.sh $(TREE) $(BUILD)

driver: $(DRIVER)
DRIVER_SRC := $(wildcard tools/testing/vhost/inorder_driver/*.[ch])
$(DRIVER): $(DRIVER_SRC) $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) -O2 -g -Wall -Wextra -Werror -o $@ $(filter %.c,$(DRIVER_SRC))

demo: modules show $(DRIVER)
	@$(TOP)/tools/testing/vhost/demo.sh $(DRIVER) $(BUILD)/demo

ifeq ($(KERNEL),debug)
vmtest: tree $(DRIVER)
	@$(TOP)/scripts/debug-kernel.sh $(TREE) $(DEBUG_KERNEL)
	@VM_KERNEL=$(DEBUG_KERNEL)/modular $(TOP)/tools/testing/vhost/vmtest.sh \
		$(DRIVER) $(OUT)/vmtest-debug $(SUITES)
	@[ -n "$(SUITES)" ] || VM_KERNEL=$(DEBUG_KERNEL)/builtin \
		$(TOP)/tools/testing/vhost/vmtest.sh $(DRIVER) $(OUT)/vmtest-builtin
else ifeq ($(KERNEL),debian)
vmtest: modules kernel $(DRIVER)
	@VM_DIST=$(DIST) $(TOP)/tools/testing/vhost/vmtest.sh $(DRIVER) $(OUT)/vmtest $(SUITES)
else
vmtest:
	@echo "KERNEL=$(KERNEL): debian (the default) or debug" >&2; exit 2
endif

# What the host boots is checked against its state when make test started,
# or before the setup of a first run on this machine.
# Each phase's wall time goes to $(BUILD)/test-phases, printed at the end.
TRIXIE_SUITES ?= test+net+scsi+dpdk
PHASE = $(TOP)/scripts/phase.sh $(BUILD)/test-phases
test:
	@$(if $(FIRST_RUN),,rm -f $(BUILD)/boot-before;) $(TOP)/scripts/boot-guard.sh save $(BUILD)/boot-before
	@rm -f $(BUILD)/test-phases
	@$(PHASE) check $(MAKE) --no-print-directory check
	@$(PHASE) kunit $(MAKE) --no-print-directory kunit
	@$(PHASE) vmtest-$(HOST_DIST) $(MAKE) --no-print-directory vmtest KERNEL=debian
	@$(PHASE) vmtest-qemu $(MAKE) --no-print-directory vmtest KERNEL=debian SUITES=qemu
	@DPDK_IOS=1 $(PHASE) vmtest-trixie $(MAKE) --no-print-directory vmtest KERNEL=debian DIST=trixie SUITES="$(TRIXIE_SUITES)"
	@$(PHASE) deb-test $(MAKE) --no-print-directory deb-test
	@$(PHASE) vmtest-debug $(MAKE) --no-print-directory vmtest KERNEL=debug
	@cat $(BUILD)/test-phases
	@$(TOP)/scripts/boot-guard.sh verify $(BUILD)/boot-before

# Measurements, never part of make test.  Method: Documentation/bench.rst.
bench: modules $(DRIVER)
	@$(TOP)/tools/testing/vhost/bench.sh $(DRIVER) $(BUILD)/bench

# Long runs, never part of make test.
SOAK_BUFFERS ?= 10000000
SOAK_SEED ?= 1
soak: modules $(DRIVER)
	@SOAK_DEVICES="$(SOAK_DEVICES)" $(TOP)/tools/testing/vhost/soak.sh $(DRIVER) \
		$(BUILD)/soak $(SOAK_BUFFERS) $(SOAK_SEED)

# What make install, make dkms and make deb ship: production modules;
# vhost_test (a test device, /dev/vhost-test) only with WITH_TEST=1.
ifeq ($(WITH_TEST),1)
PROD_MODULES := $(MODULES)
PROD_CONFIG  := $(MODULE_CONFIG)
else
PROD_MODULES := $(filter-out vhost_test,$(MODULES))
PROD_CONFIG  := $(filter-out CONFIG_VHOST_TEST=m,$(MODULE_CONFIG))
endif

# One version for the DKMS tree and the package: the commit's date (UTC)
# and id; uncommitted changes add a hash of the diff, so two different
# trees never share a version.
PKG_VERSION := 0.0+git$(shell TZ=UTC0 git -C $(TOP) log -1 --format=%cd --date=format-local:%Y%m%d%H%M 2>/dev/null || echo 0).$(shell git -C $(TOP) rev-parse --short=7 HEAD 2>/dev/null || echo 0)$(shell git -C $(TOP) diff --quiet HEAD 2>/dev/null || echo .dirty$$(git -C $(TOP) diff HEAD | sha1sum | cut -c1-7))
dist_tree = $(if $(filter $1,$(HOST_DIST)),$(BUILD)/linux,$(BUILD)/$1/linux)
dist_abi  = $(word 2,$(shell BUILD=$(BUILD) $(TOP)/scripts/kver.sh $1))

# A DKMS source tree (and tarball) for DIST's kernel:
# `dkms add build/dkms/vhost-in-order-<ver>` then `dkms install
# --force-version-override` (without it, bookworm's DKMS keeps a kernel's
# own module of the same MODULE_VERSION; the package says so itself).
DKMS_DIR := $(BUILD)/dkms/vhost-in-order-$(PKG_VERSION)
dkms: tree
	@rm -rf $(BUILD)/dkms
	@WITH_TEST=$(WITH_TEST) $(TOP)/scripts/stage-vhost.sh $(TREE) \
		$(DKMS_DIR)/$(KVER)/drivers/vhost
	@$(TOP)/packaging/dkms-conf.sh $(PKG_VERSION) "$(PROD_MODULES)" \
		"$(PROD_CONFIG)" $(KVER) > $(DKMS_DIR)/dkms.conf
	@tar -C $(BUILD)/dkms -czf $(DKMS_DIR).tar.gz vhost-in-order-$(PKG_VERSION)
	@echo "dkms: $(DKMS_DIR) ($(DKMS_DIR).tar.gz)"

# The Debian package: vhost-in-order-dkms_<ver>_all.deb, with the vhost
# tree assembled for each release's kernel (DEB_DISTS), lintian clean.
DEB_DISTS ?= bookworm trixie
DEB := $(BUILD)/deb/vhost-in-order-dkms_$(PKG_VERSION)_all.deb
deb:
	@for d in $(DEB_DISTS); do $(MAKE) --no-print-directory tree DIST=$$d || exit 1; done
	@WITH_TEST=$(WITH_TEST) $(TOP)/scripts/make-deb.sh $(BUILD)/deb $(PKG_VERSION) "$(PROD_MODULES)" \
		"$(PROD_CONFIG)" $(foreach d,$(DEB_DISTS),$(call dist_tree,$d)=$(call dist_abi,$d))

# The package as an operator meets it, without touching the host: apt
# installs it into a throwaway overlay of each release's root, DKMS
# builds, a VM boots that module tree, apt purges it again.
deb-test: deb $(DRIVER)
	@for d in $(DEB_DISTS); do $(MAKE) --no-print-directory modules DIST=$$d || exit 1; done
	@$(TOP)/tools/testing/vhost/deb-test.sh $(DEB) $(DRIVER) $(BUILD)/deb-test $(DEB_DISTS)

# The project on a fresh host of DIST (default trixie): a clone in an
# overlay of DIST's build root, make deps && make && make vmtest there.
# Never in make test.
HOST_SIM_DIST ?= trixie
host-sim:
	@$(MAKE) --no-print-directory root DIST=$(HOST_SIM_DIST)
	@$(TOP)/tools/testing/vhost/host-sim.sh $(HOST_SIM_DIST) "$(or $(SUITES),test net)"

# Into the host's own kernel: /lib/modules/<kver>/updates/vhost-in-order.
install: modules
	@test -z "$(ROOT)" || { echo "install: DIST=$(DIST) is not this host's release" >&2; exit 1; }
	install -d $(DESTDIR)/lib/modules/$(KVER)/updates/vhost-in-order
	install -m644 $(foreach m,$(PROD_MODULES),$(MODDIR)/$(m).ko) \
		$(DESTDIR)/lib/modules/$(KVER)/updates/vhost-in-order/
	depmod -a $(if $(DESTDIR),-b $(DESTDIR)) $(KVER)

# Never delete through a mount a killed deb-test or build-root left.
NO_MOUNTS = @! findmnt -rn -o TARGET | grep -F "$(BUILD)/" || \
	{ echo "mounted under $(BUILD): umount them first" >&2; exit 1; }
clean:
	$(NO_MOUNTS)
	rm -rf $(BUILD)/modules $(BUILD)/kunit*

distclean:
	$(NO_MOUNTS)
	rm -rf $(BUILD)
